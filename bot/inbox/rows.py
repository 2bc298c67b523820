"""The inbox table as the event loop sees it: each call is one statement on a thread.

Each is whole on its own (a read, or one conditional UPDATE), so on PostgreSQL it runs in autocommit
(`storage.store.autocommit`): one round trip, where a unit of work took three."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import anyio
from sqlalchemy import Engine

from storage.clock import utcnow
from storage.inbox import InboxRow as Row
from storage.states import ReplyVia
from storage.store import autocommit

T = TypeVar("T")


class Rows:
    """Reads and the two delivery writes, for channels and the inbox; never inside a handling."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` on a worker thread (at most 8 at once: the pool of database connections)."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(8)
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)

    def get(self, row_id: int) -> Row:
        with autocommit(self.engine) as store:
            item = store.inbox.get(row_id)
            if item is None:  # rows are never deleted; a missing one is a bug, not a state
                raise LookupError(f"inbox row {row_id} is gone")
            return Row.of(item)

    async def reread(self, row_id: int) -> Row:
        return await self.run(self.get, row_id)

    async def by_stream(self, stream_id: str) -> Row | None:
        def read() -> Row | None:
            with autocommit(self.engine) as store:
                item = store.inbox.by_stream(stream_id)
                return Row.of(item) if item is not None else None

        return await self.run(read)

    async def owed(self, channel: str, ws_after_s: float, url_after_s: float) -> list[Row]:
        """Rows of `channel` whose answer is owed and due: handled at least `ws_after_s` ago with a
        long-connection req_id, or at least `url_after_s` ago."""
        def read() -> list[Row]:
            with autocommit(self.engine) as store:
                now = utcnow()
                return [Row.of(item) for item in store.inbox.owed(
                    channel, now - timedelta(seconds=ws_after_s), now - timedelta(seconds=url_after_s))]

        return await self.run(read)

    async def unclaimed(self, channel: str, waited_s: float) -> list[Row]:
        """Owed answers of `channel` that no request carried, at least `waited_s` after it stopped waiting."""
        def read() -> list[Row]:
            with autocommit(self.engine) as store:
                return [Row.of(item) for item in store.inbox.unclaimed(channel, utcnow() - timedelta(seconds=waited_s))]

        return await self.run(read)

    async def take(self, row_id: int, via: ReplyVia, sent: bool = False) -> bool:
        """Claim the row's owed answer for `via` (`InboxRows.take_delivery`): True for exactly one path."""
        def claim() -> bool:
            with autocommit(self.engine) as store:
                return store.inbox.take_delivery(row_id, via, sent)

        return await self.run(claim)

    async def delivered(self, row_id: int, via: ReplyVia) -> None:
        def mark() -> None:
            with autocommit(self.engine) as store:
                store.inbox.delivered(row_id, via)

        await self.run(mark)
