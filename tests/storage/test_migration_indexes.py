"""Revision 0006 adds the ranking and message indexes to a database in use, keeping every row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from storage.db import make_engine, migrate


def test_upgrading_a_database_made_at_0002_keeps_its_rows_and_adds_the_indexes(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, "0002")
        at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC).replace(tzinfo=None)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO unit (id, name, created_at) VALUES (1, '卫庄镇', :at)"), {"at": at})
            conn.execute(text("INSERT INTO member (userid, name, unit_id, role, updated_at) "
                              "VALUES ('wz_liu', '刘伟', 1, 'liaison', :at)"), {"at": at})
            conn.execute(text(
                "INSERT INTO message (id, channel, msg_id, user_id, text, at, received_at) "
                "VALUES (1, 'app', 'm1', 'wz_liu', '线索：…', :at, :at)"), {"at": at})
            conn.execute(text(
                "INSERT INTO record (id, unit_id, reporter, message_id, kind, status, period, late, reported_at, "
                "government_funded, amount_cny_wan, text, fields) VALUES (1, 1, 'wz_liu', 1, 'lead', 'active', "
                "'2026-03', false, :at, false, 8000, '线索：…', '{}')"), {"at": at})
        migrate(engine)
        inspector = inspect(engine)
        record_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("record")}
        message_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("message")}
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, period, amount_cny_wan FROM record")).all()
            messages = conn.execute(text("SELECT count(*) FROM message")).scalar_one()
    finally:
        engine.dispose()
    assert record_indexes["ix_record_period_unit_kind"] == [
        "period", "unit_id", "kind", "status", "government_funded", "review", "not_counting", "count",
        "amount_cny_wan"]
    assert "ix_record_period_unit" not in record_indexes
    assert message_indexes["ix_message_channel_received"] == ["channel", "received_at"]
    assert [tuple(r) for r in rows] == [(1, "2026-03", 8000)] and messages == 1
