"""The web composition root: `create_app(runtime)` wires channels, the inbox and background work.

Nothing is global and nothing is read from the environment here: `zsbot serve` builds the Runtime
from settings and passes it in; tests build as many apps as they like. What each WeCom channel
does lives in `bot/channels/`; how messages are kept and handled, in `bot/inbox.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.channels.aibot import CHANNEL as AIBOT_CHANNEL
from bot.channels.aibot import AibotChannel
from bot.channels.app import CHANNEL as APP_CHANNEL
from bot.channels.app import AppChannel
from bot.checkpoints import Checkpoints
from bot.inbox import Inbox, Route
from bot.outbox_sender import OutboxSender
from bot.runtime import Runtime
from bot.settings import Settings
from bot.simulator import Feed, simulator_router
from bot.wecom.ws_client import LongConnection
from storage.db import ping

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


def create_app(runtime: Runtime, *, ws_backoff_s: float = 1.0, long_lived: bool = False) -> FastAPI:
    """`long_lived`: this process serves until it is stopped (`zsbot serve`), so what start-up
    loaded is frozen out of the garbage collector's sweeps (see `warm_up`); tests build many apps
    in one process and leave it unset."""
    settings = runtime.settings
    feed = Feed()
    inbox = Inbox(runtime, poll_s=settings.inbox.poll_s)
    aibot = AibotChannel(runtime, inbox)
    long_connection: LongConnection | None = None
    if settings.aibot.websocket_enabled:
        long_connection = LongConnection(
            settings.aibot.ws_url, settings.aibot.bot_id, settings.aibot.secret.get_secret_value(),
            on_message=aibot.on_long_connection, heartbeat_s=settings.aibot.heartbeat_s, backoff_s=ws_backoff_s,
        )
        aibot.long_connection = long_connection
    sender = OutboxSender(runtime, long_connection=long_connection, publish=feed.publish)
    app_channel = AppChannel(runtime, inbox) if settings.wecom.app_enabled else None
    routes: dict[str, Route] = {AIBOT_CHANNEL: aibot}
    if app_channel is not None:
        routes[APP_CHANNEL] = app_channel
    inbox.routes, inbox.after_handle, inbox.on_owed = routes, sender.wake, aibot.deliver_owed
    checkpoints = Checkpoints(runtime.engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from bot.scheduler import SchedulerService

        # The event loop that acknowledges WeCom shares the interpreter lock with the worker that
        # parses; a shorter switch interval (default 5 ms) keeps acknowledgements from queueing
        # behind a parse.
        sys.setswitchinterval(0.001)
        await run_in_threadpool(warm_up, runtime, long_lived)
        tasks = [asyncio.create_task(sender.run(), name="outbox-sender"),
                 asyncio.create_task(inbox.run(), name="inbox-worker"),
                 asyncio.create_task(aibot.sweep(), name="aibot-delivery")]
        if long_connection is not None:
            tasks.append(asyncio.create_task(long_connection.run(), name="aibot-long-connection"))
        if checkpoints.needed:
            tasks.append(asyncio.create_task(checkpoints.run(), name="sqlite-checkpoints"))
        scheduler = SchedulerService(runtime)
        scheduler.start()
        log.info("zsbot serving: group pushes via %s", sender.group_route)
        try:
            yield
        finally:
            scheduler.shutdown()
            grace = settings.inbox.shutdown_grace_s
            await inbox.stop(grace)  # intake closed; what is queued is handled within the grace period
            aibot.stop()
            sender.stop()
            checkpoints.stop()
            if long_connection is not None:
                await long_connection.stop()
            await asyncio.wait(tasks, timeout=grace)
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await sender.aclose()
            feed.close()

    app = FastAPI(title="招商助手 zsbot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime, app.state.feed, app.state.sender = runtime, feed, sender
    app.state.inbox, app.state.long_connection = inbox, long_connection
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
        app.include_router(simulator_router(runtime, feed, wake=sender.wake))
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


def warm_up(runtime: Runtime, freeze: bool = False) -> None:
    """Load now what the first message would otherwise pay for: jieba's dictionary and the
    parser's lazy tables (a full parse of a real report), and a pooled database connection.

    `freeze`: what is loaded by now lives as long as the process; moved out of the collector's
    sight (CPython's `gc.freeze`), a full collection no longer walks it. It took ~110 ms, holding
    every acknowledgement in flight: the p99 of a burst of callbacks."""
    from nlp import parse

    today = datetime.now(runtime.settings.schedule.tz).date()
    started = time.perf_counter()
    for text in ("线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目，联系人张三",
                 "签约：苏州某某科技有限公司5亿元智能制造项目3月10日签约", "本月排名"):
        parse(text, today)
    ping(runtime.engine)
    if freeze:
        gc.collect()
        gc.freeze()
    log.info("warmed up in %.0f ms (%d objects frozen)", (time.perf_counter() - started) * 1000,
             gc.get_freeze_count())
