"""The durable inbox: persist, then acknowledge; handle from the table; answer once.

Every adapter hands its message to `Inbox.submit`, which writes the row in one short committed
transaction before WeCom gets its 200 or its ack, and then waits (as long as the channel's policy
allows) for the answer. A worker takes pending rows from the table and handles each in one
transaction together with marking it done, so a crash mid-handling leaves the row pending and
the next start handles it; a redelivered msg_id stops at the row's unique key.

Who answers: if the request that brought the message is still waiting when the answer is ready,
the worker hands it over (it goes back in the HTTP response or the first long-connection reply);
otherwise the channel's `Route` settles it in the same transaction (an app push through the
outbox) or marks it owed and delivers it afterwards (long-connection update, AI-bot response_url).

One core thread per process: the core is CPU-bound (parsing) and SQLite takes one writer at a
time (measured: a second thread lowered throughput and starved the event loop). On PostgreSQL
several `serve` processes share the table (`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol, TypeVar

import anyio

from bot.background import Background
from bot.runtime import Runtime
from handlers.messages import Incoming, Reply
from nlp import Parsed
from storage.clock import utcnow
from storage.inbox import BATCH, DONE, FAILED, OWED, SENT, Envelope, QuickIntake
from storage.inbox import InboxRow as Row
from storage.models import InboxItem
from storage.store import Store, unit_of_work

log = logging.getLogger(__name__)
T = TypeVar("T")

#: A failing message is tried this often (with back-off) before the user is told it failed.
MAX_ATTEMPTS = 3
#: While messages are being accepted and nobody waits for an answer, the worker holds back (it
#: shares the interpreter lock, and on SQLite the one writer, with the acknowledgements), until
#: the oldest message accepted here has waited HOLD_MAX_S for its receipt (see `holds_back`).
QUIET_S, HOLD_MAX_S = 0.01, 1.0
RETRY_AFTER = (timedelta(seconds=2), timedelta(seconds=10))


def holds_back(now: float, *, accepting: bool, last_accept: float, backlog_since: float | None,
               held_since: float, someone_waits: bool) -> bool:
    """Whether the worker leaves the next row for a moment: WeCom retries a callback that is not
    acknowledged within 5 s, while a receipt reaches the chat by stream refresh, response_url or
    push whenever it is ready. So a burst is acknowledged first, but no receipt waits more than
    HOLD_MAX_S for it: the clock runs from the oldest unhandled message accepted by this process
    (or, for rows left by an earlier run, from when the worker began to hold back)."""
    if someone_waits:  # a request is holding its HTTP answer open for this worker
        return False
    if not accepting and now - last_accept >= QUIET_S:
        return False
    return now - (backlog_since if backlog_since is not None else held_since) < HOLD_MAX_S


class Closed(Exception):
    """The inbox takes nothing more (shutting down): the adapter answers 503 / does not ack."""


@dataclass(frozen=True, slots=True)
class Submitted:
    """What the adapter answers with: `reply` is set when it is the adapter's to send now."""

    row: Row
    new: bool
    reply: str | None


class Route(Protocol):
    """How a channel's answer goes out when no request is waiting for it."""

    def settle(self, store: Store, item: InboxItem, reply: str) -> tuple[str | None, str | None]:
        """Inside the handling transaction: (reply_via, delivery) for the row."""
        ...


class PassiveOnly:
    """The answer goes only in a response: a redelivery gets the stored reply."""

    def settle(self, store: Store, item: InboxItem, reply: str) -> tuple[str | None, str | None]:
        return None, None


@dataclass
class _Waiter:
    future: asyncio.Future[str]
    claimed: bool = False
    abandoned: bool = False


@dataclass
class _Handled:
    row: Row
    key: tuple[str, str]
    claimed: bool
    queued: bool = False  # the handling queued a push: the outbox sender has news


@dataclass
class Inbox:
    runtime: Runtime
    #: Called after a handled message queued a push (a receipt, a copy to the unit's owner):
    #: waking the sender costs it a round of queries, which most messages do not need.
    after_handle: Callable[[], None] = lambda: None
    routes: dict[str, Route] = field(default_factory=dict)
    #: Called on the event loop with each row whose answer is owed (a channel delivers it).
    on_owed: Callable[[Row], Awaitable[None]] | None = None
    poll_s: float = 1.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[tuple[str, str], _Waiter] = {}
        self._wake: asyncio.Event | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._closed = False
        self._stopping = False
        self._local = 0  # accepted here and not yet seen handled: how busy this process is
        self._backlog_since: float | None = None  # when the oldest of those was accepted
        self._idle: asyncio.Event | None = None
        self._background = Background("inbox delivery")
        self._watchers: dict[tuple[str, str], list[asyncio.Future[None]]] = {}
        self._accepting = 0
        self._last_accept = 0.0
        self._queue: list[tuple[Envelope, asyncio.Future[tuple[Row, bool]]]] = []
        self._writer: asyncio.Future[None] | None = None
        self._quick = QuickIntake.of(self.runtime.engine)
        self._write_due = False

    # --- intake ---------------------------------------------------------------------------

    @property
    def accepting(self) -> int:
        """Messages being stored right now (not yet acknowledged)."""
        return self._accepting

    @property
    def busy(self) -> bool:
        """Other messages are queued or being accepted here: a waiting request would wait behind
        them (those being accepted count too: a burst's first callbacks arrive together)."""
        return self._local + self._accepting > 1

    async def submit(self, envelope: Envelope, wait_s: float) -> Submitted:
        """Persist (committed before this returns), then wait up to `wait_s` for the answer.

        `reply` is set when the answer is this request's to deliver: handed over by the worker
        while we waited, or the stored answer of a redelivery on a passive-only channel.
        """
        if self._closed:
            raise Closed
        key = (envelope.channel, envelope.msg_id)
        waiter: _Waiter | None = None
        if wait_s > 0:
            with self._lock:
                waiter = self._waiters.get(key)
                if waiter is None or waiter.abandoned or waiter.future.done():
                    waiter = _Waiter(asyncio.get_running_loop().create_future())
                    self._waiters[key] = waiter
        try:
            self._accepting += 1
            try:
                row, new = await self._intake(envelope)
            finally:
                self._accepting -= 1
                self._last_accept = time.monotonic()
            if row.handled:
                return Submitted(row, new, self._stored_reply(row))
            self.wake()
            if waiter is None:
                return Submitted(row, new, None)
            reply = await self._await(waiter, wait_s)
            if reply is None:
                row = await self._run(self.reread, row.id)
                return Submitted(row, new, self._stored_reply(row) if row.handled else None)
            return Submitted(row, new, reply)
        finally:
            if waiter is not None and self._waiters.get(key) is waiter and (waiter.future.done() or waiter.abandoned):
                del self._waiters[key]

    def _stored_reply(self, row: Row) -> str | None:
        """A handled row's answer is ours to send again where it went (or goes) only in a response:
        a redelivery means WeCom did not get the first one. Pushed or owed answers go elsewhere."""
        return row.reply if row.delivery is None or row.reply_via == "passive" else None

    async def _await(self, waiter: _Waiter, wait_s: float) -> str | None:
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.future), wait_s)
        except TimeoutError:
            with self._lock:
                if not waiter.claimed:
                    waiter.abandoned = True
                    return None
            # The worker took the hand-over and is committing: its answer is ours in a moment.
        except Exception:
            return None
        with contextlib.suppress(Exception):
            return await asyncio.wait_for(asyncio.shield(waiter.future), 30.0)
        return None

    async def _intake(self, envelope: Envelope) -> tuple[Row, bool]:
        """Group commit: the messages that arrive together are written together, in one
        transaction, before any of them is answered; what arrives during a write is the next batch."""
        future: asyncio.Future[tuple[Row, bool]] = asyncio.get_running_loop().create_future()
        self._queue.append((envelope, future))
        self._write_soon()
        return await future

    def _write_soon(self) -> None:
        """On SQLite the event loop writes the batch itself once this round of callbacks has been
        read (`QuickIntake`: a fraction of a millisecond, no thread hop); elsewhere, and whatever
        that cannot store outright, a thread writes."""
        if self._write_due or (self._writer is not None and not self._writer.done()):
            return  # the write under way takes what queued meanwhile
        if self._quick is None:
            self._on_thread()
        else:
            self._write_due = True
            asyncio.get_running_loop().call_soon(self._write_here)

    def _on_thread(self) -> None:
        self._writer = asyncio.ensure_future(self._write_batches())
        self._writer.add_done_callback(lambda _: self._write_soon() if self._queue else None)

    def _write_here(self) -> None:
        """The queued batch, on the event loop, if SQLite's writer is free; a redelivery, a busy
        writer or an error sends its messages to the thread."""
        self._write_due = False
        batch, self._queue = self._queue, []
        try:
            rows = self._quick.try_accept([envelope for envelope, _ in batch]) if self._quick else None
        except Exception:
            log.warning("inbox: writing on the event loop failed; writing on a thread", exc_info=True)
            rows = None
        left = batch if rows is None else [pair for pair, row in zip(batch, rows, strict=True) if row is None]
        if rows is not None:
            self._count_accepted(sum(row is not None for row in rows))
            for (_, future), row in zip(batch, rows, strict=True):
                if row is not None and not future.done():
                    future.set_result((row, True))
        if left:
            self._queue = left + self._queue
            self._on_thread()

    async def _write_batches(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                results = await self._run(self._accept_all, [envelope for envelope, _ in batch])
            except Exception:
                results = None
            for n, (envelope, future) in enumerate(batch):
                if future.done():
                    continue
                if results is not None:
                    future.set_result(results[n])
                    continue
                try:  # one bad message must not fail the others: each on its own
                    future.set_result((await self._run(self._accept_all, [envelope]))[0])
                except Exception as exc:
                    future.set_exception(exc)
            if self._quick is not None:
                return  # SQLite: the next batch is the event loop's again

    def _accept_all(self, envelopes: list[Envelope]) -> list[tuple[Row, bool]]:
        with unit_of_work(self.runtime.engine) as store:
            accepted = [pair for at in range(0, len(envelopes), BATCH)
                        for pair in store.inbox.accept_many(envelopes[at:at + BATCH])]
            # Counted before the commit, so before any worker can finish them (the quick write
            # counts after its commit, but on the event loop, where a finish is counted too).
            self._count_accepted(sum(new for _, new in accepted))
        return accepted

    def _count_accepted(self, fresh: int) -> None:
        with self._lock:
            if fresh and self._backlog_since is None:
                self._backlog_since = time.monotonic()
            self._local += fresh

    def reread(self, item_id: int) -> Row:
        with unit_of_work(self.runtime.engine) as store:
            item = store.inbox.get(item_id)
            if item is None:  # rows are never deleted; a missing one is a bug, not a state
                raise LookupError(f"inbox row {item_id} is gone")
            return Row.of(item)

    async def wait_handled(self, row: Row, timeout_s: float) -> Row:
        """The row again once this process has handled it, or after `timeout_s` (a stream refresh
        that arrives a moment early need not answer "still working")."""
        if row.handled or timeout_s <= 0:
            return row
        key = (row.channel, row.msg_id)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._watchers.setdefault(key, []).append(future)
        try:
            await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            pass
        finally:
            watchers = self._watchers.get(key, [])
            if future in watchers:
                watchers.remove(future)
            if not watchers:
                self._watchers.pop(key, None)
        return await self._run(self.reread, row.id)

    def row_by_stream(self, stream_id: str) -> Row | None:
        with unit_of_work(self.runtime.engine) as store:
            item = store.inbox.by_stream(stream_id)
            return Row.of(item) if item is not None else None

    # --- the worker -----------------------------------------------------------------------

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Handle pending rows (those left by an earlier run first) until stop()."""
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        while not self._stopping:
            await self._yield_to_intake()
            try:
                handled = await self._run(self._handle_next)
            except Exception:
                log.exception("inbox worker round failed; trying again")
                handled = None
                await asyncio.sleep(self.poll_s)
            if handled is not None:
                self._after(handled)
                continue
            with self._lock:
                self._local, self._backlog_since = 0, None
            self._idle.set()
            if self._closed:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            self._wake.clear()
            self._idle.clear()

    async def _yield_to_intake(self) -> None:
        """A burst is acknowledged first and handled right after (`holds_back`)."""
        started = time.monotonic()
        while not self._closed and holds_back(
            time.monotonic(), accepting=self._accepting > 0, last_accept=self._last_accept,
            backlog_since=self._backlog_since, held_since=started,
            someone_waits=any(not w.abandoned and not w.future.done() for w in list(self._waiters.values())),
        ):
            await asyncio.sleep(QUIET_S)

    async def stop(self, grace_s: float) -> None:
        """Take nothing more; finish what is pending within `grace_s`; the rest waits for the next start."""
        self._closed = True
        self.wake()
        if self._idle is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), grace_s)
        self._stopping = True
        self.wake()
        await self._background.wait(grace_s)

    def _incoming(self, item: InboxItem) -> Incoming:
        return Incoming(channel=item.channel, msg_id=item.msg_id, user_id=item.user_id, text=item.text,
                        at=item.at.astimezone(self.runtime.settings.schedule.tz), chat_id=item.chat_id)

    def _preparse(self) -> tuple[int, Parsed | None, Exception | None] | None:
        """Parse the next due row before its transaction: parsing is the slow part, and on SQLite
        the transaction holds the one writer that every acknowledgement needs."""
        with unit_of_work(self.runtime.engine) as store:
            item = store.inbox.claim_next(utcnow())
            if item is None:
                return None
            incoming = self._incoming(item)
        try:
            return item.id or 0, self.runtime.bot.preparse(incoming), None
        except Exception as exc:
            return item.id or 0, None, exc  # the handling failed: counted inside the transaction

    def _handle_next(self) -> _Handled | None:
        bot = self.runtime.bot
        ahead = self._preparse()
        if ahead is None:
            return None
        with unit_of_work(self.runtime.engine) as store:
            item = store.inbox.claim_next(utcnow())
            if item is None:
                return None
            key = (item.channel, item.msg_id)
            incoming = self._incoming(item)
            parsed, failed = ahead[1:] if ahead[0] == item.id else (None, None)
            state = DONE
            try:
                with store.session.begin_nested():
                    if failed is not None:
                        raise failed
                    reply: Reply = bot.answer(store, incoming, parsed)
            except Exception as exc:
                log.exception("handling failed for %s/%s (attempt %d)", item.channel, item.msg_id, item.attempts + 1)
                if item.attempts + 1 < MAX_ATTEMPTS:
                    store.inbox.postpone(item, f"{type(exc).__name__}: {exc}", RETRY_AFTER[min(item.attempts, 1)])
                    return _Handled(Row.of(item), key, claimed=False)
                item.attempts += 1
                reply, state = bot.give_up(store, incoming), FAILED
            claimed = self._claim(key)
            if claimed or not reply.text:
                via, delivery = ("passive", SENT) if claimed and reply.text else (None, None)
            else:
                via, delivery = self.routes.get(item.channel, PassiveOnly()).settle(store, item, reply.text)
            store.inbox.finish(item, reply.text, state, via, delivery)
            row = Row.of(item)
        return _Handled(row, key, claimed, queued=store.outbox.queued > 0)

    def _claim(self, key: tuple[str, str]) -> bool:
        """Hand the answer to the request waiting for it, unless it has just given up."""
        with self._lock:
            waiter = self._waiters.get(key)
            if waiter is None or waiter.abandoned or waiter.future.done():
                return False
            waiter.claimed = True
            return True

    def _after(self, handled: _Handled) -> None:
        row = handled.row
        if not row.handled:
            return
        with self._lock:
            self._local = max(0, self._local - 1)
            if self._local == 0:
                self._backlog_since = None
        for watcher in self._watchers.get(handled.key, []):
            if not watcher.done():
                watcher.set_result(None)
        waiter = self._waiters.get(handled.key)
        if handled.claimed and waiter is not None and not waiter.future.done():
            waiter.future.set_result(row.reply or "")
        if handled.queued:
            self.after_handle()
        if row.delivery == OWED and self.on_owed is not None:
            self.spawn(self.on_owed(row))

    def spawn(self, coro: Awaitable[None]) -> None:
        self._background.spawn(coro)

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(8)
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)

    # --- answers owed ---------------------------------------------------------------------

    def owed(self, channel: str, ws_after_s: float, url_after_s: float) -> list[Row]:
        """Rows of `channel` whose answer is owed and due: handled at least `ws_after_s` ago with a
        long-connection req_id, or at least `url_after_s` ago."""
        with unit_of_work(self.runtime.engine) as store:
            now = utcnow()
            return [Row.of(item) for item in store.inbox.owed(
                channel, now - timedelta(seconds=ws_after_s), now - timedelta(seconds=url_after_s))]

    def take_delivery(self, row_id: int, via: str, sent: bool = False) -> bool:
        with unit_of_work(self.runtime.engine) as store:
            return store.inbox.take_delivery(row_id, via, sent)

    def delivered(self, row_id: int, via: str) -> None:
        with unit_of_work(self.runtime.engine) as store:
            store.inbox.delivered(row_id, via)

