"""The outbox: pushes are written here first (with an idempotency key), then drained by a sender.

Attempts count WeCom's definitive rejections only; the sender leaves rate limits and gateway
errors to its own back-off, so a burst of them never uses up a push.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.idempotent import insert_once
from storage.models import OutboxItem, OutboxStatus

__all__ = ["Outbox", "OutboxStatus", "Target"]

_GROUP = "group"
_USER = "user:"


@dataclass(frozen=True, slots=True)
class Target:
    """Who a push goes to: the group chat, or one member by WeCom userid.

    Stored as text ("group", "user:<userid>") so the column stays readable in SQL and in
    `zsbot outbox list`; build one with `Target.group()` / `Target.user(userid)`."""

    userid: str | None = None

    @classmethod
    def group(cls) -> Target:
        return cls(None)

    @classmethod
    def user(cls, userid: str) -> Target:
        if not userid or userid != userid.strip():
            raise ValueError(f"not a WeCom userid: {userid!r}")
        return cls(userid)

    @classmethod
    def parse(cls, stored: str) -> Target:
        """The target a stored column (or a legacy caller's string) names; ValueError otherwise."""
        if stored == _GROUP:
            return cls.group()
        if stored.startswith(_USER):
            return cls.user(stored.removeprefix(_USER))
        raise ValueError(f"not an outbox target: {stored!r}")

    @property
    def is_group(self) -> bool:
        return self.userid is None

    def __str__(self) -> str:
        return _GROUP if self.userid is None else f"{_USER}{self.userid}"


#: The usual target, as a default argument.
TO_GROUP = Target.group()


class Outbox:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: Pushes queued through this repository (its unit of work): whether the sender has news.
        self.queued = 0

    def push(
        self, key: str, body: str, target: Target | str = TO_GROUP, kind: str = "markdown",
        mentions: Sequence[str] = (), due_at: datetime | None = None,
    ) -> OutboxItem | None:
        """Queue a push in the caller's transaction; None when a push with this key exists already.

        `target` may still be given in its stored form ("group", "user:<id>")."""
        where = target if isinstance(target, Target) else Target.parse(target)
        now = utcnow()
        new_id = insert_once(
            self.session, OutboxItem.__table__, ["key"],  # type: ignore[attr-defined]
            key=key, target=str(where), kind=kind, body=body, mentions=list(mentions), created_at=now,
            due_at=due_at or now, attempts=0, parts_sent=0, state=OutboxStatus.PENDING.value,
        )
        if new_id is None:
            return None
        self.queued += 1
        return self.session.get(OutboxItem, new_id)

    def by_key(self, key: str) -> OutboxItem | None:
        return self.session.exec(select(OutboxItem).where(OutboxItem.key == key)).first()

    def due(self, now: datetime, limit: int = 20) -> Sequence[OutboxItem]:
        """Pending pushes whose time has come, oldest first (so a group reads them in order)."""
        return self.session.exec(
            select(OutboxItem)
            .where(OutboxItem.state == OutboxStatus.PENDING.value, col(OutboxItem.due_at) <= now)
            .order_by(col(OutboxItem.due_at), col(OutboxItem.id))
            .limit(limit)
        ).all()

    def pending(self) -> Sequence[OutboxItem]:
        return self.listed(OutboxStatus.PENDING, limit=None)

    def all(self) -> Sequence[OutboxItem]:
        return self.session.exec(select(OutboxItem).order_by(col(OutboxItem.id))).all()

    def listed(self, status: OutboxStatus | None = None, limit: int | None = 50) -> Sequence[OutboxItem]:
        """The newest `limit` pushes (of one status), in the order they were queued."""
        query = select(OutboxItem)
        if status is not None:
            query = query.where(OutboxItem.state == status.value)
        newest = self.session.exec(query.order_by(col(OutboxItem.id).desc()).limit(limit)).all()
        return list(reversed(newest))

    def counts(self) -> dict[OutboxStatus, int]:
        rows = self.session.exec(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all()
        found = {OutboxStatus(state): int(n) for state, n in rows}
        return {status: found.get(status, 0) for status in OutboxStatus}

    def get(self, item_id: int) -> OutboxItem | None:
        return self.session.get(OutboxItem, item_id)

    def sent_since(self, since: datetime) -> Sequence[OutboxItem]:
        """Pushes delivered at or after `since` (to count against WeCom's per-minute limit)."""
        return self.session.exec(
            select(OutboxItem).where(OutboxItem.state == OutboxStatus.SENT.value, col(OutboxItem.sent_at) >= since)
        ).all()

    def mark_parts_sent(self, item: OutboxItem, parts_sent: int) -> None:
        item.parts_sent = parts_sent
        self.session.add(item)

    def mark_sent(self, item: OutboxItem, now: datetime) -> None:
        item.state, item.sent_at, item.last_error = OutboxStatus.SENT.value, now, None
        self.session.add(item)

    def mark_rejected(self, item: OutboxItem, now: datetime, error: str, delay: timedelta,
                      max_attempts: int) -> OutboxStatus:
        """WeCom refused the push: spend an attempt and try later; failed after max_attempts."""
        item.attempts += 1
        item.last_error = error[:500]
        if item.attempts >= max_attempts:
            item.state = OutboxStatus.FAILED.value
        else:
            item.due_at = now + delay
        self.session.add(item)
        return OutboxStatus(item.state)

    def note_waiting(self, item: OutboxItem, error: str) -> None:
        """Say why a push waits (a rate limit, a gateway error) without spending an attempt."""
        item.last_error = error[:500]
        self.session.add(item)

    def mark_failed(self, item: OutboxItem, error: str) -> None:
        item.state, item.last_error = OutboxStatus.FAILED.value, error[:500]
        self.session.add(item)

    def requeue(self, item: OutboxItem, now: datetime) -> bool:
        """Send a failed (or backing-off) push again now, with fresh attempts; False if it was sent.

        Parts already delivered stay delivered: a split push resumes where it stopped."""
        if item.state == OutboxStatus.SENT.value:
            return False
        item.state, item.attempts, item.due_at = OutboxStatus.PENDING.value, 0, now
        self.session.add(item)
        return True

    def requeue_failed(self, now: datetime) -> int:
        failed = self.listed(OutboxStatus.FAILED, limit=None)
        for item in failed:
            self.requeue(item, now)
        return len(failed)
