"""Scheduler wiring (APScheduler 3). Placeholder until the assessment work lands."""

from __future__ import annotations

from bot.runtime import Runtime


class SchedulerService:
    """Starts and stops the scheduled jobs of `zsbot serve`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def start(self) -> None:
        return None

    def shutdown(self) -> None:
        return None
