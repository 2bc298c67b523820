"""The durable inbox's rows: accept before acknowledging, claim for handling, account for the answer."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, or_, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.db import writer_if_free
from storage.models import InboxItem
from storage.states import Delivery, InboxState, ReplyVia

#: Rows per INSERT: 14 values each stays well inside SQLite's bound-variable limit (32,766).
BATCH = 500
#: PostgreSQL notification channels (LISTEN/NOTIFY), sent inside the writing transaction so they
#: arrive only once it committed: new rows to handle; a row handled (payload: its id and flags).
#: Channels are database-wide, so each payload starts with the schema (`schema/…`): deployments
#: sharing a database in separate schemas do not hear each other.
NEW_WORK, HANDLED = "zsbot_inbox_new", "zsbot_inbox_handled"
#: Flags in a HANDLED payload: its answer is owed on a long connection; it queued an outbox push.
OWED_ON_WS, QUEUED_PUSH = "w", "q"


@dataclass(frozen=True, slots=True)
class Envelope:
    """One inbound message and what is needed to answer it later, as the adapter read it."""

    channel: str
    msg_id: str
    user_id: str
    text: str
    at: datetime
    chat_id: str | None = None
    stream_id: str | None = None
    response_url: str | None = None
    req_id: str | None = None
    #: Until when the request that brought it waits for the answer (None: nobody waits).
    answer_by: datetime | None = None
    #: A quote, media references or a card click, as JSON (`Extra.to_json`); None for plain text.
    extra: str | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    """How a handled message's answer stands when its handling commits (the row's two columns)."""

    via: ReplyVia | None
    delivery: Delivery | None

    @classmethod
    def kept(cls) -> Settled:
        """Kept on the row only: the answer goes in a response (a redelivery gets it again)."""
        return cls(None, None)

    @classmethod
    def owed(cls) -> Settled:
        """To be sent by whichever path claims it first (`InboxRows.take_delivery`)."""
        return cls(None, Delivery.OWED)

    @classmethod
    def sent(cls, via: ReplyVia) -> Settled:
        """Already on its way inside the handling transaction (an outbox push)."""
        return cls(via, Delivery.SENT)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """A detached copy of an inbox row, safe outside its session (and cheap: no ORM state)."""

    id: int
    channel: str
    msg_id: str
    user_id: str
    chat_id: str | None
    state: InboxState
    reply: str | None
    stream_id: str | None
    response_url: str | None
    req_id: str | None
    reply_via: ReplyVia | None
    delivery: Delivery | None
    received_at: datetime
    done_at: datetime | None
    answer_by: datetime | None = None
    #: The answer's buttons (JSON), shown by channels that can.
    reply_card: str | None = None

    @classmethod
    def of(cls, item: InboxItem) -> InboxRow:
        return cls(id=item.id or 0, channel=item.channel, msg_id=item.msg_id, user_id=item.user_id,
                   chat_id=item.chat_id, state=InboxState(item.state), reply=item.reply, stream_id=item.stream_id,
                   response_url=item.response_url, req_id=item.req_id,
                   reply_via=ReplyVia(item.reply_via) if item.reply_via else None,
                   delivery=Delivery(item.delivery) if item.delivery else None,
                   received_at=item.received_at, done_at=item.done_at, answer_by=item.answer_by,
                   reply_card=item.reply_card)

    @classmethod
    def pending(cls, row_id: int, envelope: Envelope, received_at: datetime) -> InboxRow:
        """The row just stored for `envelope`, without reading it back."""
        return cls(id=row_id, channel=envelope.channel, msg_id=envelope.msg_id, user_id=envelope.user_id,
                   chat_id=envelope.chat_id, state=InboxState.PENDING, reply=None, stream_id=envelope.stream_id,
                   response_url=envelope.response_url, req_id=envelope.req_id, reply_via=None, delivery=None,
                   received_at=received_at, done_at=None, answer_by=envelope.answer_by)

    @property
    def handled(self) -> bool:
        return self.state.handled

    @property
    def unclaimed(self) -> bool:
        """Handled, its answer owed, and no path has claimed it yet."""
        return self.delivery is Delivery.OWED and self.reply_via is None

    def stored_reply(self) -> str | None:
        """What a redelivery of this handled message gets in its response: the answer, when it
        goes (or went) only in a response, since a redelivery means WeCom did not get the first
        one; nothing when it went or goes another way (pushed, or owed to a stream or a URL)."""
        return self.reply if self.delivery is None or self.reply_via is ReplyVia.PASSIVE else None


#: What a new row is stored with; the other columns keep their defaults (no reply, no delivery).
_NEW_COLUMNS = ("channel", "msg_id", "user_id", "chat_id", "text", "at", "received_at", "due_at", "state",
                "attempts", "stream_id", "response_url", "req_id", "answer_by", "extra")


def _pending(envelope: Envelope, now: datetime) -> tuple[Any, ...]:
    """A new inbox row's values, in `_NEW_COLUMNS` order: pending, due at once."""
    e = envelope
    return (e.channel, e.msg_id, e.user_id, e.chat_id, e.text, e.at, now, now, InboxState.PENDING.value, 0,
            e.stream_id, e.response_url, e.req_id, e.answer_by, e.extra)


class QuickIntake:
    """SQLite: a burst's new rows stored straight through the driver, for the event loop to do itself.

    Measured on the AI-bot callback (2 cores, 20 concurrent): handing each batch to a thread and
    writing it through an ORM session cost ~0.85 ms of interpreter time per batch of 20 plus the
    hop, and the acknowledgements reached about half the rate of a bare decrypt endpoint. One
    prepared multi-row INSERT on a pooled connection takes ~0.35–0.45 ms per 20: short enough for
    the event loop, which then needs no thread. It never waits: when another thread of this process
    or another process holds SQLite's writer, it returns None and the caller takes the thread path.
    Column names and value conversions come from the table, so the stored format is the ORM's.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        table = InboxItem.__table__  # type: ignore[attr-defined]
        self._processors = [table.c[name].type.bind_processor(engine.dialect) for name in _NEW_COLUMNS]
        self._statements: dict[int, str] = {}

    @classmethod
    def of(cls, engine: Engine) -> QuickIntake | None:
        """Only for SQLite, a local file: PostgreSQL is a network round trip the loop must not wait on."""
        return cls(engine) if engine.dialect.name == "sqlite" else None

    def _statement(self, count: int) -> str:
        if count not in self._statements:
            names = ", ".join(_NEW_COLUMNS)
            row = "(" + ", ".join("?" * len(_NEW_COLUMNS)) + ")"
            self._statements[count] = (
                f"INSERT INTO {InboxItem.__tablename__} ({names}) VALUES {', '.join([row] * count)} "
                "ON CONFLICT (channel, msg_id) DO NOTHING RETURNING id, channel, msg_id")
        return self._statements[count]

    def try_accept(self, envelopes: Sequence[Envelope]) -> list[InboxRow | None] | None:
        """Store the new ones, committed; per envelope its new row, or None when it was stored
        before (the caller takes the full path: a redelivery may wake its row). None when the
        writer is busy and nothing was written."""
        if not envelopes or len(envelopes) > BATCH:
            return None
        now = utcnow()
        # The batch's own time is converted once per column, not once per row.
        stored_now = [process(now) if process is not None else now for process in self._processors]
        params: list[Any] = []
        for envelope in envelopes:
            for value, process, at_now in zip(_pending(envelope, now), self._processors, stored_now, strict=True):
                params.append(value if process is None else at_now if value is now else process(value))
        with writer_if_free(self.engine) as ours:
            if not ours:
                return None
            stored = self._write(self._statement(len(envelopes)), params)
        if stored is None:
            return None
        ids = {(channel, msg_id): row_id for row_id, channel, msg_id in stored}
        out: list[InboxRow | None] = []
        for envelope in envelopes:
            row_id = ids.pop((envelope.channel, envelope.msg_id), None)  # a message twice in a burst: once new
            out.append(InboxRow.pending(row_id, envelope, now) if row_id is not None else None)
        return out

    def _write(self, statement: str, params: list[Any]) -> list[tuple[int, str, str]] | None:
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                (waits,) = cursor.execute("PRAGMA busy_timeout").fetchone()
                cursor.execute("PRAGMA busy_timeout = 0")  # another process writing: do not wait for it
                try:
                    cursor.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    return None
                finally:
                    cursor.execute(f"PRAGMA busy_timeout = {int(waits)}")
                try:
                    stored = [(int(i), str(c), str(m)) for i, c, m in cursor.execute(statement, params).fetchall()]
                    cursor.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        cursor.execute("ROLLBACK")
                    raise
                return stored
            finally:
                cursor.close()
        finally:
            connection.close()


def _handled_payload(row: InboxRow | InboxItem, unclaimed: bool, queued_push: bool) -> str:
    """A HANDLED notification's payload after the schema: `id:flags:pid`."""
    flags = (OWED_ON_WS if row.req_id and unclaimed else "") + (QUEUED_PUSH if queued_push else "")
    return f"{row.id}:{flags}:{os.getpid()}"


class InboxRows:
    def __init__(self, session: Session) -> None:
        self.session = session

    def accept(self, envelope: Envelope) -> tuple[InboxRow, bool]:
        """Store the message as pending; (the existing row, False) when it was stored before."""
        return self.accept_many([envelope])[0]

    def accept_many(self, envelopes: Sequence[Envelope], *, announce: bool = False) -> list[tuple[InboxRow, bool]]:
        """Store a burst as pending in one statement; per envelope (row, new), in order.

        The unique key decides (INSERT … ON CONFLICT DO NOTHING), so two deliveries racing in two
        processes, or twice in one burst, still store one row: the first is new, the others get
        the stored row. A redelivery of a row waiting out a retry makes it due now, and one that
        came with a new long-connection req_id is answered on that one. One multi-row statement
        and no ORM objects for new rows, because this runs before every acknowledgement.
        `announce`: tell workers elsewhere (`announce_new`), on PostgreSQL from the same INSERT
        (`RETURNING pg_notify(…)`: identical notifications of one transaction arrive once).
        """
        now = utcnow()
        rows = [dict(zip(_NEW_COLUMNS, _pending(e, now), strict=True)) for e in envelopes]
        dialect = self.session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        table = InboxItem.__table__  # type: ignore[attr-defined]
        # Core, not the ORM, and the rows as parameters: one cached statement that SQLAlchemy sends
        # as multi-row VALUES ("insertmanyvalues"), compiled once rather than per burst size.
        returned = [table.c.id, table.c.channel, table.c.msg_id]
        if announce and dialect == "postgresql":
            returned.append(func.pg_notify(NEW_WORK, func.current_schema()))
        statement = insert(table).on_conflict_do_nothing(index_elements=["channel", "msg_id"]).returning(*returned)
        if len(rows) > BATCH:  # pragma: no cover - callers chunk; SQLite's bound-variable limit
            raise ValueError(f"accept at most {BATCH} at once")
        # RETURNING gives no order on SQLite: match by key.
        stored = self.session.connection().execute(statement, rows)
        ids = {(row[1], row[2]): row[0] for row in stored}
        if announce and len(ids) < len(envelopes):
            self.announce_new()  # a redelivery may have made a waiting row due
        out: list[tuple[InboxRow, bool]] = []
        for envelope, values in zip(envelopes, rows, strict=True):
            new_id = ids.pop((envelope.channel, envelope.msg_id), None)
            if new_id is not None:
                out.append((InboxRow.pending(new_id, envelope, values["received_at"]), True))
                continue
            earlier = self.by_msg(envelope.channel, envelope.msg_id)
            if earlier is None:  # pragma: no cover - the unique key says it exists
                raise LookupError(envelope.msg_id)
            self.wake(earlier)
            if envelope.req_id and earlier.req_id != envelope.req_id:
                self.set_req_id(earlier, envelope.req_id)
            self.session.flush()
            out.append((InboxRow.of(earlier), False))
        return out

    def by_msg(self, channel: str, msg_id: str) -> InboxItem | None:
        return self.session.exec(
            select(InboxItem).where(InboxItem.channel == channel, InboxItem.msg_id == msg_id)
        ).first()

    def by_stream(self, stream_id: str) -> InboxItem | None:
        return self.session.exec(select(InboxItem).where(InboxItem.stream_id == stream_id)).first()

    def get(self, item_id: int) -> InboxItem | None:
        return self.session.get(InboxItem, item_id)

    def claim_next(self, now: datetime) -> InboxItem | None:
        """The oldest due pending row, locked for this transaction.

        On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes share the queue: a row being
        handled is invisible to the others, and a killed process's lock ends with its connection.
        SQLite has one writer, and its unit of work begins IMMEDIATE, so the row is already ours.
        """
        query = (
            select(InboxItem)
            .where(InboxItem.state == InboxState.PENDING, col(InboxItem.due_at) <= now)
            .order_by(col(InboxItem.due_at), col(InboxItem.id))
            .limit(1)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return self.session.exec(query).first()

    def lock_pending(self, item_id: int) -> InboxItem | None:
        """The row, locked for this transaction, if it is still pending (after a failed handling
        let go of it: another worker may have handled it since)."""
        query = select(InboxItem).where(col(InboxItem.id) == item_id, InboxItem.state == InboxState.PENDING)
        if self._postgresql:
            query = query.with_for_update()
        return self.session.exec(query.execution_options(populate_existing=True)).first()

    def next_due(self) -> datetime | None:
        """When the earliest pending row becomes due (a retry backs off), or None."""
        return self.session.exec(
            select(InboxItem.due_at).where(InboxItem.state == InboxState.PENDING).order_by(col(InboxItem.due_at)).limit(1)
        ).first()

    def pending_count(self) -> int:
        return len(self.session.exec(select(InboxItem.id).where(InboxItem.state == InboxState.PENDING)).all())

    def finish(self, item: InboxItem, reply: str, state: InboxState, settled: Settled, *, card: str | None = None,
               announce: bool = False, queued_push: bool = False) -> None:
        """Mark the row handled with its answer; with `announce`, tell other processes too
        (`announce_handled`), on PostgreSQL in the same statement: the handling's last write and its
        notification are one round trip (`UPDATE … RETURNING pg_notify(…)`), still sent only on commit."""
        values = {"state": state.value, "reply": reply, "done_at": utcnow(), "reply_card": card,
                  "reply_via": settled.via.value if settled.via else None,
                  "delivery": settled.delivery.value if settled.delivery else None}
        if not (announce and self._postgresql):
            for key, value in values.items():
                setattr(item, key, value)
            self.session.add(item)
            if announce:
                self.announce_handled(InboxRow.of(item), queued_push)
            return
        unclaimed = settled.delivery is Delivery.OWED and settled.via is None
        table = InboxItem.__table__  # type: ignore[attr-defined]
        self.session.execute(
            update(table).where(table.c.id == item.id).values(**values)
            .returning(func.pg_notify(HANDLED, func.current_schema() + "/" + _handled_payload(item, unclaimed, queued_push)))
        )
        for key, value in values.items():  # the row as written, without a second UPDATE at the flush
            set_committed_value(item, key, value)

    def postpone(self, item: InboxItem, error: str, delay: timedelta) -> None:
        """Handling failed: count the attempt and try again later (the handling itself rolled back)."""
        item.attempts += 1
        item.last_error = error[:500]
        item.due_at = utcnow() + delay
        self.session.add(item)

    def wake(self, item: InboxItem) -> None:
        """A redelivery of a row that is waiting out a retry: try it now."""
        if item.state == InboxState.PENDING and item.due_at > utcnow():
            item.due_at = utcnow()
            self.session.add(item)

    # The delivery columns after handling have these two writers only (and `finish` before them).

    def take_delivery(self, item_id: int, via: ReplyVia, sent: bool = False) -> bool:
        """Claim the one delivery of an owed answer; False when another path has it already.

        One conditional UPDATE: of any number of paths racing in any number of processes, the
        database lets exactly one change the row. `sent` when the claim is the delivery itself
        (a response that carries the answer).
        """
        result = self.session.execute(
            update(InboxItem)
            .where(col(InboxItem.id) == item_id, col(InboxItem.delivery) == Delivery.OWED.value,
                   col(InboxItem.reply_via).is_(None))
            .values(reply_via=via.value, **({"delivery": Delivery.SENT.value} if sent else {}))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def delivered(self, item_id: int, via: ReplyVia) -> None:
        """The claimed answer went out (or, for `PUSH`, is in the outbox in this transaction)."""
        self.session.execute(
            update(InboxItem).where(col(InboxItem.id) == item_id)
            .values(delivery=Delivery.SENT.value, reply_via=via.value)
        )

    # Notifications to other processes (PostgreSQL LISTEN/NOTIFY; SQLite has one process).

    def announce_new(self) -> None:
        """Rows were stored: workers waiting elsewhere look now rather than at their next poll."""
        if self._postgresql:
            self.session.execute(text("SELECT pg_notify(:channel, current_schema())"), {"channel": NEW_WORK})

    def announce_handled(self, row: InboxRow, queued_push: bool) -> None:
        """A row was handled: the process whose request waits for it, or that holds the long
        connection its answer is owed on, or whose outbox sender should look, hears it. The
        payload is `id:flags:pid`; the handling process itself has heard it already."""
        if self._postgresql:
            self.session.execute(text("SELECT pg_notify(:channel, current_schema() || '/' || :payload)"),
                                 {"channel": HANDLED, "payload": _handled_payload(row, row.unclaimed, queued_push)})

    @property
    def _postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def set_req_id(self, item: InboxItem, req_id: str) -> None:
        """A long-connection redelivery comes with a new req_id: answer that one."""
        item.req_id = req_id
        self.session.add(item)

    def owed(self, channel: str, ws_before: datetime, url_before: datetime, limit: int = 50) -> Sequence[InboxItem]:
        """Answers owed on `channel` and due: a long-connection one (it has a req_id) handled before
        `ws_before`, any other handled before `url_before`. Only what is due, so that a burst's
        receipts, waiting for WeCom's stream refresh, are not read again every round."""
        return self.session.exec(
            select(InboxItem)
            .where(InboxItem.delivery == Delivery.OWED, InboxItem.channel == channel,
                   or_(col(InboxItem.done_at) <= url_before,
                       and_(col(InboxItem.req_id).is_not(None), col(InboxItem.done_at) <= ws_before)))
            .order_by(col(InboxItem.id))
            .limit(limit)
        ).all()

    def unclaimed(self, channel: str, waited_before: datetime, limit: int = 50) -> Sequence[InboxItem]:
        """Answers owed on `channel` that no path claimed although the request that could have
        carried them stopped waiting before `waited_before` (or none waited)."""
        return self.session.exec(
            select(InboxItem)
            .where(InboxItem.delivery == Delivery.OWED, InboxItem.channel == channel,
                   col(InboxItem.reply_via).is_(None),
                   func.coalesce(col(InboxItem.answer_by), col(InboxItem.done_at)) <= waited_before)
            .order_by(col(InboxItem.id))
            .limit(limit)
        ).all()
