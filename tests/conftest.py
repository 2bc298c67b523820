"""Shared fixtures: a real database per test (SQLite and PostgreSQL), a settable clock, a chat.

PostgreSQL tests get a fresh schema each; they are skipped, with the reason printed, only when no
server answers at $ZSBOT_TEST_PG (default 127.0.0.1:5432, database `test`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import text

from bot.runtime import Runtime, build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.core.messages import Incoming, Reply
from handlers.core.roster import import_roster, read_rows
from handlers.core.rules import DocumentRules, ScheduleRules
from storage.db import make_engine
from storage.store import Store, unit_of_work

PG_URL = os.environ.get("ZSBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIXTURES = Path(__file__).parent / "fixtures"
TZ = ScheduleRules().tz


def _pg_answers() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL at {PG_URL.split('@')[-1]} does not answer: {type(exc).__name__}"


_PG_REASON: str | None | bool = False


def pg_skip_reason() -> str | None:
    global _PG_REASON
    if _PG_REASON is False:
        _PG_REASON = _pg_answers()
        if _PG_REASON and os.environ.get("ZSBOT_REQUIRE_PG"):
            raise RuntimeError(f"ZSBOT_REQUIRE_PG is set but {_PG_REASON}")
        if _PG_REASON:
            print(f"\n[zsbot tests] skipping PostgreSQL variants: {_PG_REASON}")
    return _PG_REASON  # type: ignore[return-value]


@pytest.fixture(autouse=True)
def _own_working_directory(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in an empty directory of its own: what the bot writes by relative path (the
    通报 folder, ./zsbot.db) never lands in the checkout, and a developer's ./config.toml is not read."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'zsbot.db'}"
        return
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # The monthly final's .docx is saved under [documents] folder: in the test's own directory.
    return Settings(database=DatabaseSettings(url=db_url), documents=DocumentRules(folder=str(tmp_path / "通报")))


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(settings)
    yield rt
    rt.engine.dispose()


@pytest.fixture
def roster(runtime: Runtime) -> Runtime:
    """The standard roster: five units with liaisons, a township leader, a county leader, an admin."""
    with unit_of_work(runtime.engine) as store:
        result = import_roster(read_rows(FIXTURES / "roster.csv"), store)
    assert not result.errors
    return runtime


def local(when: str) -> datetime:
    """"2026-03-10 10:00" in Asia/Shanghai."""
    return datetime.fromisoformat(when).replace(tzinfo=TZ)


class Clock:
    """A settable wall clock (time-machine); tests move it, nothing sleeps."""

    def __init__(self) -> None:
        self._traveller: time_machine.travel | None = None
        self.now: datetime | None = None

    def set(self, when: str | datetime) -> datetime:
        self.stop()
        self.now = local(when) if isinstance(when, str) else when
        self._traveller = time_machine.travel(self.now, tick=False)
        self._traveller.start()
        return self.now

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock()
    yield c
    c.stop()


@dataclass
class Chat:
    """Talk to the bot as roster members, through the same core every transport uses."""

    runtime: Runtime
    clock: Clock
    sent: list[tuple[str, str, Reply]] = field(default_factory=list)

    def send(self, user: str, text: str, at: str | datetime | None = None, msg_id: str | None = None) -> Reply:
        when = local(at) if isinstance(at, str) else at
        if when is None:
            when = self.clock.now or datetime.now(TZ)
        reply = self.runtime.bot.handle(
            Incoming(channel="test", msg_id=msg_id or uuid.uuid4().hex, user_id=user, text=text, at=when)
        )
        self.sent.append((user, text, reply))
        return reply

    def store(self) -> Iterator[Store]:
        return unit_of_work(self.runtime.engine)  # type: ignore[return-value]


@pytest.fixture
def chat(roster: Runtime, clock: Clock) -> Chat:
    return Chat(roster, clock)
