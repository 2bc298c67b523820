"""Group-commit intake: a message is committed to the inbox before its acknowledgement.

The messages that arrive together are written together, in one transaction; what arrives during
a write is the next batch. On SQLite the event loop writes a batch itself when the writer is free
(`QuickIntake`: a fraction of a millisecond, no thread hop); elsewhere, and whatever that cannot
store outright (a redelivery, a busy writer, an error), a thread writes.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import Engine

from bot.inbox.rows import Rows
from storage.inbox import BATCH, Envelope, QuickIntake
from storage.inbox import InboxRow as Row
from storage.store import autocommit

log = logging.getLogger(__name__)
#: A row accepted here and never heard of as handled (a worker elsewhere crashed, a notification
#: was lost) stops counting toward `busy` after this long.
FORGET_AFTER_S = 30.0


class Intake:
    def __init__(self, engine: Engine, rows: Rows) -> None:
        self.engine, self.rows = engine, rows
        #: Messages being stored right now (not yet acknowledged), and when the last one was.
        self.accepting = 0
        self.last_accept = 0.0
        #: Rows accepted here and not yet seen handled, with when: how busy this process is.
        self._outstanding: dict[int, float] = {}
        self._queue: list[tuple[Envelope, asyncio.Future[tuple[Row, bool]]]] = []
        self._writer: asyncio.Future[None] | None = None
        self._quick = QuickIntake.of(engine)
        self._write_due = False

    @property
    def busy(self) -> bool:
        """Other messages are queued or being accepted here: a waiting request would wait behind
        them (those being accepted count too: a burst's first callbacks arrive together)."""
        return len(self._outstanding) + self.accepting > 1

    @property
    def backlog_since(self) -> float | None:
        """When the oldest message accepted here and not yet handled was accepted."""
        if not self._outstanding:
            return None
        now = time.monotonic()
        for row_id, at in list(self._outstanding.items()):
            if now - at > FORGET_AFTER_S:
                del self._outstanding[row_id]
        return min(self._outstanding.values(), default=None)

    def handled(self, row_id: int) -> None:
        self._outstanding.pop(row_id, None)

    def forget_all(self) -> None:
        """The local worker found nothing to do: whatever is still counted was handled elsewhere."""
        self._outstanding.clear()

    async def accept(self, envelope: Envelope) -> tuple[Row, bool]:
        """The stored row (committed) and whether it is new, not a redelivery."""
        future: asyncio.Future[tuple[Row, bool]] = asyncio.get_running_loop().create_future()
        self._queue.append((envelope, future))
        self.accepting += 1
        try:
            self._write_soon()
            row, new = await future
        finally:
            self.accepting -= 1
            self.last_accept = time.monotonic()
        if new:
            self._outstanding[row.id] = time.monotonic()
        return row, new

    def _write_soon(self) -> None:
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
        """The queued batch, on the event loop, if SQLite's writer is free."""
        self._write_due = False
        batch, self._queue = self._queue, []
        try:
            rows = self._quick.try_accept([envelope for envelope, _ in batch]) if self._quick else None
        except Exception:
            log.warning("inbox: writing on the event loop failed; writing on a thread", exc_info=True)
            rows = None
        left = batch if rows is None else [pair for pair, row in zip(batch, rows, strict=True) if row is None]
        if rows is not None:
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
                results = await self.rows.run(self._accept_all, [envelope for envelope, _ in batch])
            except Exception:
                results = None
            for n, (envelope, future) in enumerate(batch):
                if future.done():
                    continue
                if results is not None:
                    future.set_result(results[n])
                    continue
                try:  # one bad message must not fail the others: each on its own
                    future.set_result((await self.rows.run(self._accept_all, [envelope]))[0])
                except Exception as exc:
                    future.set_exception(exc)
            if self._quick is not None:
                return  # SQLite: the next batch is the event loop's again

    def _accept_all(self, envelopes: list[Envelope]) -> list[tuple[Row, bool]]:
        """Each INSERT is whole on its own and commits as it runs (`autocommit`): on PostgreSQL the
        batch costs one round trip, its notification to the workers included."""
        with autocommit(self.engine) as store:
            return [pair for at in range(0, len(envelopes), BATCH)
                    for pair in store.inbox.accept_many(envelopes[at:at + BATCH], announce=True)]
