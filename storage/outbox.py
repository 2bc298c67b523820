"""The outbox: pushes are written here first (with an idempotency key), then drained by a sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.models import OutboxItem


class Outbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def push(
        self, key: str, body: str, target: str = "group", kind: str = "markdown",
        mentions: Sequence[str] = (), due_at: datetime | None = None,
    ) -> OutboxItem | None:
        """Queue a push; None when a push with this key exists already (idempotent)."""
        if self.by_key(key) is not None:
            return None
        now = utcnow()
        item = OutboxItem(key=key, target=target, kind=kind, body=body, mentions=list(mentions),
                          created_at=now, due_at=due_at or now)
        try:
            with self.session.begin_nested():
                self.session.add(item)
        except IntegrityError:
            return None
        return item

    def by_key(self, key: str) -> OutboxItem | None:
        return self.session.exec(select(OutboxItem).where(OutboxItem.key == key)).first()

    def due(self, now: datetime, limit: int = 20) -> Sequence[OutboxItem]:
        return self.session.exec(
            select(OutboxItem)
            .where(OutboxItem.state == "pending", col(OutboxItem.due_at) <= now)
            .order_by(col(OutboxItem.due_at), col(OutboxItem.id))
            .limit(limit)
        ).all()

    def pending(self) -> Sequence[OutboxItem]:
        return self.session.exec(
            select(OutboxItem).where(OutboxItem.state == "pending").order_by(col(OutboxItem.id))
        ).all()

    def all(self) -> Sequence[OutboxItem]:
        return self.session.exec(select(OutboxItem).order_by(col(OutboxItem.id))).all()

    def get(self, item_id: int) -> OutboxItem | None:
        return self.session.get(OutboxItem, item_id)

    def sent_since(self, since: datetime) -> Sequence[OutboxItem]:
        """Pushes delivered at or after `since` (to count against WeCom's per-minute limit)."""
        return self.session.exec(
            select(OutboxItem).where(OutboxItem.state == "sent", col(OutboxItem.sent_at) >= since)
        ).all()

    def mark_parts_sent(self, item: OutboxItem, parts_sent: int) -> None:
        item.parts_sent = parts_sent
        self.session.add(item)

    def mark_sent(self, item: OutboxItem, now: datetime) -> None:
        item.state, item.sent_at, item.last_error = "sent", now, None
        item.attempts += 1
        self.session.add(item)

    def mark_retry(self, item: OutboxItem, now: datetime, error: str, delay: timedelta, max_attempts: int) -> None:
        """Back off and try later; give up (state "failed") after max_attempts."""
        item.attempts += 1
        item.last_error = error[:500]
        if item.attempts >= max_attempts:
            item.state = "failed"
        else:
            item.due_at = now + delay
        self.session.add(item)

    def mark_failed(self, item: OutboxItem, error: str) -> None:
        item.state, item.last_error = "failed", error[:500]
        self.session.add(item)
