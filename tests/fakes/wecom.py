"""A WeCom stand-in speaking the real protocols over loopback.

- `CallbackSigner` encrypts and signs callbacks the way WeCom does (AES-256-CBC, sha1), written
  independently of `bot.wecom.crypto` so the two check each other, and opens our passive replies.
- `WecomStandIn` is a real HTTP + WebSocket server on 127.0.0.1: `gettoken`, `message/send`,
  `webhook/send` (with WeCom's 20-a-minute limit), and the AI bot's long connection
  (subscribe, ping, callbacks, respond, send_msg, disconnected_event), and the AI bot's
  `response_url` (one use: a second POST with the same code is refused). It records everything and
  image messages (md5 and the 2 MB limit checked), `webhook/upload_media` + file messages, and the
  long connection's media upload (aibot_upload_media_init → _chunk → _finish, then aibot_send_msg
  with msgtype image|file), recorded in `record.media`. The smart sheet (智能表格): `wedoc/create_doc`,
  `smartsheet/add_sheet`, `add_fields`, `add_records`/`update_records` (≤ 500, cells checked against the
  fields), `get_records`, the sheet's webhook, `edit_cell` for a member's edit, `sheet_change_xml` for its event,
  and `sheet_no_authority` (851003). It serves the media members send (`serve_media`):
  AES-256-CBC encrypted as WeCom encrypts them (or plain, the app's `media/get`), at a URL that expires after
  five minutes (`expire_media` ages it), streamed in chunks and counting what it sent. It has switchable failure modes: scripted errcodes / HTTP statuses / gateway pages / slow answers
  (for `webhook/send` and `message/send`), outage, bad key, and a gate that holds one send
  before or after WeCom accepts it (to kill the sender at an exact moment).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import uvicorn
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

WEBHOOK_KEY = "standin-webhook-key-0001"
BOT_ID = "aibot-standin"
BOT_SECRET = "aibot-standin-secret"
CORP_ID = "ww5823bf96d3bd56c7"
CORP_SECRET = "standin-corp-secret"
#: Vector A's token and key, reused for the stand-in's own callbacks.
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


class CallbackSigner:
    """Encrypts and signs as WeCom does; opens and checks the passive replies we send back."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self.token = token
        self.key = base64.b64decode(encoding_aes_key + "=")
        self.receive_id = receive_id.encode()

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return hashlib.sha1("".join(sorted([self.token, timestamp, nonce, encrypt])).encode()).hexdigest()

    def encrypt(self, plaintext: str, receive_id: bytes | None = None) -> str:
        msg = plaintext.encode()
        raw = os.urandom(16) + struct.pack(">I", len(msg)) + msg + (self.receive_id if receive_id is None else receive_id)
        pad = 32 - len(raw) % 32
        raw += bytes([pad]) * pad
        enc = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(enc.update(raw) + enc.finalize()).decode()

    def decrypt(self, encrypt: str) -> str:
        dec = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        raw = dec.update(base64.b64decode(encrypt)) + dec.finalize()
        raw = raw[: -raw[-1]]
        (length,) = struct.unpack(">I", raw[16:20])
        assert raw[20 + length :] == self.receive_id, "reply addressed to another receive id"
        return raw[20 : 20 + length].decode()

    def params(self, encrypt: str, nonce: str | None = None, timestamp: str | None = None) -> dict[str, str]:
        nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
        timestamp = timestamp or str(int(time.time()))
        return {"msg_signature": self.sign(timestamp, nonce, encrypt), "timestamp": timestamp, "nonce": nonce}

    def url_verification(self, echo: str) -> dict[str, str]:
        echostr = self.encrypt(echo)
        return {**self.params(echostr), "echostr": echostr}

    def app_callback(self, inner_xml: str, nonce: str | None = None) -> tuple[dict[str, str], bytes]:
        encrypt = self.encrypt(inner_xml)
        body = (f"<xml><ToUserName><![CDATA[{self.receive_id.decode()}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>")
        return self.params(encrypt, nonce), body.encode()

    def aibot_callback(self, payload: dict[str, Any], nonce: str | None = None) -> tuple[dict[str, str], bytes]:
        encrypt = self.encrypt(json.dumps(payload, ensure_ascii=False))
        return self.params(encrypt, nonce), json.dumps({"encrypt": encrypt}).encode()

    def open_app_reply(self, body: str, nonce: str) -> ElementTree.Element:
        root = ElementTree.fromstring(body)
        encrypt = root.findtext("Encrypt") or ""
        timestamp = root.findtext("TimeStamp") or ""
        assert root.findtext("Nonce") == nonce, "passive reply must carry the callback's nonce"
        assert root.findtext("MsgSignature") == self.sign(timestamp, nonce, encrypt), "bad reply signature"
        return ElementTree.fromstring(self.decrypt(encrypt))

    def open_aibot_reply(self, body: dict[str, Any], nonce: str) -> dict[str, Any]:
        assert set(body) == {"encrypt", "msgsignature", "timestamp", "nonce"}, body
        assert body["nonce"] == nonce, "passive reply must carry the callback's nonce"
        assert body["msgsignature"] == self.sign(str(body["timestamp"]), nonce, body["encrypt"]), "bad signature"
        return json.loads(self.decrypt(body["encrypt"]))


def app_text_xml(from_user: str, content: str, msg_id: str, create_time: int, corp_id: str = CORP_ID) -> str:
    return (f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{from_user}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>")


def aibot_text(msgid: str, user: str, text: str, chat_id: str | None = "wrkSFfCgAAgroupchat",
               bot_name: str = "招商助手") -> dict[str, Any]:
    """An @-mention in a group, as WeCom sends it (the mention is followed by U+2005)."""
    body: dict[str, Any] = {"msgid": msgid, "aibotid": BOT_ID, "chattype": "group" if chat_id else "single",
                            "from": {"userid": user}, "response_url": "https://example.invalid/response",
                            "msgtype": "text", "text": {"content": f"@{bot_name}\u2005{text}" if chat_id else text}}
    if chat_id:
        body["chatid"] = chat_id
    return body


def encrypt_media(plain: bytes, key: bytes) -> bytes:
    """A media file as WeCom serves it: AES-256-CBC, IV = key[:16], PKCS#7 padded to 32 bytes."""
    pad = 32 - len(plain) % 32
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return enc.update(plain + bytes([pad]) * pad) + enc.finalize()


def callback_media_key() -> bytes:
    """The AI bot's EncodingAESKey as bytes: what opens media in callback mode."""
    return base64.b64decode(AES_KEY + "=")


def aibot_media(msgid: str, user: str, kind: str, url: str, aeskey: str | None = None) -> dict[str, Any]:
    """An image or file sent to the bot in 1:1 chat (only there does WeCom deliver media)."""
    media: dict[str, Any] = {"url": url}
    if aeskey is not None:
        media["aeskey"] = aeskey
    return {"msgid": msgid, "aibotid": BOT_ID, "chattype": "single", "from": {"userid": user},
            "response_url": "https://example.invalid/response", "msgtype": kind, kind: media}


#: How long WeCom's media URLs live.
MEDIA_LIFETIME_S = 300.0


@dataclass
class ServedMedia:
    """One media URL: its body (encrypted, or plain for the app), padded with filler up to `total`
    bytes when given (an oversized file the stand-in never holds whole), and what it has sent so far."""

    body: bytes
    issued: float
    total: int | None = None
    #: "status": an expired URL answers HTTP 403; "errcode": 200 with WeCom's JSON error body.
    expired_as: str = ""
    sent: int = 0
    finished: bool = False
    requests: int = 0


def eventually(condition: Callable[[], Any], timeout_s: float = 10.0) -> Any:
    """Poll (tiny waits) until `condition()` is truthy: what another thread or process does is awaited by
    its visible effect, never by a fixed sleep. Its value, or AssertionError on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: A scripted answer to one send: an errcode (0 = go ahead), ("http", status) JSON without an
#: errcode, ("gateway", status) an HTML page from a proxy, ("slow", seconds) accepted but answered late.
Scripted = int | tuple[str, int] | tuple[str, float]


@dataclass(frozen=True)
class Accepted:
    """One message WeCom took (webhook or app), in order, with the stand-in's `generation` then."""

    channel: str
    content: str
    generation: int
    #: How late the answer was sent (a "slow" script entry), 0 if at once.
    answer_delay_s: float = 0.0


@dataclass
class Recorded:
    webhook_attempts: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    app_attempts: list[dict[str, Any]] = field(default_factory=list)
    app_messages: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: int = 0
    #: Long-connection dials turned away during an outage.
    refused_connections: int = 0
    #: response_url POSTs WeCom accepted, as (response_code, body)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: The msgid each long-connection callback frame (req_id) carried, redeliveries included.
    req_msgid: dict[str, str] = field(default_factory=dict)
    #: Image and file messages WeCom accepted, in order (webhook and long connection alike).
    media: list[Media] = field(default_factory=list)
    #: Files uploaded (webhook upload_media or the long connection's upload), by media_id.
    uploads: dict[str, Media] = field(default_factory=dict)
    #: Smart sheet API calls WeCom answered, in order: (path after /cgi-bin/, request body).
    sheet_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: Rows the smart sheet's webhook accepted (their values), in order.
    sheet_webhook_rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Media:
    """An image or file message as the group received it: its bytes, and the md5 it came with."""

    channel: str
    kind: str
    name: str
    data: bytes
    md5: str


class Gate:
    """Holds the nth next send, before or after WeCom accepts it, until released."""

    def __init__(self, after_accept: bool, nth: int = 1) -> None:
        self.after_accept = after_accept
        self.countdown = nth
        #: Set (from the server thread) when a send reached the gate.
        self.reached = threading.Event()
        #: Released before acceptance with deliver=False, the send never reaches WeCom (a 502 page).
        self.deliver = True
        self._open = threading.Event()

    def release(self, deliver: bool = True) -> None:
        self.deliver = deliver
        self._open.set()

    async def wait(self) -> None:
        self.reached.set()
        while not self._open.is_set():
            await asyncio.sleep(0.005)


def content_of(payload: dict[str, Any]) -> str:
    kind = payload.get("msgtype", "")
    if kind in ("image", "file"):
        return f"[{kind}]"
    return str((payload.get(kind) or {}).get("content", ""))


IMAGE_MAX_BYTES = 2 * 1024 * 1024


def multipart_file(content_type: str, body: bytes) -> tuple[str, bytes] | None:
    """The (filename, bytes) of the multipart field `media`, parsed as a mail part would be."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "media":
            return str(part.get_filename() or ""), bytes(part.get_payload(decode=True) or b"")
    return None


class WecomStandIn:
    """Run with `start()` / `stop()` (or as a context manager); URLs are on 127.0.0.1."""

    def __init__(self, webhook_key: str = WEBHOOK_KEY, per_minute: int = 20) -> None:
        self.webhook_key = webhook_key
        self.per_minute = per_minute
        self.port = free_port()
        self.record = Recorded()
        #: Each webhook call pops one scripted answer (see `Scripted`).
        self.webhook_script: deque[Scripted] = deque()
        #: The same for the app's message/send.
        self.app_script: deque[Scripted] = deque()
        #: Holds the next webhook or app send (see `gate`).
        self._gate: Gate | None = None
        #: Tagged onto every acceptance (a benchmark counts one per sender process it starts).
        self.generation = 0
        self.outage = False
        self.bad_key = False
        #: Close the long connection when the next aibot_respond_msg arrives, without taking it.
        self.drop_on_next_respond = False
        #: The app is not among the document API's 可调用应用: every wedoc call answers 851003.
        self.sheet_no_authority = False
        #: Smart sheet documents: docid -> {"name", "admins", "sheets": {sheet_id: SheetState}}.
        self.docs: dict[str, dict[str, Any]] = {}
        self._sends: dict[str, deque[float]] = {}
        self._ws: WebSocket | None = None
        self._unanswered: dict[str, dict[str, Any]] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        #: Media members sent, by token (see `serve_media`).
        self.media_files: dict[str, ServedMedia] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._server = uvicorn.Server(uvicorn.Config(self._app(), host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="on", ws="websockets-sansio"))
        self._thread = threading.Thread(target=self._server.run, name="wecom-standin", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={self.webhook_key}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/aibot"

    def response_url(self, code: str) -> str:
        """A message's one-use response_url (WeCom's carries a response_code like this)."""
        return f"{self.base_url}/cgi-bin/aibot/response?response_code={code}"

    def serve_media(self, body: bytes, total: int | None = None, app: bool = False) -> str:
        """A URL serving `body` (already encrypted, or plain for the app) for five minutes; with `total`, the
        body is followed by filler up to that many bytes, streamed without a Content-Length. The app's
        media are fetched as `media/get?media_id=…` with its access token."""
        token = uuid.uuid4().hex
        self.media_files[token] = ServedMedia(body, time.time(), total)
        if app:
            return f"{self.base_url}/cgi-bin/media/get?media_id={token}"
        return f"{self.base_url}/media/{token}?sign=standin"

    def media_of(self, url: str) -> ServedMedia:
        token = url.split("media_id=")[-1] if "media_id=" in url else url.rsplit("/", 1)[-1].split("?")[0]
        return self.media_files[token]

    def expire_media(self, url: str, how: str = "status") -> None:
        """Age a media URL past its five minutes (`how` WeCom says so: "status" or "errcode")."""
        served = self.media_of(url)
        served.issued -= MEDIA_LIFETIME_S + 1
        served.expired_as = how

    def _media_response(self, token: str) -> Response:
        served = self.media_files.get(token)
        if served is None:
            return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
        served.requests += 1
        if time.time() - served.issued > MEDIA_LIFETIME_S:
            if served.expired_as == "errcode":
                return JSONResponse({"errcode": 40007, "errmsg": "media url expired"})
            return Response(b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                            status_code=403, media_type="application/xml")

        def chunks() -> Any:
            size = 64 * 1024
            for start in range(0, len(served.body), size):
                served.sent += len(served.body[start:start + size])
                yield served.body[start:start + size]
            filler = bytes(size)
            while served.total is not None and served.sent < served.total:
                part = filler[: served.total - served.sent]
                served.sent += len(part)
                yield part
            served.finished = True

        if served.total is None:
            served.sent = len(served.body)
            served.finished = True
            return Response(served.body, media_type="application/octet-stream")
        return StreamingResponse(chunks(), media_type="application/octet-stream")

    def start(self) -> WecomStandIn:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stand-in did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> WecomStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests look at ---------------------------------------------------------------

    def group_texts(self) -> list[str]:
        """Contents of every webhook message WeCom accepted, in order."""
        return [content_of(payload) for payload in self.record.webhooks]

    def gate(self, after_accept: bool, nth: int = 1) -> Gate:
        """Hold the nth next webhook or app send: before WeCom takes it, or after, before answering."""
        self._gate = Gate(after_accept, nth)
        return self._gate

    def _take_gate(self) -> Gate | None:
        with self._lock:
            gate = self._gate
            if gate is None:
                return None
            gate.countdown -= 1
            if gate.countdown > 0:
                return None
            self._gate = None
        return gate

    @staticmethod
    def _undelivered(gate: Gate | None) -> Response | None:
        """After a gate held a send before acceptance and was released without delivering it."""
        if gate is not None and not gate.after_accept and not gate.deliver:
            return HTMLResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", status_code=502)
        return None

    @staticmethod
    def _scripted(scripted: Scripted) -> Response | float | None:
        """The answer a script entry forces, or a delay for an accepted message, or None to go ahead."""
        if isinstance(scripted, tuple):
            mode, value = scripted
            if mode == "slow":
                return float(value)
            if mode == "gateway":
                return HTMLResponse(f"<html><body><h1>{int(value)}</h1>nginx</body></html>", status_code=int(value))
            return JSONResponse({"errmsg": "server error"}, status_code=int(value))
        if scripted:
            return JSONResponse({"errcode": scripted, "errmsg": "scripted"})
        return None

    def frames(self, cmd: str) -> list[dict[str, Any]]:
        return [f for f in list(self.record.frames) if f.get("cmd") == cmd]

    def wait_for(self, condition: Callable[[], Any], timeout_s: float = 10.0) -> Any:
        """Poll (tiny waits) until `condition()` is truthy; its value, or AssertionError on timeout."""
        return eventually(condition, timeout_s)

    # --- the smart sheet ---------------------------------------------------------------------

    def sheet_calls(self, path: str) -> list[dict[str, Any]]:
        """The bodies of the smart sheet calls to `path` (e.g. "wedoc/smartsheet/add_records") WeCom answered."""
        return [body for called, body in list(self.record.sheet_calls) if called == path]

    def sheet_named(self, title: str) -> tuple[str, str, dict[str, Any]]:
        """(docid, sheet_id, sheet) of the one sheet titled `title`."""
        [found] = [(d, sid, sh) for d, doc in self.docs.items() for sid, sh in doc["sheets"].items() if sh["title"] == title]
        return found

    def edit_cell(self, title: str, record_id: str, field_title: str, text: str) -> None:
        """A member types `text` into one cell of a sheet, as in the WeCom client."""
        _, _, sheet = self.sheet_named(title)
        kind = sheet["fields"][field_title]
        sheet["records"][record_id][field_title] = float(text) if kind == "FIELD_TYPE_NUMBER" else [
            {"type": "text", "text": text}]

    @staticmethod
    def sheet_change_xml(editor: str, docid: str, sheet_id: str, record_ids: list[str], create_time: int,
                         change: str = "update_record", corp_id: str = CORP_ID) -> str:
        """The app callback's smart_sheet_change event, as WeCom sends it after a member's edit."""
        ids = "".join(f"<RecordId><![CDATA[{r}]]></RecordId>" for r in record_ids)
        return (f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{editor}]]></FromUserName>"
                f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[smart_sheet_change]]></Event><ChangeType><![CDATA[{change}]]></ChangeType>"
                f"<DocId><![CDATA[{docid}]]></DocId><SheetId><![CDATA[{sheet_id}]]></SheetId>{ids}</xml>")

    def _sheet_call(self, path: str, body: dict[str, Any], access_token: str) -> dict[str, Any]:
        """WeCom's answer to one smart sheet call (checked as WeCom checks it)."""
        if access_token != "standin-token":
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if self.sheet_no_authority:
            return {"errcode": 851003, "errmsg": "no authority"}
        if path == "wedoc/create_doc":
            if body.get("doc_type") != 10 or not body.get("doc_name"):
                return {"errcode": 40058, "errmsg": "invalid doc_type or doc_name"}
            docid = f"dc{uuid.uuid4().hex}"
            self.docs[docid] = {"name": body["doc_name"], "admins": body.get("admin_users", []), "sheets": {}}
            return {"errcode": 0, "errmsg": "ok", "url": f"https://doc.weixin.qq.com/smartsheet/{docid}", "docid": docid}
        doc = self.docs.get(str(body.get("docid")))
        if doc is None:
            return {"errcode": 851001, "errmsg": "invalid docid"}
        if path == "wedoc/smartsheet/add_sheet":
            sheet_id = uuid.uuid4().hex[:6]
            doc["sheets"][sheet_id] = {"title": body["properties"]["title"], "fields": {}, "records": {}}
            return {"errcode": 0, "errmsg": "ok", "properties": {"sheet_id": sheet_id, "title": body["properties"]["title"],
                                                                  "index": len(doc["sheets"]) - 1}}
        sheet = doc["sheets"].get(str(body.get("sheet_id")))
        if sheet is None:
            return {"errcode": 851002, "errmsg": "invalid sheet_id"}
        if path == "wedoc/smartsheet/add_fields":
            for f in body.get("fields") or []:
                if f.get("field_title") in sheet["fields"] or f.get("field_type") not in ("FIELD_TYPE_TEXT", "FIELD_TYPE_NUMBER"):
                    return {"errcode": 40058, "errmsg": "field exists or bad type"}
                sheet["fields"][f["field_title"]] = f["field_type"]
            return {"errcode": 0, "errmsg": "ok", "fields": [
                {"field_id": uuid.uuid4().hex[:6], **f} for f in body.get("fields") or []]}
        records = body.get("records") or []
        if path in ("wedoc/smartsheet/add_records", "wedoc/smartsheet/update_records"):
            if body.get("key_type") != "CELL_VALUE_KEY_TYPE_FIELD_TITLE" or len(records) > 500 or not records:
                return {"errcode": 40058, "errmsg": "bad key_type or 1..500 records a call"}
            for r in records:
                problem = self._bad_values(sheet, r.get("values") or {})
                if problem:
                    return {"errcode": 40058, "errmsg": problem}
            out = []
            for r in records:
                if path.endswith("add_records"):
                    rid = f"r{uuid.uuid4().hex[:8]}"
                    sheet["records"][rid] = dict(r["values"])
                else:
                    rid = str(r.get("record_id"))
                    if rid not in sheet["records"]:
                        return {"errcode": 851004, "errmsg": "invalid record_id"}
                    sheet["records"][rid].update(r["values"])
                out.append({"record_id": rid, "values": sheet["records"][rid]})
            return {"errcode": 0, "errmsg": "ok", "records": out}
        if path == "wedoc/smartsheet/get_records":
            wanted = body.get("record_ids") or list(sheet["records"])
            return {"errcode": 0, "errmsg": "ok", "total": len(wanted), "has_more": False, "next": 0,
                    "records": [{"record_id": rid, "values": sheet["records"][rid]} for rid in wanted
                                if rid in sheet["records"]]}
        return {"errcode": 40008, "errmsg": "unknown api"}

    @staticmethod
    def _bad_values(sheet: dict[str, Any], values: dict[str, Any]) -> str:
        for title, value in values.items():
            kind = sheet["fields"].get(title)
            if kind is None:
                return f"no field titled {title}"
            if kind == "FIELD_TYPE_NUMBER" and not isinstance(value, int | float):
                return f"{title}: a number field takes a number"
            if kind == "FIELD_TYPE_TEXT" and not (isinstance(value, list) and all(
                    isinstance(v, dict) and v.get("type") == "text" and isinstance(v.get("text"), str) for v in value)):
                return f"{title}: a text field takes [{{type: text, text}}]"
        return ""

    # --- driving the long connection ------------------------------------------------------

    def deliver(self, body: dict[str, Any], cmd: str = "aibot_msg_callback") -> str:
        """Send a callback frame down the live long connection; returns its req_id."""
        req_id = uuid.uuid4().hex
        if cmd == "aibot_msg_callback":
            self._unanswered[req_id] = body
            self.record.req_msgid[req_id] = str(body.get("msgid", ""))
        self._run(self._send({"cmd": cmd, "headers": {"req_id": req_id}, "body": body}))
        return req_id

    def drop_connection(self) -> None:
        self._run(self._close())

    def kick(self) -> None:
        """What WeCom does when another connection subscribes with the same bot."""
        self.deliver({"msgtype": "event", "event": {"eventtype": "disconnected_event"},
                      "create_time": int(time.time())}, cmd="aibot_event_callback")

    @property
    def connected(self) -> bool:
        return self._ws is not None

    def _run(self, coro: Any) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=5)

    async def _send(self, frame: dict[str, Any]) -> None:
        if self._ws is None:
            raise AssertionError("no live long connection")
        await self._ws.send_text(json.dumps(frame, ensure_ascii=False))

    async def _close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close(1011)

    # --- the server -----------------------------------------------------------------------

    def _app(self) -> FastAPI:
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
            self._loop = asyncio.get_running_loop()
            yield

        app = FastAPI(lifespan=lifespan)

        @app.get("/cgi-bin/gettoken")
        async def gettoken(corpid: str, corpsecret: str) -> JSONResponse:
            self.record.token_requests += 1
            if self.outage:
                return JSONResponse({}, status_code=503)
            if (corpid, corpsecret) != (CORP_ID, CORP_SECRET):
                return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
            return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": "standin-token", "expires_in": 7200})

        @app.get("/media/{token}")
        async def media(token: str) -> Response:
            return self._media_response(token)

        @app.get("/cgi-bin/media/get")
        async def media_get(access_token: str, media_id: str) -> Response:
            if access_token != "standin-token":
                return JSONResponse({"errcode": 42001, "errmsg": "access_token expired"})
            return self._media_response(media_id)

        @app.post("/cgi-bin/message/send")
        async def message_send(request: Request, access_token: str) -> Response:
            payload = await request.json()
            self.record.app_attempts.append(payload)
            if self.outage:
                return JSONResponse({}, status_code=503)
            if access_token != "standin-token":
                return JSONResponse({"errcode": 42001, "errmsg": "access_token expired"})
            gate = self._take_gate()
            if gate is not None and not gate.after_accept:
                await gate.wait()
                if (undelivered := self._undelivered(gate)) is not None:
                    return undelivered
            delay = 0.0
            if self.app_script:
                forced = self._scripted(self.app_script.popleft())
                if isinstance(forced, Response):
                    return forced
                delay = forced or 0.0
            with self._lock:
                self.record.app_messages.append(payload)
                self.record.accepted.append(Accepted("app", content_of(payload), self.generation, delay))
            if gate is not None and gate.after_accept:
                await gate.wait()
            if delay:
                await asyncio.sleep(delay)
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        @app.post("/cgi-bin/webhook/send")
        async def webhook_send(request: Request) -> Response:
            key = parse_qs(urlsplit(str(request.url)).query).get("key", [""])[0]
            payload = await request.json()
            gate = self._take_gate()
            if gate is not None and not gate.after_accept:
                await gate.wait()
                if (undelivered := self._undelivered(gate)) is not None:
                    return undelivered
            delay = 0.0
            with self._lock:
                self.record.webhook_attempts.append(payload)
                if self.outage:
                    return JSONResponse({"errcode": -1, "errmsg": "system busy"}, status_code=503)
                if self.bad_key or key != self.webhook_key:
                    return JSONResponse({"errcode": 93000, "errmsg": "invalid webhook url"})
                if self.webhook_script:
                    forced = self._scripted(self.webhook_script.popleft())
                    if isinstance(forced, Response):
                        return forced
                    delay = forced or 0.0
                sends = self._sends.setdefault(key, deque())
                now = time.time()
                while sends and sends[0] <= now - 60:
                    sends.popleft()
                if len(sends) >= self.per_minute:
                    return JSONResponse({"errcode": 45009, "errmsg": "api freq out of limit"})
                kind = payload.get("msgtype")
                content = content_of(payload)
                limit = 2048 if kind == "text" else 4096
                if len(content.encode()) > limit:
                    return JSONResponse({"errcode": 40058, "errmsg": f"content exceed max length {limit}"})
                media: Media | None = None
                if kind == "image":
                    image = payload.get("image") or {}
                    try:
                        raw = base64.b64decode(image.get("base64", ""), validate=True)
                    except ValueError:
                        return JSONResponse({"errcode": 40009, "errmsg": "invalid image base64"})
                    if not raw or len(raw) > IMAGE_MAX_BYTES:
                        return JSONResponse({"errcode": 40009, "errmsg": "invalid image size"})
                    if hashlib.md5(raw).hexdigest() != image.get("md5"):
                        return JSONResponse({"errcode": 40009, "errmsg": "image md5 does not match"})
                    media = Media("webhook", "image", "", raw, str(image["md5"]))
                elif kind == "file":
                    uploaded = self.record.uploads.get(str((payload.get("file") or {}).get("media_id", "")))
                    if uploaded is None:
                        return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
                    media = Media("webhook", "file", uploaded.name, uploaded.data, uploaded.md5)
                sends.append(now)
                if media is not None:
                    self.record.media.append(media)
                self.record.webhooks.append(payload)
                self.record.accepted.append(Accepted("webhook", content, self.generation, delay))
            if gate is not None and gate.after_accept:
                await gate.wait()
            if delay:
                await asyncio.sleep(delay)
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        @app.post("/cgi-bin/webhook/upload_media")
        async def webhook_upload(request: Request, key: str, type: str) -> JSONResponse:  # noqa: A002
            body = await request.body()
            with self._lock:
                if self.outage:
                    return JSONResponse({"errcode": -1, "errmsg": "system busy"}, status_code=503)
                if self.bad_key or key != self.webhook_key:
                    return JSONResponse({"errcode": 93000, "errmsg": "invalid webhook url"})
                found = multipart_file(request.headers.get("content-type", ""), body)
                if type not in ("file", "voice") or found is None or len(found[1]) <= 5:
                    return JSONResponse({"errcode": 40006, "errmsg": "invalid media"})
                media_id = f"media-{uuid.uuid4().hex}"
                self.record.uploads[media_id] = Media("webhook", type, found[0], found[1],
                                                      hashlib.md5(found[1]).hexdigest())
            return JSONResponse({"errcode": 0, "errmsg": "ok", "type": type, "media_id": media_id,
                                 "created_at": str(int(time.time()))})

        @app.post("/cgi-bin/wedoc/smartsheet/webhook")
        async def sheet_webhook(request: Request, key: str) -> JSONResponse:
            body = await request.json()
            with self._lock:
                if key != self.webhook_key:
                    return JSONResponse({"errcode": 93000, "errmsg": "invalid webhook url"})
                rows = body.get("add_records") or []
                if not rows or len(rows) > 500:
                    return JSONResponse({"errcode": 40058, "errmsg": "1..500 records a call"})
                self.record.sheet_webhook_rows.extend(r.get("values") or {} for r in rows)
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        @app.post("/cgi-bin/wedoc/{path:path}")
        async def wedoc(request: Request, path: str, access_token: str) -> JSONResponse:
            body = await request.json()
            with self._lock:
                answer = self._sheet_call(f"wedoc/{path}", body, access_token)
                if answer.get("errcode") == 0:
                    self.record.sheet_calls.append((f"wedoc/{path}", body))
            return JSONResponse(answer)

        @app.post("/cgi-bin/aibot/response")
        async def aibot_response(request: Request, response_code: str) -> JSONResponse:
            payload = await request.json()
            with self._lock:
                if self.outage:
                    return JSONResponse({}, status_code=503)
                if any(code == response_code for code, _ in self.record.responses):
                    return JSONResponse({"errcode": 40014, "errmsg": "response_code used"})
                self.record.responses.append((response_code, payload))
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        @app.websocket("/aibot")
        async def long_connection(websocket: WebSocket) -> None:
            await websocket.accept()
            if self.outage:
                self.record.refused_connections += 1
                await websocket.close(1013)
                return
            try:
                while True:
                    frame = json.loads(await websocket.receive_text())
                    self.record.frames.append(frame)
                    await self._on_frame(websocket, frame)
            except (WebSocketDisconnect, RuntimeError):
                pass
            finally:
                if self._ws is websocket:
                    self._ws = None

        return app

    async def _on_frame(self, websocket: WebSocket, frame: dict[str, Any]) -> None:
        cmd = frame.get("cmd")
        req_id = (frame.get("headers") or {}).get("req_id", "")

        async def ack(errcode: int = 0, errmsg: str = "ok") -> None:
            await websocket.send_text(json.dumps({"headers": {"req_id": req_id}, "errcode": errcode, "errmsg": errmsg}))

        if cmd == "aibot_subscribe":
            body = frame.get("body") or {}
            if (body.get("bot_id"), body.get("secret")) != (BOT_ID, BOT_SECRET):
                await ack(40001, "invalid bot_id or secret")
                await websocket.close()
                return
            old, self._ws = self._ws, websocket
            if old is not None:
                kicked = {"cmd": "aibot_event_callback", "headers": {"req_id": uuid.uuid4().hex},
                          "body": {"msgtype": "event", "event": {"eventtype": "disconnected_event"}}}
                await old.send_text(json.dumps(kicked))
                await old.close()
            self.record.subscriptions += 1
            await ack()
            for old_req, body in list(self._unanswered.items()):
                del self._unanswered[old_req]
                new_req = uuid.uuid4().hex
                self._unanswered[new_req] = body
                self.record.req_msgid[new_req] = str(body.get("msgid", ""))
                await websocket.send_text(json.dumps(
                    {"cmd": "aibot_msg_callback", "headers": {"req_id": new_req}, "body": body}, ensure_ascii=False))
        elif cmd == "ping":
            await ack()
        elif cmd == "aibot_respond_msg":
            if self.drop_on_next_respond:
                self.drop_on_next_respond = False
                self.record.frames.pop()
                await self._close()
                return
            self._unanswered.pop(req_id, None)
            await ack()
        elif cmd == "aibot_upload_media_init":
            body = frame.get("body") or {}
            upload_id = f"upload-{uuid.uuid4().hex}"
            self._uploads[upload_id] = {"meta": body, "chunks": {}}
            await websocket.send_text(json.dumps({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok",
                                                  "body": {"upload_id": upload_id}}))
        elif cmd == "aibot_upload_media_chunk":
            body = frame.get("body") or {}
            upload = self._uploads.get(str(body.get("upload_id")))
            if upload is None:
                await ack(40007, "invalid upload_id")
                return
            chunk = base64.b64decode(body.get("base64_data", ""))
            if len(chunk) > 512 * 1024:
                await ack(40009, "chunk over 512KB")
                return
            upload["chunks"][int(body.get("chunk_index", -1))] = chunk
            await ack()
        elif cmd == "aibot_upload_media_finish":
            upload = self._uploads.pop(str((frame.get("body") or {}).get("upload_id")), None)
            if upload is None:
                await ack(40007, "invalid upload_id")
                return
            meta, chunks = upload["meta"], upload["chunks"]
            data = b"".join(chunks[i] for i in sorted(chunks))
            if (sorted(chunks) != list(range(int(meta.get("total_chunks", 0)))) or len(data) != meta.get("total_size")
                    or hashlib.md5(data).hexdigest() != meta.get("md5")):
                await ack(40009, "upload incomplete or md5 mismatch")
                return
            media_id = f"media-{uuid.uuid4().hex}"
            self.record.uploads[media_id] = Media("aibot", str(meta.get("type")), str(meta.get("filename")), data,
                                                  str(meta.get("md5")))
            await websocket.send_text(json.dumps({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok",
                                                  "body": {"type": meta.get("type"), "media_id": media_id,
                                                           "created_at": int(time.time())}}))
        elif cmd == "aibot_send_msg":
            body = frame.get("body") or {}
            kind = body.get("msgtype")
            if kind in ("image", "file"):
                uploaded = self.record.uploads.get(str((body.get(kind) or {}).get("media_id", "")))
                if uploaded is None or uploaded.kind != kind:
                    await ack(40007, "invalid media_id")
                    return
                self.record.media.append(Media("aibot", kind, uploaded.name, uploaded.data, uploaded.md5))
            await ack()
        elif cmd == "aibot_respond_welcome_msg":
            await ack()
        else:
            await ack(40008, "unknown cmd")
