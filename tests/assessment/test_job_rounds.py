"""A scheduled round's claim commits with its pushes: a round that fails runs again, once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from storage.models import JobRun
from storage.outbox import Outbox
from storage.store import unit_of_work
from tests.conftest import Clock

from .conftest import Group


def claims(group: Group, job: str) -> list[str]:
    with unit_of_work(group.runtime.engine) as store:
        runs = store.session.exec(select(JobRun).where(JobRun.job == job).order_by(col(JobRun.id))).all()
        return [run.round for run in runs]


def test_a_nag_round_that_fails_after_claiming_runs_again_and_is_pushed_once(
    group: Group, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set("2026-03-18 09:00")
    queue = Outbox.push

    def push_then_fail(self: Outbox, *args: Any, **kwargs: Any) -> Any:
        queue(self, *args, **kwargs)
        raise RuntimeError("database connection lost")

    monkeypatch.setattr(Outbox, "push", push_then_fail)
    with pytest.raises(RuntimeError):
        group.job_run("monthly-nag", "2026-03-18 09:00")
    monkeypatch.undo()
    assert claims(group, "monthly-nag") == [], "the failed round left its slot free"
    assert group.pushes("monthly-nag") == []

    [outcome] = group.job_run("monthly-nag", "2026-03-18 09:00")
    assert (outcome.status, outcome.pushes) == ("sent", 1)
    [again] = group.job_run("monthly-nag", "2026-03-18 09:00")
    assert (again.status, again.pushes) == ("already", 0)
    [nag] = group.pushes("monthly-nag")
    assert nag.key == "monthly-nag:2026-03:2026-03-18" and "卫庄镇" in nag.body
    assert claims(group, "monthly-nag") == ["2026-03-18"]


def test_a_bulletin_that_fails_on_the_scheduler_is_sent_when_the_scheduler_wakes_it_again(
    group: Group, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set("2026-03-16 09:30")
    monkeypatch.setattr(Outbox, "push", lambda self, *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        group.run_jobs_until("2026-03-16 00:00", "2026-03-16 23:59")
    monkeypatch.undo()
    assert group.pushes() == [] and claims(group, "bulletin") == []
    outcomes = group.run_jobs_until("2026-03-16 00:00", "2026-03-16 23:59")
    assert [o.status for o in outcomes if o.job == "bulletin"] == ["sent"]
    rerun = group.run_jobs_until("2026-03-16 00:00", "2026-03-16 23:59")
    assert [o.status for o in rerun if o.job == "bulletin"] == ["already"]
    assert len(group.pushes("bulletin")) == 1
