"""The self-built app (自建应用): XML callbacks in, passive XML replies or app messages out.

Without the app secret the passive reply is the only way back, so the callback waits for the
receipt (a redelivery after WeCom's 5 s gets the stored one). With the secret a busy bot
acknowledges at once and the receipt follows through the outbox (the message API).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from bot.channels.http import params, read_body, verify
from bot.inbox import Closed, Inbox
from bot.runtime import Runtime
from bot.settings import Route, private_route
from bot.wecom import app_wire
from bot.wecom.crypto import AppCrypto, DecryptError, SignatureError
from storage.inbox import SENT, Envelope
from storage.models import InboxItem
from storage.outbox import Target
from storage.store import Store

CHANNEL = "wecom_app"
TEXT_ONLY = "目前只能处理文字消息，请用文字报送，例如「线索：XX公司拟投资5000万元建设XX项目」。"


class AppChannel:
    def __init__(self, runtime: Runtime, inbox: Inbox) -> None:
        wecom = runtime.settings.wecom
        self.inbox = inbox
        self.settings = runtime.settings
        self.crypto = AppCrypto(wecom.token.get_secret_value(), wecom.encoding_aes_key.get_secret_value(),
                                wecom.corp_id)
        self.can_push = private_route(runtime.settings) is Route.APP

    def settle(self, store: Store, item: InboxItem, reply: str) -> tuple[str | None, str | None]:
        """No request waited for the answer: push it with the secret; else a redelivery fetches it."""
        if not self.can_push:
            return None, None
        store.outbox.push(f"reply:{CHANNEL}:{item.msg_id}", reply, target=Target.user(item.user_id), kind="text")
        return "push", SENT

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
                return PlainTextResponse("")
            if not message.is_text:
                return self._reply(message, TEXT_ONLY, nonce)
            envelope = Envelope(
                channel=CHANNEL, msg_id=message.msg_id or f"{message.from_user}:{message.create_time}",
                user_id=message.from_user, text=message.content, at=_sent_at(message.create_time, tz),
            )
            try:
                submitted = await self.inbox.submit(envelope, self.wait_s())
            except Closed:
                raise HTTPException(503, "shutting down") from None
            if not submitted.reply:
                return PlainTextResponse("")
            return self._reply(message, submitted.reply, nonce)

        return router

    def _reply(self, message: app_wire.AppMessage, text: str, nonce: str) -> Response:
        plain = app_wire.text_reply(message, text, int(time.time()))
        return Response(self.crypto.seal_xml(plain, nonce), media_type="application/xml")


def _sent_at(create_time: int | None, tz: Any) -> datetime:
    """The app message's CreateTime (when the report counts); arrival time if it is absent or absurd."""
    try:
        return datetime.fromtimestamp(create_time, tz) if create_time else datetime.now(tz)
    except (OverflowError, OSError, ValueError):
        return datetime.now(tz)
