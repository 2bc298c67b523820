"""Messages handled per second by 1, 2 and 4 `zsbot worker` processes on PostgreSQL.

A real `zsbot serve --workers 0` (it only verifies, stores and acknowledges) and N `zsbot worker`
processes share a fresh schema of $ZSBOT_TEST_PG; the WeCom stand-in plays WeCom. A burst of M
AI-bot callbacks (20 concurrent, each a lead with a unique amount) is acknowledged; the figure is
M divided by the time from the first message stored to the last one handled (from the inbox rows'
own timestamps). Receipts go back by response_url (nobody refreshes the stream here) and are
counted per report at the stand-in: each must arrive exactly once. With --kill, the first worker
is killed (-9) once a third of the burst is handled (and not restarted).

Run: python benchmarks/workers.py [--messages M] [--workers 1,2,4] [--kill]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.faults import fresh_pg_schema  # noqa: E402
from tests.fakes.faults import (  # noqa: E402
    LIAISONS,
    Serve,
    WorkerProcess,
    amount_token,
    config_text,
    prepare,
    report,
)
from tests.fakes.wecom import AES_KEY, TOKEN, CallbackSigner, WecomStandIn, aibot_text, free_port  # noqa: E402


def scalar(db_url: str, sql: str) -> float:
    from storage.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return float(conn.execute(text(sql)).scalar() or 0)
    finally:
        engine.dispose()


#: Receipts that came back in the callback's own response (per message number), not by response_url.
in_response: Counter[int] = Counter()


async def burst(url: str, signer: CallbackSigner, standin: WecomStandIn, messages: int) -> int:
    gate = asyncio.Semaphore(20)
    acked = 0
    in_response.clear()

    async def one(client: httpx.AsyncClient, n: int) -> None:
        nonlocal acked
        payload = aibot_text(f"w-{n}", LIAISONS[n % len(LIAISONS)], report(n))
        payload["response_url"] = standin.response_url(f"w-{n}")
        async with gate:
            while True:
                nonce = uuid.uuid4().hex[:10]
                params, body = signer.aibot_callback(payload, nonce)
                try:
                    answer = await client.post(f"{url}/wecom/aibot", params=params, content=body, timeout=10)
                except httpx.TransportError:  # a connection dropped under load: WeCom sends it again, so do we
                    await asyncio.sleep(0.05)
                    continue
                if answer.status_code == 200:
                    acked += 1
                    if answer.content:  # an idle bot's first answers carry the receipt in the response itself
                        stream = signer.open_aibot_reply(answer.json(), nonce).get("stream") or {}
                        if stream.get("finish") and amount_token(n) in str(stream.get("content", "")):
                            in_response[n] += 1
                    return
                await asyncio.sleep(0.05)

    async with httpx.AsyncClient(trust_env=False) as client:
        await asyncio.gather(*(one(client, n) for n in range(messages)))
    return acked


def run(workers: int, messages: int, kill: bool, tmp: Path) -> tuple[float, int, int, int]:
    """(handled/s, receipts once, none, twice+)"""
    db_url = fresh_pg_schema()
    prepare(db_url)
    with WecomStandIn() as standin:
        config = tmp / f"w{workers}.toml"
        config.write_text(config_text("aibot", db_url, standin).replace(
            "response_url_after_s = 1.0", "response_url_after_s = 0.5"), encoding="utf-8")
        serve = Serve(config, free_port(), tmp / f"serve-{workers}.log", workers=0)
        pool = [WorkerProcess(config, tmp / f"worker-{workers}-{i}.log") for i in range(workers)]
        for process in (serve, *pool):
            process.start()
        try:
            for process in (serve, *pool):
                process.wait_ready()
            signer = CallbackSigner(TOKEN, AES_KEY, "")
            killer = None
            if kill:
                def kill_at_a_third() -> None:
                    while scalar(db_url, "SELECT count(*) FROM inbox WHERE state = 'done'") < messages / 3:
                        time.sleep(0.02)
                    pool[0].kill()
                import threading
                killer = threading.Thread(target=kill_at_a_third)
                killer.start()
            acked = asyncio.run(burst(serve.url, signer, standin, messages))
            assert acked == messages
            deadline = time.monotonic() + 300
            while scalar(db_url, "SELECT count(*) FROM inbox WHERE state = 'pending' OR delivery = 'owed'") > 0:
                if time.monotonic() > deadline:
                    raise SystemExit("the burst was not handled and answered within 300 s")
                time.sleep(0.05)
            if killer is not None:
                killer.join()
            span = scalar(db_url, "SELECT extract(epoch FROM max(done_at) - min(received_at)) FROM inbox")
        finally:
            for process in (serve, *pool):
                process.stop()
        receipts: Counter[int] = Counter(in_response)
        for _, body in standin.record.responses:
            content = str((body.get("markdown") or {}).get("content", ""))
            for n in range(messages):
                if amount_token(n) in content:
                    receipts[n] += 1
        stored = int(scalar(db_url, "SELECT count(*) FROM record"))
        if stored != messages:
            raise SystemExit(f"{stored} of {messages} reports stored")
    once = sum(1 for n in range(messages) if receipts[n] == 1)
    none = sum(1 for n in range(messages) if receipts[n] == 0)
    return messages / span, once, none, messages - once - none


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--kill", action="store_true", help="kill -9 the first worker a third of the way")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    rates: dict[int, float] = {}
    print(f"{'workers':>7} {'handled/s':>10} {'vs 1':>6} {'receipts once':>14} {'none':>5} {'twice+':>7}"
          f"   ({args.messages} AI-bot callbacks, 20 concurrent, PostgreSQL{', first worker killed' if args.kill else ''})")
    with tempfile.TemporaryDirectory() as tmp:
        for workers in counts:
            rate, once, none, doubled = run(workers, args.messages, args.kill and workers > 1, Path(tmp))
            rates[workers] = rate
            ratio = f"{rate / rates[counts[0]]:.2f}x" if counts[0] == 1 else "-"
            print(f"{workers:>7} {rate:>10.1f} {ratio:>6} {once:>14} {none:>5} {doubled:>7}")
    if 1 in rates and 2 in rates:
        verdict = "ok" if rates[2] >= 1.6 * rates[1] else "BELOW TARGET"
        print(f"2 workers: {rates[2] / rates[1]:.2f}x one (target >= 1.6x on this machine): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
