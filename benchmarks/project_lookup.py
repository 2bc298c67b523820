"""Per-message cost of the once-only checks and the project lookup, empty vs. a large history.

Each report looks up its project through `project_key` (unit, key) and its repeats through
`record` (company_key, kind) and (unit_id, text_hash): the cost should stay flat as history grows.
Seeds a throwaway SQLite file (and, with --pg, a throwaway PostgreSQL schema) with N records and
N/10 projects over 12 units, then times 60 reports (new leads, and funds naming a company by its
short name) through Bot.handle. Prints the median and p90 in ms.

Run: python benchmarks/project_lookup.py [--records 200000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, insert, text  # noqa: E402

from handlers.core.messages import Incoming  # noqa: E402
from handlers.core.rules import Rules  # noqa: E402
from handlers.dispatch import Bot  # noqa: E402
from storage.db import make_engine, migrate  # noqa: E402
from storage.keys import core_company_name, project_keys, text_hash  # noqa: E402
from storage.models import Member, Project, ProjectKey, Record, Unit  # noqa: E402

UNITS = 12
START = datetime(2025, 1, 1, 2, 0, tzinfo=UTC)
SYLLABLES = "恒润澄岚圣农赣锋华友均胜振华美的瀚海秦川晋南安踏宁德邦普天合隆基通威阳光正泰德业固德"


def _name(rng: random.Random) -> str:
    core = "".join(rng.choice(SYLLABLES) for _ in range(4))
    return f"江苏{core}新材料有限公司"


def seed(engine: Engine, records: int) -> None:
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(insert(Unit), [{"id": i, "name": f"单位{i}", "created_at": START} for i in range(1, UNITS + 1)])
        conn.execute(insert(Member), [{"userid": f"u{i}", "name": f"联络员{i}", "unit_id": i, "role": "liaison",
                                       "updated_at": START} for i in range(1, UNITS + 1)])
        projects, keys = [], []
        for pid in range(1, records // 10 + 1):
            unit, company, name = rng.randint(1, UNITS), _name(rng), "可降解塑料项目"
            projects.append({"id": pid, "unit_id": unit, "company": company, "name": name, "stage": "signed",
                             "company_key": core_company_name(company), "funds_cny_wan": 0.0,
                             "last_progress_at": START, "created_at": START})
            keys += [{"project_id": pid, "unit_id": unit, "key": k} for k in project_keys(company, name)]
        for chunk in range(0, len(projects), 5000):
            conn.execute(insert(Project), projects[chunk:chunk + 5000])
        for chunk in range(0, len(keys), 20000):
            conn.execute(insert(ProjectKey), keys[chunk:chunk + 20000])
        rows = []
        for rid in range(1, records + 1):
            at = START + timedelta(minutes=rid)
            company = _name(rng)
            body = f"线索：{company}拟投资{rng.randint(1, 90)}00万元建设可降解塑料项目{rid}"
            rows.append({"id": rid, "unit_id": rng.randint(1, UNITS), "reporter": "u1", "kind": "lead",
                         "status": "active", "period": f"{at.year}-{at.month:02d}", "late": False, "reported_at": at,
                         "company": company, "company_key": core_company_name(company), "amount_wan": 1000.0,
                         "amount_cny_wan": 1000.0, "government_funded": False, "text": body, "fields": {},
                         "text_hash": text_hash(body), "review": ""})
            if len(rows) == 10000:
                conn.execute(insert(Record), rows)
                rows = []
        if rows:
            conn.execute(insert(Record), rows)
        if engine.dialect.name == "postgresql":
            for table in ("unit", "project", "project_key", "record"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))
            conn.execute(text("ANALYZE"))


def run(engine: Engine) -> list[float]:
    bot = Bot(engine, Rules())
    bot.handle(Incoming(channel="b", msg_id="warm", user_id="u1", text="帮助", at=datetime.now(UTC)))
    times = []
    at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    for i in range(30):
        short = f"华友{SYLLABLES[i]}{SYLLABLES[-1 - i]}钴业"
        company = f"浙江{short}股份有限公司"
        for text_ in (f"线索：{company}拟投资2亿元建设新能源材料项目", f"资金到位：{short}新能源材料项目首笔资金到账3000万元"):
            t0 = time.perf_counter()
            bot.handle(Incoming(channel="b", msg_id=uuid.uuid4().hex, user_id=f"u{i % UNITS + 1}", text=text_,
                                at=at + timedelta(minutes=i)))
            times.append((time.perf_counter() - t0) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    times = sorted(times)
    print(f"{label:<28} median {statistics.median(times):6.1f} ms   p90 {times[int(len(times) * 0.9)]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    for size in (0, args.records):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/bench.db")
            migrate(engine)
            seed(engine, size)
            report(f"sqlite, {size:>7} records", run(engine))
            engine.dispose()
        if args.pg:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(args.pg)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                engine = make_engine(f"{args.pg}?options=-csearch_path%3D{schema}")
                migrate(engine)
                seed(engine, size)
                report(f"postgresql, {size:>7} records", run(engine))
                engine.dispose()
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
