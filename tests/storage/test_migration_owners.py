"""Migration 0008_owners upgrades a database in use (at 0003_inbox, the previous head) without losing or
changing a row: projects get an empty owner, and then the office can assign one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from bot.runtime import build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.core.messages import Incoming
from storage.db import make_engine, migrate

from .test_migration_integrity import PROJECT_COLUMNS, RECORD_COLUMNS, _rows, _seed


def test_upgrading_a_0003_database_keeps_its_projects_and_adds_an_empty_owner(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0003_inbox")
    assert "owner" not in {c["name"] for c in inspect(engine).get_columns("project")}
    _seed(engine)
    with engine.begin() as conn:  # a leader joins the roster of the release in use
        conn.execute(text("INSERT INTO member (userid, name, role, updated_at) "
                          "VALUES ('county_boss', '张县长', 'leader', :at)"), {"at": datetime(2026, 3, 2, tzinfo=UTC)})
    before = {t: _rows(engine, t, c) for t, c in (("record", RECORD_COLUMNS), ("project", PROJECT_COLUMNS))}
    engine.dispose()

    runtime = build_runtime(Settings(database=DatabaseSettings(url=db_url)))  # migrates to the head
    try:
        after = {t: _rows(runtime.engine, t, c) for t, c in (("record", RECORD_COLUMNS), ("project", PROJECT_COLUMNS))}
        assert after == before
        assert _rows(runtime.engine, "project", ["id", "owner"]) == [(1, None)]
        assert "ix_project_owner" in {i["name"] for i in inspect(runtime.engine).get_indexes("project")}
        with runtime.engine.begin() as conn:
            conn.execute(text("INSERT INTO member (userid, name, role, updated_at) "
                              "VALUES ('office', '李主任', 'admin', :at)"), {"at": datetime(2026, 3, 2, tzinfo=UTC)})
        reply = runtime.bot.handle(Incoming(channel="test", msg_id="m9", user_id="office", text="包干 P1 张县长",
                                            at=datetime(2026, 3, 10, 2, 0, tzinfo=UTC))).text
        assert reply.startswith("✅ 已将 P1 交由张县长包干")
        assert _rows(runtime.engine, "project", ["id", "owner"]) == [(1, "county_boss")]
    finally:
        runtime.engine.dispose()
