"""The self-built app's XML: the outer envelope, the decrypted message, the passive reply.

Parsed with defusedxml only (entity expansion and external references are refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring


class MalformedXml(Exception):
    """Not the XML WeCom sends: answer 400."""


#: The event a member's edit of a smart sheet the app created sends to the app's callback.
SMART_SHEET_CHANGE = "smart_sheet_change"


@dataclass(frozen=True, slots=True)
class SheetChange:
    """`update_record`/`add_record`/`delete_record` (and field changes) on one sheet of one document."""

    change_type: str
    doc_id: str
    sheet_id: str
    record_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AppMessage:
    """One decrypted app callback. Unknown types keep `msg_type` and carry no text; an image (or a file)
    carries its `MediaId`, which the app's token fetches (`media/get`, plain bytes) for 佐证."""

    msg_type: str
    to_user: str
    from_user: str
    create_time: int
    msg_id: str
    content: str
    agent_id: str
    event: str
    #: A smart sheet event (`smart_sheet_change`): what changed where (ChangeType, DocId, SheetId, RecordId…).
    sheet_change: SheetChange | None = None
    media_id: str = ""
    file_name: str = ""

    @property
    def is_text(self) -> bool:
        return self.msg_type == "text"

    @property
    def media_kind(self) -> str:
        """"image" or "file" when the message carries one with its MediaId, else ""."""
        return self.msg_type if self.msg_type in ("image", "file") and self.media_id else ""


def _parse(data: bytes | str) -> Element:
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedXml(type(exc).__name__) from None
    if root.tag != "xml":
        raise MalformedXml("root element is not <xml>")
    element: Element = root
    return element


def _text(root: Element, tag: str) -> str:
    node = root.find(tag)
    return (node.text or "").strip() if node is not None else ""


def envelope_encrypt(body: bytes) -> str:
    """The <Encrypt> of a callback body."""
    encrypt = _text(_parse(body), "Encrypt")
    if not encrypt:
        raise MalformedXml("no <Encrypt>")
    return encrypt


def parse_message(xml: str) -> AppMessage:
    root = _parse(xml)
    msg_type = _text(root, "MsgType")
    from_user = _text(root, "FromUserName")
    if not msg_type or not from_user:
        raise MalformedXml("no MsgType or FromUserName")
    try:
        create_time = int(_text(root, "CreateTime") or 0)
    except ValueError:
        raise MalformedXml("CreateTime is not a number") from None
    node = root.find("Content")
    event = _text(root, "Event")
    sheet_change = None
    if msg_type == "event" and event == SMART_SHEET_CHANGE:
        sheet_change = SheetChange(
            change_type=_text(root, "ChangeType"), doc_id=_text(root, "DocId"), sheet_id=_text(root, "SheetId"),
            record_ids=tuple(t for t in ((n.text or "").strip() for n in root.findall("RecordId")) if t))
    return AppMessage(
        msg_type=msg_type,
        to_user=_text(root, "ToUserName"),
        from_user=from_user,
        create_time=create_time,
        msg_id=_text(root, "MsgId"),
        content=(node.text or "") if node is not None else "",
        agent_id=_text(root, "AgentID"),
        event=event,
        sheet_change=sheet_change,
        media_id=_text(root, "MediaId"),
        file_name=_text(root, "FileName") or _text(root, "Title"),
    )


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(message: AppMessage, text: str, create_time: int) -> str:
    """The plaintext passive reply: to the sender, from the corp, in the same agent."""
    agent = f"<AgentID>{escape(message.agent_id)}</AgentID>" if message.agent_id else ""
    return (
        f"<xml><ToUserName>{_cdata(message.from_user)}</ToUserName>"
        f"<FromUserName>{_cdata(message.to_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(text)}</Content>{agent}</xml>"
    )
