"""Drains the outbox to WeCom within its limits: every push was written to the database first.

Group pushes go to the group robot webhook when configured, else through the AI bot's long
connection, else to the console and the simulator's live feed. `user:<userid>` pushes go through
the app message API when the app secret is set, else to the console too.

At most `outbox.per_minute` group messages leave in any 60 s (a sliding window seeded from the rows
sent in the last minute, so a restart does not reset it). 45009 pauses group pushes for a minute,
5xx and network errors back off per row, 93000 stops group pushes until the key is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from bot.runtime import Runtime
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
from storage.store import unit_of_work

log = logging.getLogger(__name__)

WINDOW = timedelta(seconds=60)
RATE_LIMIT_PAUSE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=30)
AIBOT_CHANNEL = "aibot"


@dataclass(frozen=True, slots=True)
class Push:
    """A detached copy of an outbox row, safe to use outside its session."""

    id: int
    key: str
    target: str
    kind: str
    body: str
    mentions: tuple[str, ...]
    attempts: int
    parts_sent: int

    @property
    def user_id(self) -> str | None:
        return self.target.removeprefix("user:") if self.target.startswith("user:") else None


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
        self._sent_at: deque[datetime] = deque()
        self._seeded = False
        self._paused_until: datetime | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        #: Why group pushes stopped (93000), or None.
        self.halted: str | None = None

    @property
    def group_route(self) -> str:
        if self.settings.wecom.webhook_url.get_secret_value():
            return "webhook"
        if self.long_connection is not None:
            return "aibot"
        return "console"

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (a message may have queued a push)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Drain until stop(); a round in progress finishes, so a sent push is always marked sent."""
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
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    async def drain_once(self) -> int:
        """Send what is due and allowed now; returns how many rows were marked sent."""
        now = utcnow()
        if not self._seeded:
            await run_in_threadpool(self._seed, now)
        pushes = await run_in_threadpool(self._due, now)
        sent = 0
        group_open = True
        for push in pushes:
            if push.user_id is None:
                if not group_open:
                    continue
                outcome = await self._send_group(push, now)
                group_open = outcome != "blocked"
            else:
                outcome = await self._send_private(push, now)
            sent += outcome == "sent"
        return sent

    def _seed(self, now: datetime) -> None:
        """Count the group messages sent in the last minute, so a restart keeps the limit."""
        with unit_of_work(self.runtime.engine) as store:
            for row in store.outbox.sent_since(now - WINDOW):
                if row.target.startswith("user:") or row.sent_at is None:
                    continue
                for _ in render_parts(row.kind, row.body, row.mentions):
                    self._sent_at.append(row.sent_at)
        self._sent_at = deque(sorted(self._sent_at))
        self._seeded = True

    def _due(self, now: datetime) -> list[Push]:
        with unit_of_work(self.runtime.engine) as store:
            return [
                Push(id=item.id or 0, key=item.key, target=item.target, kind=item.kind, body=item.body,
                     mentions=tuple(item.mentions or ()), attempts=item.attempts, parts_sent=item.parts_sent)
                for item in store.outbox.due(now, limit=100)
            ]

    def _take_token(self, now: datetime) -> bool:
        while self._sent_at and self._sent_at[0] <= now - WINDOW:
            self._sent_at.popleft()
        if len(self._sent_at) >= self.settings.outbox.per_minute:
            return False
        self._sent_at.append(now)
        return True

    async def _send_group(self, push: Push, now: datetime) -> str:
        """"sent", "later" (this row waits, others may go) or "blocked" (no group push this round)."""
        route = self.group_route
        if route == "console":
            return await self._to_console(push, now, "群推送")
        if self.halted:
            return "blocked"
        if self._paused_until and now < self._paused_until:
            return "blocked"
        if route == "aibot":
            assert self.long_connection is not None
            if not self.long_connection.connected:
                return "blocked"
            chat_id = await run_in_threadpool(self._group_chat_id)
            if not chat_id:
                log.warning("AI bot group push %s waits: no group chat id yet (set [aibot] group_chatid, "
                            "or @ the bot once in the group)", push.key)
                await self._retry(push, now, "no group chat id", timedelta(minutes=5))
                return "later"
        parts = render_parts(push.kind if route == "webhook" else "markdown", push.body, push.mentions)
        done = push.parts_sent
        try:
            for payload in parts[done:]:
                if not self._take_token(now):
                    return "blocked"
                if route == "webhook":
                    await WebhookClient(self.settings.wecom.webhook_url.get_secret_value(), self._client()).send(payload)
                else:
                    assert self.long_connection is not None
                    await self.long_connection.send_markdown(chat_id, payload["markdown"]["content"])
                done += 1
                await self._mark_parts_sent(push, done, len(parts))
        except RateLimited as exc:
            self._paused_until = now + RATE_LIMIT_PAUSE
            log.warning("WeCom rate limit (45009): group pushes pause for %s s", RATE_LIMIT_PAUSE.seconds)
            await self._retry(push, now, str(exc), RATE_LIMIT_PAUSE)
            return "blocked"
        except BadKey:
            self.halted = "93000"
            log.error("群机器人 webhook 返回 93000（key 无效或机器人已被移出群）：已停止群推送，未发出的消息保留在 "
                      "outbox 中。请检查 config.toml [wecom] webhook_url，然后重启 zsbot serve。")
            return "blocked"
        except Transient as exc:
            await self._retry(push, now, str(exc), self._backoff(push))
            return "blocked"
        except Rejected as exc:
            log.error("WeCom refused push %s: %s; marked failed", push.key, exc)
            await run_in_threadpool(self._mark_failed, push, str(exc))
            return "later"
        await self._mark_sent(push, now)
        return "sent"

    async def _send_private(self, push: Push, now: datetime) -> str:
        wecom = self.settings.wecom
        secret = wecom.secret.get_secret_value()
        if not (secret and wecom.corp_id and wecom.agent_id):
            return await self._to_console(push, now, f"私信 {push.user_id}")
        messenger = AppMessenger(wecom.api_base, wecom.corp_id, secret, wecom.agent_id, self._client())
        parts = render_parts("text", push.body, (), markdown_max_bytes=TEXT_MAX_BYTES)
        done = push.parts_sent
        try:
            for payload in parts[done:]:
                await messenger.send(push.user_id or "", payload)
                done += 1
                await self._mark_parts_sent(push, done, len(parts))
        except (RateLimited, Transient, BadKey) as exc:
            await self._retry(push, now, str(exc), self._backoff(push))
            return "later"
        except Rejected as exc:
            log.error("WeCom refused private push %s: %s; marked failed", push.key, exc)
            await run_in_threadpool(self._mark_failed, push, str(exc))
            return "later"
        await self._mark_sent(push, now)
        return "sent"

    async def _to_console(self, push: Push, now: datetime, label: str) -> str:
        mentions = " ".join(f"@{m}" for m in push.mentions)
        log.info("[%s %s] %s%s", label, push.key, push.body, f"\n{mentions}" if mentions else "")
        self._publish({"type": "push", "key": push.key, "target": push.target, "kind": push.kind,
                       "text": push.body, "mentions": list(push.mentions), "at": now.isoformat()})
        await self._mark_sent(push, now)
        return "sent"

    def _group_chat_id(self) -> str:
        """[aibot] group_chatid, else the group the bot was last @-mentioned in."""
        if self.settings.aibot.group_chatid:
            return self.settings.aibot.group_chatid
        with unit_of_work(self.runtime.engine) as store:
            return store.messages.last_chat_id(AIBOT_CHANNEL) or ""

    def _backoff(self, push: Push) -> timedelta:
        return min(timedelta(seconds=5 * 2**push.attempts), MAX_BACKOFF)

    async def _retry(self, push: Push, now: datetime, error: str, delay: timedelta) -> None:
        def mark() -> None:
            with unit_of_work(self.runtime.engine) as store:
                item = store.outbox.get(push.id)
                if item is not None:
                    store.outbox.mark_retry(item, now, error, delay, self.settings.outbox.max_attempts)
                    if item.state == "failed":
                        log.error("push %s failed after %s attempts: %s", push.key, item.attempts, error)

        await run_in_threadpool(mark)

    async def _mark_parts_sent(self, push: Push, done: int, total: int) -> None:
        """Persist progress through a split push (the last part is recorded by _mark_sent)."""
        if done >= total:
            return

        def mark() -> None:
            with unit_of_work(self.runtime.engine) as store:
                item = store.outbox.get(push.id)
                if item is not None:
                    store.outbox.mark_parts_sent(item, done)

        await run_in_threadpool(mark)

    def _mark_failed(self, push: Push, error: str) -> None:
        with unit_of_work(self.runtime.engine) as store:
            item = store.outbox.get(push.id)
            if item is not None:
                store.outbox.mark_failed(item, error)

    async def _mark_sent(self, push: Push, now: datetime) -> None:
        def mark() -> None:
            with unit_of_work(self.runtime.engine) as store:
                item = store.outbox.get(push.id)
                if item is not None:
                    store.outbox.mark_sent(item, now)

        await run_in_threadpool(mark)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=httpx.Timeout(10.0), trust_env=False)
        return self._http

