"""The AI bot's (智能机器人) JSON bodies, the same over the callback and the long connection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.core.messages import Card, Choice, Extras, MediaRef, Quote

#: stream.content is at most 20480 UTF-8 bytes
STREAM_MAX_BYTES = 20480
_MENTION = re.compile(r"^\s*@\S+\s+")
_OPEN, _CLOSE, _QUOTE, _ESCAPE = frozenset(b"[{"), frozenset(b"]}"), 0x22, 0x5C


@dataclass(frozen=True, slots=True)
class AibotMessage:
    """One callback. `kind` is "message", "stream_refresh", "event" or "unknown".

    A message may quote another (`quote`) and carry images or files (`media`: in 1:1 chat only, each
    a URL valid five minutes, encrypted; on the long connection with its own `aeskey`). An event of
    type `template_card_event` is a click on one of the bot's cards (`choice`).
    """

    kind: str
    msgid: str
    user_id: str
    chat_id: str | None
    text: str
    stream_id: str
    event_type: str
    response_url: str
    quote: Quote | None = None
    media: tuple[MediaRef, ...] = ()
    choice: Choice | None = None

    @property
    def extras(self) -> Extras:
        return Extras(quote=self.quote, media=self.media, choice=self.choice)


def strip_mention(text: str) -> str:
    """Drop the leading `@名字` WeCom puts before a group message (the space may be U+2005)."""
    return _MENTION.sub("", text, count=1).strip()


def _field(body: Any, key: str) -> Any:
    """body[key] when body is an object; None for anything else a sender might put there."""
    return body.get(key) if isinstance(body, dict) else None


def _content(body: dict[str, Any], msgtype: str) -> str:
    if msgtype in ("text", "voice"):
        return str(_field(_field(body, msgtype), "content") or "")
    if msgtype == "mixed":
        items = _field(_field(body, "mixed"), "msg_item")
        return "\n".join(
            str(_field(_field(item, "text"), "content") or "")
            for item in (items if isinstance(items, list) else [])
            if _field(item, "msgtype") == "text"
        )
    return ""


def _media(body: dict[str, Any], msgtype: str) -> tuple[MediaRef, ...]:
    """The images and files of a message (an `image`, a `file`, the images of a `mixed`)."""
    if msgtype in ("image", "file"):
        items: list[Any] = [{"msgtype": msgtype, msgtype: _field(body, msgtype)}]
    elif msgtype == "mixed":
        found = _field(_field(body, "mixed"), "msg_item")
        items = found if isinstance(found, list) else []
    else:
        return ()
    refs = []
    for item in items:
        kind = str(_field(item, "msgtype") or "")
        if kind not in ("image", "file"):
            continue
        media = _object(_field(item, kind))
        url = str(media.get("url") or "")
        if url:
            refs.append(MediaRef(kind=kind, url=url, key=str(media.get("aeskey") or ""),
                                 name=str(media.get("filename") or media.get("name") or "")))
    return tuple(refs)


def _quote(body: dict[str, Any]) -> Quote | None:
    """The quoted message: its kind and text (a quoted `mixed` gives its text parts)."""
    quote = _object(body.get("quote"))
    kind = str(quote.get("msgtype") or "")
    if not kind:
        return None
    return Quote(kind=kind, text=_content(quote, kind) if kind in ("text", "voice", "mixed")
                 else str(_field(_field(quote, "markdown"), "content") or ""))


def _choice(event: dict[str, Any]) -> Choice | None:
    """A card click: the button's key (or the options chosen on a vote card) and the card's task_id."""
    card = _object(event.get("template_card_event"))
    if not card:
        return None
    selected: list[str] = []
    items = _field(_field(card, "selected_items"), "selected_item")
    for item in items if isinstance(items, list) else []:
        options = _field(_field(item, "option_ids"), "option_id")
        selected += [str(o) for o in (options if isinstance(options, list) else [])]
    return Choice(key=str(card.get("event_key") or ""), task_id=str(card.get("task_id") or ""),
                  card_type=str(card.get("card_type") or ""), selected=tuple(selected))


def _object(value: Any) -> dict[str, Any]:
    """A JSON object field, or an empty one when WeCom sent something else (odd input never raises)."""
    return value if isinstance(value, dict) else {}


def parse_callback(body: dict[str, Any]) -> AibotMessage:
    """Read a decrypted callback (or a long-connection frame body). Never raises on odd input."""
    msgtype = str(body.get("msgtype") or "")
    sender = _object(body.get("from"))
    stream = _object(body.get("stream"))
    event = _object(body.get("event"))
    if msgtype == "stream":
        kind = "stream_refresh"
    elif msgtype == "event":
        kind = "event"
    elif msgtype in ("text", "mixed", "voice", "image", "file"):
        kind = "message"
    else:
        kind = "unknown"
    text = strip_mention(_content(body, msgtype)) if kind == "message" else ""
    return AibotMessage(
        kind=kind,
        msgid=str(body.get("msgid") or ""),
        user_id=str(sender.get("userid") or ""),
        chat_id=str(body["chatid"]) if body.get("chatid") else None,
        text=text,
        stream_id=str(stream.get("id") or ""),
        event_type=str(event.get("eventtype") or ""),
        response_url=str(body.get("response_url") or ""),
        quote=_quote(body) if kind == "message" else None,
        media=_media(body, msgtype) if kind == "message" else (),
        choice=_choice(event) if kind == "event" else None,
    )


def clip_utf8(text: str, max_bytes: int) -> str:
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode(errors="ignore")


def stream_reply(stream_id: str, content: str, finish: bool) -> dict[str, Any]:
    """A `stream` reply: content is the full text so far (markdown)."""
    return {"msgtype": "stream",
            "stream": {"id": stream_id, "finish": finish, "content": clip_utf8(content, STREAM_MAX_BYTES)}}


def template_card(card: Card) -> dict[str, Any]:
    """A `button_interaction` card (≤ 6 buttons; style 1 is the main action, 2 a secondary one); a card
    without buttons (after a click) says where it stands in its subtitle."""
    body: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": clip_utf8(card.title, 120)},
        "sub_title_text": clip_utf8(card.text, 1000),
        "task_id": card.task_id,
        "button_list": [{"text": clip_utf8(b.text, 30), "style": 1 if b.primary else 2, "key": b.key}
                        for b in card.buttons[:6]],
    }
    return body


def stream_with_card(stream_id: str, content: str, card: Card) -> dict[str, Any]:
    """The finished answer with its buttons under it (`stream_with_template_card`)."""
    return {"msgtype": "stream_with_template_card",
            "stream": {"id": stream_id, "finish": True, "content": clip_utf8(content, STREAM_MAX_BYTES)},
            "template_card": template_card(card)}


def card_update(card: Card, user_id: str) -> dict[str, Any]:
    """The answer to a click: the clicked card (same task_id) as it now stands, for the one who clicked
    (callback: the passive reply; long connection: `aibot_respond_update_msg`). Must leave within 5 s."""
    return {"response_type": "update_template_card", "userids": [user_id], "template_card": template_card(card)}


def text_reply(content: str) -> dict[str, Any]:
    """A plain text reply (allowed for the enter_chat welcome)."""
    return {"msgtype": "text", "text": {"content": content}}


def markdown_push(chat_id: str, content: str, chat_type: int = 2) -> dict[str, Any]:
    """The body of an `aibot_send_msg` (chat_type 1 single, 2 group)."""
    return {"chatid": chat_id, "chat_type": chat_type, "msgtype": "markdown", "markdown": {"content": content}}


def media_push(chat_id: str, kind: str, media_id: str, chat_type: int = 2) -> dict[str, Any]:
    """An `aibot_send_msg` of an uploaded image or file (msgtype image|file with its media_id)."""
    return {"chatid": chat_id, "chat_type": chat_type, "msgtype": kind, kind: {"media_id": media_id}}


def json_depth_within(data: bytes | str, limit: int) -> bool:
    """Whether JSON text nests no deeper than `limit`, decided without parsing it (Python's
    parser recurses, and a few KB of `[` used to end in a RecursionError and a 500)."""
    raw = data.encode() if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return True  # no deeper than it has openers: every callback WeCom sends ends here, in C
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return False
        elif byte in _CLOSE:
            depth -= 1
    return True
