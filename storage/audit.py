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

    def of_records(self, record_ids: Sequence[int]) -> Sequence[Audit]:
        """The trail of these records, oldest first (for the ledger's 审计 sheet)."""
        if not record_ids:
            return []
        return self.session.exec(
            select(Audit).where(Audit.entity == "record", col(Audit.entity_id).in_(list(record_ids)))
            .order_by(col(Audit.id))
        ).all()
