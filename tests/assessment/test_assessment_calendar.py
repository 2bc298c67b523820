"""半年提醒、年末考核、每月调度 (seed 003): the half-year ranking with targets against 50 % 序时进度 on the
first workday of July, the annual assessment after December's deadline, and the 调度会's table.

Targets: every unit signs 5,000万元 a year; 商务局 instead finds 2 leads ≥ 3000万. Default weights: a
signing is 30 + 5 per 亿 + its size bonus (过1亿 10, 过2亿 20); a lead ≥ 3000万 10 + 10; a visit 4 per
company; 5 per month in which the unit reported on time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DatabaseSettings, Settings
from handlers.core.rules import DocumentRules, ScheduleRules, ScoringRules, UnitTarget
from storage.media import Media
from tests.assessment.conftest import Group
from tests.conftest import Chat


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database=DatabaseSettings(url=db_url), documents=DocumentRules(folder=str(tmp_path / "通报")),
        schedule=ScheduleRules(meeting_days=[25]),
        scoring=ScoringRules(targets={"*": UnitTarget(amount_wan=5000), "商务局": UnitTarget(big_leads=2)}),
    )


def first_half(chat: Chat) -> None:
    chat.send("hs_li", "签约：浙江华瑞智能装备有限公司智能装备产业园项目正式签约，总投资2亿元", at="2026-04-10 10:00")
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-04-15 10:00")
    chat.send("nf_wang", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-04-20 10:00")
    chat.send("kfq_chen", "拜访：今天赴苏州拜访企业3家", at="2026-04-25 10:00")
    chat.send("nf_wang", "签约：安徽同创食品有限公司食品加工项目正式签约，总投资2000万元", at="2026-05-05 10:00")
    # After June's deadline: July's, not the first half's.
    chat.send("sw_sun", "签约：山东鲁信化工有限公司化工新材料项目正式签约，总投资1亿元", at="2026-06-25 10:00")


def test_the_first_workday_of_july_brings_the_half_years_ranking_and_targets(chat: Chat, group: Group) -> None:
    first_half(chat)
    group.run_jobs_until("2026-06-29 00:00", "2026-06-30 23:59")
    assert group.pushes("half-year") == []
    group.run_jobs_until("2026-07-01 00:00", "2026-07-03 23:59")  # 1 July 2026 is a Wednesday
    [push] = group.pushes("half-year")
    assert push.key == "half-year:2026-H1:half-year"
    body = push.body
    assert body.startswith("**【半年提醒】2026年上半年招商引资排名**（时间过半，序时进度50%）")
    # 横水镇 30 + 10 + 20 + 5 = 65; 南樊镇 lead 20 + signing 30 + 1 + two months on time 10 = 61;
    # 卫庄镇 30 + 6 + 10 + 5 = 51; 开发区 12 + 5 = 17; 商务局 0 (its signing counts for July).
    assert ("🏆1. 横水镇 65分 优｜签约1（2亿元）\n🏆2. 南樊镇 61分 优｜线索1（含大线索1）·签约1（2,000万元）\n"
            "🏆3. 卫庄镇 51分 优｜签约1（1.2亿元）\n⚠️4. 开发区 17分 差｜外出3\n⚠️5. 商务局 0分 差｜未报送") in body
    assert "**后3**：开发区，请加快进度；另有1个单位未报送" in body
    # Against 50 %: 2亿/5000万 = 400 % (+350), 2000万/5000万 = 40 % (−10), 1.2亿/5000万 = 240 % (+190),
    # 0 % (−50), 商务局 0 of 2 big leads (−50).
    assert "✅ 横水镇：签约2亿元，完成年度目标的400%，超序时进度350个百分点（目标5,000万元）" in body
    assert "⚠️ 南樊镇：签约2,000万元，完成年度目标的40%，落后序时进度10个百分点（目标5,000万元）" in body
    assert "✅ 卫庄镇：签约1.2亿元，完成年度目标的240%，超序时进度190个百分点（目标5,000万元）" in body
    assert "⚠️ 开发区：签约0万元，完成年度目标的0%，落后序时进度50个百分点（目标5,000万元）" in body
    assert "⚠️ 商务局：3,000万元以上线索0个，完成年度目标的0%，落后序时进度50个百分点（目标2个）" in body
    assert "**未达到序时进度**：南樊镇、开发区、商务局" in body


def test_after_decembers_deadline_the_annual_assessment_names_top_and_bottom_three(chat: Chat, group: Group) -> None:
    first_half(chat)
    group.run_jobs_until("2026-12-18 00:00", "2026-12-20 23:59")
    assert group.pushes("year-end") == []
    group.run_jobs_until("2026-12-21 00:00", "2026-12-21 23:59")  # the day after the 20th, a Monday
    [push] = group.pushes("year-end")
    assert push.key == "year-end:2026:year-end"
    body = push.body
    assert body.startswith("**【年末考核】2026年度招商引资考核结果**（共5个单位）")
    # The year adds 商务局's signing of 1亿: 30 + 5 + 10 + 5 = 50.
    assert "⚠️4. 商务局 50分 差｜签约1（1亿元）" in body and "⚠️5. 开发区 17分 差｜外出3" in body
    assert "**前3**：横水镇、南樊镇、卫庄镇，给予奖励" in body
    assert "**后3**：商务局、开发区，进行警诫约谈" in body
    assert "⚠️ 南樊镇：签约2,000万元，完成年度目标的40%，落后序时进度60个百分点（目标5,000万元）" in body
    assert "✅ 卫庄镇：签约1.2亿元，完成年度目标的240%，超序时进度140个百分点（目标5,000万元）" in body
    assert "**未完成年度任务**：南樊镇、商务局、开发区" in body
    # The year's bulletin is followed, like the month's final, by its chart, the pipeline and the 通报.
    media = [(m.key.rsplit(":", 1)[1], Media.of(m.kind, m.body).name) for m in group.media("year-end")]
    assert media == [("chart", "排名图-2026.png"), ("pipeline", "项目推进-2026.png"),
                     ("docx", "关于2026年度全县招商引资工作情况的通报.docx")]


def test_the_monthly_meeting_gets_the_closed_months_table_laggards_and_stale_projects(
    chat: Chat, group: Group
) -> None:
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-01-05 10:00")
    chat.send("nf_wang", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00")
    chat.send("kfq_chen", "拜访：今天赴苏州拜访企业3家", at="2026-03-12 10:00")
    chat.send("hs_li", "拜访：今天赴南京拜访企业1家", at="2026-03-20 10:00")
    group.run_jobs_until("2026-03-24 00:00", "2026-03-25 23:59")
    [meeting] = group.pushes("meeting")
    assert meeting.key == "meeting:2026-03:2026-03-25"
    body = meeting.body
    assert body.startswith("**【调度会】3月25日会议用表：2026年3月各单位情况**（截至3月25日）")
    # March: 南樊镇 25, 开发区 17, 横水镇 9 (4 + 5); 卫庄镇 and 商务局 reported nothing.
    assert "🏆3. 横水镇 9分 优｜外出1" in body and "⚠️4. 卫庄镇 0分 差｜未报送" in body
    assert "请在会上说明原因并提出下步措施**（排名靠后或未报送）：卫庄镇（未报送）、商务局（未报送）" in body
    # Signed on 5 January, nothing since: 79 days by 25 March, more than stale_days (60).
    assert "**签约后超过60天无进展的项目**（1个）" in body
    assert "卫庄镇 深圳澄峰新能源科技有限公司（1.2亿元，1月5日后无进展）" in body
    assert set(meeting.mentions) == {"wz_liu", "wz_zhao", "sw_sun"}


def test_a_meeting_on_a_holiday_is_prepared_the_workday_before(chat: Chat, group: Group) -> None:
    # 25 September 2026 is 中秋节 (a Friday off): the table goes out on Thursday the 24th.
    group.run_jobs_until("2026-09-24 00:00", "2026-09-24 23:59")
    assert [p.key for p in group.pushes("meeting")] == ["meeting:2026-09:2026-09-25"]
    group.run_jobs_until("2026-09-25 00:00", "2026-09-28 23:59")
    assert len(group.pushes("meeting")) == 1
