"""The self-built app (自建应用): XML callbacks in, passive XML replies or app messages out.

Without the app secret the passive reply is the only way back, so the callback waits for the
receipt (a redelivery after WeCom's 5 s gets the stored one). With the secret a busy bot
acknowledges at once and the receipt follows through the outbox (the message API); a request
that waited but was not answered in time leaves it to `sweep`, which pushes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from bot.channels.http import params, read_body, verify
from bot.inbox import Closed, Inbox
from bot.inbox.worker import Settle
from bot.settings import PushRoute, Settings, private_route
from bot.wecom import app_wire
from bot.wecom.crypto import AppCrypto, DecryptError, SignatureError
from handlers.core.messages import Extras, MediaRef
from storage.clock import utcnow
from storage.inbox import Envelope, Settled
from storage.inbox import InboxRow as Row
from storage.models import InboxItem
from storage.outbox import Target
from storage.states import ReplyVia
from storage.store import Store, unit_of_work

log = logging.getLogger(__name__)
CHANNEL = "wecom_app"
TEXT_ONLY = "目前只能处理文字消息，请用文字报送，例如「线索：XX公司拟投资5000万元建设XX项目」。"
#: An answer its request did not carry is pushed this long after the request stopped waiting.
LATE_AFTER_S = 0.5


def settler(settings: Settings) -> Settle:
    """Inside the handling: without the secret the answer is kept for a response (a redelivery
    fetches it); with it, owed while its request still waits, else pushed through the outbox."""
    can_push = private_route(settings) is PushRoute.APP

    def settle(store: Store, item: InboxItem, reply: str) -> Settled:
        if not can_push:
            return Settled.kept()
        if item.answer_by is not None and utcnow() < item.answer_by:
            return Settled.owed()
        _push(store, item.msg_id, item.user_id, reply)
        return Settled.sent(ReplyVia.PUSH)

    return settle


def _push(store: Store, msg_id: str, user_id: str, reply: str) -> None:
    store.outbox.push(f"reply:{CHANNEL}:{msg_id}", reply, target=Target.user(user_id), kind="text")


class AppChannel:
    def __init__(self, settings: Settings, inbox: Inbox) -> None:
        wecom = settings.wecom
        self.inbox = inbox
        self.settings = settings
        self.crypto = AppCrypto(wecom.token.get_secret_value(), wecom.encoding_aes_key.get_secret_value(),
                                wecom.corp_id)
        self.can_push = private_route(settings) is PushRoute.APP
        self._stopping = asyncio.Event()

    async def reply_for(self, row: Row) -> str | None:
        """The answer this response carries: one owed and claimed here, or one kept for responses."""
        if row.unclaimed and await self.inbox.rows.take(row.id, ReplyVia.PASSIVE, sent=True):
            return row.reply
        return row.stored_reply() if row.handled else None

    async def sweep(self) -> None:
        """Push the answers owed to requests that stopped waiting before the handling ended."""
        if not self.can_push:
            return
        while not self._stopping.is_set():
            try:
                for row in await self.inbox.rows.unclaimed(CHANNEL, LATE_AFTER_S):
                    await self.inbox.rows.run(self.push_late, row)
            except Exception:
                log.exception("app delivery sweep failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.inbox.poll_s)

    def push_late(self, row: Row) -> None:
        """Push an answer no request carried, if this path claims it."""
        with unit_of_work(self.inbox.rows.engine) as store:
            if store.inbox.take_delivery(row.id, ReplyVia.PUSH, sent=True):
                _push(store, row.msg_id, row.user_id, row.reply or "")

    def stop(self) -> None:
        self._stopping.set()

    async def sheet_changed(self, message: app_wire.AppMessage) -> None:
        """A member edited the live ledger: `bot.sheet_sync` makes the edits correction proposals (审核).
        A failure answers 503, so WeCom delivers the event again (a proposal is made once)."""
        change = message.sheet_change
        if change is None or not self.settings.sheet.enabled:
            return
        from bot.runtime import rules_of
        from bot.sheet_sync import LiveLedger

        try:
            async with httpx.AsyncClient(timeout=self.settings.outbox.timeout_s, trust_env=False) as client:
                ledger = LiveLedger(self.inbox.rows.engine, self.settings, rules_of(self.settings), client)
                await ledger.sheet_changed(change.doc_id, change.sheet_id, change.change_type, list(change.record_ids),
                                           message.from_user, _sent_at(message.create_time, self.settings.schedule.tz))
        except Exception:
            log.exception("smart sheet change not taken; WeCom will deliver it again")
            raise HTTPException(503, "try again") from None

    def wait_s(self) -> float:
        """The wait/ack policy: wait for the receipt unless it can follow by push and we are busy."""
        if self.can_push and self.inbox.busy:
            return 0.0
        return self.settings.inbox.reply_within_s

    def router(self) -> APIRouter:
        router = APIRouter()
        crypto, limit, tz = self.crypto, self.settings.wecom.max_body_bytes, self.settings.schedule.tz

        @router.get("/wecom/callback")
        async def app_verify(request: Request) -> PlainTextResponse:
            sig, ts, nonce, echostr = params(request, "msg_signature", "timestamp", "nonce", "echostr")
            return PlainTextResponse(verify(crypto.verify_url, sig, ts, nonce, echostr))

        @router.post("/wecom/callback")
        async def app_callback(request: Request) -> Response:
            sig, ts, nonce = params(request, "msg_signature", "timestamp", "nonce")
            body = await read_body(request, limit)
            try:
                message = app_wire.parse_message(crypto.open(sig, ts, nonce, app_wire.envelope_encrypt(body)))
            except SignatureError:
                raise HTTPException(403, "bad signature") from None
            except (DecryptError, app_wire.MalformedXml):
                raise HTTPException(400, "malformed callback") from None
            if message.msg_type == "event":
                if message.sheet_change is not None:
                    await self.sheet_changed(message)
                return PlainTextResponse("")
            media = self._media(message)
            if not message.is_text and not media:
                return self._reply(message, TEXT_ONLY, nonce)
            envelope = Envelope(
                channel=CHANNEL, msg_id=message.msg_id or f"{message.from_user}:{message.create_time}",
                user_id=message.from_user, text=message.content if message.is_text else "",
                at=_sent_at(message.create_time, tz), extra=Extras(media=media).to_json(),
            )
            try:
                submitted = await self.inbox.submit(envelope, self.wait_s())
            except Closed:
                raise HTTPException(503, "shutting down") from None
            reply = await self.reply_for(submitted.row)
            if not reply:
                return PlainTextResponse("")
            return self._reply(message, reply, nonce)

        return router

    def _media(self, message: app_wire.AppMessage) -> tuple[MediaRef, ...]:
        """An image or file sent to the app (佐证), as a ref the worker fetches with the app's token
        (`media/get`, plain bytes); none when the app has no secret to get a token with."""
        wecom = self.settings.wecom
        if not message.media_kind or not wecom.can_push_privately:
            return ()
        url = f"{wecom.api_base.rstrip('/')}/cgi-bin/media/get?media_id={quote(message.media_id, safe='')}"
        return (MediaRef(kind=message.media_kind, url=url, name=message.file_name),)

    def _reply(self, message: app_wire.AppMessage, text: str, nonce: str) -> Response:
        plain = app_wire.text_reply(message, text, int(time.time()))
        return Response(self.crypto.seal_xml(plain, nonce), media_type="application/xml")


def _sent_at(create_time: int | None, tz: Any) -> datetime:
    """The app message's CreateTime (when the report counts); arrival time if it is absent or absurd."""
    try:
        return datetime.fromtimestamp(create_time, tz) if create_time else datetime.now(tz)
    except (OverflowError, OSError, ValueError):
        return datetime.now(tz)
