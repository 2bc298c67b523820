"""The durable inbox: persist, then acknowledge; handle from the table; answer once.

- `intake.py`: every adapter's message is committed (group commit) before WeCom gets its 200 or ack.
- `worker.py`: a worker claims a due row and handles it in the transaction that marks it done; the
  channel's `Settle` decides there how the answer stands (kept, owed, or pushed).
- `handover.py`: a request that waits for its answer rereads the row and claims it there, so any
  worker in any process can answer it; the local worker, or `signals.Listener`, only wakes it.
- `rows.py`: the reads and the two delivery writes the channels need, each one statement.
- `process.py`: `zsbot worker` and the worker processes of `zsbot serve --workers N` (PostgreSQL).

An owed answer is claimed by exactly one path (`InboxRows.take_delivery`, one conditional UPDATE):
the response that brought it, a stream refresh, the long connection, response_url, or a push.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import Engine

from bot.inbox.handover import Handover
from bot.inbox.intake import Intake
from bot.inbox.rows import Rows
from bot.inbox.worker import Doorbell, holds_back
from storage.clock import utcnow
from storage.inbox import Envelope
from storage.inbox import InboxRow as Row


class Closed(Exception):
    """The inbox takes nothing more (shutting down): the adapter answers 503 / does not ack."""


@dataclass(frozen=True, slots=True)
class Submitted:
    """The stored row, reread if it was handled while the request waited; `new` unless a redelivery."""

    row: Row
    new: bool


class Inbox:
    """What the channels talk to: intake, the wait for an answer, and the rows."""

    def __init__(self, engine: Engine, doorbell: Doorbell | None = None) -> None:
        self.rows = Rows(engine)
        self.intake = Intake(engine, self.rows)
        self.handover = Handover()
        #: Rung after each accepted message: the local worker, when this process has one.
        self.doorbell = doorbell or Doorbell()
        self._closed = False

    @property
    def busy(self) -> bool:
        return self.intake.busy

    def close(self) -> None:
        """Take nothing more (`Closed`)."""
        self._closed = True

    async def submit(self, envelope: Envelope, wait_s: float) -> Submitted:
        """Persist (committed before this returns), then wait up to `wait_s` for the handling.

        The row records until when this request waits, so that a worker anywhere leaves the
        answer for it to claim (`Settle`) rather than pushing it.
        """
        if self._closed:
            raise Closed
        if wait_s > 0:
            envelope = replace(envelope, answer_by=utcnow() + timedelta(seconds=wait_s))
        row, new = await self.intake.accept(envelope)
        if not row.handled:
            self.doorbell.ring()
            row = await self.wait_handled(row, wait_s)
        return Submitted(row, new)

    async def wait_handled(self, row: Row, timeout_s: float) -> Row:
        """The row once handled, or as it stands after `timeout_s` (a stream refresh that arrives a
        moment early need not answer "still working")."""
        if row.handled or timeout_s <= 0:
            return row
        handled = await self.handover.wait(row.id, timeout_s)
        return handled if handled is not None else await self.rows.reread(row.id)

    def handled(self, row_id: int, row: Row | None = None) -> None:
        """On the event loop, when this process learns `row_id` was handled (here or elsewhere)."""
        self.intake.handled(row_id)
        self.handover.handled(row_id, row)

    def holds_back(self, started: float) -> bool:
        """For a worker in this process: leave the next row while a burst is being acknowledged."""
        intake = self.intake
        return holds_back(time.monotonic(), accepting=intake.accepting > 0, last_accept=intake.last_accept,
                          backlog_since=intake.backlog_since, held_since=started,
                          someone_waits=self.handover.someone_waits)
