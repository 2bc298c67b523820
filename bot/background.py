"""Fire-and-forget tasks of one owner, kept referenced until they finish.

The event loop holds only weak references to tasks, so an unreferenced one can vanish mid-flight;
here each is held until done, its failure is logged, and the owner waits for or cancels them all
at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

log = logging.getLogger(__name__)


class Background:
    def __init__(self, what: str) -> None:
        #: Named in the log when a task fails ("inbox delivery", "AI bot message").
        self.what = what
        self._tasks: set[asyncio.Future[None]] = set()

    def spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    async def wait(self, timeout_s: float) -> None:
        """Let running tasks finish for up to `timeout_s`."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _done(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", self.what, exc_info=task.exception())
