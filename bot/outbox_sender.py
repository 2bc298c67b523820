"""Drains the outbox to WeCom within its limits: every push was written to the database first.

Group pushes go to the group robot webhook when configured, else through the AI bot's long
connection, else to the console and the simulator's live feed. Pushes to one member go through
the app message API when the app secret is set, else to the console too.

What a failure means decides what happens next:
- temporary (45009 or HTTP 429 rate limits, 5xx, an answer that is not WeCom's JSON, i.e. a
  gateway's 404/429/502 page, connection errors, timeouts, -1 busy): the push keeps its attempts;
  its route (webhook, AI bot, app) pauses, 60 s for a rate limit, else backing off 5 s, 10 s, …,
  and the round stops sending on that route rather than burning every due push;
- a definitive WeCom rejection (any other errcode): the push spends one attempt and backs off;
  after `outbox.max_attempts` it is failed until `zsbot outbox retry` requeues it;
- 93000 (bad webhook key): group pushes stop until the key is fixed and serve restarts.

Delivery is at least once. A part is marked sent, committed, as soon as WeCom accepts it, so a
restart or a kill resumes after the last accepted part; a push is doubled only when WeCom's
acceptance does not reach that mark: the process dies in between, or WeCom answers later than
`outbox.timeout_s` (30 s) and we send again. At most `outbox.per_minute` group messages leave in
any 60 s, counted from the database every round, so a restart or another process keeps the limit.
On PostgreSQL one `serve` process at a time sends (an advisory lock per round).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import httpx
from sqlalchemy import Connection, text
from starlette.concurrency import run_in_threadpool

from bot.runtime import Runtime
from bot.settings import PushRoute, group_route, private_route
from bot.wecom.webhook import (
    TEXT_MAX_BYTES,
    AppMessenger,
    BadKey,
    RateLimited,
    Rejected,
    Transient,
    WebhookClient,
    keep_urls_out_of_logs,
    render_parts,
)
from bot.wecom.ws_client import LongConnection
from storage.clock import utcnow
from storage.media import MEDIA_KINDS, Media
from storage.outbox import OutboxStatus, Target
from storage.store import unit_of_work

log = logging.getLogger(__name__)

WINDOW = timedelta(seconds=60)
#: With no group chat id yet (AI bot without [aibot] group_chatid), look again after this long.
NO_CHAT_PAUSE = timedelta(minutes=5)
AIBOT_CHANNEL = "aibot"
#: Failures that heal by waiting: they pause a route and never spend a push's attempts.
TEMPORARY = (RateLimited, Transient, TimeoutError, ConnectionError)


class SendOutcome(Enum):
    SENT = "sent"
    #: This push waits (rejected, backing off); other pushes on its route may go.
    WAITS = "waits"
    #: Its route is paused: no more pushes on it this round.
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class QueuedPush:
    """A detached copy of an outbox row, safe to use outside its session."""

    id: int
    key: str
    target: Target
    kind: str
    body: str
    mentions: tuple[str, ...]
    attempts: int
    parts_sent: int


@dataclass(slots=True)
class Pause:
    until: datetime
    #: Temporary failures in a row on this route (the back-off doubles with each).
    failures: int


class GatewayAnswer(httpx.TransportError):
    """An HTTP answer that is not WeCom's JSON (a proxy's or gateway's 404/429/502 page)."""


class WecomAnswersOnly(httpx.AsyncBaseTransport):
    """Lets through only WeCom's own answers, judged by their errcode whatever the HTTP status.

    Anything else came from something between us and WeCom, and is raised as a transport error:
    the clients in `bot.wecom.webhook` then call it temporary, never a rejection of the push."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport(trust_env=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        try:
            body = await response.aread()
        finally:
            await response.aclose()
        if not _is_wecom_json(body):
            raise GatewayAnswer(f"HTTP {response.status_code} from a gateway, not a WeCom answer", request=request)
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(200, headers=headers, content=body, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _is_wecom_json(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("errcode"), int)


def push_event(key: str, target: str, kind: str, body: str, mentions: Sequence[str], at: datetime) -> dict[str, Any]:
    """A push as the simulator's feed shows it: media as a one-line text plus an inline data URL."""
    event: dict[str, Any] = {"type": "push", "key": key, "target": target, "kind": kind, "text": body,
                             "mentions": list(mentions), "at": at.isoformat()}
    if kind in MEDIA_KINDS:
        event["text"] = Media.describe(kind, body)
        try:
            media = Media.of(kind, body)
        except ValueError:
            return event
        event["name"] = media.name
        mime = "image/png" if media.name.endswith(".png") else "application/octet-stream"
        event["url"] = f"data:{mime};base64,{media.base64}"
    return event


def why(exc: BaseException) -> str:
    """A short reason for logs and `outbox list`, with the network error behind a Transient."""
    cause = exc.__cause__ or exc.__context__
    reason = str(exc) or type(exc).__name__
    if isinstance(cause, httpx.HTTPError):
        detail = str(cause) if isinstance(cause, GatewayAnswer) else type(cause).__name__
        reason = f"{reason.split(':')[0]}: {detail}"
    return reason


def _timed_out(exc: BaseException) -> bool:
    """WeCom may have taken the message: it did not answer in time (or the connection broke mid-answer)."""
    cause = exc.__cause__ or exc.__context__
    return isinstance(exc, TimeoutError) or isinstance(cause, httpx.ReadTimeout | httpx.RemoteProtocolError)


class OutboxSender:
    def __init__(
        self,
        runtime: Runtime,
        long_connection: LongConnection | None = None,
        publish: Callable[[dict[str, Any]], None] | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        keep_urls_out_of_logs()
        self.runtime = runtime
        self.settings = runtime.settings
        self.long_connection = long_connection
        self._publish = publish or (lambda event: None)
        self._http = http
        self._owns_http = http is None
        self._messenger: AppMessenger | None = None
        self._sent_at: deque[datetime] = deque()
        self._pauses: dict[PushRoute, Pause] = {}
        self._wake: asyncio.Event | None = None
        self._stopping = False
        #: Why group pushes stopped (93000), or None.
        self.halted: str | None = None

    @property
    def group_route(self) -> PushRoute:
        route = group_route(self.settings)
        if route is PushRoute.CONSOLE and self.long_connection is not None:
            return PushRoute.AIBOT  # a long connection handed in by its owner (the web service, a test) carries the group
        return route

    @property
    def private_route(self) -> PushRoute:
        return private_route(self.settings)

    def route_of(self, push: QueuedPush) -> PushRoute:
        return self.group_route if push.target.is_group else self.private_route

    def paused_until(self, route: PushRoute) -> datetime | None:
        pause = self._pauses.get(route)
        return pause.until if pause else None

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (a message may have queued a push)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Drain until stop(); the push in flight finishes, so an accepted push is marked sent."""
        self._wake = asyncio.Event()
        while not self._stopping:
            try:
                await self.drain_once()
            except Exception:
                log.exception("outbox sender round failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.outbox.poll_s)
            self._wake.clear()

    def stop(self) -> None:
        self._stopping = True
        self.wake()

    async def aclose(self) -> None:
        self._messenger = None
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    async def drain_once(self) -> int:
        """Send what is due and allowed now; returns how many pushes were marked sent."""
        async with self._turn() as mine:
            if not mine:
                return 0
            now = utcnow()
            await run_in_threadpool(self._seed_window, now)
            pushes = await run_in_threadpool(self._due, now)
            sent = 0
            for push in pushes:
                if self._stopping:
                    break
                route = self.route_of(push)
                if not self._open(route, utcnow()):
                    continue
                outcome = await self._send(push, route)
                sent += outcome is SendOutcome.SENT
            return sent

    # --- one sender per database ------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[bool]:
        """On PostgreSQL, hold the outbox lock for a round (another `serve` may be sending)."""
        if self.runtime.engine.dialect.name != "postgresql":
            yield True
            return
        conn = await run_in_threadpool(self._lock)
        try:
            yield conn is not None
        finally:
            if conn is not None:
                await run_in_threadpool(self._unlock, conn)

    def _lock(self) -> Connection | None:
        conn = self.runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_key(conn)}).scalar():
                return conn
        except Exception:
            conn.invalidate()
            conn.close()
            raise
        conn.close()
        return None

    def _unlock(self, conn: Connection) -> None:
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_key(conn)})
        except Exception:
            log.warning("outbox: releasing the sender lock failed; dropping its connection", exc_info=True)
            conn.invalidate()
        finally:
            conn.close()

    @staticmethod
    def _lock_key(conn: Connection) -> int:
        where = conn.execute(text("SELECT current_database() || '/' || current_schema()")).scalar()
        return zlib.crc32(f"zsbot-outbox:{where}".encode()) - 2**31

    # --- reading the outbox -----------------------------------------------------------------

    def _seed_window(self, now: datetime) -> None:
        """Count the group messages sent in the last minute (by any process), to keep WeCom's limit."""
        if self.group_route is PushRoute.CONSOLE:
            return
        sent_at: list[datetime] = []
        with unit_of_work(self.runtime.engine) as store:
            for row in store.outbox.sent_since(now - WINDOW):
                if row.sent_at is None or row.target != str(Target.group()):
                    continue
                parts = 1 if row.kind in MEDIA_KINDS else len(render_parts(row.kind, row.body, row.mentions))
                sent_at += [row.sent_at] * parts
        self._sent_at = deque(sorted(sent_at))

    def _due(self, now: datetime) -> list[QueuedPush]:
        """Due pushes, oldest first; a row naming no valid target (written by hand?) is failed, not retried."""
        pushes = []
        with unit_of_work(self.runtime.engine) as store:
            for item in store.outbox.due(now, limit=100):
                try:
                    target = Target.parse(item.target)
                except ValueError as exc:
                    log.error("push %s failed: %s", item.key, exc)
                    store.outbox.mark_failed(item, str(exc))
                    continue
                pushes.append(QueuedPush(id=item.id or 0, key=item.key, target=target, kind=item.kind, body=item.body,
                                   mentions=tuple(item.mentions or ()), attempts=item.attempts,
                                   parts_sent=item.parts_sent))
        return pushes

    # --- sending ----------------------------------------------------------------------------

    def _open(self, route: PushRoute, now: datetime) -> bool:
        if route is PushRoute.CONSOLE:
            return True
        if route is PushRoute.WEBHOOK and self.halted:
            return False
        if route is PushRoute.AIBOT and not (self.long_connection and self.long_connection.connected):
            return False
        pause = self._pauses.get(route)
        return pause is None or now >= pause.until

    def _take_token(self, now: datetime) -> bool:
        while self._sent_at and self._sent_at[0] <= now - WINDOW:
            self._sent_at.popleft()
        if len(self._sent_at) >= self.settings.outbox.per_minute:
            return False
        self._sent_at.append(now)
        return True

    async def _send(self, push: QueuedPush, route: PushRoute) -> SendOutcome:
        if route is PushRoute.CONSOLE:
            return await self._to_console(push)
        chat_id = ""
        if route is PushRoute.AIBOT:
            chat_id = await run_in_threadpool(self._group_chat_id)
            if not chat_id:
                log.warning("AI bot group pushes wait: no group chat id yet (set [aibot] group_chatid, "
                            "or @ the bot once in the group)")
                self._pauses[route] = Pause(utcnow() + NO_CHAT_PAUSE, 0)
                return SendOutcome.PAUSED
        try:
            if push.kind in MEDIA_KINDS:
                if route is PushRoute.APP:
                    raise ValueError("images and files go to the group only")
                parts = render_parts(push.kind, push.body, ())
            elif route is PushRoute.APP:
                parts = render_parts("text", push.body, (), markdown_max_bytes=TEXT_MAX_BYTES)
            else:
                parts = render_parts(push.kind if route is PushRoute.WEBHOOK else "markdown", push.body, push.mentions)
        except ValueError as exc:
            await run_in_threadpool(self._fail, push, str(exc))
            return SendOutcome.WAITS
        done = push.parts_sent
        for payload in parts[done:]:
            if route is not PushRoute.APP and not self._take_token(utcnow()):
                return SendOutcome.PAUSED
            try:
                await self._deliver(route, push, payload, chat_id)
            except BadKey:
                self.halted = "93000"
                log.error("群机器人 webhook 返回 93000（key 无效或机器人已被移出群）：已停止群推送，未发出的消息保留在 "
                          "outbox 中。请检查 config.toml [wecom] webhook_url，然后重启 zsbot serve。")
                return SendOutcome.PAUSED
            except TEMPORARY as exc:
                await self._pause(route, push, exc)
                return SendOutcome.PAUSED
            except Rejected as exc:
                await self._rejected(push, exc)
                return SendOutcome.WAITS
            done += 1
            if done < len(parts):
                await self._mark_parts_sent(push, done)
        await self._mark_sent(push)
        self._pauses.pop(route, None)
        return SendOutcome.SENT

    async def _deliver(self, route: PushRoute, push: QueuedPush, payload: dict[str, Any], chat_id: str) -> None:
        if route is PushRoute.WEBHOOK:
            await WebhookClient(self.settings.wecom.webhook_url.get_secret_value(), self._client()).send(payload)
        elif route is PushRoute.AIBOT:
            if self.long_connection is None:
                raise RuntimeError("the AI-bot route was chosen without a long connection")
            if isinstance(payload.get("media"), Media):
                await self.long_connection.send_media(chat_id, payload["media"])
            else:
                await self.long_connection.send_markdown(chat_id, payload["markdown"]["content"])
        else:
            await self._app().send(push.target.userid or "", payload)

    async def _pause(self, route: PushRoute, push: QueuedPush, exc: BaseException) -> None:
        """A temporary failure: the route waits (longer each time in a row), the push keeps its attempts."""
        outbox = self.settings.outbox
        failures = (self._pauses[route].failures if route in self._pauses else 0) + 1
        if isinstance(exc, RateLimited):
            delay = timedelta(seconds=outbox.rate_limit_pause_s)
        else:
            delay = min(timedelta(seconds=outbox.backoff_s * 2 ** (failures - 1)),
                        timedelta(seconds=outbox.max_backoff_s))
        self._pauses[route] = Pause(utcnow() + delay, failures)
        reason = why(exc)
        if _timed_out(exc):
            log.warning("WeCom did not answer push %s in time (%s); it will be sent again and may then "
                        "appear twice", push.key, reason)
        log.warning("%s pushes pause for %.0f s (temporary: %s); nothing is used up", route, delay.total_seconds(),
                    reason)

        def note() -> None:
            with unit_of_work(self.runtime.engine) as store:
                item = store.outbox.get(push.id)
                if item is not None:
                    store.outbox.note_waiting(item, reason)

        await run_in_threadpool(note)

    async def _rejected(self, push: QueuedPush, exc: Rejected) -> None:
        outbox = self.settings.outbox
        delay = min(timedelta(seconds=outbox.backoff_s * 2**push.attempts), timedelta(seconds=outbox.max_backoff_s))

        def mark() -> None:
            with unit_of_work(self.runtime.engine) as store:
                item = store.outbox.get(push.id)
                if item is None:
                    return
                status = store.outbox.mark_rejected(item, utcnow(), str(exc), delay, outbox.max_attempts)
                if status is OutboxStatus.FAILED:
                    log.error("WeCom refused push %s %d times (%s): failed; `zsbot outbox retry %d` sends it "
                              "again", push.key, item.attempts, exc, push.id)
                else:
                    log.warning("WeCom refused push %s (%s): attempt %d of %d, next in %.0f s", push.key, exc,
                                item.attempts, outbox.max_attempts, delay.total_seconds())

        await run_in_threadpool(mark)

    async def _to_console(self, push: QueuedPush) -> SendOutcome:
        now = utcnow()
        label = "群推送" if push.target.is_group else f"私信 {push.target.userid}"
        mentions = " ".join(f"@{m}" for m in push.mentions)
        event = push_event(push.key, str(push.target), push.kind, push.body, push.mentions, now)
        log.info("[%s %s] %s%s", label, push.key, event["text"], f"\n{mentions}" if mentions else "")
        self._publish(event)
        await self._mark_sent(push)
        return SendOutcome.SENT

    def _fail(self, push: QueuedPush, error: str) -> None:
        """A push no route can ever carry (a damaged media row, media to one member): failed, not retried."""
        log.error("push %s failed: %s", push.key, error)
        with unit_of_work(self.runtime.engine) as store:
            item = store.outbox.get(push.id)
            if item is not None:
                store.outbox.mark_failed(item, error)

    def _group_chat_id(self) -> str:
        """[aibot] group_chatid, else the group the bot was last @-mentioned in."""
        if self.settings.aibot.group_chatid:
            return self.settings.aibot.group_chatid
        with unit_of_work(self.runtime.engine) as store:
            return store.messages.last_chat_id(AIBOT_CHANNEL) or ""

    async def _mark_parts_sent(self, push: QueuedPush, done: int) -> None:
        """Commit progress through a split push at once: a kill after this never resends these parts."""

        def mark() -> None:
            with unit_of_work(self.runtime.engine) as store:
                item = store.outbox.get(push.id)
                if item is not None:
                    store.outbox.mark_parts_sent(item, done)

        await run_in_threadpool(mark)

    async def _mark_sent(self, push: QueuedPush) -> None:
        def mark() -> None:
            with unit_of_work(self.runtime.engine) as store:
                item = store.outbox.get(push.id)
                if item is not None:
                    store.outbox.mark_sent(item, utcnow())

        await run_in_threadpool(mark)

    def _app(self) -> AppMessenger:
        """One messenger while the HTTP client lives, so its access token is fetched once, not per push."""
        if self._messenger is None:
            wecom = self.settings.wecom
            self._messenger = AppMessenger(wecom.api_base, wecom.corp_id, wecom.secret.get_secret_value(),
                                           wecom.agent_id or 0, self._client())
        return self._messenger

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            outbox = self.settings.outbox
            timeout = httpx.Timeout(outbox.timeout_s, connect=min(10.0, outbox.timeout_s))
            self._http = httpx.AsyncClient(timeout=timeout, transport=WecomAnswersOnly(), trust_env=False)
        return self._http
