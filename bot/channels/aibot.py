"""The AI bot (智能机器人): one answer policy for its callback and its long connection.

Both carry the same JSON. A message is stored, then answered on a stream: with the receipt at once
when the bot is idle and the answer is quick, else with "working" (the acknowledgement). The
receipt then goes out on the stream (a callback's refresh; a long-connection update with the
callback's req_id) and, when no refresh collected it in time, by the message's `response_url`
(one use, valid 1 h) or, failing that, as a group push. A stream refresh is answered from the
stored row, so it survives a restart; an unknown stream id is never told "handled".
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.background import Background
from bot.channels.http import params, read_body, verify
from bot.inbox import Closed, Inbox
from bot.settings import Settings
from bot.wecom import aibot_wire
from bot.wecom.aibot_wire import AibotMessage, json_depth_within
from bot.wecom.crypto import AibotCrypto, DecryptError, SignatureError
from bot.wecom.webhook import Rejected, Transient
from bot.wecom.ws_client import LongConnection
from handlers.core.messages import Card
from storage.inbox import Envelope, Settled
from storage.inbox import InboxRow as Row
from storage.models import InboxItem
from storage.states import ReplyVia
from storage.store import Store, unit_of_work

log = logging.getLogger(__name__)

CHANNEL = "aibot"
WORKING = "⏳ 正在处理，请稍候…"
ELSEWHERE = "已处理，回执已另行发送。"
UNKNOWN_STREAM = "没有找到这条消息的处理记录（可能已过期）。如需报送，请重新发送一次。"
TEXT_ONLY = "目前只能处理文字消息，请用文字报送，例如「线索：XX公司拟投资5000万元建设XX项目」。"
WELCOME = "您好，我是招商助手。报送请 @我 并发送文字，例如「线索：XX公司拟投资5000万元建设XX项目」；发送「帮助」查看用法。"
#: response_url is valid for an hour; past that the receipt goes as a group push.
RESPONSE_URL_TTL = timedelta(minutes=55)
#: A stream refresh that finds the message still queued waits this long for it before "working".
REFRESH_WAIT_S = 1.0
#: A click waits this long for its handling: WeCom drops a card update later than 5 s.
CLICK_WAIT_S = 4.0
#: Long-connection answers owed (the connection was down) are retried this long after handling.
WS_RETRY_AFTER_S = 2.0


#: Stream ids need only be unique (a refresh must be signed by WeCom to reach us): a random
#: per-process prefix and a counter, not a system call per message.
_STREAM_PREFIX, _STREAM_SEQ = os.urandom(8).hex(), itertools.count()


def new_stream_id() -> str:
    return f"{_STREAM_PREFIX}{next(_STREAM_SEQ):016x}"


class BadMessage(Exception):
    """A message without msgid or sender."""


@dataclass(frozen=True, slots=True)
class StreamAnswer:
    """The stream as it stands: "working" (not finished) or the answer (finished)."""

    stream_id: str
    text: str
    finish: bool
    #: Buttons under the finished answer (a review card in the office's 1:1 chat).
    card: Card | None = None


@dataclass(frozen=True, slots=True)
class CardUpdate:
    """The clicked card as it now stands, for the one who clicked."""

    card: Card
    user_id: str


@dataclass(frozen=True, slots=True)
class Welcome:
    """A plain text answer to someone opening the chat."""

    text: str


@dataclass(frozen=True, slots=True)
class Silence:
    """Nothing to send (an event we do not answer, an empty answer, or another path sends it)."""


Answer = StreamAnswer | CardUpdate | Welcome | Silence


def to_json(answer: Answer) -> dict[str, Any] | None:
    """The one place an answer becomes WeCom's JSON (both channels carry the same); None: nothing."""
    if isinstance(answer, StreamAnswer):
        if answer.finish and not answer.text:
            return None
        if answer.finish and answer.card is not None:
            return aibot_wire.stream_with_card(answer.stream_id, answer.text, answer.card)
        return aibot_wire.stream_reply(answer.stream_id, answer.text, finish=answer.finish)
    if isinstance(answer, CardUpdate):
        return aibot_wire.card_update(answer.card, answer.user_id)
    if isinstance(answer, Welcome):
        return aibot_wire.text_reply(answer.text)
    return None


def settle(store: Store, item: InboxItem, reply: str) -> Settled:
    """Inside the handling: the answer is owed, to the waiting request, a stream refresh, the long
    connection or response_url, whichever claims it first. A click (no stream) has one way back, the
    card update in the click's own response within WeCom's 5 s; past that the decision stands and the
    card shows it at the next click, so nothing is owed."""
    return Settled.owed() if item.stream_id else Settled.kept()


class AibotChannel:
    def __init__(self, settings: Settings, inbox: Inbox, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.inbox = inbox
        self.rows = inbox.rows
        self.long_connection: LongConnection | None = None
        self._http = http
        self._delivering: set[int] = set()
        self._stopping = asyncio.Event()
        self._background = Background("AI-bot delivery")
        aibot = self.settings.aibot
        self.crypto = (
            AibotCrypto(aibot.token.get_secret_value(), aibot.encoding_aes_key.get_secret_value())
            if aibot.callback_enabled else None
        )

    # --- the one answer policy --------------------------------------------------------------

    def wait_s(self) -> float:
        """The first answer waits briefly for the receipt, and only when nothing else is queued:
        a busy bot acknowledges at once ("working") and never keeps WeCom waiting behind a queue."""
        return 0.0 if self.inbox.busy else self.settings.inbox.first_answer_s

    async def answer(self, message: AibotMessage, req_id: str | None = None) -> Answer:
        """The immediate answer to a callback (either channel)."""
        if message.kind == "event":
            if message.choice is not None and message.msgid and message.user_id:
                return await self._click(message, req_id)
            return Welcome(WELCOME) if message.event_type == "enter_chat" else Silence()
        if message.kind == "stream_refresh":
            return await self.refresh(message.stream_id)
        if message.kind != "message":
            return StreamAnswer(new_stream_id(), TEXT_ONLY, finish=True) if message.user_id else Silence()
        if not message.msgid or not message.user_id:
            raise BadMessage
        envelope = Envelope(
            channel=CHANNEL, msg_id=message.msgid, user_id=message.user_id, text=message.text,
            at=datetime.now(self.settings.schedule.tz), chat_id=message.chat_id, stream_id=new_stream_id(),
            response_url=message.response_url or None, req_id=req_id, extra=message.extras.to_json(),
        )
        submitted = await self.inbox.submit(envelope, self.wait_s())
        return await self._state(submitted.row, ReplyVia.WS if req_id else ReplyVia.STREAM)

    async def _click(self, message: AibotMessage, req_id: str | None) -> Answer:
        """A click is stored like a message (persist before acknowledging; a redelivered click is one row)
        and answered with the card update when handled within WeCom's 5 s."""
        envelope = Envelope(
            channel=CHANNEL, msg_id=message.msgid, user_id=message.user_id, text="",
            at=datetime.now(self.settings.schedule.tz), chat_id=message.chat_id, req_id=req_id,
            extra=message.extras.to_json(),
        )
        submitted = await self.inbox.submit(envelope, CLICK_WAIT_S)
        card = Card.from_json(submitted.row.reply_card) if submitted.row.handled else None
        return CardUpdate(card, message.user_id) if card is not None else Silence()

    async def refresh(self, stream_id: str) -> Answer:
        row = await self.rows.by_stream(stream_id) if stream_id else None
        if row is None:
            return StreamAnswer(stream_id, UNKNOWN_STREAM, finish=True)
        row = await self.inbox.wait_handled(row, REFRESH_WAIT_S)
        answer = await self._state(row, ReplyVia.STREAM)
        return StreamAnswer(stream_id, WORKING, finish=False) if isinstance(answer, Silence) else answer

    async def _state(self, row: Row, via: ReplyVia) -> Answer:
        """The stream as the stored row has it: working, or the receipt (claimed for this path)."""
        if not row.handled:
            return StreamAnswer(row.stream_id or "", WORKING, finish=False)
        if row.unclaimed:
            if await self.rows.take(row.id, via, sent=True):
                return self._finished(row, row.reply or "")
            row = await self.rows.reread(row.id)
            if row.reply_via is via is ReplyVia.WS:
                return Silence()  # the long connection is sending it on this req_id right now
        if row.reply_via in (ReplyVia.RESPONSE_URL, ReplyVia.PUSH):
            return self._finished(row, ELSEWHERE)
        return self._finished(row, row.reply or "")

    @staticmethod
    def _finished(row: Row, text: str) -> Answer:
        card = Card.from_json(row.reply_card) if text == row.reply else None
        return StreamAnswer(row.stream_id or new_stream_id(), text, finish=True, card=card) if text else Silence()

    # --- answers owed -----------------------------------------------------------------------

    def deliver_soon(self, row: Row) -> None:
        """Right after handling: a long-connection message gets its stream finished now; a
        callback's waits for WeCom's refresh (the sweep sends it by response_url later)."""
        if row.req_id and row.id not in self._delivering:
            self._background.spawn(self.over_long_connection(row))

    def deliver_soon_by_id(self, row_id: int) -> None:
        """The same for a row a worker in another process handled (heard through PostgreSQL)."""
        async def deliver() -> None:
            self.deliver_soon(await self.rows.reread(row_id))

        self._background.spawn(deliver())

    async def over_long_connection(self, row: Row) -> None:
        """The owed answer as an update of the long-connection stream, if this path claims it."""
        connection = self.long_connection
        if connection is None or not connection.connected or row.id in self._delivering:
            return
        self._delivering.add(row.id)
        try:
            if row.reply_via is None:
                # The first answer may have carried the receipt already (handled while it looked).
                if not await self.rows.take(row.id, ReplyVia.WS):
                    return
            elif row.reply_via is not ReplyVia.WS:
                return
            payload = to_json(self._finished(row, row.reply or ""))
            if payload is not None:
                await connection.respond(row.req_id or "", payload)
            await self.rows.delivered(row.id, ReplyVia.WS)
        except Rejected as exc:
            log.warning("long connection refused the answer to %s (%s); pushing it to the group", row.msg_id, exc)
            await self.rows.run(self._push, row)
        except (Transient, TimeoutError):
            pass  # the sweep tries again once the connection is back
        finally:
            self._delivering.discard(row.id)

    async def sweep(self) -> None:
        """Deliver owed answers until stop(): rows left from before a restart, long-connection
        answers the connection missed, callback receipts no stream refresh collected."""
        grace = self.settings.inbox.response_url_after_s
        while not self._stopping.is_set():
            try:
                await self.sweep_once(grace)
            except Exception:
                log.exception("AI-bot delivery sweep failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), min(1.0, max(grace / 4, 0.05)))

    async def sweep_once(self, grace_s: float) -> None:
        """One round of the sweep: what is owed and due, by long connection or response_url."""
        rows = await self.rows.owed(CHANNEL, min(grace_s, WS_RETRY_AFTER_S), grace_s)
        now = datetime.now(UTC)
        for row in rows:
            if row.id in self._delivering:
                continue
            if row.req_id:
                await self.over_long_connection(row)
            elif row.done_at is not None and now - row.done_at >= timedelta(seconds=grace_s):
                await self.by_response_url(row)

    async def stop(self, grace_s: float) -> None:
        """Stop sweeping; let deliveries under way finish within `grace_s`."""
        self._stopping.set()
        await self._background.wait(grace_s)

    async def by_response_url(self, row: Row) -> None:
        """The owed answer posted once to the message's response_url, if this path claims it
        (past the URL's hour, or refused, it goes as a group push)."""
        if row.reply_via is None and not await self.rows.take(row.id, ReplyVia.RESPONSE_URL):
            return
        if row.reply_via not in (None, ReplyVia.RESPONSE_URL):
            return
        fresh = datetime.now(UTC) - row.received_at < RESPONSE_URL_TTL
        if not (row.response_url and fresh):
            await self.rows.run(self._push, row)
            return
        self._delivering.add(row.id)
        try:
            http = self._http or httpx.AsyncClient(timeout=10.0)
            try:
                answer = await http.post(row.response_url, json={"msgtype": "markdown",
                                                                 "markdown": {"content": row.reply or ""}})
            finally:
                if self._http is None:
                    await http.aclose()
            if answer.status_code >= 500:
                return  # WeCom's trouble: the next sweep tries again (the URL is one use: no double)
            errcode = _errcode(answer)
            if errcode != 0:
                log.warning("response_url refused the receipt for %s (errcode %s); pushing it to the group",
                            row.msg_id, errcode)
                await self.rows.run(self._push, row)
                return
            await self.rows.delivered(row.id, ReplyVia.RESPONSE_URL)
        except httpx.HTTPError as exc:
            log.warning("response_url for %s not reached (%s); trying again", row.msg_id, type(exc).__name__)
        finally:
            self._delivering.discard(row.id)

    def _push(self, row: Row) -> None:
        """The last way back: the receipt as a group push naming the sender (through the outbox)."""
        with unit_of_work(self.rows.engine) as store:
            store.outbox.push(f"reply:{CHANNEL}:{row.msg_id}", row.reply or "", target="group",
                              mentions=[row.user_id])
            store.inbox.delivered(row.id, ReplyVia.PUSH)

    # --- the wire ---------------------------------------------------------------------------

    async def on_long_connection(self, message: AibotMessage, req_id: str) -> dict[str, Any] | None:
        """A long-connection frame's answer; None sends nothing (WeCom delivers it again later)."""
        try:
            return to_json(await self.answer(message, req_id))
        except (BadMessage, Closed):
            return None

    def router(self) -> APIRouter:
        router = APIRouter()
        crypto = self.crypto
        if crypto is None:  # web.py mounts this router only when the callback is configured
            raise RuntimeError("AI-bot callback routes need [aibot] token and encoding_aes_key")
        limit, depth = self.settings.wecom.max_body_bytes, self.settings.wecom.max_json_depth

        @router.get("/wecom/aibot")
        async def aibot_verify(request: Request) -> PlainTextResponse:
            sig, ts, nonce, echostr = params(request, "msg_signature", "timestamp", "nonce", "echostr")
            return PlainTextResponse(verify(crypto.verify_url, sig, ts, nonce, echostr))

        @router.post("/wecom/aibot")
        async def aibot_callback(request: Request) -> Response:
            sig, ts, nonce = params(request, "msg_signature", "timestamp", "nonce")
            body = await read_body(request, limit)
            if not json_depth_within(body, depth):
                raise HTTPException(400, "malformed callback")
            try:
                message = aibot_wire.parse_callback(crypto.open_json(sig, ts, nonce, body, depth))
            except SignatureError:
                raise HTTPException(403, "bad signature") from None
            except DecryptError:
                raise HTTPException(400, "malformed callback") from None
            try:
                payload = to_json(await self.answer(message))
            except BadMessage:
                raise HTTPException(400, "message without msgid or sender") from None
            except Closed:
                raise HTTPException(503, "shutting down") from None
            if payload is None:
                return PlainTextResponse("")
            return JSONResponse(crypto.seal_json(payload, nonce))

        return router


def _errcode(answer: httpx.Response) -> int:
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        return int(answer.json().get("errcode", 0))
    return -1
