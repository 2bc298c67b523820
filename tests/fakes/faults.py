"""Fault drills against a real `zsbot serve` process, with the WeCom stand-in playing WeCom.

A drill sends N reports (C at a time) through one channel, kills the process (kill -9 right after
the last acknowledgement, or SIGTERM once half are acknowledged), starts it again on the same
database, and plays WeCom throughout: a request that failed or was not answered is sent again
until it is acknowledged (an app without the secret: until the reply carries the receipt), and
the long connection redelivers what was never answered. Then it counts what was stored and every
receipt that reached the sender, per report.

Used by `benchmarks/faults.py` (300 reports) and by tests (fewer). Waits poll with timeouts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from tests.fakes.wecom import (
    AES_KEY,
    BOT_ID,
    BOT_SECRET,
    CORP_ID,
    CORP_SECRET,
    TOKEN,
    CallbackSigner,
    WecomStandIn,
    aibot_text,
    app_text_xml,
    free_port,
)

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "tests" / "fixtures" / "roster.csv"
LIAISONS = ["wz_liu", "nf_wang", "hs_li", "kfq_chen", "sw_sun"]
#: "aibot" (AI-bot callback), "ws" (long connection), "app_secret", "app" (app without secret)
MODES = ("aibot", "ws", "app_secret", "app")
WORKING_PREFIX = "⏳"


def report(n: int) -> str:
    """A lead whose receipt names a unique amount (1,001万元 …), so receipts map to reports."""
    return f"线索：江苏恒润新材料有限公司拟投资{1000 + n}万元建设可降解塑料项目"


def amount_token(n: int) -> str:
    return f"{1000 + n:,}万元"


def msgid(n: int) -> str:
    return f"fault-{n}"


def config_text(mode: str, db_url: str, standin: WecomStandIn) -> str:
    parts = [
        f'[database]\nurl = "{db_url}"\n',
        "[inbox]\nresponse_url_after_s = 1.0\nshutdown_grace_s = 10.0\npoll_s = 0.2\n",
        "[outbox]\npoll_s = 0.2\n",
    ]
    if mode == "aibot":
        parts.append(f'[aibot]\nmode = "callback"\ntoken = "{TOKEN}"\nencoding_aes_key = "{AES_KEY}"\n')
    elif mode == "ws":
        parts.append(f'[aibot]\nmode = "websocket"\nbot_id = "{BOT_ID}"\nsecret = "{BOT_SECRET}"\n'
                     f'ws_url = "{standin.ws_url}"\n')
    else:
        secret = f'agent_id = 1000002\nsecret = "{CORP_SECRET}"\n' if mode == "app_secret" else ""
        parts.append(f'[wecom]\ncorp_id = "{CORP_ID}"\ntoken = "{TOKEN}"\nencoding_aes_key = "{AES_KEY}"\n'
                     f'api_base = "{standin.base_url}"\n{secret}')
    return "\n".join(parts)


class Serve:
    """One `zsbot serve` process on a loopback port; its output goes to a log file."""

    def __init__(self, config: Path, port: int, log: Path, workers: int | None = None) -> None:
        self.config, self.port, self.log, self.workers = config, port, log, workers
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def command(self) -> list[str]:
        extra = [] if self.workers is None else ["--workers", str(self.workers)]
        return ["serve", "--port", str(self.port), *extra]

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZSBOT_")}
        env["PYTHONPATH"] = str(ROOT)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(self.config),
                 *self.command()],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=self.config.parent,
            )
        self.starts += 1

    def wait_ready(self, timeout_s: float = 60.0) -> float:
        """Seconds until /healthz answers; raises if the process died or the time ran out."""
        started = time.monotonic()
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"zsbot serve exited ({self.process.returncode}); see {self.log}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(f"zsbot serve did not come up; see {self.log}")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout_s: float = 60.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout_s)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class WorkerProcess(Serve):
    """One `zsbot worker` process (PostgreSQL) beside a `serve --workers 0`."""

    def __init__(self, config: Path, log: Path) -> None:
        super().__init__(config, 0, log)

    def command(self) -> list[str]:
        return ["worker"]

    def wait_ready(self, timeout_s: float = 60.0) -> float:
        started = time.monotonic()
        while "handling messages" not in (self.log.read_text(encoding="utf-8") if self.log.exists() else ""):
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"zsbot worker exited ({self.process.returncode}); see {self.log}")
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(f"zsbot worker did not come up; see {self.log}")
            time.sleep(0.05)
        return time.monotonic() - started


@dataclass
class Result:
    mode: str
    fault: str
    reports: int
    acknowledged: int
    stored: int
    messages: int
    receipts: Counter[int] = field(default_factory=Counter)
    sources: dict[int, list[str]] = field(default_factory=dict)
    restarts: int = 0
    seconds: float = 0.0
    #: Everything stored and no answer pending or owed before the time ran out
    settled: bool = False

    @property
    def without_receipt(self) -> int:
        return sum(1 for n in range(self.reports) if self.receipts[n] == 0)

    @property
    def doubled(self) -> int:
        """Receipts that arrived twice or more, except pushes the outbox sent again (below)."""
        return sum(1 for n in range(self.reports) if self.receipts[n] > 1) - self.outbox_window

    @property
    def outbox_window(self) -> int:
        """Receipts pushed twice through the outbox (app message API): the sender's documented
        at-least-once window, killed between WeCom's acceptance and marking the push sent."""
        return sum(1 for sources in self.sources.values()
                   if len(sources) > 1 and set(sources) == {"app message"})

    def line(self) -> str:
        return (f"{self.mode:<11} {self.fault:<5} sent {self.reports:>4}  acknowledged {self.acknowledged:>4}  "
                f"stored {self.stored:>4}  messages {self.messages:>4}  receipts once "
                f"{self.reports - self.without_receipt - self.doubled - self.outbox_window:>4}  none {self.without_receipt:>3}  "
                f"twice+ {self.doubled:>3}  outbox resent {self.outbox_window:>2}  ({self.seconds:.1f} s)")


def prepare(db_url: str) -> None:
    """Migrate and load the standard roster into the drill's database."""
    from bot.runtime import build_runtime
    from bot.settings import DatabaseSettings, Settings
    from handlers.core.roster import import_roster, read_rows
    from storage.store import unit_of_work

    runtime = build_runtime(Settings(database=DatabaseSettings(url=db_url)))
    with unit_of_work(runtime.engine) as store:
        import_roster(read_rows(ROSTER), store)
    runtime.engine.dispose()


class Drill:
    def __init__(self, mode: str, fault: str, reports: int, concurrency: int, db_url: str, workdir: Path,
                 standin: WecomStandIn, extra_serves: int = 0, workers: int = 0,
                 serve_workers: int | None = None) -> None:
        """`workers` (PostgreSQL): `serve --workers 0` beside that many `zsbot worker` processes, and
        the fault is the first worker's (kill -9 or SIGTERM), the web process staying up.
        `serve_workers`: `serve --workers N` (its own worker processes, which leave with it)."""
        assert mode in MODES and fault in ("kill", "term")
        self.mode, self.fault, self.reports, self.concurrency = mode, fault, reports, concurrency
        self.db_url, self.standin = db_url, standin
        config = workdir / f"{mode}-{fault}.toml"
        config.write_text(config_text(mode, db_url, standin), encoding="utf-8")
        self.serve = Serve(config, free_port(), workdir / f"{mode}-{fault}.log", workers=0 if workers else serve_workers)
        self.workers = [WorkerProcess(config, workdir / f"{mode}-{fault}-worker{i}.log") for i in range(workers)]
        #: The process the fault hits: the first worker, or the web process
        self.victim: Serve = self.workers[0] if self.workers else self.serve
        #: Other processes on the same database (PostgreSQL) that share the inbox, not killed.
        self.others = [Serve(config, free_port(), workdir / f"{mode}-{fault}-{i}.log") for i in range(extra_serves)]
        self.signer = CallbackSigner(TOKEN, AES_KEY, CORP_ID if mode.startswith("app") else "")
        self.acked: set[int] = set()
        self.receipts: Counter[int] = Counter()
        #: Where each receipt came from: "reply" (the response itself) or the other way it went
        self.sources: dict[int, list[str]] = {}
        self._lock = threading.Lock()
        self._faulted = threading.Event()
        self._restarted = threading.Event()
        self.threshold = reports if fault == "kill" else reports // 2

    # --- the fault ---------------------------------------------------------------------------

    def _ack(self, n: int) -> None:
        with self._lock:
            self.acked.add(n)
            due = len(self.acked) >= self.threshold and not self._faulted.is_set()
            if due:
                self._faulted.set()
        if due:
            if self.fault == "kill":
                self.victim.kill()
            threading.Thread(target=self._restart, daemon=True).start()

    def _restart(self) -> None:
        if self.fault == "term":
            self.victim.terminate()
        self.victim.start()
        self.victim.wait_ready()
        self._restarted.set()

    # --- playing WeCom over HTTP ---------------------------------------------------------------

    async def _send_http(self, client: httpx.AsyncClient, n: int, gate: asyncio.Semaphore) -> None:
        user, path = LIAISONS[n % len(LIAISONS)], "/wecom/aibot" if self.mode == "aibot" else "/wecom/callback"
        acked = False
        async with gate:
            while True:
                servers = [self.serve, *self.others]
                server = servers[n % len(servers)] if not self._faulted.is_set() or not self.others else self.others[0]
                if self.workers:
                    server = self.serve  # the web process stays up; a worker is killed
                nonce = uuid.uuid4().hex[:10]
                if self.mode == "aibot":
                    payload = aibot_text(msgid(n), user, report(n))
                    payload["response_url"] = self.standin.response_url(msgid(n))
                    params, body = self.signer.aibot_callback(payload, nonce)
                else:
                    xml = app_text_xml(user, report(n), msgid(n), int(time.time()))
                    params, body = self.signer.app_callback(xml, nonce)
                try:
                    answer = await client.post(f"{server.url}{path}", params=params, content=body, timeout=10)
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
                    continue
                if answer.status_code != 200:
                    await asyncio.sleep(0.05)
                    continue
                content = self._content(answer, nonce)
                if amount_token(n) in content:
                    with self._lock:
                        self.receipts[n] += 1
                        self.sources.setdefault(n, []).append("reply")
                if not acked:
                    acked = True
                    self._ack(n)
                if self.mode == "app" and amount_token(n) not in content:
                    await asyncio.sleep(0.2)  # WeCom sends an unanswered app callback again
                    continue
                return

    def _content(self, answer: httpx.Response, nonce: str) -> str:
        if not answer.content:
            return ""
        if self.mode == "aibot":
            reply = self.signer.open_aibot_reply(answer.json(), nonce)
            stream = reply.get("stream") or {}
            return str(stream.get("content", "")) if stream.get("finish") else ""
        return self.signer.open_app_reply(answer.text, nonce).findtext("Content") or ""

    async def _drive_http(self) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(self._send_http(client, n, gate) for n in range(self.reports)))

    # --- playing WeCom over the long connection ---------------------------------------------

    def _drive_ws(self) -> None:
        self.standin.wait_for(lambda: self.standin.connected, 30)
        for n in range(self.reports):
            body = aibot_text(msgid(n), LIAISONS[n % len(LIAISONS)], report(n))
            self.standin.deliver(body)
        deadline = time.monotonic() + 120
        while len(self.acked) < self.reports and time.monotonic() < deadline:
            for frame in self.standin.frames("aibot_respond_msg"):
                mid = self.standin.record.req_msgid.get((frame.get("headers") or {}).get("req_id", ""), "")
                if mid.startswith("fault-") and int(mid[6:]) not in self.acked:
                    self._ack(int(mid[6:]))
            time.sleep(0.005)

    # --- the run ---------------------------------------------------------------------------

    def run(self, timeout_s: float = 180.0) -> Result:
        started = time.monotonic()
        prepare(self.db_url)
        processes = (self.serve, *self.others, *self.workers)
        for serve in processes:
            serve.start()
        try:
            for serve in processes:
                serve.wait_ready()
            if self.mode == "ws":
                self._drive_ws()
            else:
                asyncio.run(self._drive_http())
            assert self._restarted.wait(120), "the killed process did not come back"
            settled = self._settle(started + timeout_s)
        finally:
            for serve in processes:
                serve.stop()
        stored, messages = self._stored()
        self._count_pushed()
        return Result(self.mode, self.fault, self.reports, len(self.acked), stored, messages,
                      Counter(self.receipts), dict(self.sources), restarts=self.victim.starts - 1, seconds=time.monotonic() - started,
                      settled=settled)

    def _settle(self, deadline: float) -> bool:
        """Until every report is stored and no answer is pending or owed; False if the time ran out."""
        while time.monotonic() < deadline:
            stored, _ = self._stored()
            if stored >= self.reports and self._unsettled() == 0 and (
                    self.mode != "app_secret" or self._outbox_pending() == 0):
                return True
            time.sleep(0.1)
        return False

    def _query(self, sql: str) -> int:
        from storage.db import make_engine

        engine = make_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(sql)).scalar() or 0)
        finally:
            engine.dispose()

    def _stored(self) -> tuple[int, int]:
        return self._query("SELECT count(*) FROM record"), self._query("SELECT count(*) FROM message")

    def _unsettled(self) -> int:
        return self._query("SELECT count(*) FROM inbox WHERE state = 'pending' OR delivery = 'owed'")

    def _outbox_pending(self) -> int:
        return self._query("SELECT count(*) FROM outbox WHERE state = 'pending'")

    def _count_pushed(self) -> None:
        """Receipts that went another way than the reply: app messages, response_url, ws updates."""
        pushed: list[str] = []
        source = {"app_secret": "app message", "aibot": "response_url", "ws": "long connection"}.get(self.mode, "")
        if self.mode == "app_secret":
            pushed = [str((m.get("text") or {}).get("content", "")) for m in self.standin.record.app_messages]
        elif self.mode == "aibot":
            pushed = [str((body.get("markdown") or {}).get("content", "")) for _, body in self.standin.record.responses]
        elif self.mode == "ws":
            # A finished stream sent again on the same stream id is the same message bubble (the
            # content replaces, it does not add): the at-least-once window of a long-connection
            # update (killed between sending it and marking it sent) shows nothing twice.
            finished: dict[str, str] = {}
            for frame in self.standin.frames("aibot_respond_msg"):
                stream = (frame.get("body") or {}).get("stream") or {}
                if stream.get("finish"):
                    finished[str(stream.get("id", ""))] = str(stream.get("content", ""))
            pushed = list(finished.values())
        for content in pushed:
            for n in _reports_named(content, self.reports):
                self.receipts[n] += 1
                self.sources.setdefault(n, []).append(source)


def _reports_named(content: str, reports: int) -> list[int]:
    return [n for n in range(reports) if amount_token(n) in content]


def run_drill(mode: str, fault: str, reports: int, concurrency: int, db_url: str, workdir: Path,
              extra_serves: int = 0, on_standin: Callable[[WecomStandIn], Any] | None = None,
              timeout_s: float = 180.0, workers: int = 0, serve_workers: int | None = None) -> Result:
    with WecomStandIn() as standin:
        if on_standin is not None:
            on_standin(standin)
        return Drill(mode, fault, reports, concurrency, db_url, workdir, standin, extra_serves,
                     workers, serve_workers).run(timeout_s)
