"""What one `zsbot` call imports: `parse` neither the typer app nor the database, `say` nothing it does not use.

Each call is a fresh interpreter, as the office's shell starts one, running the entry point pyproject.toml
names; it lists `sys.modules` at exit. Every import is time the office waits for (issue 20: under 0.4 s a
call; the figures are benchmarks/cli.py's, not a test's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from sqlalchemy import text

from bot.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
LEAD = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"
#: The libraries of other commands (serve, export, bulletin, job) and of migrating an older database.
OTHER_COMMANDS = ("alembic", "apscheduler", "docx", "fastapi", "httpx", "matplotlib", "numpy", "openpyxl", "PIL",
                  "starlette", "uvicorn", "websockets", "wechatpy")


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


class Ended:
    """How a `zsbot` process ended: its output, the modules it had imported, and whether it skipped the
    interpreter's teardown (bot.main.leave) or exited as usual."""

    def __init__(self, done: subprocess.CompletedProcess[str], modules: set[str], how: str) -> None:
        self.done, self.modules, self.quick = done, modules, how == "os._exit"


def _run(code: str, tmp_path: Path, db_url: str | None = None) -> Ended:
    """Run `code` in a new interpreter; what it printed, the modules it held when it ended, and how it ended."""
    listing = tmp_path / "modules.json"
    prelude = (
        "import atexit, json, os, sys\n"
        "def _list(how):\n"
        f"    open({str(listing)!r}, 'w').write(json.dumps([how, sorted(sys.modules)]))\n"
        "atexit.register(_list, 'exit')\n"
        "_exit = os._exit\n"
        "os._exit = lambda status: (_list('os._exit'), _exit(status))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSBOT_")}
    if db_url is not None:
        env["ZSBOT_DATABASE__URL"] = db_url
    done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    how, modules = json.loads(listing.read_text())
    return Ended(done, set(modules), how)


def _zsbot(*args: str) -> str:
    """The `zsbot` executable as pip installs it: the function [project.scripts] names, with these words."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, function = scripts["zsbot"].split(":")
    return f"sys.argv = ['zsbot', *{list(args)!r}]\nfrom {module} import {function}\nsys.exit({function}())\n"


def test_importing_the_command_line_loads_no_command(tmp_path: Path) -> None:
    """Registering every command imports typer and the command modules, not what a command runs: the
    settings (and with their rules the ORM and the parser), the database, the web service, the charts."""
    ended = _run("import bot.cli\n", tmp_path)
    assert ended.done.returncode == 0, ended.done.stderr
    modules = ended.modules
    assert "bot.cli.serve" in modules and "typer" in modules
    assert {"bot.settings", "bot.runtime", "handlers.core.rules", "storage.models", "storage.db"} & modules == set()
    assert {"sqlalchemy", "sqlmodel", "pydantic_settings", "nlp", "jieba", *OTHER_COMMANDS} & _top_level(modules) == set()


def test_parse_runs_the_parser_alone_and_ends_without_teardown(tmp_path: Path) -> None:
    ended = _run(_zsbot("parse", "--today", "2026-03-10", LEAD), tmp_path)
    assert ended.done.returncode == 0, ended.done.stderr
    assert json.loads(ended.done.stdout)["company"] == "江苏恒润新材料有限公司" and ended.quick
    assert "nlp.cli" in ended.modules and "bot.cli" not in ended.modules
    assert {"typer", "pydantic", "sqlalchemy", "handlers", "storage", *OTHER_COMMANDS} & _top_level(ended.modules) == set()


def test_parse_exit_status_and_usage_survive_the_quick_end(tmp_path: Path) -> None:
    ended = _run(_zsbot("parse", "--today", "10.3.2026", LEAD), tmp_path)
    assert (ended.done.returncode, ended.done.stdout, ended.done.stderr) == (2, "", "invalid --today: '10.3.2026'\n")
    assert ended.quick


def test_say_on_a_current_database_imports_no_other_command_nor_the_migrations(
        roster: Runtime, db_url: str, tmp_path: Path) -> None:
    """The database is at the newest revision (the roster was imported): one query says so, Alembic stays
    unloaded; the chart questions are registered without matplotlib and python-docx. The process ends
    without teardown, its database closed first: SQLite leaves no WAL beside the file, as at any exit."""
    roster.engine.dispose()  # the call is the database's only user, as in an office
    sqlite = db_url.startswith("sqlite:///")
    wal = Path(f"{db_url.removeprefix('sqlite:///')}-wal")
    assert not (sqlite and wal.exists())
    ended = _run(_zsbot("say", "--as", "wz_liu", "--at", "2026-03-10T10:00", LEAD), tmp_path, db_url)
    assert ended.done.returncode == 0, ended.done.stderr
    assert ended.done.stdout.startswith("✅ 已登记线索 #1（卫庄镇") and ended.quick
    assert {"handlers.dispatch", "handlers.office.chart_queries", "handlers.publishing.documents"} <= ended.modules
    assert set(OTHER_COMMANDS) & _top_level(ended.modules) == set()
    assert not (sqlite and wal.exists())


def test_say_on_a_database_it_cannot_open_says_why_and_closes_it(roster: Runtime, db_url: str, tmp_path: Path) -> None:
    """A database of a later release: one line naming the revision, exit 2, and (SQLite) no WAL left behind."""
    with roster.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_later'"))
    roster.engine.dispose()
    ended = _run(_zsbot("say", "--as", "wz_liu", "--at", "2026-03-10T10:00", LEAD), tmp_path, db_url)
    assert ended.done.returncode == 2 and ended.done.stdout == "" and ended.quick
    assert ended.done.stderr.startswith("无法连接或初始化数据库") and "0099_later" in ended.done.stderr
    assert not (db_url.startswith("sqlite:///") and Path(f"{db_url.removeprefix('sqlite:///')}-wal").exists())


def test_other_commands_exit_as_usual(roster: Runtime, db_url: str, tmp_path: Path) -> None:
    ended = _run(_zsbot("rank", "--period", "2026-03"), tmp_path, db_url)
    assert ended.done.returncode == 0, ended.done.stderr
    assert "卫庄镇" in ended.done.stdout and not ended.quick
