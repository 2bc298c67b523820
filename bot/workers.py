"""Worker processes: `zsbot worker`, and the N workers `zsbot serve --workers N` runs beside it.

On PostgreSQL the web process need only verify, store and acknowledge; handling (parsing, about
7.5 ms a message) then runs in other interpreters, on this machine or others, and never competes
with the acknowledgements for the interpreter lock. Workers claim rows with `SKIP LOCKED`, so a
row is handled by one of them; a killed worker's row lock ends with its connection and another
worker handles the row. Waiting requests hear of handled rows through NOTIFY (`bot.inbox.signals`)
and claim the answer from the row. SQLite keeps its one process: it has one writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from multiprocessing.process import BaseProcess

from bot.channels import settlers
from bot.inbox.signals import Listener
from bot.inbox.worker import Doorbell, Worker
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.warm import warm_up
from bot.wecom.media import MediaFetcher
from storage.inbox import NEW_WORK

log = logging.getLogger(__name__)
#: A worker whose parent (`zsbot serve`) is gone stops within this long.
ORPHAN_CHECK_S = 1.0
#: How much a worker process started by `serve` lowers its CPU priority (see `work`).
WORKER_NICE = 10


def handles_elsewhere(settings: Settings, workers: int | None) -> bool:
    """Whether `serve` leaves handling to worker processes: only when asked, and only on PostgreSQL."""
    return workers is not None and not settings.database.url.startswith("sqlite")


def work(settings: Settings, parent_pid: int | None = None) -> None:
    """One worker process: handle stored messages until SIGTERM/SIGINT (or, when started by
    `serve`, until that process is gone)."""
    from bot.logs import configure_logging

    configure_logging(settings, json=False)
    # Started by `serve --workers N`, so on the machine that acknowledges: at a lower CPU priority
    # (WORKER_NICE), a burst is acknowledged first, as `holds_back` does for a worker inside that
    # process; an otherwise idle machine still gives the worker all it asks for. (`zsbot worker`,
    # perhaps on a machine of its own, keeps its priority.)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    run_worker(build_runtime(settings), parent_pid)


def run_worker(runtime: Runtime, parent_pid: int | None = None) -> None:
    try:
        warm_up(runtime, freeze=True)
        asyncio.run(_work(runtime, parent_pid))
    finally:
        runtime.engine.dispose()


async def _work(runtime: Runtime, parent_pid: int | None) -> None:
    settings, loop = runtime.settings, asyncio.get_running_loop()
    doorbell = Doorbell()
    worker = Worker(runtime.engine, runtime.bot, settings.schedule.tz, settlers(settings),
                    doorbell=doorbell, poll_s=settings.inbox.poll_s, fetch_media=MediaFetcher.from_settings(settings))
    listener = Listener(runtime.engine, {NEW_WORK: lambda _: doorbell.ring()})
    listener.start(loop)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    task = asyncio.create_task(worker.run(), name="inbox-worker")
    log.info("zsbot worker %d handling messages", os.getpid())
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), ORPHAN_CHECK_S)
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("zsbot worker %d: its serve process is gone; stopping", os.getpid())
                break
    finally:
        await worker.stop(settings.inbox.shutdown_grace_s)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        listener.stop()
    log.info("zsbot worker %d stopped", os.getpid())


class WorkerProcesses:
    """`serve --workers N`: N worker processes, started again when one dies."""

    def __init__(self, settings: Settings, count: int, *, restart_after_s: float = 1.0) -> None:
        self.settings, self.count, self.restart_after_s = settings, count, restart_after_s
        self._context = multiprocessing.get_context("spawn")  # a fresh interpreter: no copied threads or sockets
        self._processes: list[BaseProcess] = []
        self._stopping = asyncio.Event()

    def _spawn(self) -> BaseProcess:
        process = self._context.Process(target=work, args=(self.settings, os.getpid()), name="zsbot-worker")
        process.start()
        return process

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p.pid is not None and p.is_alive()]

    async def run(self) -> None:
        self._processes = [self._spawn() for _ in range(self.count)]
        log.info("started %d worker processes: %s", self.count, self.pids)
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.restart_after_s)
            if self._stopping.is_set():
                break
            for n, process in enumerate(self._processes):
                if not process.is_alive():
                    log.warning("worker process %s exited (%s); starting another", process.pid, process.exitcode)
                    self._processes[n] = self._spawn()

    async def stop(self, grace_s: float) -> None:
        """SIGTERM each (it finishes what it holds within the grace period), then SIGKILL what is left."""
        self._stopping.set()
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        await asyncio.to_thread(self._join, grace_s)

    def _join(self, grace_s: float) -> None:
        for process in self._processes:
            process.join(grace_s)
            if process.is_alive():
                process.kill()
                process.join(5)
