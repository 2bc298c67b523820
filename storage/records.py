"""Reported facts: add, correct, retract (never delete), and list them per unit and period."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from storage.audit import AuditTrail
from storage.models import Record, RecordStatus

#: Fields a correction may change.
EDITABLE = (
    "company", "project_name", "amount_wan", "currency", "amount_cny_wan", "event_date", "place",
    "industry", "contact_name", "contact_phone", "count", "government_funded",
)


def snapshot(record: Record) -> dict[str, Any]:
    """A JSON-safe picture of a record for the audit trail."""
    data = record.model_dump(mode="json")
    return {k: v for k, v in data.items() if k != "fields"} | {"fields": record.fields}


class Records:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditTrail(session)

    def add(self, record: Record) -> Record:
        """Store a new record; its creation is the first entry of its audit trail."""
        self.session.add(record)
        self.session.flush()
        self.audit.log(record.reporter, "create", "record", record.id, None, snapshot(record))
        return record

    def get(self, record_id: int) -> Record | None:
        return self.session.get(Record, record_id)

    def correct(self, record: Record, changes: dict[str, Any], actor: str) -> Record:
        """Apply `changes` (only EDITABLE keys); the old version stays in the audit trail."""
        before = snapshot(record)
        for key, value in changes.items():
            if key not in EDITABLE:
                raise KeyError(key)
            setattr(record, key, value)
        record.status = RecordStatus.CORRECTED.value
        record.fields = {**record.fields, "revision": int(record.fields.get("revision", 0)) + 1}
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "correct", "record", record.id, before, snapshot(record))
        return record

    def retract(self, record: Record, actor: str, reason: str = "") -> Record:
        before = snapshot(record)
        record.status = RecordStatus.RETRACTED.value
        record.fields = {**record.fields, "retract_reason": reason}
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "retract", "record", record.id, before, snapshot(record))
        return record

    def of_unit(
        self, unit_id: int, periods: Iterable[str] | None = None, include_retracted: bool = False
    ) -> Sequence[Record]:
        query = select(Record).where(Record.unit_id == unit_id)
        if periods is not None:
            query = query.where(col(Record.period).in_(list(periods)))
        if not include_retracted:
            query = query.where(Record.status != RecordStatus.RETRACTED.value)
        return self.session.exec(query.order_by(col(Record.id))).all()

    def of_project(self, project_id: int) -> Sequence[Record]:
        return self.session.exec(
            select(Record).where(Record.project_id == project_id).order_by(col(Record.id))
        ).all()

    def in_periods(self, periods: Iterable[str], include_retracted: bool = False) -> Sequence[Record]:
        query = select(Record).where(col(Record.period).in_(list(periods)))
        if not include_retracted:
            query = query.where(Record.status != RecordStatus.RETRACTED.value)
        return self.session.exec(query.order_by(col(Record.id))).all()
