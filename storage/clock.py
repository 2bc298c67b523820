"""The one place storage asks for the wall clock (tests move it with time-machine)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
