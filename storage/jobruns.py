"""Which scheduled job rounds have run: a unique (job, period, round) row makes every run idempotent."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from storage.clock import utcnow
from storage.idempotent import insert_once
from storage.models import JobRun


class JobRuns:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, job: str, period: str, round_: str) -> JobRun | None:
        return self.session.exec(
            select(JobRun).where(JobRun.job == job, JobRun.period == period, JobRun.round == round_)
        ).first()

    def claim(self, job: str, period: str, round_: str, detail: dict[str, Any] | None = None) -> JobRun | None:
        """Mark the round as run in the caller's transaction; None when it ran already.

        The claim commits with the round's pushes or not at all, so a round that fails can run
        again. A second process claiming the same round waits for the first one's transaction."""
        new_id = insert_once(
            self.session, JobRun.__table__, ["job", "period", "round"],  # type: ignore[attr-defined]
            job=job, period=period, round=round_, ran_at=utcnow(), detail=detail or {},
        )
        return None if new_id is None else self.session.get(JobRun, new_id)

    def note(self, run: JobRun, **detail: Any) -> None:
        run.detail = {**run.detail, **detail}
        self.session.add(run)
