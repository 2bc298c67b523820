"""A county office as a new user sets it up: a config.toml with `[county]`, the roster, then messages (handled as
`zsbot say` handles them) and the read-outs through the command line (`projects --json`, `stats --json`,
`rank --json`, `export`, `bulletin --docx`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime, build_runtime
from bot.settings import load_settings
from handlers.core.messages import Incoming, Reply
from tests.conftest import FIXTURES, local

#: The standard roster's units are 卫庄镇, 南樊镇, 横水镇 (towns of 绛县), 开发区 and 商务局.
COUNTY = '[county]\nname = "绛县"\nadcode = "140826"\n'


@dataclass
class Office:
    """One county's bot: talk to it as roster members, read it back as the office does."""

    config: Path
    runtime: Runtime
    tmp: Path
    replies: list[Reply] = field(default_factory=list)

    def say(self, user: str, text: str, at: str) -> Reply:
        """`zsbot say --as USER --at AT TEXT` (the same core; one runtime for speed)."""
        reply = self.runtime.bot.handle(
            Incoming(channel="console", msg_id=uuid.uuid4().hex, user_id=user, text=text, at=local(at)))
        self.replies.append(reply)
        return reply

    def number(self, reply: Reply) -> int:
        """The record a receipt names (its own #N)."""
        assert reply.records, reply.text
        return reply.records[0]

    def cli(self, *args: str) -> str:
        result = CliRunner().invoke(app, ["--config", str(self.config), *args])
        assert result.exit_code == 0, f"zsbot {' '.join(args)}: {result.output}"
        return result.stdout

    def projects(self) -> list[dict[str, Any]]:
        return json.loads(self.cli("projects", "--json"))  # type: ignore[no-any-return]

    def project(self, word: str, unit: str | None = None) -> dict[str, Any]:
        """The one project whose investor or name has `word` (of `unit`)."""
        found = [p for p in self.projects() if word in f"{p['company'] or ''}{p['name'] or ''}"
                 and (unit is None or p["unit"] == unit)]
        assert len(found) == 1, (word, [(p["id"], p["unit"], p["company"], p["name"]) for p in self.projects()])
        return found[0]

    def stats(self, period: str = "2026-03") -> dict[str, Any]:
        return json.loads(self.cli("stats", "--period", period, "--json"))  # type: ignore[no-any-return]

    def rank(self, period: str = "2026-03") -> dict[str, dict[str, Any]]:
        return {r["unit"]: r for r in json.loads(self.cli("rank", "--period", period, "--json"))}

    def sheet(self, name: str, period: str = "2026-03") -> list[tuple[Any, ...]]:
        out = self.tmp / f"台账-{uuid.uuid4().hex[:6]}.xlsx"
        self.cli("export", "--out", str(out), "--period", period)
        return list(load_workbook(out, data_only=True)[name].iter_rows(values_only=True))


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.delenv("ZSBOT_DATABASE__URL", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f"[database]\nurl = {json.dumps(db_url)}\n\n{COUNTY}\n[documents]\n"
                      f"folder = {json.dumps(str(tmp_path / '通报'), ensure_ascii=False)}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "roster", "import", str(FIXTURES / "roster.csv")])
    assert result.exit_code == 0, result.output
    runtime = build_runtime(load_settings(config))
    try:
        yield Office(config, runtime, tmp_path)
    finally:
        runtime.engine.dispose()
