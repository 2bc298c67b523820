"""Which scheduled job rounds have run: a unique (job, period, round) row makes every run idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.models import JobRun


class JobRuns:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, job: str, period: str, round_: str) -> JobRun | None:
        return self.session.exec(
            select(JobRun).where(JobRun.job == job, JobRun.period == period, JobRun.round == round_)
        ).first()

    def claim(self, job: str, period: str, round_: str, detail: dict[str, Any] | None = None) -> JobRun | None:
        """Mark the round as run; None when it ran already (here or in another process)."""
        if self.find(job, period, round_) is not None:
            return None
        run = JobRun(job=job, period=period, round=round_, ran_at=utcnow(), detail=detail or {})
        try:
            with self.session.begin_nested():
                self.session.add(run)
        except IntegrityError:
            return None
        return run

    def note(self, run: JobRun, **detail: Any) -> None:
        run.detail = {**run.detail, **detail}
        self.session.add(run)

    def of_job(self, job: str) -> Sequence[JobRun]:
        return self.session.exec(select(JobRun).where(JobRun.job == job).order_by(col(JobRun.id))).all()
