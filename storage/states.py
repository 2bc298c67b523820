"""States stored as text, as enums: importable without the ORM (the CLI declares options with them)."""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    """Where a push stands: waiting to go (or to be retried), delivered, or given up on."""

    PENDING = "pending"
    SENT = "sent"
    #: WeCom refused it `max_attempts` times; `zsbot outbox retry` requeues it.
    FAILED = "failed"
