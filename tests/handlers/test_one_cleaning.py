"""Issue 21 on the handlers' side: a message is cleaned once (`nlp.clean`), its length counted as sent,
a draft's answer read by `nlp.parse_answer`, and a report label (the parser's `label`) is never an answer."""

from __future__ import annotations

import pytest

import nlp.text

from ..conftest import Chat
from .test_reporting import records

LEAD = "线索：苏州汇川技术有限公司拟投资5000万元建设伺服电机生产线项目"


def test_a_message_is_tidied_once_on_its_way_through_the_core(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    tidy = nlp.text._tidy

    def counted(text: str) -> str:
        calls.append(text)
        return tidy(text)

    monkeypatch.setattr(nlp.text, "_tidy", counted)
    reply = chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    assert "✅" in reply.text
    assert calls == [LEAD]


def test_the_length_limit_counts_emoji_as_the_sender_sees_them(chat: Chat) -> None:
    limit = chat.runtime.bot.rules.reporting.max_message_chars
    reply = chat.send("wz_liu", LEAD + "🙂" * (limit - len(LEAD) + 1), at="2026-03-10 10:00")
    assert f"超过{limit}字" in reply.text
    assert records(chat) == []


def test_a_labelled_report_of_another_kind_leaves_the_draft_open(chat: Chat) -> None:
    """`接待洽谈：` is a label of the parser's (one list of label words): a report of its own, not the amount."""
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟建设可降解塑料项目，投资额待定", at="2026-03-10 10:00")
    other = chat.send("wz_liu", "接待洽谈：今天接待了苏州客商一行", at="2026-03-10 10:05")
    assert "没看懂" not in other.text
    done = chat.send("wz_liu", "8000万元", at="2026-03-10 10:06")
    assert "✅" in done.text and "8,000万元" in done.text

