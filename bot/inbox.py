"""Hands transport messages to the synchronous core off the event loop, one run per message id.

A redelivery that arrives while the first delivery is still being handled (WeCom retries after
5 s) joins the same run instead of racing it in the database. The core is CPU-bound (parsing) and
SQLite takes one writer at a time, so one message is handled at a time (measured: a second thread
lowered throughput and starved the event loop that must answer WeCom in time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import anyio

from bot.runtime import Runtime
from handlers.messages import Incoming, Reply

#: Messages handled at the same time (see the module docstring for why one).
CORE_THREADS = 1


class Inbox:
    def __init__(self, runtime: Runtime, after_handle: Callable[[], None] = lambda: None) -> None:
        self.runtime = runtime
        self._limiter: anyio.CapacityLimiter | None = None
        self._after_handle = after_handle
        self._running: dict[tuple[str, str], asyncio.Future[Reply]] = {}

    def start(self, incoming: Incoming) -> asyncio.Future[Reply]:
        """The (possibly shared) run handling this message; await it or wait on it with a timeout."""
        key = (incoming.channel, incoming.msg_id)
        running = self._running.get(key)
        if running is not None:
            return running
        task = asyncio.ensure_future(self._handle(incoming))
        self._running[key] = task
        task.add_done_callback(lambda _: self._running.pop(key, None))
        return task

    @property
    def in_flight(self) -> int:
        """Messages being handled or waiting for a thread right now."""
        return len(self._running)

    async def handle(self, incoming: Incoming) -> Reply:
        return await asyncio.shield(self.start(incoming))

    async def _handle(self, incoming: Incoming) -> Reply:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(CORE_THREADS)
        reply = await anyio.to_thread.run_sync(self.runtime.bot.handle, incoming, limiter=self._limiter)
        self._after_handle()
        return reply
