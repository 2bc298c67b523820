"""Pushes through WeCom's bad days: counts lost (must be 0) and doubled (only the documented window).

A sender process (tests/fakes/outbox_worker.py) drains group pushes (webhook, some split into parts)
and private pushes (app message API) to the WeCom stand-in, which answers with scripted faults:
gateway 429/404 pages, 5xx, 45009 rate limits, -1 busy, answers slower than the sender's timeout,
and answers slow but in time. Meanwhile the process is killed with SIGKILL while it sends, again
and again, and restarted on the same database. At the end every part WeCom accepted is counted.

A double is inside the documented window when the earlier copy's acceptance never reached our mark:
it was the last message a killed process had WeCom accept, or its answer came after the timeout.
Any other double, any lost part, any failed push or spent attempt is a fault of ours.

Run: python benchmarks/outbox_faults.py [--kills N] [--group N] [--private N] [--seed S] [--pg URL]
(`--pg` runs on a fresh schema of that PostgreSQL database; default: a SQLite file).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: The fault menu: WeCom-like answers a bad day brings, each temporary for the sender.
FAULTS: list[tuple[str, list[Any]]] = [
    ("gateway 429 burst", [("gateway", 429)] * 3),
    ("gateway 404", [("gateway", 404)]),
    ("5xx burst", [("http", 502), ("gateway", 503), ("gateway", 504)]),
    ("45009 rate limit", [45009, 45009]),
    ("-1 busy", [-1]),
    ("answer after the timeout", ["late"]),
    ("slow answer within the timeout", ["slow"]),
]


def _script(rng: random.Random, sends: int, timeout_s: float) -> list[Any]:
    """A random day: about one send in three meets a fault (a burst counts as one)."""
    script: list[Any] = []
    while len(script) < sends:
        if rng.random() < 0.33:
            for entry in rng.choice(FAULTS)[1]:
                if entry == "late":
                    script.append(("slow", timeout_s * 2.5))
                elif entry == "slow":
                    script.append(("slow", timeout_s * 0.4))
                else:
                    script.append(entry)
        else:
            script.append(0)
    return script


def _queue(runtime: Any, group: int, private: int, rng: random.Random) -> dict[str, int]:
    """Queue the pushes; every part's text is unique, so each acceptance names its part."""
    from bot.wecom.webhook import TEXT_MAX_BYTES, render_parts
    from storage.outbox import Target
    from storage.store import unit_of_work

    expected: dict[str, int] = {}
    with unit_of_work(runtime.engine) as store:
        for n in range(group):
            long = n % 5 == 4
            lines = [f"g{n:03d}-{i:03d} 卫庄镇 江苏恒润新材料有限公司可降解塑料项目 8,000万元 已签约"
                     for i in range(150 if long else 2)]
            body = "\n".join(lines)
            store.outbox.push(f"bulletin:{n}", body, target=Target.group())
            for part in render_parts("markdown", body, ()):
                expected[part["markdown"]["content"]] = 0
        for n in range(private):
            long = rng.random() < 0.1
            lines = [f"p{n:03d}-{i:03d} 您的单位本月尚未报送，请于20日前报送。" for i in range(60 if long else 1)]
            body = "\n".join(lines)
            store.outbox.push(f"dm:{n}", body, target=Target.user(f"liaison{n % 40:02d}"), kind="text")
            for part in render_parts("text", body, (), markdown_max_bytes=TEXT_MAX_BYTES):
                expected[part["text"]["content"]] = 0
    return expected


def _all_sent(runtime: Any) -> bool:
    from storage.outbox import OutboxStatus
    from storage.store import unit_of_work

    with unit_of_work(runtime.engine) as store:
        return store.outbox.counts()[OutboxStatus.PENDING] == 0


def _wait(condition: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def run(db_url: str | None = None, group: int = 10, private: int = 150, kills: int = 12, seed: int = 7,
        timeout_s: float = 1.0, deadline_s: float = 600.0) -> dict[str, Any]:
    """Drive the sender through faults and kills; returns the counts (see the module docstring)."""
    from bot.runtime import build_runtime
    from bot.settings import DatabaseSettings, Settings
    from storage.outbox import OutboxStatus
    from storage.store import unit_of_work
    from tests.fakes import outbox_worker
    from tests.fakes.wecom import WecomStandIn

    rng = random.Random(seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, WecomStandIn() as standin:
        workdir = Path(tmp)
        url = db_url or f"sqlite:///{workdir / 'zsbot.db'}"
        runtime = build_runtime(Settings(database=DatabaseSettings(url=url)))
        expected = _queue(runtime, group, private, rng)
        webhook_script = _script(rng, 3 * len(expected), timeout_s)
        app_script = _script(rng, 3 * len(expected), timeout_s)
        standin.webhook_script.extend(webhook_script)
        standin.app_script.extend(app_script)
        outbox = {"poll_s": 0.05, "timeout_s": timeout_s, "backoff_s": 0.05, "max_backoff_s": 0.4,
                  "rate_limit_pause_s": 1.0, "max_attempts": 3}
        killed: set[int] = set()
        finished = False
        generation = 0
        try:
            while not finished and time.monotonic() - started < deadline_s:
                generation += 1
                standin.generation = generation
                before = len(standin.record.accepted)
                worker = outbox_worker.start(url, standin.base_url, standin.webhook_url, workdir, **outbox)
                if len(killed) < kills:
                    if _wait(lambda b=before: len(standin.record.accepted) > b, 60):
                        time.sleep(rng.uniform(0.0, 0.6))
                    worker.send_signal(signal.SIGKILL)
                    worker.wait(10)
                    killed.add(generation)
                    finished = _all_sent(runtime)
                    continue
                finished = _wait(lambda: _all_sent(runtime), deadline_s - (time.monotonic() - started))
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
        finally:
            if "worker" in locals() and worker.poll() is None:
                worker.kill()
        accepted = list(standin.record.accepted)
        with unit_of_work(runtime.engine) as store:
            items = list(store.outbox.all())
        runtime.engine.dispose()
        served = {
            "webhook": len(webhook_script) - len(standin.webhook_script),
            "app": len(app_script) - len(standin.app_script),
        }
        faults = sum(1 for e in webhook_script[: served["webhook"]] + app_script[: served["app"]] if e != 0)

    last_of = {}
    for index, acceptance in enumerate(accepted):
        last_of[acceptance.generation] = index
    copies: dict[str, list[int]] = defaultdict(list)
    for index, acceptance in enumerate(accepted):
        copies[acceptance.content].append(index)
    by_kill = by_late = outside = 0
    for indexes in copies.values():
        for earlier in indexes[:-1]:
            acceptance = accepted[earlier]
            if acceptance.generation in killed and last_of[acceptance.generation] == earlier:
                by_kill += 1
            elif acceptance.answer_delay_s > timeout_s:
                by_late += 1
            else:
                outside += 1
    count = Counter(a.content for a in accepted)
    return {
        "database": url.split("://")[0].split("+")[0],
        "pushes": len(items),
        "parts": len(expected),
        "kills": len(killed),
        "faults_answered": faults,
        "accepted": len(accepted),
        "lost": sum(1 for content in expected if count[content] == 0),
        "doubled": sum(n - 1 for n in count.values() if n > 1),
        "doubled_kill_window": by_kill,
        "doubled_late_answer": by_late,
        "doubled_outside_window": outside,
        "unexpected_parts": sum(1 for content in count if content not in expected),
        "failed": sum(1 for i in items if i.state == OutboxStatus.FAILED.value),
        "attempts_spent": sum(i.attempts for i in items),
        "all_sent": finished,
        "seconds": round(time.monotonic() - started, 1),
    }


def _pg_schema(pg_url: str) -> tuple[str, Any]:
    from sqlalchemy import text

    from storage.db import make_engine

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{pg_url}{sep}options=-csearch_path%3D{schema}", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--group", type=int, default=10, help="group pushes (every fifth is split in 4 parts)")
    parser.add_argument("--private", type=int, default=150, help="private pushes (one in ten split)")
    parser.add_argument("--kills", type=int, default=12, help="SIGKILLs of the sending process")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout-s", type=float, default=1.0, help="the sender's read timeout in this run")
    parser.add_argument("--pg", metavar="URL", help="run on a fresh schema of this PostgreSQL database")
    args = parser.parse_args()
    drop = None
    db_url = None
    if args.pg:
        db_url, drop = _pg_schema(args.pg)
    try:
        result = run(db_url, group=args.group, private=args.private, kills=args.kills, seed=args.seed,
                     timeout_s=args.timeout_s)
    finally:
        if drop is not None:
            drop()
    print(json.dumps(result, ensure_ascii=False))
    print(f"{result['database']}: {result['parts']} parts of {result['pushes']} pushes, {result['kills']} kill -9, "
          f"{result['faults_answered']} faulty answers: lost {result['lost']}, doubled {result['doubled']} "
          f"({result['doubled_kill_window']} killed between WeCom's acceptance and our mark, "
          f"{result['doubled_late_answer']} answered after the timeout, "
          f"{result['doubled_outside_window']} outside the window), failed {result['failed']}, "
          f"attempts spent {result['attempts_spent']}, {result['seconds']} s")
    bad = (result["lost"] or result["doubled_outside_window"] or result["failed"] or result["attempts_spent"]
           or result["unexpected_parts"] or not result["all_sent"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
