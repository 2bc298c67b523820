"""Asking the bot in chat: 排名, 未报送, 我的上报 — for the period of the moment it is asked."""

from __future__ import annotations

from tests.conftest import Chat

LEAD = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"
VISIT = "拜访：今天赴苏州拜访企业3家"


def test_the_whole_table_marks_the_top_three_and_the_bottom_three(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("nf_wang", VISIT, at="2026-03-10 10:00")
    text = chat.send("hs_li", "排名", at="2026-03-12 10:00").text
    lines = text.splitlines()
    assert "2026年3月" in lines[0]
    assert lines[1].startswith("🏆1. 卫庄镇") and lines[2].startswith("🏆2. 南樊镇")
    assert all(line.startswith("⚠️3.") for line in lines[3:6])
    assert "本单位横水镇：第3名" in text


def test_not_reported_lists_units_without_a_counted_report_this_period(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    reply = chat.send("hs_li", "未报送", at="2026-03-12 10:00").text
    assert "南樊镇" in reply and "卫庄镇" not in reply and "距截止还有8天" in reply
    assert "本单位横水镇尚未报送" in reply


def test_my_reports_lists_this_periods_records_with_their_numbers(chat: Chat) -> None:
    first = chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("wz_liu", VISIT, at="2026-03-21 10:00")  # counts for April
    reply = chat.send("wz_liu", "我的上报", at="2026-03-12 10:00").text
    assert f"#{first.records[0]} 线索" in reply and "外出招商" not in reply and "已登记1条" in reply


def test_a_county_leader_sees_every_unit_and_a_liaison_their_own(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    county = chat.send("county_boss", "本月情况", at="2026-03-12 10:00").text
    own = chat.send("nf_wang", "本月情况", at="2026-03-12 10:00").text
    assert "已报送1/5" in county and "商务局：未报送" in county
    assert "南樊镇" in own and "卫庄镇" not in own
