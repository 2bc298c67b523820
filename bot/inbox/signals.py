"""Hearing other processes: PostgreSQL LISTEN on a connection of its own, in a thread.

Workers in other processes announce handled rows, and intakes announce new ones, with NOTIFY
inside their transactions (`InboxRows.announce_*`), so a notification means "committed". Each
is handed to the event loop, without the schema that starts its payload (notifications are
database-wide; those of other schemas are dropped). A notification missed while reconnecting costs time, never a
message: workers also poll, and a waiting request rereads its row when its wait ends.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping

from sqlalchemy import Engine

log = logging.getLogger(__name__)


class Listener:
    def __init__(self, engine: Engine, handlers: Mapping[str, Callable[[str], None]], *,
                 retry_s: float = 1.0) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("LISTEN/NOTIFY needs PostgreSQL")
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.handlers, self.retry_s = dict(handlers), retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._thread = threading.Thread(target=self._run, args=(loop,), name="inbox-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    row = conn.execute("SELECT current_schema()").fetchone()
                    schema = str(row[0]) if row else ""
                    for channel in self.handlers:
                        conn.execute(f'LISTEN "{channel}"')
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.25):
                            handler = self.handlers.get(note.channel)
                            theirs, _, payload = note.payload.partition("/")
                            if handler is not None and theirs == schema and not loop.is_closed():
                                loop.call_soon_threadsafe(handler, payload)
            except Exception as exc:
                self.listening.clear()
                if self._stop.is_set():
                    break
                log.warning("inbox listener lost PostgreSQL (%s); listening again in %.0f s",
                            type(exc).__name__, self.retry_s)
                self._stop.wait(self.retry_s)
        self.listening.clear()
