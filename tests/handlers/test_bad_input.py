"""Bad input gets a clear, polite reply, never a traceback, and never loses what was stored."""

from __future__ import annotations

import pytest

from handlers.dispatch import APOLOGY

from ..conftest import Chat
from .test_reporting import records


@pytest.fixture
def one_lead(chat: Chat) -> Chat:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00")
    return chat


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n  ",
        "\x00\x01\x02\ufffd\ufffe binary junk \x7f",
        "线索'; DROP TABLE record; --",
        "我的上报' OR '1'='1",
        "🙂" * 300,
        "\ud800 lone surrogate \udfff",
    ],
)
def test_odd_messages_get_a_reply_and_keep_earlier_records(one_lead: Chat, text: str) -> None:
    reply = one_lead.send("wz_liu", text, at="2026-03-10 11:00")
    assert reply.text and reply.text != APOLOGY and "Traceback" not in reply.text
    assert len([r for r in records(one_lead) if r.status == "active"]) == 1


def test_a_100_kb_message_is_refused_with_a_request_to_split(one_lead: Chat) -> None:
    reply = one_lead.send("wz_liu", "线索：" + "很长的内容" * 20000, at="2026-03-10 11:00")
    assert "分成几条" in reply.text and not reply.stored
    assert len(records(one_lead)) == 1
