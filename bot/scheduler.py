"""Scheduler wiring (APScheduler 3) for `zsbot serve`: jobs from `handlers.jobs`, one runner per database.

Several `serve` processes may share a PostgreSQL database; exactly one runs the jobs. It holds a
session advisory lock on a dedicated connection; the others retry every `retry_s` and take over
when the holder dies (PostgreSQL drops the lock with its connection). On SQLite one process is
assumed. Jobs are idempotent anyway (JobRun rows), so a takeover never doubles a push.
"""

from __future__ import annotations

import logging
import threading
import zlib
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Connection, text

from bot.runtime import Runtime
from handlers.jobs import Job, fire_times, jobs, run_job

log = logging.getLogger(__name__)

#: A job woken late (process busy or just restarted) still runs within this window.
MISFIRE_GRACE_S = 3 * 3600


class SchedulerService:
    """Starts and stops the scheduled jobs of `zsbot serve` (the web lifespan calls start/shutdown)."""

    def __init__(self, runtime: Runtime, retry_s: float = 30.0, catch_up: bool = True) -> None:
        self.runtime = runtime
        self.retry_s = retry_s
        self.catch_up = catch_up
        self._scheduler: BackgroundScheduler | None = None
        self._lock_conn: Connection | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._mutex = threading.Lock()

    @property
    def is_leader(self) -> bool:
        return self._scheduler is not None

    @property
    def _shared(self) -> bool:
        return self.runtime.engine.dialect.name == "postgresql"

    def start(self) -> None:
        self._stop.clear()
        if not self._shared:
            self._run_jobs()
            return
        if not self.try_lead():
            log.info("scheduler: another process runs the jobs; retrying every %.0fs", self.retry_s)
        self._watcher = threading.Thread(target=self._watch, name="zsbot-scheduler-lock", daemon=True)
        self._watcher.start()

    def shutdown(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
        with self._mutex:
            self._stop_jobs()
            self._release()

    def try_lead(self) -> bool:
        """Take the advisory lock if free (PostgreSQL) and start the jobs; True when this process leads."""
        with self._mutex:
            if self.is_leader:
                return True
            if self._stop.is_set():
                return False
            conn = self.runtime.engine.connect()
            try:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_key(conn)}).scalar()
            except Exception:
                conn.close()
                raise
            if not got:
                conn.close()
                return False
            self._lock_conn = conn
            log.info("scheduler: this process now runs the scheduled jobs")
            self._run_jobs()
            return True

    def _lock_key(self, conn: Connection) -> int:
        """One lock per database and schema (so separate schemas, e.g. tests, do not contend)."""
        where = conn.execute(text("SELECT current_database() || '/' || current_schema()")).scalar()
        return zlib.crc32(f"zsbot-scheduler:{where}".encode()) - 2**31

    def _watch(self) -> None:
        """Followers retry the lock; the leader checks its lock connection is still alive."""
        while not self._stop.wait(self.retry_s):
            try:
                if self.is_leader:
                    self._check_lock()
                else:
                    self.try_lead()
            except Exception:
                log.exception("scheduler: lock check failed; will retry")

    def _check_lock(self) -> None:
        with self._mutex:
            if self._lock_conn is None:
                return
            try:
                self._lock_conn.execute(text("SELECT 1"))
            except Exception:
                log.warning("scheduler: lost the lock connection; stopping jobs until the lock is retaken")
                self._stop_jobs()
                self._release()

    def _release(self) -> None:
        """Drop the lock connection for good: returned to the pool it would keep holding the lock.

        The lock is unlocked first, so a follower can lead at once; closing alone frees it only when
        the server has ended the session, which under load comes a moment later.
        """
        if self._lock_conn is not None:
            try:
                self._lock_conn.execute(text("SELECT pg_advisory_unlock_all()"))
            except Exception:
                log.debug("unlocking before closing failed (the connection may be gone)", exc_info=True)
            try:
                self._lock_conn.invalidate()
                self._lock_conn.close()
            except Exception:
                log.debug("closing the lock connection failed", exc_info=True)
            self._lock_conn = None

    def _run_jobs(self) -> None:
        schedule = self.runtime.rules.schedule
        scheduler = BackgroundScheduler(timezone=schedule.tz)
        for job in jobs():
            trigger = job.trigger(schedule)
            scheduler.add_job(
                self._fire, CronTrigger(hour=trigger.at.hour,
                                        minute=trigger.at.minute, timezone=schedule.tz),
                args=[job], id=job.name, name=job.name, misfire_grace_time=MISFIRE_GRACE_S,
                coalesce=True, max_instances=1, replace_existing=True,
            )
        scheduler.start()
        self._scheduler = scheduler
        if self.catch_up:
            self._catch_up()

    def _stop_jobs(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    def _fire(self, job: Job) -> None:
        try:
            for outcome in run_job(self.runtime.engine, job, datetime.now(self.runtime.rules.schedule.tz),
                                   self.runtime.rules):
                log.info("scheduler: %s", outcome.describe())
        except Exception:
            log.exception("scheduler: job %s failed", job.name)

    def _catch_up(self) -> None:
        """After a restart, run rounds missed within the grace window today (already-sent ones are skipped)."""
        now = datetime.now(self.runtime.rules.schedule.tz)
        start = max(now.replace(hour=0, minute=0, second=0, microsecond=0), now - timedelta(seconds=MISFIRE_GRACE_S))
        for job in jobs():
            if any(fire_times(job, self.runtime.rules, start, now)):
                self._fire(job)
