"""Drafts: reports waiting for a missing field, answered by the sender's next message."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Draft


class Drafts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open(self, user_id: str, parsed: dict[str, Any], at: datetime, minutes: int, message_id: int | None) -> Draft:
        draft = Draft(user_id=user_id, parsed=parsed, created_at=at, expires_at=at + timedelta(minutes=minutes),
                      message_id=message_id)
        self.session.add(draft)
        self.session.flush()
        return draft

    def oldest_open(self, user_id: str) -> Draft | None:
        return self.session.exec(
            select(Draft).where(Draft.user_id == user_id, Draft.state == "open").order_by(col(Draft.id))
        ).first()

    def close(self, draft: Draft, state: str) -> None:
        draft.state = state
        self.session.add(draft)

    def update(self, draft: Draft, parsed: dict[str, Any], at: datetime, minutes: int) -> None:
        draft.parsed = parsed
        draft.expires_at = at + timedelta(minutes=minutes)
        self.session.add(draft)
