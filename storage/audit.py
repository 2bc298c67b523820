"""The audit trail: append-only rows saying who changed what, when, with before and after."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.models import Audit


class AuditTrail:
    def __init__(self, session: Session) -> None:
        self.session = session

    def log(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: int | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        self.session.add(
            Audit(at=utcnow(), actor=actor, action=action, entity=entity, entity_id=entity_id,
                  before=before, after=after)
        )

    def history(self, entity: str, entity_id: int) -> Sequence[Audit]:
        return self.session.exec(
            select(Audit).where(Audit.entity == entity, Audit.entity_id == entity_id).order_by(col(Audit.id))
        ).all()
