"""What every transport hands the core, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from one person, whatever the channel it came through."""

    channel: str
    msg_id: str
    user_id: str
    text: str
    at: datetime
    chat_id: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("Incoming.at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Reply:
    """The bot's answer to the sender. `mentions` are userids to @ where the channel can."""

    text: str
    mentions: tuple[str, ...] = ()
    #: True when the message was a redelivery: nothing new happened.
    duplicate: bool = False
    #: Whether anything was stored (a record, a draft, a correction …).
    stored: bool = False
    records: tuple[int, ...] = field(default=())
