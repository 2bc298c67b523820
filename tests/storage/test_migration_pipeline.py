"""Migration 0009_pipeline upgrades a database of the release in use (head 0007_targets) without losing or
changing a record: its projects are derived from their records at the first start, so the rates of the months
already reported are right from that moment, and the new commands work on the old rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from bot.runtime import build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.assessment.stats import compute_stats
from handlers.core.messages import Incoming
from handlers.core.periods import period
from storage.db import make_engine, migrate
from storage.keys import project_keys
from storage.store import unit_of_work

from .test_migration_integrity import RECORD_COLUMNS, _rows

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
#: What the previous release kept of a project and that is not derived: it must survive as it was.
KEPT = ["id", "unit_id", "name", "company", "owner", "company_key", "industry", "created_at"]


def _seed(db_url: str) -> None:
    """A month as release 0007 stored it: a signed project with a start and funds, a lead left at 在谈, a
    government signing flagged, a retracted start, a visit."""
    engine = make_engine(db_url)
    migrate(engine, "0007_targets")
    assert "problem" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO unit (id, name, created_at) VALUES (1, '南樊镇', :at)"), {"at": AT})
        for userid, name, role, unit in (("nf_wang", "王芳", "liaison", 1), ("boss", "张县长", "leader", None),
                                         ("office", "李主任", "admin", None)):
            conn.execute(text("INSERT INTO member (userid, name, unit_id, role, updated_at) VALUES (:u, :n, :unit, :r, :at)"),
                         {"u": userid, "n": name, "unit": unit, "r": role, "at": AT})
        projects = [
            (1, "锂电池回收项目", "江西赣锋锂业股份有限公司", "started", "赣锋锂业", "boss"),
            (2, "冷链仓储项目", "浙江瓯海冷链物流有限公司", "talks", "瓯海冷链物流", None),
            (3, "标准化厂房项目", "县城投公司", "signed", None, None),
        ]
        for pid, name, company, stage, key, owner in projects:
            conn.execute(text(
                "INSERT INTO project (id, unit_id, name, company, stage, funds_cny_wan, company_key, owner, "
                "last_progress_at, created_at) VALUES (:id, 1, :n, :c, :s, 0, :k, :o, :at, :at)"),
                {"id": pid, "n": name, "c": company, "s": stage, "k": key, "o": owner, "at": AT})
            for k in sorted(project_keys(company, name)):  # as the release's Projects.index wrote them
                conn.execute(text("INSERT INTO project_key (project_id, unit_id, key) VALUES (:p, 1, :k)"),
                             {"p": pid, "k": k})
        records = [
            # id, project, kind, status, day, amount, not_counting, review
            (1, 1, "signing", "active", 2, 50000, None, ""),
            (2, 1, "start", "retracted", 5, None, None, ""),
            (3, 1, "start", "active", 9, None, None, ""),
            (4, 1, "funds", "active", 12, 8000, None, ""),
            (5, 2, "lead", "active", 3, 3000, None, ""),
            (6, 3, "signing", "active", 4, 20000, "政府投资/平台公司（城投）", "pending"),
            (7, None, "visit", "active", 6, None, None, ""),
        ]
        for rid, pid, kind, status, day, amount, reason, review in records:
            at = datetime(2026, 3, day, 2, 0, tzinfo=UTC)
            conn.execute(text(
                "INSERT INTO record (id, unit_id, reporter, project_id, kind, status, period, late, reported_at, "
                "amount_wan, currency, amount_cny_wan, government_funded, text, fields, not_counting, review) VALUES "
                "(:id, 1, 'nf_wang', :p, :k, :s, '2026-03', false, :at, :a, 'CNY', :a, false, :t, '{}', :nc, :rv)"),
                {"id": rid, "p": pid, "k": kind, "s": status, "at": at, "a": amount, "t": f"{kind} {rid}",
                 "nc": reason, "rv": review})
        if engine.dialect.name == "postgresql":
            for table in ("unit", "project", "record"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    engine.dispose()


def test_upgrading_a_0007_database_keeps_every_record_and_derives_its_projects(db_url: str) -> None:
    _seed(db_url)
    engine = make_engine(db_url)
    records_before = _rows(engine, "record", RECORD_COLUMNS + ["not_counting", "review", "fields"])
    kept_before = _rows(engine, "project", KEPT)
    engine.dispose()

    runtime = build_runtime(Settings(database=DatabaseSettings(url=db_url)))  # migrates to the head, derives
    try:
        engine = runtime.engine
        assert _rows(engine, "record", RECORD_COLUMNS + ["not_counting", "review", "fields"]) == records_before
        assert _rows(engine, "project", KEPT) == kept_before
        assert {"problem"} <= set(inspect(engine).get_table_names())
        # Derived from the records: 赣锋 started on the 9th (the retracted start says nothing), with its funds;
        # 瓯海 (left at 在谈, a stage that is gone) is a lead; the 城投 signing counts for nothing.
        derived = _rows(engine, "project", ["id", "stage", "signed_wan", "funds_cny_wan", "started_on", "counted",
                                            "signed_period", "started_period", "derivation"])
        assert [(r[0], r[1], r[2], r[3], str(r[4]) if r[4] else None, bool(r[5]), r[6], r[7], r[8]) for r in derived] == [
            (1, "started", 50000, 8000, "2026-03-09", True, "2026-03", "2026-03", 1),
            (2, "lead", None, 0, None, True, None, None, 1),
            (3, "signed", 20000, 0, None, False, "2026-03", None, 1),
        ]
        with unit_of_work(engine) as store:
            stats = compute_stats(store, runtime.rules, period("2026-03", runtime.rules.schedule))
        # March 2026: one counted project signed (赣锋), started, with 8000 of 50000 arrived.
        assert stats.county.rates.to_json() == {"开工率": 1.0, "履约率": 1.0, "资金到位率": 0.16, "线索转化率": 0.0}

        def say(user: str, words: str) -> str:
            return runtime.bot.handle(Incoming(channel="test", msg_id=words, user_id=user, text=words,
                                               at=datetime(2026, 3, 16, 2, 0, tzinfo=UTC))).text

        # The new commands work on the old rows.
        assert "已登记问题" in say("nf_wang", "问题：P1环评批复卡住，需生态环境局协调，月底前解决")
        planned = say("nf_wang", "瓯海冷链仓储项目预计6月签约")
        assert "已归入" in planned, planned
        assert _rows(engine, "project", ["id", "planned_signing"])[1][1] is not None
        assert "P1" in say("boss", "我的包干项目") and "环评批复卡住" in say("boss", "我的包干项目")
    finally:
        runtime.engine.dispose()
