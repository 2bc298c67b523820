"""Fetching the images and files members send the bot (佐证), before the message is handled.

WeCom gives a URL that lives five minutes. The AI bot's is AES-256-CBC encrypted (IV = key[:16], PKCS#7
padded to 32 bytes): with the per-URL `aeskey` on the long connection, with the bot's EncodingAESKey in
callback mode. The self-built app's media (`media/get` with the app's token) is plain.

A file may be up to 100 MB, so it is never held whole: it is streamed, decrypted chunk by chunk, hashed
while it is written to a temporary file in the evidence folder, and then moved into place under its
SHA-256. The download is cut off as soon as it passes `[evidence] max_bytes`, and its first bytes decide
whether it is a kind of file the office keeps (images, PDF, Office documents), so an executable is
refused before the rest of it arrives. What goes wrong becomes the attachment's `problem`, in words for
the sender; nothing raises to the worker.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.settings import Settings, evidence_folder
from bot.wecom.crypto import aes_key
from handlers.core.messages import Attachment, MediaRef

log = logging.getLogger(__name__)

_PAD_BLOCK = 32  # WeCom pads PKCS#7 to 32 bytes
_HEAD = 512  # bytes read before deciding what a file is
_CHUNK = 64 * 1024

EXPIRED = "文件链接已过期（企业微信的文件链接5分钟内有效），请重新发送一次。"
FAILED = "文件没有接收成功，请稍后重新发送一次。"
UNREADABLE = "文件未能解密，请重新发送一次。"
REFUSED = "只接收图片、PDF 和 Office 文档（Word、Excel、PPT），这个文件未接收。"
EXECUTABLE = "这是可执行程序，出于安全考虑未接收；佐证请发送图片、PDF 或 Office 文档。"


def too_large(limit: int) -> str:
    return f"文件超过{_size(limit)}，未接收；请压缩后重新发送，或直接交给招商办。"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g}MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)}KB"


class Refused(Exception):
    """The download stops here; the message is the attachment's `problem`."""


# --- what a file is, by its first bytes -------------------------------------------------------

_IMAGES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
_EXECUTABLES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
                b"\xca\xfe\xba\xbe", b"#!", b"dex\n")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The first entry of an Office Open XML package (a .docx/.xlsx/.pptx is a zip of these).
_OOXML_ENTRIES = {b"[Content_Types].xml": "", b"_rels/": "", b"docProps/": "", b"word/": "docx", b"xl/": "xlsx",
                  b"ppt/": "pptx"}
_OFFICE_EXT = {"doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps"}


def image_type(head: bytes) -> str | None:
    for magic, ext in _IMAGES:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic"
    return None


def file_type(head: bytes, kind: str, name: str) -> str:
    """The extension a kept file gets, or `Refused` saying why it is not kept."""
    image = image_type(head)
    if image is not None:
        return image
    if kind == "image":
        raise Refused(REFUSED)
    if head.startswith(b"%PDF-"):
        return "pdf"
    named = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if head.startswith(_OLE):
        return named if named in _OFFICE_EXT else "doc"
    if head.startswith(b"PK\x03\x04"):
        entry = head[30:30 + int.from_bytes(head[26:28], "little")]
        for prefix, ext in _OOXML_ENTRIES.items():
            if entry.startswith(prefix):
                return named if named in _OFFICE_EXT else ext or "docx"
        raise Refused(REFUSED)
    if any(head.startswith(magic) for magic in _EXECUTABLES):
        raise Refused(EXECUTABLE)
    raise Refused(REFUSED)


# --- decrypting as it streams -----------------------------------------------------------------


class _Plain:
    """Plain bytes in, plain bytes out (the app's media)."""

    def update(self, data: bytes) -> bytes:
        return data

    def finish(self) -> bytes:
        return b""


class _Decrypting:
    """AES-256-CBC, IV = key[:16]; the last 32 plain bytes are held back until the end, where the PKCS#7
    padding (1..32, WeCom's block) is checked and cut."""

    def __init__(self, key: bytes) -> None:
        self._dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        self._tail = b""

    def update(self, data: bytes) -> bytes:
        buf = self._tail + self._dec.update(data)
        cut = max(0, len(buf) - _PAD_BLOCK)
        self._tail = buf[cut:]
        return buf[:cut]

    def finish(self) -> bytes:
        try:
            buf = self._tail + self._dec.finalize()
        except ValueError:
            raise Refused(UNREADABLE) from None
        pad = buf[-1] if buf else 0
        if not 1 <= pad <= _PAD_BLOCK or len(buf) < pad or buf[-pad:] != bytes([pad]) * pad:
            raise Refused(UNREADABLE)
        return buf[:-pad]


def media_key(encoded: str) -> bytes:
    """A per-URL `aeskey` (base64 of 32 bytes, with or without its `=`)."""
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise Refused(UNREADABLE) from None
    if len(key) != 32:
        raise Refused(UNREADABLE)
    return key


# --- the fetcher ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppMedia:
    """The self-built app's `media/get`: its URL prefix and how to get the app's access token."""

    prefix: str
    corp_id: str
    secret: str


class MediaFetcher:
    """`Worker(fetch_media=MediaFetcher(...))`: each ref becomes an `Attachment`, stored or with a problem.

    Synchronous (the worker calls it on its own thread), one short-lived HTTP client per message."""

    def __init__(self, folder: Path, max_bytes: int, *, callback_key: bytes | None = None,
                 app: AppMedia | None = None, timeout_s: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.folder, self.max_bytes, self.callback_key, self.app = folder, max_bytes, callback_key, app
        self.timeout_s, self.transport = timeout_s, transport
        self._token: tuple[str, float] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaFetcher:
        a, w = settings.aibot, settings.wecom
        key = a.encoding_aes_key.get_secret_value()
        app = (AppMedia(f"{w.api_base.rstrip('/')}/cgi-bin/media/get", w.corp_id, w.secret.get_secret_value())
               if w.can_push_privately else None)
        return cls(evidence_folder(settings), settings.evidence.max_bytes,
                   callback_key=aes_key(key) if key else None, app=app, timeout_s=settings.evidence.timeout_s)

    def __call__(self, refs: Sequence[MediaRef]) -> tuple[Attachment, ...]:
        with httpx.Client(timeout=self.timeout_s, transport=self.transport, follow_redirects=True) as client:
            return tuple(self.fetch(client, ref) for ref in refs)

    def fetch(self, client: httpx.Client, ref: MediaRef) -> Attachment:
        try:
            return self._fetch(client, ref)
        except Refused as refused:
            return Attachment(kind=ref.kind, name=ref.name, problem=str(refused))
        except (httpx.HTTPError, OSError) as exc:
            log.warning("media fetch failed (%s): %s", ref.kind, type(exc).__name__)
            return Attachment(kind=ref.kind, name=ref.name, problem=FAILED)
        except Exception:  # a fault here must not keep the worker from the message itself
            log.exception("media fetch failed unexpectedly (%s)", ref.kind)
            return Attachment(kind=ref.kind, name=ref.name, problem=FAILED)

    def _opener(self, ref: MediaRef) -> tuple[str, _Plain | _Decrypting]:
        """The URL to get, and what turns its bytes into the file."""
        if self.app is not None and ref.url.startswith(self.app.prefix):
            # httpx's `params` would replace the URL's own query (the media_id): merge them into the URL.
            return str(httpx.URL(ref.url).copy_merge_params({"access_token": self._app_token()})), _Plain()
        if ref.key:
            return ref.url, _Decrypting(media_key(ref.key))
        if self.callback_key is None:
            raise Refused(UNREADABLE)
        return ref.url, _Decrypting(self.callback_key)

    def _app_token(self) -> str:
        assert self.app is not None
        if self._token is not None and time.monotonic() < self._token[1]:
            return self._token[0]
        base = self.app.prefix.removesuffix("/cgi-bin/media/get")
        with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
            data = _json(client.get(f"{base}/cgi-bin/gettoken",
                                    params={"corpid": self.app.corp_id, "corpsecret": self.app.secret}))
        token = str(data.get("access_token") or "")
        if not token:
            raise Refused(FAILED)
        self._token = (token, time.monotonic() + max(60, int(data.get("expires_in", 7200)) - 300))
        return token

    def _fetch(self, client: httpx.Client, ref: MediaRef) -> Attachment:
        url, opener = self._opener(ref)
        if urlsplit(url).scheme not in ("http", "https"):
            raise Refused(FAILED)
        with client.stream("GET", url) as response:
            if response.status_code >= 500:
                raise Refused(FAILED)
            if response.status_code >= 400 or _is_json(response):
                if isinstance(opener, _Plain):
                    self._token = None  # the app's token may be what expired: fetch a new one next time
                raise Refused(EXPIRED)  # WeCom answers an expired link with an error, not bytes
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes + _PAD_BLOCK:
                raise Refused(too_large(self.max_bytes))  # told in advance: nothing downloaded
            return self._keep(response.iter_bytes(_CHUNK), opener, ref)

    def keep(self, chunks: Iterable[bytes], kind: str, name: str) -> Attachment:
        """Bytes that arrived some other way (the simulator's upload): checked and stored like a download."""
        ref = MediaRef(kind=kind, url="", name=name)
        try:
            return self._keep(chunks, _Plain(), ref)
        except Refused as refused:
            return Attachment(kind=kind, name=name, problem=str(refused))

    def _keep(self, chunks: Iterable[bytes], opener: _Plain | _Decrypting, ref: MediaRef) -> Attachment:
        """Write the stream to a temporary file (checked, hashed), then move it into place by its hash."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f".incoming-{uuid.uuid4().hex}"
        try:
            with temp.open("wb") as out:
                size, digest, ext = self._copy(chunks, opener, out, ref)
            final = Path(digest[:2]) / f"{digest}.{ext}"
            target = self.folder / final
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                temp.unlink()
            else:
                os.replace(temp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        name = ref.name or f"{'图片' if ref.kind == 'image' else '文件'}-{digest[:8]}.{ext}"
        return Attachment(kind=ref.kind, name=name, path=final.as_posix(), size=size, sha256=digest)

    def _copy(self, chunks: Any, opener: _Plain | _Decrypting, out: IO[bytes],
              ref: MediaRef) -> tuple[int, str, str]:
        """Decrypt, check and write the stream; (plain size, SHA-256, extension). Stops at the limit."""
        digest, received, size = hashlib.sha256(), 0, 0
        head, ext = b"", ""

        def write(plain: bytes) -> None:
            nonlocal head, ext, size
            if not ext:
                head += plain
                if len(head) < _HEAD:
                    return
                ext, plain, head = file_type(head, ref.kind, ref.name), head, b""
            size += len(plain)
            if size > self.max_bytes:
                raise Refused(too_large(self.max_bytes))
            digest.update(plain)
            out.write(plain)

        for chunk in chunks:
            received += len(chunk)
            if received > self.max_bytes + _PAD_BLOCK:
                raise Refused(too_large(self.max_bytes))
            write(opener.update(chunk))
        write(opener.finish())
        if not ext:
            if not head:
                raise Refused(FAILED)
            ext, plain = file_type(head, ref.kind, ref.name), head
            size += len(plain)
            digest.update(plain)
            out.write(plain)
        return size, digest.hexdigest(), ext


def _is_json(response: httpx.Response) -> bool:
    """An error body (`{"errcode": …}`) where the file's bytes should be."""
    return "json" in response.headers.get("content-type", "")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise Refused(FAILED) from None
    return data if isinstance(data, dict) else {}


#: What `Worker(fetch_media=...)` takes.
Fetch = Callable[[Sequence[MediaRef]], tuple[Attachment, ...]]

__all__ = ["AppMedia", "Fetch", "MediaFetcher", "file_type", "image_type", "media_key"]
