"""The raw message log: every inbound message kept verbatim; a redelivered id is recognised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.idempotent import insert_once
from storage.models import Message


class MessageLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, channel: str, msg_id: str) -> Message | None:
        return self.session.exec(
            select(Message).where(Message.channel == channel, Message.msg_id == msg_id)
        ).first()

    def record(
        self, channel: str, msg_id: str, user_id: str, text: str, at: datetime, chat_id: str | None
    ) -> Message | None:
        """Store the message; None when (channel, msg_id) was stored before (a redelivery).

        The unique constraint decides (INSERT … ON CONFLICT DO NOTHING), so two deliveries racing
        each other in two processes still store one row. One statement, where a savepoint around an
        ORM insert took three round trips on every handled message. The row is then put in the
        session as it was written (no read back), so `answer` updates it.
        """
        message = Message(channel=channel, msg_id=msg_id, user_id=user_id, chat_id=chat_id, text=text, at=at,
                          received_at=utcnow(), intent=None, reply=None)
        values = message.model_dump(exclude={"id", "intent", "reply"})
        new_id = insert_once(self.session, Message.__table__, ["channel", "msg_id"], **values)  # type: ignore[attr-defined]
        if new_id is None:
            return None
        message.id = new_id
        make_transient_to_detached(message)
        self.session.add(message)
        return message

    def last_chat_id(self, channel: str) -> str | None:
        """The group chat a message on `channel` last came from."""
        return self.session.exec(
            select(Message.chat_id)
            .where(Message.channel == channel, col(Message.chat_id).is_not(None))
            .order_by(col(Message.received_at).desc())
        ).first()

    def answer(self, message: Message, intent: str, reply: str) -> None:
        message.intent, message.reply = intent, reply
        self.session.add(message)

    def recent(self, channel: str, limit: int) -> list[Message]:
        """The newest `limit` messages on `channel`, oldest first (the simulator's reloaded page)."""
        newest = self.session.exec(
            select(Message).where(Message.channel == channel)
            .order_by(col(Message.received_at).desc(), col(Message.id).desc()).limit(limit)
        ).all()
        return list(reversed(newest))
