"""Sending to WeCom: the group robot webhook (群机器人) and the app message API, with their limits.

Every failure is raised as one of a few kinds the outbox sender knows how to treat:
rate limited (45009: wait), bad key (93000: stop, it will not heal), transient (5xx, network,
-1 busy: back off), rejected (any other errcode: this message will never go).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx

from storage.media import MEDIA_KINDS, Media

log = logging.getLogger(__name__)

TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096
RATE_LIMITED = 45009
BAD_WEBHOOK_KEY = 93000
_TOKEN_EXPIRED = {40014, 42001}


def keep_urls_out_of_logs() -> None:
    """httpx logs every request URL at INFO, and ours carry the webhook key or an access token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


class SendError(Exception):
    """A push did not go out."""


class RateLimited(SendError):
    """errcode 45009: more than 20 messages a minute."""


class BadKey(SendError):
    """errcode 93000: the webhook key is wrong or the robot was removed; retrying will not help."""


class Transient(SendError):
    """Network error, 5xx, or errcode -1 (busy): try again later."""


class Rejected(SendError):
    """WeCom refused this message (e.g. 40058 too long); this push will never go as it is."""


def split_message(text: str, max_bytes: int) -> list[str]:
    """Cut `text` into parts of at most `max_bytes` UTF-8 bytes, on line boundaries when possible,
    else on spaces (so `<@userid>` mentions stay whole), else between characters."""
    parts: list[str] = []
    current = ""
    for line in _pieces(text.split("\n"), max_bytes):
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate.encode()) > max_bytes:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip() or not parts:
        parts.append(current)
    return [p for p in parts if p.strip()] or [""]


def _pieces(lines: Sequence[str], max_bytes: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        if len(line.encode()) <= max_bytes:
            out.append(line)
            continue
        chunk = ""
        for word in line.split(" "):
            candidate = f"{chunk} {word}" if chunk else word
            if len(candidate.encode()) <= max_bytes:
                chunk = candidate
                continue
            if chunk:
                out.append(chunk)
            chunk = ""
            for ch in word:
                if len((chunk + ch).encode()) > max_bytes:
                    out.append(chunk)
                    chunk = ""
                chunk += ch
        if chunk:
            out.append(chunk)
    return out


def render_parts(kind: str, body: str, mentions: Sequence[str],
                 markdown_max_bytes: int = MARKDOWN_MAX_BYTES) -> list[dict[str, Any]]:
    """The webhook payloads for one push: split within the byte limit, mentions kept.

    Markdown mentions are `<@userid>` appended to the text (unless already in it); text uses
    `mentioned_list` on the last part, where the reader ends up. (App messages allow only 2048
    bytes of markdown, hence the parameter.)"""
    if kind in MEDIA_KINDS:
        return [{"msgtype": kind, "media": Media.of(kind, body)}]
    if kind == "text":
        parts = split_message(body, TEXT_MAX_BYTES)
        payloads: list[dict[str, Any]] = [{"msgtype": "text", "text": {"content": p}} for p in parts]
        if mentions:
            payloads[-1]["text"]["mentioned_list"] = list(mentions)
        return payloads
    missing = [m for m in mentions if f"<@{m}>" not in body]
    full = body + ("\n" + " ".join(f"<@{m}>" for m in missing) if missing else "")
    return [{"msgtype": "markdown", "markdown": {"content": p}} for p in split_message(full, markdown_max_bytes)]


def _raise_for(errcode: int, errmsg: str) -> None:
    if errcode == 0:
        return
    if errcode == RATE_LIMITED:
        raise RateLimited(f"45009 {errmsg}")
    if errcode == BAD_WEBHOOK_KEY:
        raise BadKey(f"93000 {errmsg}")
    if errcode == -1:
        raise Transient(f"-1 {errmsg}")
    raise Rejected(f"{errcode} {errmsg}")


async def _post_json(client: httpx.AsyncClient, url: str, payload: dict[str, Any],
                     params: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        response = await client.post(url, json=payload, params=params)
    except httpx.HTTPError as exc:
        raise Transient(f"network: {type(exc).__name__}") from None
    return _json_of(response)


def _json_of(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise Transient(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise Rejected(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise Transient("answer is not JSON") from None
    if not isinstance(data, dict):
        raise Transient("answer is not a JSON object")
    return data


class WebhookClient:
    """POSTs to one group robot; the URL (its key) is a secret and never logged."""

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self._url = url
        self._client = client

    async def send(self, payload: dict[str, Any]) -> None:
        if isinstance(payload.get("media"), Media):
            await self.send_media(payload["media"])
            return
        data = await _post_json(self._client, self._url, payload)
        _raise_for(int(data.get("errcode", -1)), str(data.get("errmsg", "")))

    async def send_media(self, media: Media) -> None:
        """An image goes inline (base64 + md5 of the raw bytes); a file is uploaded first
        (`upload_media?type=file`, its media_id lives 3 days) and then sent by media_id."""
        if media.kind == "image":
            await self.send({"msgtype": "image", "image": {"base64": media.base64, "md5": media.md5}})
            return
        media_id = await self.upload(media)
        await self.send({"msgtype": "file", "file": {"media_id": media_id}})

    async def upload(self, media: Media) -> str:
        """POST the file to the robot's upload_media (multipart field `media`); its media_id."""
        url = httpx.URL(self._url)
        upload = url.copy_with(path=url.path.rsplit("/", 1)[0] + "/upload_media",
                               params=url.params.set("type", "file"))
        try:
            response = await self._client.post(upload, files={"media": (media.name, media.data,
                                                                        "application/octet-stream")})
        except httpx.HTTPError as exc:
            raise Transient(f"upload network: {type(exc).__name__}") from None
        data = _json_of(response)
        _raise_for(int(data.get("errcode", -1)), f"upload_media: {data.get('errmsg', '')}")
        media_id = str(data.get("media_id") or "")
        if not media_id:
            raise Transient("upload_media answered without a media_id")
        return media_id


class AppToken:
    """The self-built app's access_token (gettoken with the corp id and the app secret), kept until shortly
    before it expires; `get(refresh=True)` after WeCom called it expired (40014, 42001)."""

    def __init__(self, api_base: str, corp_id: str, secret: str, client: httpx.AsyncClient) -> None:
        self._base = api_base.rstrip("/")
        self._corp_id = corp_id
        self._secret = secret
        self._client = client
        self._token: str | None = None
        self._token_expires = 0.0

    async def get(self, refresh: bool = False) -> str:
        if self._token and not refresh and time.monotonic() < self._token_expires:
            return self._token
        try:
            response = await self._client.get(
                f"{self._base}/cgi-bin/gettoken", params={"corpid": self._corp_id, "corpsecret": self._secret}
            )
        except httpx.HTTPError as exc:
            raise Transient(f"gettoken network: {type(exc).__name__}") from None
        data = _json_of(response)
        errcode = int(data.get("errcode", 0))
        if errcode != 0 or not data.get("access_token"):
            _raise_for(errcode or -1, f"gettoken: {data.get('errmsg', '')}")
        self._token = str(data["access_token"])
        self._token_expires = time.monotonic() + max(60, int(data.get("expires_in", 7200)) - 300)
        return self._token


async def call_app_api(token: AppToken, client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `body` to one of the app's APIs with its access_token, once more with a fresh token if WeCom
    called it expired; WeCom's answer, whatever its errcode (the caller judges it)."""
    data: dict[str, Any] = {}
    for attempt in range(2):
        data = await _post_json(client, url, body, params={"access_token": await token.get(refresh=attempt > 0)})
        if int(data.get("errcode", -1)) not in _TOKEN_EXPIRED:
            break
    return data


class AppMessenger:
    """The self-built app's message/send, for private pushes (target "user:<userid>")."""

    def __init__(self, api_base: str, corp_id: str, secret: str, agent_id: int,
                 client: httpx.AsyncClient) -> None:
        self._base = api_base.rstrip("/")
        self._agent_id = agent_id
        self._client = client
        self._token = AppToken(api_base, corp_id, secret, client)

    async def send(self, user_id: str, payload: dict[str, Any]) -> None:
        body = {"touser": user_id, "agentid": self._agent_id, **payload}
        data = await call_app_api(self._token, self._client, f"{self._base}/cgi-bin/message/send", body)
        _raise_for(int(data.get("errcode", -1)), str(data.get("errmsg", "")))
