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
