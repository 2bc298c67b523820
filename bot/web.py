"""The web composition root: `create_app(runtime)` wires routes, transports and background work.

Nothing is global and nothing is read from the environment here: `zsbot serve` builds the Runtime
from settings and passes it in; tests build as many apps as they like.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.inbox import CORE_THREADS, Inbox
from bot.outbox_sender import AIBOT_CHANNEL, OutboxSender
from bot.runtime import Runtime
from bot.settings import Settings
from bot.simulator import Feed, simulator_router
from bot.wecom import aibot_wire, app_wire
from bot.wecom.aibot_wire import AibotMessage
from bot.wecom.crypto import AibotCrypto, AppCrypto, DecryptError, SignatureError
from bot.wecom.ws_client import LongConnection
from handlers.messages import Incoming, Reply
from storage.db import ping
from storage.store import unit_of_work

log = logging.getLogger(__name__)

APP_CHANNEL = "wecom_app"
#: WeCom gives up after 5 s; answer well before, then finish the work in the background.
REPLY_WITHIN_S = 4.0
#: The AI bot can finish a reply later on stream refresh, so its first answer waits only briefly,
#: and only when nothing is queued: an idle bot answers at once with the receipt, a busy one
#: acknowledges first ("ack first, work later") and never keeps WeCom waiting behind a queue.
STREAM_FIRST_S = 0.05
STREAM_TTL_S = 600.0
#: How long shutdown waits for a push in flight to be sent and marked.
SHUTDOWN_GRACE_S = 10.0
WORKING = "⏳ 正在处理，请稍候…"
UNKNOWN_STREAM = "已处理。如未看到回执，请发送「帮助」或联系招商办核实。"
TEXT_ONLY = "目前只能处理文字消息，请用文字报送，例如「线索：XX公司拟投资5000万元建设XX项目」。"
WELCOME = "您好，我是招商助手。报送请 @我 并发送文字，例如「线索：XX公司拟投资5000万元建设XX项目」；发送「帮助」查看用法。"


def simulator_enabled(settings: Settings) -> bool:
    """The simulator lets anyone speak as anyone: only when no WeCom channel is configured."""
    return not (
        settings.wecom.app_enabled
        or settings.aibot.websocket_enabled
        or settings.aibot.callback_enabled
        or settings.wecom.webhook_url.get_secret_value()
    )


class Streams:
    """AI-bot stream ids whose replies are still being worked out (answered on stream refresh)."""

    def __init__(self) -> None:
        self._runs: dict[str, tuple[asyncio.Future[Reply], float]] = {}

    def open(self, run: asyncio.Future[Reply]) -> str:
        now = time.monotonic()
        for stream_id, (_, opened) in list(self._runs.items()):
            if now - opened > STREAM_TTL_S:
                del self._runs[stream_id]
        stream_id = uuid.uuid4().hex
        self._runs[stream_id] = (run, now)
        return stream_id

    def get(self, stream_id: str) -> asyncio.Future[Reply] | None:
        entry = self._runs.get(stream_id)
        return entry[0] if entry else None

    def close(self, stream_id: str) -> None:
        self._runs.pop(stream_id, None)


def create_app(runtime: Runtime, *, reply_within_s: float = REPLY_WITHIN_S,
               stream_first_s: float = STREAM_FIRST_S, ws_backoff_s: float = 1.0) -> FastAPI:
    settings = runtime.settings
    feed = Feed()
    long_connection: LongConnection | None = None
    if settings.aibot.websocket_enabled:
        long_connection = LongConnection(
            settings.aibot.ws_url, settings.aibot.bot_id, settings.aibot.secret.get_secret_value(),
            on_message=lambda message: answer_long_connection(message),
            heartbeat_s=settings.aibot.heartbeat_s, backoff_s=ws_backoff_s,
        )
    sender = OutboxSender(runtime, long_connection=long_connection, publish=feed.publish)
    inbox = Inbox(runtime, after_handle=sender.wake)
    streams = Streams()
    tz = settings.schedule.tz
    app_crypto = (
        AppCrypto(settings.wecom.token.get_secret_value(), settings.wecom.encoding_aes_key.get_secret_value(),
                  settings.wecom.corp_id)
        if settings.wecom.app_enabled else None
    )
    aibot_crypto = (
        AibotCrypto(settings.aibot.token.get_secret_value(), settings.aibot.encoding_aes_key.get_secret_value())
        if settings.aibot.callback_enabled else None
    )
    max_body = settings.wecom.max_body_bytes
    app_can_push = bool(settings.wecom.secret.get_secret_value() and settings.wecom.agent_id)

    async def answer_long_connection(message: AibotMessage) -> str | None:
        if message.kind == "event":
            return WELCOME if message.event_type == "enter_chat" else None
        if message.kind != "message" or not message.msgid or not message.user_id:
            return TEXT_ONLY if message.kind == "unknown" and message.user_id else None
        reply = await inbox.handle(_aibot_incoming(message, tz))
        return reply.text or None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from bot.scheduler import SchedulerService

        await run_in_threadpool(_warm_up_parser)
        tasks = [asyncio.create_task(sender.run(), name="outbox-sender")]
        if long_connection is not None:
            tasks.append(asyncio.create_task(long_connection.run(), name="aibot-long-connection"))
        scheduler = SchedulerService(runtime)
        scheduler.start()
        log.info("zsbot serving: group pushes via %s", sender.group_route)
        try:
            yield
        finally:
            scheduler.shutdown()
            sender.stop()
            if long_connection is not None:
                await long_connection.stop()
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await sender.aclose()
            feed.close()

    app = FastAPI(title="招商助手 zsbot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    app.state.feed = feed
    app.state.sender = sender
    app.state.inbox = inbox
    app.state.long_connection = long_connection

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        if not await run_in_threadpool(ping, runtime.engine):
            log.warning("health check: the database does not answer")
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/wecom/callback")
    async def app_verify(request: Request) -> PlainTextResponse:
        crypto = _require(app_crypto, "self-built app")
        sig, ts, nonce, echostr = _params(request, "msg_signature", "timestamp", "nonce", "echostr")
        return PlainTextResponse(_verify(crypto.verify_url, sig, ts, nonce, echostr))

    @app.post("/wecom/callback")
    async def app_callback(request: Request) -> Response:
        crypto = _require(app_crypto, "self-built app")
        sig, ts, nonce = _params(request, "msg_signature", "timestamp", "nonce")
        body = await _read_body(request, max_body)
        try:
            encrypt = app_wire.envelope_encrypt(body)
            message = app_wire.parse_message(crypto.open(sig, ts, nonce, encrypt))
        except SignatureError:
            raise HTTPException(403, "bad signature") from None
        except (DecryptError, app_wire.MalformedXml):
            raise HTTPException(400, "malformed callback") from None
        if message.msg_type == "event":
            return PlainTextResponse("")
        if not message.is_text:
            return _app_reply(crypto, message, TEXT_ONLY, nonce)
        incoming = Incoming(
            channel=APP_CHANNEL, msg_id=message.msg_id or f"{message.from_user}:{message.create_time}",
            user_id=message.from_user, text=message.content,
            at=_sent_at(message.create_time, tz),
        )
        run = inbox.start(incoming)
        # With the app secret the receipt can follow through the message API, so a busy bot
        # acknowledges at once; without it the passive reply is the only way back.
        wait = reply_within_s if inbox.in_flight <= CORE_THREADS or not app_can_push else 0.0
        done, _ = await asyncio.wait({run}, timeout=wait)
        if not done:
            run.add_done_callback(lambda finished: _deliver_late(finished, incoming))
            return PlainTextResponse("")
        reply = run.result()
        if not reply.text:
            return PlainTextResponse("")
        return _app_reply(crypto, message, reply.text, nonce)

    def _deliver_late(run: asyncio.Future[Reply], incoming: Incoming) -> None:
        """The answer came after WeCom stopped waiting: send it through the app message API."""
        if run.cancelled() or run.exception() is not None or not run.result().text:
            return
        reply = run.result()

        def push() -> None:
            with unit_of_work(runtime.engine) as store:
                store.outbox.push(f"reply:{incoming.channel}:{incoming.msg_id}", reply.text,
                                  target=f"user:{incoming.user_id}", kind="text")

        async def push_and_wake() -> None:
            await run_in_threadpool(push)
            sender.wake()

        asyncio.ensure_future(push_and_wake())

    @app.get("/wecom/aibot")
    async def aibot_verify(request: Request) -> PlainTextResponse:
        crypto = _require(aibot_crypto, "AI bot callback")
        sig, ts, nonce, echostr = _params(request, "msg_signature", "timestamp", "nonce", "echostr")
        return PlainTextResponse(_verify(crypto.verify_url, sig, ts, nonce, echostr))

    @app.post("/wecom/aibot")
    async def aibot_callback(request: Request) -> Response:
        crypto = _require(aibot_crypto, "AI bot callback")
        sig, ts, nonce = _params(request, "msg_signature", "timestamp", "nonce")
        body = await _read_body(request, max_body)
        try:
            message = aibot_wire.parse_callback(crypto.open_json(sig, ts, nonce, body))
        except SignatureError:
            raise HTTPException(403, "bad signature") from None
        except DecryptError:
            raise HTTPException(400, "malformed callback") from None

        def seal(payload: dict[str, Any]) -> JSONResponse:
            return JSONResponse(crypto.seal_json(payload, nonce))

        if message.kind == "event":
            if message.event_type == "enter_chat":
                return seal(aibot_wire.text_reply(WELCOME))
            return PlainTextResponse("")
        if message.kind == "stream_refresh":
            run = streams.get(message.stream_id)
            if run is None:
                return seal(aibot_wire.stream_reply(message.stream_id, UNKNOWN_STREAM, finish=True))
            await asyncio.wait({run}, timeout=min(reply_within_s, 1.0))
            return seal(_stream_state(streams, message.stream_id, run))
        if message.kind != "message":
            return seal(aibot_wire.stream_reply(uuid.uuid4().hex, TEXT_ONLY, finish=True))
        if not message.msgid or not message.user_id:
            raise HTTPException(400, "message without msgid or sender")
        run = inbox.start(_aibot_incoming(message, tz))
        stream_id = streams.open(run)
        if inbox.in_flight <= CORE_THREADS:
            await asyncio.wait({run}, timeout=min(stream_first_s, reply_within_s))
        state = _stream_state(streams, stream_id, run)
        if state["stream"]["finish"] and not state["stream"]["content"]:
            return PlainTextResponse("")
        return seal(state)

    if simulator_enabled(settings):
        app.include_router(simulator_router(runtime, inbox, feed))
    else:
        @app.get("/", response_class=HTMLResponse, include_in_schema=False)
        async def home() -> HTMLResponse:
            return HTMLResponse("<!doctype html><meta charset=utf-8><title>招商助手</title>"
                                "<p>招商助手正在运行。模拟群聊仅在未配置企业微信时提供。</p>")

    return app


def _sent_at(create_time: int | None, tz: Any) -> datetime:
    """The app message's CreateTime (when the report counts); arrival time if it is absent or absurd."""
    try:
        return datetime.fromtimestamp(create_time, tz) if create_time else datetime.now(tz)
    except (OverflowError, OSError, ValueError):
        return datetime.now(tz)


def _warm_up_parser() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first liaison's message."""
    from nlp import parse

    parse("线索：预热", datetime.now().date())


def _aibot_incoming(message: AibotMessage, tz: Any) -> Incoming:
    """The AI bot's report time is when it arrives (its callbacks carry no send time)."""
    return Incoming(channel=AIBOT_CHANNEL, msg_id=message.msgid, user_id=message.user_id, text=message.text,
                    at=datetime.now(tz), chat_id=message.chat_id)


def _stream_state(streams: Streams, stream_id: str, run: asyncio.Future[Reply]) -> dict[str, Any]:
    if not run.done():
        return aibot_wire.stream_reply(stream_id, WORKING, finish=False)
    streams.close(stream_id)
    failed = run.cancelled() or run.exception() is not None
    return aibot_wire.stream_reply(stream_id, "抱歉，处理出错，请稍后再试。" if failed else run.result().text,
                                   finish=True)


def _app_reply(crypto: AppCrypto, message: app_wire.AppMessage, reply_text: str, nonce: str) -> Response:
    plain = app_wire.text_reply(message, reply_text, int(time.time()))
    return Response(crypto.seal_xml(plain, nonce), media_type="application/xml")


def _require(crypto: Any, what: str) -> Any:
    if crypto is None:
        raise HTTPException(404, f"{what} is not configured")
    return crypto


def _params(request: Request, *names: str) -> list[str]:
    values = [request.query_params.get(name) for name in names]
    if any(not value for value in values):
        raise HTTPException(400, f"missing query parameter: {', '.join(names)}")
    return [str(value) for value in values]


def _verify(verify: Any, sig: str, ts: str, nonce: str, echostr: str) -> str:
    try:
        return str(verify(sig, ts, nonce, echostr))
    except SignatureError:
        raise HTTPException(403, "bad signature") from None
    except DecryptError:
        raise HTTPException(400, "malformed echostr") from None


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it is longer than `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)
