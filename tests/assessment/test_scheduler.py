"""The scheduler in `zsbot serve`: jobs wired from the registry, one runner per PostgreSQL database."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.runtime import Runtime, build_runtime
from bot.scheduler import SchedulerService
from handlers.jobs import jobs


@pytest.fixture
def second_process(runtime: Runtime) -> Iterator[Runtime]:
    """Another `serve` process on the same database."""
    other = build_runtime(runtime.settings)
    yield other
    other.engine.dispose()


def test_every_registered_job_is_scheduled_daily_at_its_configured_time(runtime: Runtime) -> None:
    service = SchedulerService(runtime, catch_up=False)
    service.start()
    try:
        assert service.is_leader
        scheduled = {job.id: job for job in service._scheduler.get_jobs()}  # type: ignore[union-attr]
        assert set(scheduled) == {job.name for job in jobs()}
        nag = scheduled["monthly-nag"]
        assert nag.next_run_time.hour == 9 and str(nag.next_run_time.tzinfo) == "Asia/Shanghai"
        assert nag.coalesce and nag.misfire_grace_time >= 3600
    finally:
        service.shutdown()
    assert not service.is_leader


def _wait_until_gone(conn, pid: int) -> None:  # type: ignore[no-untyped-def]
    """pg_terminate_backend only signals the backend; its locks go when it has exited."""
    for _ in range(200):
        alive = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar()
        conn.commit()  # pg_stat_activity is a per-transaction snapshot
        if not alive:
            return
        time.sleep(0.025)
    raise AssertionError(f"backend {pid} did not exit")


def test_a_second_scheduler_stays_idle_until_the_first_dies(runtime: Runtime, second_process: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite assumes a single serve process; the advisory lock is PostgreSQL's")
    first = SchedulerService(runtime, retry_s=3600, catch_up=False)
    second = SchedulerService(second_process, retry_s=3600, catch_up=False)
    first.start()
    second.start()
    try:
        assert first.is_leader and not second.is_leader
        assert not second.try_lead()
        assert first._lock_conn is not None
        pid = first._lock_conn.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with second_process.engine.connect() as conn:  # the first process dies: its session ends
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            _wait_until_gone(conn, pid)
        assert second.try_lead() and second.is_leader
        first._check_lock()
        assert not first.is_leader
        assert not first.try_lead()
    finally:
        first.shutdown()
        second.shutdown()


def test_a_stopped_leader_hands_over_on_the_next_retry(runtime: Runtime, second_process: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite assumes a single serve process; the advisory lock is PostgreSQL's")
    first = SchedulerService(runtime, retry_s=3600, catch_up=False)
    second = SchedulerService(second_process, retry_s=3600, catch_up=False)
    first.start()
    second.start()
    try:
        first.shutdown()
        assert second.try_lead()
    finally:
        second.shutdown()
