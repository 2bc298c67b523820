"""Migration 0005_integrity upgrades a database made by the previous release (revision 0002) without
losing or changing anything, and the rows it finds become findable by their new keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, inspect, text

from bot.runtime import build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.core.messages import Incoming
from storage.db import make_engine, migrate

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _rows(engine: Engine, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1"))]


def _seed(engine: Engine) -> None:
    """Rows as release 0002 wrote them: a unit, a liaison, a message, a signed project, its record, a draft."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO unit (id, name, created_at) VALUES (1, '南樊镇', :at)"), {"at": AT})
        conn.execute(text("INSERT INTO member (userid, name, unit_id, role, updated_at) "
                          "VALUES ('nf_wang', '王芳', 1, 'liaison', :at)"), {"at": AT})
        conn.execute(text("INSERT INTO message (id, channel, msg_id, user_id, text, at, received_at) "
                          "VALUES (1, 'test', 'm1', 'nf_wang', :t, :at, :at)"),
                     {"t": "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", "at": AT})
        conn.execute(text(
            "INSERT INTO project (id, unit_id, name, company, stage, amount_wan, signed_on, signed_wan, funds_cny_wan, "
            "last_progress_at, created_at) VALUES (1, 1, '锂电池回收项目', '江西赣锋锂业股份有限公司', 'signed', 50000, "
            "'2026-03-02', 50000, 0, :at, :at)"), {"at": AT})
        conn.execute(text(
            "INSERT INTO record (id, unit_id, reporter, message_id, project_id, kind, status, period, late, reported_at, "
            "company, project_name, amount_wan, currency, amount_cny_wan, government_funded, text, fields) VALUES "
            "(1, 1, 'nf_wang', 1, 1, 'signing', 'active', '2026-03', false, :at, '江西赣锋锂业股份有限公司', "
            "'锂电池回收项目', 50000, 'CNY', 50000, false, :t, '{}')"),
            {"at": AT, "t": "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元"})
        conn.execute(text("INSERT INTO draft (id, user_id, parsed, created_at, expires_at, state) "
                          "VALUES (1, 'nf_wang', '{\"intent\": \"lead\"}', :at, :at, 'open')"), {"at": AT})
        if engine.dialect.name == "postgresql":  # rows were written with their ids: move the sequences on
            for table in ("unit", "message", "project", "record", "draft"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


RECORD_COLUMNS = ["id", "unit_id", "reporter", "project_id", "kind", "status", "period", "reported_at", "company",
                  "project_name", "amount_wan", "amount_cny_wan", "government_funded", "text"]
PROJECT_COLUMNS = ["id", "unit_id", "name", "company", "stage", "amount_wan", "signed_on", "signed_wan",
                   "funds_cny_wan", "last_progress_at"]


def test_upgrading_a_0002_database_keeps_every_row_and_makes_it_findable(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0002")
    assert "project_key" not in inspect(engine).get_table_names()
    _seed(engine)
    before = {t: _rows(engine, t, c) for t, c in (("record", RECORD_COLUMNS), ("project", PROJECT_COLUMNS))}
    before["draft"] = _rows(engine, "draft", ["id", "user_id", "state"])
    migrate(engine)
    after = {t: _rows(engine, t, c) for t, c in (("record", RECORD_COLUMNS), ("project", PROJECT_COLUMNS))}
    after["draft"] = _rows(engine, "draft", ["id", "user_id", "state"])
    assert after == before
    assert _rows(engine, "record", ["company_key", "not_counting", "review", "repeat_of"]) == [
        ("赣锋锂业", None, "", None)]
    assert ("c:赣锋锂业",) in _rows(engine, "project_key", ["key"])
    engine.dispose()

    # The old records take part in the new rules: the old signing is the first, the old project is found.
    runtime = build_runtime(Settings(database=DatabaseSettings(url=db_url)))
    try:
        def say(text_: str, msg: str) -> str:
            return runtime.bot.handle(Incoming(channel="test", msg_id=msg, user_id="nf_wang", text=text_,
                                               at=datetime(2026, 3, 10, 2, 0, tzinfo=UTC))).text
        assert "已归入本单位跟踪项目 P1" in say("资金到位：赣锋锂业回收项目首笔资金到账8000万元", "m2")
        assert "不重复计分" in say("签约：赣锋锂业公司锂电池回收项目签约，总投资5亿元", "m3")
        assert _rows(runtime.engine, "project", ["funds_cny_wan"]) == [(8000,)]
    finally:
        runtime.engine.dispose()
