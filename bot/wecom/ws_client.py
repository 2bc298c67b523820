"""The AI bot's long connection (长连接): the default way into group chats, no public URL needed.

Frames are `{cmd, headers: {req_id}, body}`; acks are `{headers: {req_id}, errcode, errmsg}`.
One live connection per bot: a newer one kicks this one with `disconnected_event`, and then we
wait long before dialling again so two running copies do not kick each other every second.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from bot.background import Background
from bot.wecom.aibot_wire import AibotMessage, markdown_push, media_push, parse_callback
from bot.wecom.webhook import RateLimited, Rejected, Transient
from storage.media import Media

log = logging.getLogger(__name__)

#: Media go up in chunks of at most 512 KB (before base64), at most 100 of them (path/101463).
CHUNK_BYTES = 512 * 1024

#: Answers a callback (with its req_id) with the reply body, or None for no reply.
MessageHandler = Callable[[AibotMessage, str], Awaitable[dict[str, Any] | None]]


class LongConnection:
    def __init__(
        self,
        url: str,
        bot_id: str,
        secret: str,
        on_message: MessageHandler,
        heartbeat_s: float = 30.0,
        backoff_s: float = 1.0,
        backoff_max_s: float = 60.0,
        kicked_backoff_s: float = 300.0,
        ack_timeout_s: float = 10.0,
    ) -> None:
        self.url = url
        self._bot_id = bot_id
        self._secret = secret
        self._on_message = on_message
        self.heartbeat_s = heartbeat_s
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.kicked_backoff_s = kicked_backoff_s
        self.ack_timeout_s = ack_timeout_s
        self._ws: ClientConnection | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._background = Background("AI bot message task")
        self._connected = asyncio.Event()
        self._stopping = False
        self._stopped = asyncio.Event()
        self._kicked = False

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def run(self) -> None:
        """Dial, subscribe, serve; on any drop dial again with exponential backoff, until stop()."""
        delay = self.backoff_s
        while not self._stopping:
            self._kicked = False
            try:
                async with connect(self.url, open_timeout=self.ack_timeout_s, max_size=2**22) as ws:
                    self._ws = ws
                    if await self._subscribe(ws):
                        delay = self.backoff_s
                        await self._serve(ws)
            except (OSError, WebSocketException, TimeoutError) as exc:
                log.warning("AI bot long connection lost: %s", type(exc).__name__)
            except asyncio.CancelledError:
                raise
            finally:
                self._drop()
            if self._stopping:
                break
            wait = self.kicked_backoff_s if self._kicked else delay
            log.info("AI bot long connection: dialling again in %.1f s", wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), wait)
            delay = min(delay * 2, self.backoff_max_s)

    async def stop(self) -> None:
        self._stopping = True
        self._stopped.set()
        if self._ws is not None:
            await self._ws.close()
        self._background.cancel()

    async def send_markdown(self, chat_id: str, content: str, chat_type: int = 2) -> None:
        """Push proactively (aibot_send_msg); raises Transient when not connected."""
        if not self.connected:
            raise Transient("long connection not connected")
        _check(await self._request("aibot_send_msg", markdown_push(chat_id, content, chat_type)))

    async def send_media(self, chat_id: str, media: Media, chat_type: int = 2) -> None:
        """Upload (aibot_upload_media_init → _chunk × n → _finish) and push it as an image or file message.

        An upload cut short is simply started again: WeCom keeps nothing of it that anyone sees."""
        if not self.connected:
            raise Transient("long connection not connected")
        chunks = [media.data[i:i + CHUNK_BYTES] for i in range(0, len(media.data), CHUNK_BYTES)]
        init = _check(await self._request("aibot_upload_media_init", {
            "type": media.kind, "filename": media.name, "total_size": len(media.data),
            "total_chunks": len(chunks), "md5": media.md5}))
        upload_id = str((init.get("body") or {}).get("upload_id") or "")
        if not upload_id:
            raise Transient("aibot_upload_media_init answered without an upload_id")
        for index, chunk in enumerate(chunks):
            _check(await self._request("aibot_upload_media_chunk", {
                "upload_id": upload_id, "chunk_index": index, "base64_data": base64.b64encode(chunk).decode()}))
        finish = _check(await self._request("aibot_upload_media_finish", {"upload_id": upload_id}))
        media_id = str((finish.get("body") or {}).get("media_id") or "")
        if not media_id:
            raise Transient("aibot_upload_media_finish answered without a media_id")
        _check(await self._request("aibot_send_msg", media_push(chat_id, media.kind, media_id, chat_type)))

    async def respond(self, req_id: str, body: dict[str, Any]) -> None:
        """A later answer to the callback `req_id` (a stream update); waits for WeCom's ack.

        Raises Transient when not connected, Rejected when WeCom refuses it (e.g. a req_id from
        a connection that is gone)."""
        ws = self._ws
        if ws is None or not self.connected:
            raise Transient("long connection not connected")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            await ws.send(_frame("aibot_respond_msg", req_id, body))
            ack = await asyncio.wait_for(future, self.ack_timeout_s)
        except WebSocketException:
            raise Transient("long connection closed") from None
        finally:
            self._pending.pop(req_id, None)
        errcode = int(ack.get("errcode", 0))
        if errcode != 0:
            raise Rejected(f"{errcode} {ack.get('errmsg', '')}")

    async def _subscribe(self, ws: ClientConnection) -> bool:
        req_id = uuid.uuid4().hex
        await ws.send(_frame("aibot_subscribe", req_id, {"bot_id": self._bot_id, "secret": self._secret}))
        async with asyncio.timeout(self.ack_timeout_s):
            while True:
                frame = _decode(await ws.recv())
                if frame and (frame.get("headers") or {}).get("req_id") == req_id:
                    break
        if int(frame.get("errcode", 0)) != 0:
            log.error("AI bot subscribe refused (errcode %s %s): check [aibot] bot_id and secret",
                      frame.get("errcode"), frame.get("errmsg", ""))
            self._kicked = True
            return False
        self._connected.set()
        log.info("AI bot long connection subscribed")
        return True

    async def _serve(self, ws: ClientConnection) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(ws))
        try:
            async for raw in ws:
                frame = _decode(raw)
                if frame is None:
                    continue
                cmd = frame.get("cmd")
                req_id = str((frame.get("headers") or {}).get("req_id") or "")
                if cmd in ("aibot_msg_callback", "aibot_event_callback"):
                    self._background.spawn(self._answer(ws, req_id, frame.get("body") or {}))
                elif req_id in self._pending:
                    future = self._pending.pop(req_id)
                    if not future.done():
                        future.set_result(frame)
        finally:
            heartbeat.cancel()

    async def _heartbeat(self, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            try:
                await self._request("ping", None)
            except (Transient, TimeoutError):
                log.warning("AI bot heartbeat unanswered; reconnecting")
                await ws.close()
                return

    async def _answer(self, ws: ClientConnection, req_id: str, body: dict[str, Any]) -> None:
        message = parse_callback(body)
        if message.kind == "event" and message.event_type == "disconnected_event":
            log.error("AI bot long connection taken over by another connection (disconnected_event); "
                      "is zsbot running twice with the same bot_id? Dialling again in %.0f s",
                      self.kicked_backoff_s)
            self._kicked = True
            await ws.close()
            return
        reply = await self._on_message(message, req_id)
        if reply is None:
            return
        # A click's card is updated on its req_id (a stream reply there is refused, errcode 846605).
        cmd = ("aibot_respond_update_msg" if reply.get("response_type") == "update_template_card"
               else "aibot_respond_welcome_msg" if message.kind == "event" else "aibot_respond_msg")
        try:
            await ws.send(_frame(cmd, req_id, reply))
        except WebSocketException:
            log.warning("reply to %s lost with the connection; WeCom redelivers it", message.msgid)

    async def _request(self, cmd: str, body: dict[str, Any] | None) -> dict[str, Any]:
        ws = self._ws
        if ws is None or not self.connected:
            raise Transient("long connection not connected")
        req_id = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            await ws.send(_frame(cmd, req_id, body))
            return await asyncio.wait_for(future, self.ack_timeout_s)
        except WebSocketException:
            raise Transient("long connection closed") from None
        finally:
            self._pending.pop(req_id, None)


    def _drop(self) -> None:
        self._connected.clear()
        self._ws = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(Transient("long connection closed"))
        self._pending.clear()


def _check(ack: dict[str, Any]) -> dict[str, Any]:
    """WeCom's ack, or the SendError its errcode means."""
    errcode = int(ack.get("errcode", 0))
    if errcode == 45009:
        raise RateLimited(f"45009 {ack.get('errmsg', '')}")
    if errcode == -1:
        raise Transient(f"-1 {ack.get('errmsg', '')}")
    if errcode != 0:
        raise Rejected(f"{errcode} {ack.get('errmsg', '')}")
    return ack


def _frame(cmd: str, req_id: str, body: dict[str, Any] | None) -> str:
    frame: dict[str, Any] = {"cmd": cmd, "headers": {"req_id": req_id}}
    if body is not None:
        frame["body"] = body
    return json.dumps(frame, ensure_ascii=False)


def _decode(raw: str | bytes) -> dict[str, Any] | None:
    with contextlib.suppress(ValueError, UnicodeDecodeError, RecursionError):
        frame = json.loads(raw)
        if isinstance(frame, dict):
            return frame
    log.warning("ignoring a long-connection frame that is not a JSON object")
    return None
