"""A report missing a required field becomes a draft; the next message within 30 minutes completes it."""

from __future__ import annotations

from ..conftest import Chat
from .test_reporting import records


def test_missing_amount_is_asked_for_and_the_answer_completes_the_lead(chat: Chat) -> None:
    first = chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟建设可降解塑料项目，投资额待定", at="2026-03-10 10:00")
    assert "草稿" in first.text and "投资金额" in first.text
    assert records(chat) == []
    done = chat.send("wz_liu", "8000万元", at="2026-03-10 10:20")
    assert "✅" in done.text and "8,000万元" in done.text
    [record] = records(chat)
    assert record.amount_wan == 8000 and record.company == "江苏恒润新材料有限公司"


def test_missing_place_of_a_visit_is_completed_by_a_bare_place(chat: Chat) -> None:
    first = chat.send("nf_wang", "今天外出拜访客商3家，重点对接了新能源电池回收项目", at="2026-03-10 10:00")
    assert "去了哪里" in first.text
    done = chat.send("nf_wang", "苏州", at="2026-03-10 10:05")
    assert "✅" in done.text
    [record] = records(chat)
    assert record.place == "苏州" and record.count == 3


def test_an_answer_after_30_minutes_is_told_the_draft_expired(chat: Chat) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟建设可降解塑料项目，投资额待定", at="2026-03-10 10:00")
    late = chat.send("wz_liu", "8000万元", at="2026-03-10 10:31")
    assert "作废" in late.text or "过期" in late.text
    assert records(chat) == []


def test_an_unrelated_answer_asks_again_and_keeps_the_draft(chat: Chat) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟建设可降解塑料项目，投资额待定", at="2026-03-10 10:00")
    again = chat.send("wz_liu", "好的", at="2026-03-10 10:01")
    assert "投资金额" in again.text
    done = chat.send("wz_liu", "五千万", at="2026-03-10 10:02")
    assert "5,000万元" in done.text


def test_a_new_full_report_is_not_taken_as_the_answer(chat: Chat) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟建设可降解塑料项目，投资额待定", at="2026-03-10 10:00")
    other = chat.send("wz_liu", "拜访：今天赴苏州拜访企业3家", at="2026-03-10 10:05")
    assert "外出招商" in other.text
    assert [r.kind for r in records(chat)] == ["visit"]
