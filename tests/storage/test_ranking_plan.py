"""A ranking reads only the months asked, from an index that holds every column it sums.

The plan is the spec here: on a year of demo data, the month's aggregate is answered from
`ix_record_period_unit_kind` alone (SQLite: COVERING INDEX; PostgreSQL: Index Only Scan), so its cost
follows the period asked, not the history. (Targets are `handlers.assessment.stats`; benchmarks/ranking.py times them.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from handlers.assessment.scoring import weights
from handlers.core.rules import Rules, ScoringRules
from handlers.demo import fill_demo
from storage.db import make_engine, migrate
from storage.ranking import ranking


def plans(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        fill_demo(engine, Rules(), units=10, records=3000, year=2025)
        seen: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute",
                     lambda conn, cur, sql, params, ctx, many: sql.lstrip().upper().startswith("SELECT")
                     and seen.append((sql, params)))
        w = weights(ScoringRules())
        with Session(engine) as session:
            ranking(session, ["2025-06"], w)
        out = []
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cur = raw.cursor()
            if engine.dialect.name == "postgresql":
                # The planner may still prefer a sequential scan on a table this small; what is checked
                # is that the index fits the query, as it will be chosen when the table is large.
                cur.execute("SET enable_seqscan = off")
            for sql, params in seen:
                cur.execute(("EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ") + sql, params)
                out.append("\n".join(str(r[-1]) if engine.dialect.name == "sqlite" else str(r[0])
                                     for r in cur.fetchall()))
        return out
    finally:
        engine.dispose()


def test_month_ranking_reads_only_the_covering_index(db_url: str) -> None:
    [plan] = plans(db_url)
    if "sqlite" in db_url:
        assert "SEARCH record USING COVERING INDEX ix_record_period_unit_kind (period=?" in plan, plan
        assert "SCAN record" not in plan, plan
    else:
        assert "Index Only Scan using ix_record_period_unit_kind on record" in plan, plan
        assert "Seq Scan on record" not in plan, plan
