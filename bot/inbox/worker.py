"""The worker: claims a due row, handles it in the transaction that marks it done, settles its answer.

A crash mid-handling leaves the row pending (the transaction rolls back), so the next start, or
another worker, handles it; a failing message is retried with back-off and then answered with an
apology. How the answer goes out is the channel's `Settle`, decided inside the same transaction
(kept for a response, owed to whichever path claims it first, or pushed through the outbox).

One worker per process: the core is CPU-bound (parsing) and SQLite takes one writer at a time
(measured: a second thread lowered throughput and starved the event loop). On PostgreSQL any number
of worker processes share the table (`FOR UPDATE SKIP LOCKED`); see `bot.inbox.process`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo

from sqlalchemy import Engine

from bot.inbox.rows import Rows
from handlers.core.messages import Attachment, Extras, Incoming, MediaRef, Reply
from handlers.dispatch import Bot
from nlp import Parsed
from storage.clock import utcnow
from storage.inbox import InboxRow as Row
from storage.inbox import Settled
from storage.models import InboxItem
from storage.states import InboxState
from storage.store import Store, unit_of_work

log = logging.getLogger(__name__)

#: A failing message is tried this often (with back-off) before the user is told it failed.
MAX_ATTEMPTS = 3
RETRY_AFTER = (timedelta(seconds=2), timedelta(seconds=10))
#: While messages are being accepted and nobody waits for an answer, a worker sharing the process
#: with the intake holds back (it shares the interpreter lock, and on SQLite the one writer, with
#: the acknowledgements) until the oldest message accepted here has waited HOLD_MAX_S (`holds_back`).
QUIET_S, HOLD_MAX_S = 0.01, 1.0

#: How a channel's answer stands when its handling commits; runs inside the handling transaction.
Settle = Callable[[Store, InboxItem, str], Settled]


def kept(store: Store, item: InboxItem, reply: str) -> Settled:
    """The answer goes only in a response: a redelivery gets the stored reply."""
    return Settled.kept()


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


class Doorbell:
    """Rung (on the event loop) when there may be work: a message accepted here, or one stored
    by another process (`Listener`). Ringing an idle worker costs nothing; a missed ring costs
    at most `poll_s`."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def ring(self) -> None:
        if self._event is not None:
            self._event.set()

    async def wait(self, timeout_s: float) -> None:
        if self._event is None:
            self._event = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout_s)
        self._event.clear()


@dataclass(frozen=True, slots=True)
class Handled:
    row: Row
    #: The handling queued a push: the outbox sender has news (waking it costs a round of queries).
    queued: bool = False


def unfetched(refs: Sequence[MediaRef]) -> tuple[Attachment, ...]:
    """Where nothing is configured to fetch media: each attachment says it was not received."""
    return tuple(Attachment(kind=ref.kind, name=ref.name, problem="文件未能接收（未配置文件接收）") for ref in refs)


class _Failure(Exception):
    """The handling of one row raised: its unit of work rolls back, then the attempt is counted."""

    def __init__(self, row_id: int, incoming: Incoming, error: Exception) -> None:
        super().__init__(row_id)
        self.row_id, self.incoming, self.error = row_id, incoming, error


class Worker:
    def __init__(self, engine: Engine, bot: Bot, tz: tzinfo, settlers: Mapping[str, Settle], *,
                 doorbell: Doorbell | None = None, poll_s: float = 1.0, on_handled: Callable[[Handled], None] = lambda handled: None,
                 on_idle: Callable[[], None] = lambda: None,
                 hold_back: Callable[[float], bool] | None = None,
                 fetch_media: Callable[[Sequence[MediaRef]], tuple[Attachment, ...]] | None = None) -> None:
        """`hold_back(started)`: whether to leave the next row for a moment (`holds_back`), for a
        worker that shares its process with the intake. `fetch_media` fetches, checks and stores a
        message's images and files before it is handled (their links live five minutes)."""
        self.engine, self.bot, self.tz, self.settlers = engine, bot, tz, settlers
        self.poll_s, self.on_handled, self.on_idle, self.hold_back = poll_s, on_handled, on_idle, hold_back
        self.fetch_media = fetch_media or unfetched
        self.rows = Rows(engine)
        self.doorbell = doorbell or Doorbell()
        self._sqlite = engine.dialect.name == "sqlite"
        self._idle: asyncio.Event | None = None
        self._closed = self._stopping = False

    # --- one message ----------------------------------------------------------------------

    def handle_next(self) -> Handled | None:
        """Handle the oldest due row, if any (blocking: run it on a thread).

        The handling, its answer and the row marked done are one transaction. A failing handling
        rolls all of it back (no savepoint: one costs two round trips on every message that does
        not fail), and the attempt is counted in a transaction of its own (`_failed`)."""
        ahead = self._peek_and_parse() if self._sqlite else None
        if self._sqlite and ahead is None:
            return None
        failure: _Failure | None = None
        try:
            with unit_of_work(self.engine) as store:
                item = store.inbox.claim_next(utcnow())
                if item is None:
                    return None
                peeked = ahead is not None and ahead[0] == item.id
                incoming = self._incoming(item, ahead[3] if ahead is not None and peeked else None)
                parsed, failed = ahead[1:3] if ahead is not None and peeked else (None, None)
                try:
                    if failed is not None:
                        raise failed
                    reply: Reply = self.bot.answer(store, incoming, parsed)
                except Exception as exc:
                    log.exception("handling failed for %s/%s (attempt %d)", item.channel, item.msg_id,
                                  item.attempts + 1)
                    failure = _Failure(item.id or 0, incoming, exc)
                    raise failure from exc
                return self._finish(store, item, reply, InboxState.DONE)
        except _Failure:
            pass
        assert failure is not None
        return self._failed(failure)

    def _failed(self, failure: _Failure) -> Handled | None:
        """After a failed handling rolled back: retry it later, or after MAX_ATTEMPTS answer with
        an apology. The row is locked again first; None if meanwhile it was handled elsewhere."""
        exc = failure.error
        with unit_of_work(self.engine) as store:
            item = store.inbox.lock_pending(failure.row_id)
            if item is None:
                return None
            if item.attempts + 1 < MAX_ATTEMPTS:
                store.inbox.postpone(item, f"{type(exc).__name__}: {exc}", RETRY_AFTER[min(item.attempts, 1)])
                return Handled(Row.of(item))
            item.attempts += 1
            return self._finish(store, item, self.bot.give_up(store, failure.incoming), InboxState.FAILED)

    def _finish(self, store: Store, item: InboxItem, reply: Reply, state: InboxState) -> Handled:
        """Settle the answer (the channel's `Settle`) and mark the row handled, telling other processes."""
        settle = self.settlers.get(item.channel, kept) if reply.text else kept
        settled = settle(store, item, reply.text)
        queued = store.outbox.queued > 0
        store.inbox.finish(item, reply.text, state, settled, card=reply.card.to_json() if reply.card is not None else None,
                           announce=True, queued_push=queued)
        return Handled(Row.of(item), queued)

    def _incoming(self, item: InboxItem, fetched: tuple[Attachment, ...] | None = None) -> Incoming:
        """The row as the core reads it; its media fetched now unless `fetched` already (SQLite's peek)."""
        extras = Extras.from_json(item.extra)
        if fetched is None:
            fetched = self.fetch_media(extras.media) if extras.media else ()
        return Incoming(channel=item.channel, msg_id=item.msg_id, user_id=item.user_id, text=item.text,
                        at=item.at.astimezone(self.tz), chat_id=item.chat_id, quote=extras.quote,
                        attachments=fetched, choice=extras.choice)

    def _peek_and_parse(self) -> tuple[int, Parsed | None, Exception | None, tuple[Attachment, ...]] | None:
        """SQLite: parse the next due row before the transaction that claims it. Parsing is the
        slow part, and that transaction holds the one writer every acknowledgement needs. (On
        PostgreSQL the claim locks only the row, so workers parse inside it: a peek there would let
        two workers parse the same row.) Its media are fetched here too, outside the write transaction."""
        with unit_of_work(self.engine) as store:
            item = store.inbox.claim_next(utcnow())
            if item is None:
                return None
        incoming = self._incoming(item)
        try:
            return item.id or 0, self.bot.preparse(incoming), None, incoming.attachments
        except Exception as exc:
            return item.id or 0, None, exc, incoming.attachments  # the handling failed: counted inside the transaction

    # --- the loop -------------------------------------------------------------------------

    async def run(self) -> None:
        """Handle due rows (those left by an earlier run first) until `stop()`; between rounds
        wait for the doorbell or `poll_s` (a missed ring, retries coming due)."""
        self._idle = asyncio.Event()
        while not self._stopping:
            await self._yield()
            try:
                handled = await self.rows.run(self.handle_next)
            except Exception:
                log.exception("inbox worker round failed; trying again")
                handled = None
                await asyncio.sleep(self.poll_s)
            if handled is not None:
                if handled.row.handled:
                    self.on_handled(handled)
                continue
            self.on_idle()
            self._idle.set()
            if self._closed:
                break
            await self.doorbell.wait(self.poll_s)
            self._idle.clear()

    async def _yield(self) -> None:
        started = time.monotonic()
        while self.hold_back is not None and not self._closed and self.hold_back(started):
            await asyncio.sleep(QUIET_S)

    async def stop(self, grace_s: float) -> None:
        """Finish what is due within `grace_s`; the rest waits for the next start (or another worker)."""
        self._closed = True
        self.doorbell.ring()
        if self._idle is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), grace_s)
        self._stopping = True
        self.doorbell.ring()
