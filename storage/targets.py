"""Targets (任务) of units and of the county, per year: replaced as a whole by each import."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from storage.audit import AuditTrail
from storage.models import Target


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One task to store: `unit_id` None is the county (全县)."""

    unit_id: int | None
    metric: str
    value: float


class Targets:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditTrail(session)

    def of_year(self, year: int) -> Sequence[Target]:
        return self.session.exec(select(Target).where(Target.year == year).order_by(col(Target.id))).all()

    def values_of_year(self, year: int) -> list[tuple[int | None, str, float]]:
        """(unit id, metric key, value) of the year's targets, as plain rows (read for every unit at once)."""
        rows = self.session.exec(
            select(Target.unit_id, Target.metric, Target.value).where(Target.year == year).order_by(col(Target.id))
        ).all()
        return [(unit_id, metric, float(value)) for unit_id, metric, value in rows]

    def replace_year(self, year: int, rows: Iterable[TargetRow], actor: str, at: datetime) -> int:
        """The year's targets become `rows`; the ones they replace stay in the audit trail."""
        old = [{"unit_id": t.unit_id, "metric": t.metric, "value": t.value} for t in self.of_year(year)]
        self.session.exec(delete(Target).where(col(Target.year) == year))
        new = [Target(year=year, unit_id=r.unit_id, metric=r.metric, value=r.value, imported_at=at) for r in rows]
        self.session.add_all(new)
        self.session.flush()
        self.audit.log(actor, "import", "targets", year, {"targets": old},
                       {"targets": [{"unit_id": t.unit_id, "metric": t.metric, "value": t.value} for t in new]})
        return len(new)


__all__ = ["TargetRow", "Targets"]
