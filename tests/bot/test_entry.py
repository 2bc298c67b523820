"""The `zsbot` executable (bot.main): `zsbot parse` skips the typer app and answers exactly as its command does.

(`bot.main.run`, in this process; how the real executable ends is tests/bot/test_cli_imports.py's.)"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.main import run

LEAD = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    assert not isinstance(code, str)
    return code or 0, out, err


@pytest.mark.parametrize("args", [
    ("parse", "--today", "2026-03-10", LEAD),
    ("parse", "--today", "2026-03-10", "签约：XX公司项目正式签约，总投资1.2亿元"),
    ("parse", "--today", "10.3.2026", LEAD),  # not a date: exit 2
    ("parse",),  # no message: usage, exit 2
])
def test_parse_answers_as_the_typer_command(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, *args)
    through_typer = CliRunner().invoke(app, list(args))
    assert (code, out, err) == (through_typer.exit_code, through_typer.stdout, through_typer.stderr)


def test_parse_help_and_other_commands_go_through_typer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "parse", "--help")
    assert code == 0 and " parse [OPTIONS]" in out and "docs/parsing.md" in out
    code, out, _ = _run(capsys, "job", "list", "--at", "2026-03-01T00:00")
    assert code == 0 and "monthly-nag" in out
