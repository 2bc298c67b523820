"""States stored as text, as enums: importable without the ORM (the CLI declares options with them)."""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    """Where a push stands: waiting to go (or to be retried), delivered, or given up on."""

    PENDING = "pending"
    SENT = "sent"
    #: WeCom refused it `max_attempts` times; `zsbot outbox retry` requeues it.
    FAILED = "failed"


class DraftState(StrEnum):
    """Where a half-finished report stands (`Draft.state`)."""

    #: Waiting for the sender's next message to supply what is missing.
    OPEN = "open"
    COMPLETED = "completed"
    #: Its time ran out; the sender is told on their next message.
    EXPIRED = "expired"
    #: The sender's next message was a new report or a command (or they said 算了).
    ABANDONED = "abandoned"
    #: Expired and already mentioned to the sender.
    LAPSED = "lapsed"


class RoundStatus(StrEnum):
    """What running one round of a scheduled job did (`handlers.jobs.Outcome.status`)."""

    SENT = "sent"
    #: Nobody to tell (everyone reported, no stale projects…).
    NOTHING = "nothing"
    #: This round ran before: nothing sent twice.
    ALREADY = "already"


class InboxState(StrEnum):
    """Where an inbound message stands (`InboxItem.state`)."""

    #: Stored and acknowledged; a worker has yet to handle it (or retries it after an error).
    PENDING = "pending"
    DONE = "done"
    #: Handling failed `MAX_ATTEMPTS` times; the sender was told.
    FAILED = "failed"

    @property
    def handled(self) -> bool:
        return self is not InboxState.PENDING


class ReplyVia(StrEnum):
    """The one way a handled message's answer went, or is going, back (`InboxItem.reply_via`)."""

    #: In the HTTP response to the request that brought it (or to WeCom's redelivery of it).
    PASSIVE = "passive"
    #: AI bot: in the response to WeCom's stream refresh.
    STREAM = "stream"
    #: AI bot long connection: a stream update on the frame's req_id.
    WS = "ws"
    #: AI bot: posted once to the message's response_url.
    RESPONSE_URL = "response_url"
    #: Through the outbox: an app message or a group push naming the sender.
    PUSH = "push"


class Delivery(StrEnum):
    """Whether an answer still has to go out after handling (`InboxItem.delivery`)."""

    #: Handled, answer not yet sent: exactly one path may claim it (`InboxRows.take_delivery`).
    OWED = "owed"
    SENT = "sent"
