"""What one message costs, on an empty database and on a full year (`zsbot demo --records 200000`).

For each store (SQLite file, PostgreSQL schema; both thrown away after): the demo roster with no
records ("empty"), and the same roster with a demo year of N records ("full"), each then opened by a
runtime of its own as a server would. Through `Bot.handle` (the path `zsbot say` takes) it sends M
varied reports as the roster's liaisons in June of the demo year to both databases in turn, message by
message (the machine's drift falls on both alike), timing each (median, p90) and splitting the time into
parsing, the project lookup (`Projects.matches`) and SQL; then asks each question R times of both, in turn. It prints the
full/empty ratio (target for reports and the pipeline questions 开工率, 履约率, 签约未开工, 我的包干项目: ≤ 1.5×). With --explain it prints the plan of every SELECT
that one report and each query run, marking any that scans record, message, project or draft whole.

Run: python benchmarks/cost.py [--records 200000] [--messages 200] [--explain]
         [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-sqlite] [--no-pg]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, event, select, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bot.runtime import Runtime, build_runtime  # noqa: E402
from bot.settings import DatabaseSettings, Settings  # noqa: E402
from handlers.core.messages import Incoming  # noqa: E402
from handlers.core.rules import Rules  # noqa: E402
from handlers.demo import fill_demo, report_texts  # noqa: E402
from storage import projects as projects_module  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import Member  # noqa: E402

YEAR = 2025
UNITS = 24
TZ = Rules().schedule.tz
#: Asked after the reports, inside the June period (2025-05-21 .. 2025-06-20).
ASKED_AT = datetime(YEAR, 6, 19, 16, 0, tzinfo=TZ)
QUERIES = (("排名", "admin"), ("我单位排名", "liaison"), ("未报送", "admin"), ("本月情况", "liaison"),
           # The pipeline questions (issue 19): a liaison's unit and the county, 签约未开工, a leader's 包干.
           ("开工率", "liaison"), ("履约率", "liaison"), ("全县开工率", "admin"), ("签约未开工", "liaison"),
           ("我的包干项目", "leader"))
#: The questions issue 19 holds to 1.5× of an empty database.
PIPELINE_QUESTIONS = ("开工率", "履约率", "全县开工率", "签约未开工", "我的包干项目")
#: Projects the leader answers for (包干), among those the measured reports opened, in both databases.
OWNED = 10
WATCHED = ("record", "message", "project", "draft", "problem")


@dataclass
class Meter:
    """Time spent in SQL, in parsing and in the project lookup while handling one message."""

    sql_s: float = 0.0
    parse_s: float = 0.0
    find_s: float = 0.0
    statements: list[tuple[str, Any]] = field(default_factory=list)
    capture: bool = False

    def reset(self) -> None:
        self.sql_s = self.parse_s = self.find_s = 0.0
        self.statements = []


def instrument(runtime: Runtime, meter: Meter) -> None:
    engine = runtime.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        conn.info["t0"] = time.perf_counter()
        if meter.capture and not many and statement.lstrip().upper().startswith("SELECT"):
            meter.statements.append((statement, params))

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        meter.sql_s += time.perf_counter() - conn.info.pop("t0", time.perf_counter())

    parse = runtime.bot.parse

    def timed_parse(text_: str, today: Any) -> Any:
        began = time.perf_counter()
        try:
            return parse(text_, today)
        finally:
            meter.parse_s += time.perf_counter() - began

    runtime.bot.parse = timed_parse


#: The meter of the database being measured right now (both databases' runtimes share the class patched).
CURRENT: list[Meter] = []


@contextmanager
def timed_project_lookup() -> Iterator[None]:
    """Wrap Projects.matches (if it still exists under that name) to time the project lookup."""
    original = getattr(projects_module.Projects, "matches", None)
    if original is None:
        yield
        return

    def matches(self: Any, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            if CURRENT:
                CURRENT[-1].find_s += time.perf_counter() - began

    projects_module.Projects.matches = matches  # type: ignore[method-assign]
    try:
        yield
    finally:
        projects_module.Projects.matches = original  # type: ignore[method-assign]


def people(engine: Engine) -> dict[str, list[str]]:
    with Session(engine) as s:
        members = list(s.execute(select(Member).order_by(Member.userid)).scalars())
    return {
        "liaison": [m.userid for m in members if m.role == "liaison"],
        "admin": [m.userid for m in members if m.role == "admin"],
        "leader": [m.userid for m in members if m.role == "leader" and m.unit_id is None],
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@dataclass
class Figures:
    report_ms: list[float]
    parse_ms: list[float]
    find_ms: list[float]
    sql_ms: list[float]
    query_ms: dict[str, list[float]]
    query_sql_ms: dict[str, list[float]]
    stored: int


@dataclass
class Side:
    """One database under measurement: its runtime, meter, people and figures."""

    runtime: Runtime
    meter: Meter
    who: dict[str, list[str]]
    figures: Figures

    def send(self, user: str, words: str, at: datetime) -> tuple[float, Any]:
        CURRENT[:] = [self.meter]
        self.meter.reset()
        began = time.perf_counter()
        reply = self.runtime.bot.handle(
            Incoming(channel="bench", msg_id=uuid.uuid4().hex, user_id=user, text=words, at=at))
        return (time.perf_counter() - began) * 1000, reply


def measure(sides: list[Side], messages: int, rounds: int) -> None:
    """The same reports, then the same questions, to each database in turn (message by message, the order
    alternating): the machine's drift falls on both alike."""
    rng = random.Random(5)
    for side in sides:
        for i in range(3):  # warm the parser and the connection pool; not counted
            side.send(side.who["liaison"][i % len(side.who["liaison"])], "帮助", ASKED_AT)
    texts = report_texts(sides[0].runtime.rules, messages, YEAR, seed=13)
    first_new = [newest_project(side.runtime) + 1 for side in sides]
    start = datetime(YEAR, 6, 2, 8, 30, tzinfo=TZ)
    with timed_project_lookup():
        for i, (_, words) in enumerate(texts):
            at = start + timedelta(minutes=i * 7 + rng.randint(0, 5))
            pick = rng.randrange(len(sides[0].who["liaison"]))
            for side in sides if i % 2 == 0 else reversed(sides):
                ms, reply = side.send(side.who["liaison"][pick % len(side.who["liaison"])], words, at)
                f, m = side.figures, side.meter
                f.report_ms.append(ms)
                f.parse_ms.append(m.parse_s * 1000)
                f.find_ms.append(m.find_s * 1000)
                f.sql_ms.append(m.sql_s * 1000)
                f.stored += int(reply.stored)
    for side, first in zip(sides, first_new, strict=True):
        own_projects(side.runtime, side.who["leader"][0], first)
    for r in range(rounds):
        for words, role in QUERIES:
            for side in sides if r % 2 == 0 else reversed(sides):
                ms, _ = side.send(side.who[role][0], words, ASKED_AT)
                side.figures.query_ms[words].append(ms)
                side.figures.query_sql_ms[words].append(side.meter.sql_s * 1000)


def newest_project(runtime: Runtime) -> int:
    with Session(runtime.engine) as s:
        return int(s.execute(text("SELECT COALESCE(MAX(id), 0) FROM project")).scalar_one())


def own_projects(runtime: Runtime, leader: str, first: int) -> None:
    """The leader answers for OWNED of the projects the measured reports opened (the same in both databases)."""
    with Session(runtime.engine) as s:
        s.execute(text("UPDATE project SET owner = :leader WHERE id IN (SELECT id FROM project WHERE id >= :first "
                       "ORDER BY id LIMIT :n)"), {"leader": leader, "first": first, "n": OWNED})
        s.commit()


def explain(runtime: Runtime, meter: Meter) -> None:
    """The plan of every SELECT one report and each query run; whole-table reads of watched tables marked."""
    who = people(runtime.engine)
    dialect = runtime.engine.dialect.name
    asks = [("报送", who["liaison"][0], report_texts(runtime.rules, 1, YEAR, seed=99)[0][1])]
    asks += [(words, who[role][0], words) for words, role in QUERIES]
    report_id = uuid.uuid4().hex
    asks.append(("重发 (the same msg_id again: the dedupe lookup)", who["liaison"][0], asks[0][2]))
    asks.append(("收到 (no intent: the open-draft lookup)", who["liaison"][0], "收到"))
    for label, user, words in asks:
        meter.reset()
        meter.capture = True
        msg_id = report_id if label.startswith(("报送", "重发")) else uuid.uuid4().hex
        runtime.bot.handle(Incoming(channel="bench", msg_id=msg_id, user_id=user, text=words, at=ASKED_AT))
        meter.capture = False
        print(f"  [{label}] {len(meter.statements)} SELECTs")
        raw = runtime.engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement, params in meter.statements:
                if not any(f" {t}" in statement or f'"{t}"' in statement for t in WATCHED):
                    continue
                prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
                cur.execute(prefix + statement, params)
                plan = [str(r[-1]) if dialect == "sqlite" else str(r[0]) for r in cur.fetchall()]
                full = [p for p in plan if _whole_table(p, dialect)]
                head = " ".join(statement.split())[:110]
                print(f"    {'⚠ WHOLE TABLE ' if full else ''}{head}…")
                for line in plan:
                    print(f"        {line}")
        finally:
            raw.close()


def _whole_table(line: str, dialect: str) -> bool:
    if dialect == "sqlite":
        return any(line.strip().startswith(f"SCAN {t}") and "INDEX" not in line for t in WATCHED)
    return any(f"Seq Scan on {t}" in line for t in WATCHED)


def prepare(label: str, url: str, records: int) -> Side:
    """A database with the demo roster and `records` of a demo year, and a runtime to measure it with."""
    filler = make_engine(url)
    try:
        began = time.perf_counter()
        runtime = build_runtime(Settings(database=DatabaseSettings(url=url)), filler)
        result = fill_demo(runtime.engine, runtime.rules, units=UNITS, records=records, year=YEAR, seed=7)
        print(f"{label}: demo {result.records:,} records, {result.projects:,} projects in "
              f"{time.perf_counter() - began:.1f} s", flush=True)
        if filler.dialect.name == "postgresql":
            # The fill's write-ahead log is flushed now, not by a checkpoint in the middle of the measurement.
            with filler.connect() as conn:
                conn.execute(text("CHECKPOINT"))
    finally:
        filler.dispose()
    # Measured as a server started on that database would run: a runtime of its own, and none of the
    # heap the generator left behind (the collector walking it was a cost of the fill, not of the data).
    del runtime
    gc.collect()
    runtime = build_runtime(Settings(database=DatabaseSettings(url=url)), make_engine(url))
    meter = Meter()
    instrument(runtime, meter)
    return Side(runtime, meter, people(runtime.engine),
                Figures([], [], [], [], {q: [] for q, _ in QUERIES}, {q: [] for q, _ in QUERIES}, 0))


def show(label: str, empty: Figures, full: Figures) -> None:
    def line(name: str, a: list[float], b: list[float]) -> str:
        ma, mb = statistics.median(a), statistics.median(b)
        ratio = f"×{mb / ma:.2f}" if ma > 0 else "—"
        return (f"  {name:<22} median {ma:8.2f} → {mb:8.2f} ms   p90 {pct(a, .9):8.2f} → {pct(b, .9):8.2f} ms"
                f"   {ratio}")

    print(f"\n{label}: empty → full year   (reports stored: {empty.stored} / {full.stored})")
    print(line("report (Bot.handle)", empty.report_ms, full.report_ms))
    print(line("  of which parse", empty.parse_ms, full.parse_ms))
    print(line("  of which project find", empty.find_ms, full.find_ms))
    print(line("  of which SQL", empty.sql_ms, full.sql_ms))
    for words in empty.query_ms:
        print(line(words, empty.query_ms[words], full.query_ms[words]))
        print(line("  of which SQL", empty.query_sql_ms[words], full.query_sql_ms[words]))
    ratio = statistics.median(full.report_ms) / statistics.median(empty.report_ms)
    print(f"  reports: full/empty = ×{ratio:.2f} (target ≤ 1.5×: {'OK' if ratio <= 1.5 else 'OVER'})")
    for words in PIPELINE_QUESTIONS:
        ratio = statistics.median(full.query_ms[words]) / statistics.median(empty.query_ms[words])
        print(f"  {words}: full/empty = ×{ratio:.2f} (target ≤ 1.5×: {'OK' if ratio <= 1.5 else 'OVER'})")


@contextmanager
def sqlite_url() -> Iterator[Callable[[], str]]:
    made: list[Path] = []

    def fresh() -> str:
        path = Path(tempfile.gettempdir()) / f"zsbot-cost-{uuid.uuid4().hex[:8]}.db"
        made.append(path)
        return f"sqlite:///{path}"

    try:
        yield fresh
    finally:
        for path in made:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def pg_url(base: str) -> Iterator[Callable[[], str]]:
    admin = make_engine(base)
    made: list[str] = []

    def fresh() -> str:
        schema = f"cost_{uuid.uuid4().hex[:8]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}options=-csearch_path%3D{schema}"

    try:
        yield fresh
    finally:
        with admin.begin() as conn:
            for schema in made:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("ZSBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15, help="times each query is asked")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    print(f"{UNITS} units; {args.messages} reports through Bot.handle in June {YEAR}; each query ×{args.rounds}")
    stores = [] if args.no_sqlite else [("SQLite", sqlite_url())]
    if not args.no_pg:
        stores.append(("PostgreSQL", pg_url(args.pg)))
    for label, urls in stores:
        with urls as fresh:
            empty = prepare(f"{label} empty", fresh(), 0)
            full = prepare(f"{label} full", fresh(), args.records)
            try:
                measure([empty, full], args.messages, args.rounds)
                if args.explain:
                    for side in (empty, full):
                        explain(side.runtime, side.meter)
            finally:
                for side in (empty, full):
                    side.runtime.engine.dispose()
        show(label, empty.figures, full.figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
