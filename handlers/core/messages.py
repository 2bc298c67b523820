"""What every transport hands the core, and what it gets back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Quote:
    """The message a reply quotes (WeCom sends it with the reply): its kind and its text, if any.

    A quoted receipt names its records (`#15`), so `更正`/`撤回`/`归入` in the reply act on them.
    """

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class MediaRef:
    """An image or file as it arrived: where the edge fetches it from, and what opens it.

    WeCom's media URLs live five minutes and are encrypted (AES-256-CBC; `key` is the per-URL key on the
    long connection, empty in callback mode where the bot's own key opens it). Handlers never fetch:
    the edge turns refs into `Attachment`s before handling.
    """

    kind: str  # "image" | "file"
    url: str
    key: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the sender attached, fetched, checked and stored by the edge (or why it could not be)."""

    kind: str
    name: str
    #: Where the file lies (under `[evidence] folder`); empty when it could not be fetched.
    path: str = ""
    size: int = 0
    sha256: str = ""
    #: Why it is not there, in words for the sender (expired link, too large, not a document).
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """A click on a card the bot sent: the key of the button (or the options voted), and the card."""

    key: str
    task_id: str
    card_type: str = ""
    selected: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Button:
    """One button of a card: what it says, and the key its click comes back with (`confirm:15`)."""

    key: str
    text: str
    #: The main action (highlighted) or a secondary one.
    primary: bool = True


@dataclass(frozen=True, slots=True)
class Card:
    """Buttons under an answer (WeCom's template card, where the channel can show one); the answer's text
    says the same in words, so typed commands always work where cards are not shown."""

    task_id: str
    title: str
    text: str
    buttons: tuple[Button, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"task_id": self.task_id, "title": self.title, "text": self.text,
                           "buttons": [[b.key, b.text, b.primary] for b in self.buttons]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | None) -> Card | None:
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return cls(str(data["task_id"]), str(data["title"]), str(data["text"]),
                       tuple(Button(str(k), str(t), bool(p)) for k, t, p in data.get("buttons") or ()))
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True, slots=True)
class Extras:
    """What a message carries besides its text; stored with it in the inbox as JSON before the acknowledgement."""

    quote: Quote | None = None
    media: tuple[MediaRef, ...] = ()
    choice: Choice | None = None

    def __bool__(self) -> bool:
        return self.quote is not None or bool(self.media) or self.choice is not None

    def to_json(self) -> str | None:
        """None for a plain message (most are): the column stays NULL."""
        if not self:
            return None
        data: dict[str, Any] = {}
        if self.quote is not None:
            data["quote"] = {"kind": self.quote.kind, "text": self.quote.text}
        if self.media:
            data["media"] = [{"kind": m.kind, "url": m.url, "key": m.key, "name": m.name} for m in self.media]
        if self.choice is not None:
            data["choice"] = {"key": self.choice.key, "task_id": self.choice.task_id,
                              "card_type": self.choice.card_type, "selected": list(self.choice.selected)}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | None) -> Extras:
        """The stored extras; anything unreadable reads as none (the text is still handled)."""
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        quote = data.get("quote")
        choice = data.get("choice")
        media = data.get("media")
        return cls(
            quote=Quote(str(quote.get("kind") or ""), str(quote.get("text") or "")) if isinstance(quote, dict) else None,
            media=tuple(MediaRef(str(m.get("kind") or ""), str(m.get("url") or ""), str(m.get("key") or ""),
                                 str(m.get("name") or ""))
                        for m in (media if isinstance(media, list) else []) if isinstance(m, dict)),
            choice=Choice(str(choice.get("key") or ""), str(choice.get("task_id") or ""),
                          str(choice.get("card_type") or ""),
                          tuple(str(s) for s in choice["selected"]) if isinstance(choice.get("selected"), list) else ())
            if isinstance(choice, dict) else None,
        )


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from one person, whatever the channel it came through."""

    channel: str
    msg_id: str
    user_id: str
    text: str
    at: datetime
    chat_id: str | None = None
    #: The message this one replies to (WeCom's quote), if any.
    quote: Quote | None = None
    #: Images and files the sender attached, fetched by the edge.
    attachments: tuple[Attachment, ...] = ()
    #: A click on one of the bot's cards, if that is what this is.
    choice: Choice | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("Incoming.at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Reply:
    """The bot's answer to the sender. `mentions` are userids to @ where the channel can."""

    text: str
    mentions: tuple[str, ...] = ()
    #: True when the message was a redelivery: nothing new happened.
    duplicate: bool = False
    #: Whether anything was stored (a record, a draft, a correction …).
    stored: bool = False
    records: tuple[int, ...] = field(default=())
    #: Buttons that go with the answer (shown where the channel can), or a card updated after a click.
    card: Card | None = None
