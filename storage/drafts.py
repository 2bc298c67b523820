"""Drafts: reports waiting for a missing field, answered by the sender's next message.

A draft is open until it is completed, abandoned or expires; expired drafts are closed when anyone
reads them (`newest_open`, `expire_due`), so a draft from weeks ago can never take today's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Draft
from storage.states import DraftState


class Drafts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open(self, user_id: str, parsed: dict[str, Any], at: datetime, minutes: int, message_id: int | None) -> Draft:
        draft = Draft(user_id=user_id, parsed=parsed, created_at=at, expires_at=at + timedelta(minutes=minutes),
                      message_id=message_id)
        self.session.add(draft)
        self.session.flush()
        return draft

    def expire_due(self, now: datetime, user_id: str | None = None) -> list[Draft]:
        """Close the open drafts whose time is up (of one user, or of everyone); returns them."""
        query = select(Draft).where(Draft.state == DraftState.OPEN, col(Draft.expires_at) < now)
        if user_id is not None:
            query = query.where(Draft.user_id == user_id)
        expired = list(self.session.exec(query.order_by(col(Draft.id))).all())
        for draft in expired:
            draft.state = DraftState.EXPIRED
            self.session.add(draft)
        if expired:
            self.session.flush()
        return expired

    def newest_open(self, user_id: str, now: datetime, asking: bool = True) -> Draft | None:
        """The draft the sender is answering: their newest one still open at `now` (without `asking`, not one
        of the bot's questions about a record's project)."""
        # One read of the sender's open drafts, on every message: those whose time is up are closed
        # here (as `expire_due` would), the newest of the others answered.
        drafts = self.session.exec(
            select(Draft).where(Draft.user_id == user_id, Draft.state == DraftState.OPEN).order_by(col(Draft.id).desc())
        ).all()
        live: list[Draft] = []
        for draft in drafts:
            if draft.expires_at < now:
                draft.state = DraftState.EXPIRED
                self.session.add(draft)
            else:
                live.append(draft)
        return next((d for d in live[:20] if asking or d.parsed.get("ask") != "project"), None)

    def oldest_open(self, user_id: str) -> Draft | None:
        return self.session.exec(
            select(Draft).where(Draft.user_id == user_id, Draft.state == DraftState.OPEN).order_by(col(Draft.id))
        ).first()

    def recently_expired(self, user_id: str, since: datetime) -> Draft | None:
        """The sender's newest draft that expired after `since` (to tell them it lapsed)."""
        return self.session.exec(
            select(Draft).where(Draft.user_id == user_id, Draft.state == DraftState.EXPIRED, col(Draft.expires_at) >= since)
            .order_by(col(Draft.id).desc())
        ).first()

    def never_completed(self, since: datetime) -> Sequence[Draft]:
        """Drafts opened since `since` that were never completed (open or expired), oldest first."""
        return self.session.exec(
            select(Draft).where(col(Draft.state).in_([DraftState.OPEN, DraftState.EXPIRED, DraftState.LAPSED]), col(Draft.created_at) >= since)
            .order_by(col(Draft.id))
        ).all()

    def close(self, draft: Draft, state: DraftState) -> None:
        draft.state = state
        self.session.add(draft)

    def update(self, draft: Draft, parsed: dict[str, Any], at: datetime, minutes: int) -> None:
        draft.parsed = parsed
        draft.expires_at = at + timedelta(minutes=minutes)
        self.session.add(draft)
