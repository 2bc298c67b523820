"""Time of one month's ranking (one SQL aggregate) with 500 units, from 100k to 1,000,000 records.

Also times the month's ranking as a job round mid-month sees it (only records reported by then:
`ranking(..., until=)`), and the whole assessment (`handlers.assessment.stats.compute_stats`, what `zsbot stats
--json` runs: the month's ranking, every unit's year so far against its targets, the pipeline rates over the projects signed this year) for March and for the
year; records of projects point at one of 40 projects per unit. Target for stats of a month (the default
period): ≤ 500 ms on PostgreSQL at 1M records.
Seeds a throwaway SQLite file under /tmp and a throwaway PostgreSQL schema, then removes both;
after each load the planner statistics (and PostgreSQL's visibility map) are refreshed, as autovacuum
would, so the covering index `ix_record_period_unit_kind` is read without the table.
Target: ≤ 300 ms on PostgreSQL at 1M records.

Run: python benchmarks/ranking.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from handlers.assessment.scoring import weights  # noqa: E402
from handlers.assessment.stats import compute_stats  # noqa: E402
from handlers.core.periods import period  # noqa: E402
from handlers.core.rules import Rules, ScoringRules  # noqa: E402
from storage.bulk import refresh_statistics  # noqa: E402
from storage.db import make_engine, migrate  # noqa: E402
from storage.models import Member, Project, Record, Target, Unit  # noqa: E402
from storage.ranking import ranking  # noqa: E402
from storage.store import Store  # noqa: E402

UNITS = 500
STEPS = (100_000, 250_000, 500_000, 1_000_000)
#: Records are spread over 24 months, so one month holds about 1/24 of them.
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
MONTH = "2026-03"
KINDS = ["lead"] * 30 + ["visit"] * 30 + ["reception"] * 15 + ["signing"] * 8 + ["start"] * 5 + \
        ["funds"] * 6 + ["completion"] * 2 + ["progress"] * 4
COLUMNS = ["unit_id", "reporter", "kind", "status", "period", "late", "reported_at", "text", "fields",
           "government_funded", "amount_wan", "currency", "amount_cny_wan", "project_id"]
#: Projects per unit that lead, signing, start, funds and completion records point at.
PROJECTS = 40
_OF_PROJECT = frozenset({"lead", "signing", "start", "funds", "completion", "progress"})
ROUNDS = 7


def fake_records(start: int, stop: int, seed: int = 7) -> Iterator[tuple[object, ...]]:
    rng = random.Random(seed + start)
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(start, stop):
        unit = rng.randint(1, UNITS)
        kind = rng.choice(KINDS)
        month = rng.randrange(len(MONTHS))
        amount = round(rng.lognormvariate(8, 1.2), 1) if kind in ("lead", "signing", "funds", "start") else None
        status = "retracted" if rng.random() < 0.03 else "corrected" if rng.random() < 0.05 else "active"
        reported = base + timedelta(days=month * 30.4 + rng.random() * 28)
        project = (unit - 1) * PROJECTS + rng.randrange(PROJECTS) + 1 if kind in _OF_PROJECT else None
        yield (unit, f"u{unit}", kind, status, MONTHS[month], rng.random() < 0.05, reported, kind, "{}",
               rng.random() < 0.02, amount, "CNY" if amount else None, amount, project)


def seed_roster(engine: Engine) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.execute(insert(Unit), [{"id": i, "name": f"单位{i:03d}", "created_at": now} for i in range(1, UNITS + 1)])
        session.execute(insert(Member), [
            {"userid": f"u{i}", "name": f"联络员{i}", "unit_id": i, "role": "liaison", "updated_at": now}
            for i in range(1, UNITS + 1)
        ])
        session.execute(insert(Project), [
            {"id": (u - 1) * PROJECTS + k + 1, "unit_id": u, "name": f"项目{u}-{k}", "stage": "signed",
             "signed_wan": 5000.0, "funds_cny_wan": 0.0, "last_progress_at": now, "created_at": now}
            for u in range(1, UNITS + 1) for k in range(PROJECTS)
        ])
        # Targets of every kind the stats compute, so each of its queries runs.
        session.execute(insert(Target), [
            {"year": 2026, "unit_id": u, "metric": m, "value": v, "imported_at": now}
            for u in range(1, UNITS + 1)
            for m, v in (("signed_wan", 50000.0), ("leads_over:3000", 6.0), ("signings_over:10000", 1.0),
                         ("started_wan", 20000.0), ("funds_wan", 10000.0))
        ] + [{"year": 2026, "unit_id": None, "metric": "rate:履约率", "value": 0.4, "imported_at": now}])
        session.commit()


def seed_records(engine: Engine, start: int, stop: int) -> None:
    """Bulk insert: COPY on PostgreSQL, chunked executemany on SQLite."""
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy(f"COPY record ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                buf = io.StringIO()
                for row in fake_records(start, stop):
                    buf.write("\t".join(_pg(v) for v in row) + "\n")
                    if buf.tell() > 4_000_000:
                        copy.write(buf.getvalue())
                        buf = io.StringIO()
                copy.write(buf.getvalue())
            raw.commit()
        finally:
            raw.close()
        refresh_statistics(engine)
        return
    rows = fake_records(start, stop)
    with engine.begin() as conn:
        while chunk := [dict(zip(COLUMNS, r, strict=True)) | {"fields": {}} for _, r in zip(range(50_000), rows,
                                                                                             strict=False)]:
            conn.execute(insert(Record), chunk)
    refresh_statistics(engine)


def _pg(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def time_ranking(engine: Engine) -> float:
    """Median milliseconds of one month's ranking of all units."""
    w = weights(ScoringRules())
    samples = []
    for _ in range(ROUNDS):
        with Session(engine) as session:
            began = time.perf_counter()
            rows = ranking(session, [MONTH], w)
            samples.append((time.perf_counter() - began) * 1000)
        assert len(rows) == UNITS
    return statistics.median(samples)


def time_round(engine: Engine) -> float:
    """Median milliseconds of the same ranking as a job round mid-month sees it: only records reported
    by then (`until`), which the covering index does not hold (reported_at is read from the table)."""
    w = weights(ScoringRules())
    until = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=MONTHS.index(MONTH) * 30.4 + 14)
    samples = []
    for _ in range(ROUNDS):
        with Session(engine) as session:
            began = time.perf_counter()
            rows = ranking(session, [MONTH], w, until=until)
            samples.append((time.perf_counter() - began) * 1000)
        assert len(rows) == UNITS
    return statistics.median(samples)


def time_stats(engine: Engine, key: str) -> float:
    """Median milliseconds of the whole assessment (`zsbot stats`) for the period `key`."""
    rules = Rules()
    chosen = period(key, rules.schedule)
    samples = []
    for _ in range(ROUNDS):
        with Session(engine) as session:
            began = time.perf_counter()
            result = compute_stats(Store(session), rules, chosen)
            samples.append((time.perf_counter() - began) * 1000)
        assert len(result.units) == UNITS
    return statistics.median(samples)


def run(
    label: str, engine: Engine, stats: dict[str, list[tuple[int, float, float]]], steps: tuple[int, ...] = STEPS
) -> list[tuple[int, float, float]]:
    migrate(engine)
    seed_roster(engine)
    results, seeded = [], 0
    for total in steps:
        began = time.perf_counter()
        seed_records(engine, seeded, total)
        seed_s = time.perf_counter() - began
        seeded = total
        ms = time_ranking(engine)
        round_ms = time_round(engine)
        results.append((total, ms, seed_s))
        month_ms, year_ms = time_stats(engine, MONTH), time_stats(engine, MONTH[:4])
        stats.setdefault(label, []).append((total, month_ms, year_ms))
        print(f"{label:<10} {total:>9,} records  ranking {ms:8.1f} ms   as of mid-month (a job round) {round_ms:8.1f} ms"
              f"   stats {MONTH} {month_ms:7.1f} ms   stats {MONTH[:4]} {year_ms:7.1f} ms"
              f"   (seeded +{seed_s:5.1f} s)", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("ZSBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--steps", default=",".join(str(n) for n in STEPS),
                        help="record counts to measure at, comma-separated (default: 100k,250k,500k,1M)")
    args = parser.parse_args()
    steps = tuple(int(n) for n in args.steps.split(","))
    print(f"one month ({MONTH}) of {UNITS} units; records spread over {len(MONTHS)} months; median of {ROUNDS}")
    summary: dict[str, list[tuple[int, float, float]]] = {}
    stats: dict[str, list[tuple[int, float, float]]] = {}
    if not args.no_sqlite:
        path = Path(tempfile.gettempdir()) / f"zsbot-bench-{uuid.uuid4().hex[:8]}.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            summary["SQLite"] = run("SQLite", engine, stats, steps)
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not args.no_pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.pg)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.pg else "?"
        engine = make_engine(f"{args.pg}{sep}options=-csearch_path%3D{schema}")
        try:
            summary["PostgreSQL"] = run("PostgreSQL", engine, stats, steps)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print("\ngrowth (ranking ms at 100k → 1M records):")
    for label, rows in summary.items():
        first, last = rows[0][1], rows[-1][1]
        print(f"  {label:<10} " + " → ".join(f"{ms:.1f}" for _, ms, _ in rows) + f"  (×{last / first:.1f} for ×10 data)")
    pg = summary.get("PostgreSQL")
    if pg:
        verdict = "OK" if pg[-1][1] <= 300 else "OVER"
        print(f"PostgreSQL at 1M records: {pg[-1][1]:.1f} ms (target ≤ 300 ms: {verdict})")
    pg_stats = stats.get("PostgreSQL")
    if pg_stats:
        total, month_ms, year_ms = pg_stats[-1]
        print(f"stats on PostgreSQL at {total:,} records: {MONTH} (the default, a month) {month_ms:.1f} ms "
              f"(target ≤ 500 ms: {'OK' if month_ms <= 500 else 'OVER'}); the whole year {MONTH[:4]} {year_ms:.1f} ms "
              f"(half the records: its ranking alone reads them all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
