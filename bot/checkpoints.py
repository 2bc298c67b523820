"""SQLite's write-ahead log copied back into the database file in the background.

Left to itself, SQLite does that copy inside whichever commit crosses the WAL threshold, ending in
an fsync: an acknowledgement to WeCom then waited ~140 ms for it (the p99 of benchmarks/callback.py).
`zsbot serve` does it here instead, every `every_s`, on a thread of its own (`storage.db.checkpoint`,
PASSIVE: it never waits for a writer and no writer waits for it). PostgreSQL needs none of this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import anyio
from sqlalchemy import Engine

from storage.db import checkpoint

log = logging.getLogger(__name__)


class Checkpoints:
    def __init__(self, engine: Engine, every_s: float = 1.0) -> None:
        self.engine, self.every_s = engine, every_s
        self._stop = asyncio.Event()
        #: Checkpoints run so far (what a test waits for).
        self.done = 0

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every_s)
            try:
                await anyio.to_thread.run_sync(checkpoint, self.engine)
                self.done += 1
            except Exception:  # a busy or closing database: the next round tries again
                log.warning("WAL checkpoint failed; trying again in %.0f s", self.every_s, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
