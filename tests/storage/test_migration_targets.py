"""Revision 0007_targets adds the targets table and the pipeline index to a database in use, keeping every row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from storage.db import make_engine, migrate


def test_upgrading_a_database_made_at_0003_keeps_its_rows_and_adds_the_targets_table(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, "0003_inbox")
        at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC).replace(tzinfo=None)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO unit (id, name, created_at) VALUES (1, '卫庄镇', :at)"), {"at": at})
            conn.execute(text("INSERT INTO member (userid, name, unit_id, role, updated_at) "
                              "VALUES ('wz_liu', '刘伟', 1, 'liaison', :at)"), {"at": at})
            conn.execute(text(
                "INSERT INTO record (id, unit_id, reporter, kind, status, period, late, reported_at, "
                "government_funded, amount_cny_wan, text, fields) VALUES (1, 1, 'wz_liu', 'signing', 'active', "
                "'2026-03', false, :at, false, 8000, '签约：…', '{}')"), {"at": at})
        migrate(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("target")}
        indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("record")}
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO target (year, unit_id, metric, value, imported_at) "
                              "VALUES (2026, 1, 'signed_wan', 10000, :at)"), {"at": at})
            rows = conn.execute(text("SELECT id, kind, amount_cny_wan FROM record")).all()
            targets = conn.execute(text("SELECT unit_id, metric, value FROM target")).all()
    finally:
        engine.dispose()
    assert columns == {"id", "year", "unit_id", "metric", "value", "imported_at"}
    assert indexes["ix_record_kind_period_project"] == [
        "kind", "period", "project_id", "unit_id", "status", "government_funded", "review", "not_counting",
        "amount_cny_wan"]
    assert [tuple(r) for r in rows] == [(1, "signing", 8000)]
    assert [tuple(t) for t in targets] == [(1, "signed_wan", 10000)]
