"""Requests waiting for their message's answer, by inbox row id, in this process.

The answer is handed over through the row, not through memory: whichever worker handled it, in
this process or another, the waiting request rereads the row and claims the answer there
(`InboxRows.take_delivery`). This only wakes the request early: the local worker calls `handled`
with the row it just committed; a worker elsewhere is heard through PostgreSQL (`Listener`). A
wake that never comes costs the wait, not the answer: the request rereads the row when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib

from storage.inbox import InboxRow as Row


class Handover:
    def __init__(self) -> None:
        self._waiting: dict[int, list[asyncio.Future[Row | None]]] = {}

    @property
    def someone_waits(self) -> bool:
        return bool(self._waiting)

    async def wait(self, row_id: int, timeout_s: float) -> Row | None:
        """The handled row when this process hears of it within `timeout_s` (None when heard
        without the row, or not at all: read it)."""
        future: asyncio.Future[Row | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(row_id, []).append(future)
        try:
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(future, timeout_s)
            return None
        finally:
            waiting = self._waiting.get(row_id, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._waiting.pop(row_id, None)

    def handled(self, row_id: int, row: Row | None = None) -> None:
        """On the event loop: wake every request waiting for `row_id`."""
        for future in self._waiting.get(row_id, []):
            if not future.done():
                future.set_result(row)
