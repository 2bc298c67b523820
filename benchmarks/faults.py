"""Fault drills at scale: does anything acknowledged get lost, or answered twice?

For the AI-bot callback, the long connection, and the app with and without its secret: N reports
(default 300) at C concurrent (default 20) against a real `zsbot serve` on loopback with the WeCom
stand-in; kill -9 right after the last acknowledgement, or SIGTERM once half are acknowledged;
start again on the same database; count reports stored and receipts delivered per report.

Run: python benchmarks/faults.py [--reports N] [--concurrency C] [--modes aibot,ws,app_secret,app]
     [--faults kill,term] [--pg]   (--pg: a fresh schema on $ZSBOT_TEST_PG instead of SQLite)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from tests.fakes.faults import MODES, run_drill  # noqa: E402


def fresh_pg_schema() -> str:
    from storage.db import make_engine
    from tests.conftest import PG_URL

    schema = f"faults_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--faults", default="kill,term")
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    failed = False
    print(f"{args.reports} reports, {args.concurrency} concurrent; kill = kill -9 right after the last "
          "acknowledgement, term = SIGTERM once half are acknowledged; then a restart on the same database")
    for fault in args.faults.split(","):
        for mode in args.modes.split(","):
            with tempfile.TemporaryDirectory(prefix=f"zsbot-faults-{mode}-") as tmp:
                db_url = fresh_pg_schema() if args.pg else f"sqlite:///{Path(tmp) / 'zsbot.db'}"
                result = run_drill(mode, fault, args.reports, args.concurrency, db_url, Path(tmp))
                print(result.line(), flush=True)
                failed |= (result.stored != args.reports or result.without_receipt > 0 or result.doubled > 0)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
