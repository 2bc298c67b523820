"""The web composition root: `create_app(runtime)` wires channels, the inbox and background work.

Nothing is global and nothing is read from the environment here: `zsbot serve` builds the Runtime
from settings and passes it in; tests build as many apps as they like. What each WeCom channel
does lives in `bot/channels/`; how messages are kept and handled, in `bot/inbox/`; worker
processes, in `bot/workers.py`. Everything is wired here, once, before the app starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.channels import settlers
from bot.channels.aibot import AibotChannel
from bot.channels.app import AppChannel
from bot.checkpoints import Checkpoints
from bot.inbox import Inbox
from bot.inbox.signals import Listener
from bot.inbox.worker import Doorbell, Handled, Worker
from bot.outbox_sender import OutboxSender
from bot.runtime import Runtime
from bot.settings import Settings
from bot.simulator import Feed, Simulator
from bot.warm import warm_up
from bot.wecom.media import MediaFetcher
from bot.wecom.ws_client import LongConnection
from bot.workers import WorkerProcesses, handles_elsewhere
from storage.db import ping
from storage.inbox import HANDLED, NEW_WORK, OWED_ON_WS, QUEUED_PUSH

log = logging.getLogger(__name__)


def simulator_enabled(settings: Settings) -> bool:
    """The simulator lets anyone speak as anyone: only when asked for."""
    return settings.simulator.enabled


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).is_loopback
    return False


def create_app(runtime: Runtime, *, ws_backoff_s: float = 1.0, long_lived: bool = False,
               workers: int | None = None) -> FastAPI:
    """`long_lived`: this process serves until it is stopped (`zsbot serve`), so what start-up
    loaded is frozen out of the garbage collector's sweeps (see `warm_up`); tests build many apps
    in one process and leave it unset. `workers` (PostgreSQL): leave handling to worker
    processes, N of them started here (0: started elsewhere with `zsbot worker`); None handles here."""
    settings, engine = runtime.settings, runtime.engine
    feed = Feed()
    doorbell = Doorbell()
    inbox = Inbox(engine, doorbell)
    aibot = AibotChannel(settings, inbox)
    long_connection: LongConnection | None = None
    if settings.aibot.websocket_enabled:
        long_connection = LongConnection(
            settings.aibot.ws_url, settings.aibot.bot_id, settings.aibot.secret.get_secret_value(),
            on_message=aibot.on_long_connection, heartbeat_s=settings.aibot.heartbeat_s, backoff_s=ws_backoff_s,
        )
        aibot.long_connection = long_connection
    sender = OutboxSender(runtime, long_connection=long_connection, publish=feed.publish)
    app_channel = AppChannel(settings, inbox) if settings.wecom.app_enabled else None
    checkpoints = Checkpoints(engine)

    def after_handled(handled: Handled) -> None:
        """The local worker committed a row: wake its request, its outbox push, its long connection."""
        row = handled.row
        inbox.handled(row.id, row)
        if handled.queued:
            sender.wake()
        if row.req_id and row.unclaimed:
            aibot.deliver_soon(row)

    def heard_handled(payload: str) -> None:
        """PostgreSQL says a worker in another process committed a row (this one's: `after_handled`)."""
        row_id, flags, pid = (payload.split(":") + ["", ""])[:3]
        if not row_id.isdigit() or pid == str(os.getpid()):
            return
        inbox.handled(int(row_id))
        if QUEUED_PUSH in flags:
            sender.wake()
        if OWED_ON_WS in flags and long_connection is not None:
            aibot.deliver_soon_by_id(int(row_id))

    remote = handles_elsewhere(settings, workers)
    worker = None if remote else Worker(
        engine, runtime.bot, settings.schedule.tz, settlers(settings), doorbell=doorbell,
        poll_s=settings.inbox.poll_s, on_handled=after_handled, on_idle=inbox.intake.forget_all,
        hold_back=inbox.holds_back, fetch_media=MediaFetcher.from_settings(settings))
    processes = WorkerProcesses(settings, workers) if remote and workers else None
    listener = Listener(engine, {NEW_WORK: lambda _: doorbell.ring(), HANDLED: heard_handled}) \
        if engine.dialect.name == "postgresql" else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from bot.scheduler import SchedulerService

        # The event loop that acknowledges WeCom shares the interpreter lock with the worker that
        # parses; a shorter switch interval (default 5 ms) keeps acknowledgements from queueing
        # behind a parse.
        sys.setswitchinterval(0.001)
        await run_in_threadpool(warm_up, runtime, long_lived)
        if listener is not None:
            listener.start(asyncio.get_running_loop())
        tasks = [asyncio.create_task(sender.run(), name="outbox-sender"),
                 asyncio.create_task(aibot.sweep(), name="aibot-delivery")]
        if worker is not None:
            tasks.append(asyncio.create_task(worker.run(), name="inbox-worker"))
        if processes is not None:
            tasks.append(asyncio.create_task(processes.run(), name="worker-processes"))
        if app_channel is not None:
            tasks.append(asyncio.create_task(app_channel.sweep(), name="app-delivery"))
        if long_connection is not None:
            tasks.append(asyncio.create_task(long_connection.run(), name="aibot-long-connection"))
        if checkpoints.needed:
            tasks.append(asyncio.create_task(checkpoints.run(), name="sqlite-checkpoints"))
        scheduler = SchedulerService(runtime)
        scheduler.start()
        log.info("zsbot serving: group pushes via %s; messages handled %s", sender.group_route,
                 "here" if worker is not None else f"by {workers or 'other'} worker processes")
        try:
            yield
        finally:
            scheduler.shutdown()
            grace = settings.inbox.shutdown_grace_s
            inbox.close()  # intake closed; what is queued is handled within the grace period
            if worker is not None:
                await worker.stop(grace)
            if processes is not None:
                await processes.stop(grace)
            await aibot.stop(grace)
            if app_channel is not None:
                app_channel.stop()
            sender.stop()
            checkpoints.stop()
            if long_connection is not None:
                await long_connection.stop()
            await asyncio.wait(tasks, timeout=grace)
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if listener is not None:
                await run_in_threadpool(listener.stop)
            await sender.aclose()
            feed.close()

    app = FastAPI(title="招商助手 zsbot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime, app.state.feed, app.state.sender = runtime, feed, sender
    app.state.inbox, app.state.long_connection, app.state.worker = inbox, long_connection, worker
    app.state.aibot, app.state.app_channel = aibot, app_channel
    app.state.checkpoints = checkpoints
    _short_errors(app)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        if not await run_in_threadpool(ping, runtime.engine):
            log.warning("health check: the database does not answer")
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    if app_channel is not None:
        _mount_flat(app, app_channel.router())
    if aibot.crypto is not None:
        _mount_flat(app, aibot.router())
    for path in ("/wecom/callback", "/wecom/aibot"):
        _not_configured(app, path)
    if simulator_enabled(settings):
        app.include_router(Simulator(runtime, feed, wake=sender.wake).router())
    else:
        @app.get("/", response_class=HTMLResponse, include_in_schema=False)
        async def home() -> HTMLResponse:
            return HTMLResponse("<!doctype html><meta charset=utf-8><title>招商助手</title>"
                                "<p>招商助手正在运行。模拟群聊未开启（[simulator] enabled 或 zsbot serve --simulator）。</p>")

    return app


def _mount_flat(app: FastAPI, router: APIRouter) -> None:
    """A channel's routes on the app itself: FastAPI matches an included router as a router of its
    own, a layer every callback paid (~8 % of the event loop in a burst of acknowledgements)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):  # pragma: no cover - channels declare plain HTTP routes
            raise TypeError(f"a channel route must be an APIRoute, not {type(route).__name__}")
        app.add_api_route(route.path, route.endpoint, methods=sorted(route.methods or ()), include_in_schema=False)


def _not_configured(app: FastAPI, path: str) -> None:
    """A channel's route answers 404 with a short reason when the channel is not configured
    (routes added later never shadow a configured channel's: the first match wins)."""

    @app.api_route(path, methods=["GET", "POST"], include_in_schema=False)
    async def not_configured() -> PlainTextResponse:
        return PlainTextResponse("channel not configured", status_code=404)


def _short_errors(app: FastAPI) -> None:
    """Every 4xx/5xx body is a short message, never a traceback or an echo of the input."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> PlainTextResponse:
        return PlainTextResponse(str(exc.detail)[:200], status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> PlainTextResponse:
        return PlainTextResponse("invalid request", status_code=422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> PlainTextResponse:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return PlainTextResponse("internal error", status_code=500)
