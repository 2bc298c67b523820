"""A picture or a file carried by an outbox row: WeCom image and file messages.

The bytes travel inside the row (base64 in its JSON body), so the push is written in the same
transaction as the state that caused it and keeps the outbox's idempotency key and at-least-once
delivery: nothing on disk has to survive until the sender gets to it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Literal

__all__ = ["IMAGE_MAX_BYTES", "MEDIA_KINDS", "Media"]

MediaKind = Literal["image", "file"]
MEDIA_KINDS: tuple[str, ...] = ("image", "file")
#: WeCom's group robot takes images of at most 2 MB before base64.
IMAGE_MAX_BYTES = 2 * 1024 * 1024
#: ... and files (uploaded first) of at most 20 MB, of more than 5 bytes.
FILE_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Media:
    kind: MediaKind
    #: What the group sees as the file's name (排名图-2026-03.png, 通报.docx).
    name: str
    data: bytes

    def __post_init__(self) -> None:
        limit = IMAGE_MAX_BYTES if self.kind == "image" else FILE_MAX_BYTES
        if not 5 < len(self.data) <= limit:
            raise ValueError(f"{self.kind} {self.name}: {len(self.data)} bytes, WeCom takes 6..{limit}")

    @property
    def md5(self) -> str:
        """Of the raw bytes, as WeCom checks it."""
        return hashlib.md5(self.data).hexdigest()

    @property
    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def body(self) -> str:
        """The outbox row's body: JSON with the name, md5, size and the bytes as base64."""
        return json.dumps({"name": self.name, "md5": self.md5, "size": len(self.data), "base64": self.base64},
                          ensure_ascii=False)

    @classmethod
    def of(cls, kind: str, body: str) -> Media:
        """The media an outbox row carries; ValueError when the row is not one (or was damaged)."""
        if kind not in MEDIA_KINDS:
            raise ValueError(f"not a media push: {kind}")
        try:
            stored = json.loads(body)
            data = base64.b64decode(stored["base64"], validate=True)
            name = str(stored["name"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"damaged {kind} push: {exc}") from None
        media = cls("image" if kind == "image" else "file", name, data)
        if stored.get("md5") not in (None, media.md5):
            raise ValueError(f"damaged {kind} push: md5 differs")
        return media

    @staticmethod
    def describe(kind: str, body: str) -> str:
        """One line for logs and `zsbot outbox list`: [图片] 排名图.png (123 KB)."""
        try:
            stored = json.loads(body)
            name, size = str(stored.get("name", "")), int(stored.get("size", 0))
        except (ValueError, TypeError, AttributeError):
            name, size = "?", 0
        return f"[{'图片' if kind == 'image' else '文件'}] {name}（{max(1, round(size / 1024))} KB）"
