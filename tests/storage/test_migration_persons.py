"""Migration 0010_persons_channel upgrades a database in use (at 0009_pipeline, the previous head) without losing or
changing a row: records stored before have no head count and no channel; new ones get them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect

from bot.runtime import build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.core.messages import Incoming
from storage.db import make_engine, migrate

from .test_migration_integrity import PROJECT_COLUMNS, RECORD_COLUMNS, _rows, _seed


def test_upgrading_a_0009_database_keeps_every_record_and_adds_empty_head_counts(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0009_pipeline")
    assert "persons" not in {c["name"] for c in inspect(engine).get_columns("record")}
    _seed(engine)
    before = {t: _rows(engine, t, c) for t, c in (("record", RECORD_COLUMNS), ("project", PROJECT_COLUMNS))}
    engine.dispose()

    runtime = build_runtime(Settings(database=DatabaseSettings(url=db_url)))  # migrates to the head
    try:
        after = {t: _rows(runtime.engine, t, c) for t, c in (("record", RECORD_COLUMNS), ("project", PROJECT_COLUMNS))}
        assert after == before
        assert _rows(runtime.engine, "record", ["id", "persons", "channel"]) == [(1, None, None)]
        reply = runtime.bot.handle(Incoming(channel="test", msg_id="m9", user_id=_liaison(runtime),
                                            text="接待：浙江客商一行5人来考察", at=datetime(2026, 3, 10, 2, 0, tzinfo=UTC)))
        assert "人数：5人" in reply.text, reply.text
        assert _rows(runtime.engine, "record", ["id", "persons"])[-1] == (2, 5)
    finally:
        runtime.engine.dispose()


def _liaison(runtime) -> str:  # type: ignore[no-untyped-def]
    """The liaison the seeded release wrote."""
    return str(_rows(runtime.engine, "member", ["userid"])[0][0])
