"""Helpers for the assessment stories: walk the scheduler's triggers, read what was pushed, add records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.runtime import Runtime
from handlers.jobs import Outcome, job_named, run_due_between, run_job
from storage.media import MEDIA_KINDS
from storage.models import OutboxItem, Record, Role
from storage.store import unit_of_work
from tests.conftest import Chat, local


@dataclass
class Group:
    """The work group as the bot's pushes would reach it (read from the outbox)."""

    runtime: Runtime

    def pushes(self, prefix: str = "") -> list[OutboxItem]:
        """The text pushes whose key starts with `prefix` (the pictures and files after them: `media`)."""
        with unit_of_work(self.runtime.engine) as store:
            return [p for p in store.outbox.all() if p.key.startswith(prefix) and p.kind not in MEDIA_KINDS]

    def media(self, prefix: str = "") -> list[OutboxItem]:
        """The image and file pushes whose key starts with `prefix`."""
        with unit_of_work(self.runtime.engine) as store:
            return [p for p in store.outbox.all() if p.key.startswith(prefix) and p.kind in MEDIA_KINDS]

    def text(self, prefix: str = "") -> str:
        return "\n".join(p.body for p in self.pushes(prefix))

    def run_jobs_until(self, start: str, end: str) -> list[Outcome]:
        """Wake every job at each of its trigger times from `start` to `end`, as the scheduler would."""
        return run_due_between(self.runtime.engine, self.runtime.rules, local(start), local(end))

    def job_run(self, name: str, at: str) -> list[Outcome]:
        job = job_named(name)
        assert job is not None
        return run_job(self.runtime.engine, job, local(at), self.runtime.rules, forced=True)


@pytest.fixture
def group(chat: Chat) -> Group:
    return Group(chat.runtime)


def add_record(runtime: Runtime, unit: str, kind: str, period: str = "2026-03", amount_wan: float | None = None,
               **extra: object) -> int:
    """Store a record directly (for ranking tests that need exact figures)."""
    with unit_of_work(runtime.engine) as store:
        found = store.roster.unit_named(unit)
        assert found is not None and found.id is not None
        liaison = store.roster.members_of(found.id, Role.LIAISON)[0].userid
        record = store.records.add(Record(
            unit_id=found.id, reporter=liaison, kind=kind, period=period, late=False,
            reported_at=datetime.fromisoformat(f"{period}-10T10:00:00+08:00"), text=f"{kind} {amount_wan}",
            amount_wan=amount_wan, amount_cny_wan=amount_wan, **extra,  # type: ignore[arg-type]
        ))
        assert record.id is not None
        return record.id
