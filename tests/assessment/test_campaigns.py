"""A campaign as 台前's 百日竞赛 runs it: phases announced, its own weights, a base task, a closing bulletin.

百日竞赛 (2026-04-13 – 07-31), four phases after the seed (宣传发动 4/13, 洽谈招商 4/21, 签约落地 6/26,
总结考核 7/21), the seed's seven contests as weights, a base task of one signing ≥ 1亿 per unit and a
调度会 every 30 days. 春季攻坚 (03-01 – 04-30) has no weights of its own: [scoring] over its dates.

Campaign weights: 新上项目 (lead) 10, 拜访客商 (visit) 4, 邀请客商 (reception) 5, 签约个数 30,
签约资金 5 per 亿元, 资金到位 5 per 亿元, 竣工率 20 per completion; nothing else (no size bonus, no
on-time points).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import DatabaseSettings, Settings
from handlers.core.rules import Campaign, DocumentRules, Phase, ScheduleRules
from tests.assessment.conftest import Group
from tests.conftest import Chat

BAIRI = Campaign(
    name="百日竞赛", start=date(2026, 4, 13), end=date(2026, 7, 31),
    phases=[
        Phase(name="宣传发动", start=date(2026, 4, 13), end=date(2026, 4, 20)),
        Phase(name="洽谈招商", start=date(2026, 4, 21), end=date(2026, 6, 25)),
        Phase(name="签约落地", start=date(2026, 6, 26), end=date(2026, 7, 20)),
        Phase(name="总结考核", start=date(2026, 7, 21), end=date(2026, 7, 31)),
    ],
    weights={"新上项目": 10, "拜访客商": 4, "邀请客商": 5, "签约个数": 30, "签约资金": 5, "资金到位": 5, "竣工率": 20},
    base_task={"signings_over:10000": 1},
    meeting_every_days=30,
)
SPRING = Campaign(name="春季攻坚", start=date(2026, 3, 1), end=date(2026, 4, 30))


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database=DatabaseSettings(url=db_url), schedule=ScheduleRules(campaigns=[BAIRI, SPRING]),
                    documents=DocumentRules(folder=str(tmp_path / "通报")))


def spring_and_campaign(chat: Chat) -> None:
    # 横水镇 signs 2亿 on 10 April, before 百日竞赛 starts (in 春季攻坚 only).
    chat.send("hs_li", "签约：浙江华瑞智能装备有限公司智能装备产业园项目正式签约，总投资2亿元", at="2026-04-10 10:00")
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-04-15 10:00")
    chat.send("nf_wang", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-04-20 10:00")
    chat.send("kfq_chen", "拜访：今天赴苏州拜访企业3家", at="2026-04-25 10:00")


def test_the_campaign_ranking_in_chat_uses_its_dates_weights_and_base_task(chat: Chat) -> None:
    spring_and_campaign(chat)
    text = chat.send("county_boss", "百日竞赛排名", at="2026-05-10 10:00").text
    lines = text.splitlines()
    assert lines[0].startswith("**百日竞赛招商引资排名**")
    assert lines[1] == "🏆1. 卫庄镇 36分 优｜签约1（1.2亿元）"  # 30 + 1.2 × 5
    assert lines[2] == "🏆2. 开发区 12分 优｜外出3"  # 3 × 4
    assert lines[3] == "🏆3. 南樊镇 10分 优｜线索1（含大线索1）"  # 10, no big-lead extra in the campaign
    assert lines[4] == "⚠️4. 横水镇 0分 差｜未报送"  # its signing came before the campaign
    assert "活动时间4月13日—7月31日，当前为「洽谈招商」阶段，按活动权重计分" in text
    assert "**基本任务**（每个单位签约1亿元以上项目1个）：已完成1/5个单位（卫庄镇）" in text
    assert "尚未完成：南樊镇、横水镇、开发区、商务局" in text


def test_a_campaign_without_weights_ranks_its_dates_with_the_usual_weights(chat: Chat) -> None:
    spring_and_campaign(chat)
    text = chat.send("county_boss", "春季攻坚排名", at="2026-05-10 10:00").text
    lines = text.splitlines()
    # [scoring]: 横水镇 30 + 2 × 5 + 20 (过2亿) + 5 (on time) = 65; 卫庄镇 30 + 6 + 10 + 5 = 51;
    # 南樊镇 10 + 10 + 5 = 25; 开发区 12 + 5 = 17.
    assert lines[0].startswith("**春季攻坚招商引资排名**")
    assert lines[1:5] == ["🏆1. 横水镇 65分 优｜签约1（2亿元）", "🏆2. 卫庄镇 51分 优｜签约1（1.2亿元）",
                          "🏆3. 南樊镇 25分 优｜线索1（含大线索1）", "⚠️4. 开发区 17分 差｜外出3"]
    assert "按活动权重计分" not in text


def test_a_unit_sees_its_own_base_task_in_the_campaign(chat: Chat) -> None:
    spring_and_campaign(chat)
    own = chat.send("nf_wang", "我单位百日竞赛排名", at="2026-05-10 10:00").text
    assert own.startswith("**南樊镇 百日竞赛排名：第3名/共5个**（10分，优）")
    assert "基本任务（签约1亿元以上项目1个）：尚未完成，已完成签约1亿元以上项目0个" in own


def test_zsbot_rank_for_the_campaign_agrees_with_chat(chat: Chat, tmp_path: Path) -> None:
    spring_and_campaign(chat)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{chat.runtime.settings.database.url}"\n'
        "[[schedule.campaigns]]\n"
        'name = "百日竞赛"\nstart = 2026-04-13\nend = 2026-07-31\n'
        'weights = { "新上项目" = 10, "拜访客商" = 4, "邀请客商" = 5, "签约个数" = 30, "签约资金" = 5, "资金到位" = 5, '
        '"竣工率" = 20 }\n'
        'base_task = { "signings_over:10000" = 1 }\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["--config", str(config), "rank", "--period", "百日竞赛", "--json"])
    assert result.exit_code == 0, result.output
    scores = {u["unit"]: u["score"] for u in json.loads(result.output)}
    assert scores == {"卫庄镇": 36, "开发区": 12, "南樊镇": 10, "横水镇": 0, "商务局": 0}


def test_each_phase_is_announced_once_and_the_campaign_closes_with_its_ranking(chat: Chat, group: Group) -> None:
    spring_and_campaign(chat)
    chat.send("sw_sun", "签约：山东鲁信化工有限公司化工新材料项目正式签约，总投资1.5亿元", at="2026-08-01 10:00")
    group.run_jobs_until("2026-04-01 00:00", "2026-08-02 23:59")
    assert group.pushes("campaign-close:百日竞赛") == []  # not before the first workday after 31 July
    group.run_jobs_until("2026-08-03 00:00", "2026-08-05 23:59")
    group.run_jobs_until("2026-04-13 00:00", "2026-04-21 23:59")  # a rerun announces nothing twice
    phases = group.pushes("campaign-phases")
    assert [p.key for p in phases] == [f"campaign-phases:百日竞赛:phase:{n}" for n in ("宣传发动", "洽谈招商", "签约落地", "总结考核")]
    first, second = phases[0].body, phases[1].body
    assert first.startswith("**【百日竞赛】第1阶段「宣传发动」今天开始**（4月13日—4月20日）")
    assert "基本任务：每个单位签约1亿元以上项目1个。" in first and "前3" not in first
    # On 21 April: 卫庄镇 36 and 南樊镇 10 so far (开发区's visits come on the 25th).
    assert second.startswith("**【百日竞赛】第2阶段「洽谈招商」今天开始**（4月21日—6月25日）")
    assert "**前3**：卫庄镇、南樊镇（活动至今）" in second and "已完成1/5个单位（卫庄镇）" in second
    spring, close = group.pushes("campaign-close")
    # 春季攻坚 (ended 30 April) closed first.
    assert spring.key == "campaign-close:春季攻坚:close" and "**【春季攻坚总结通报】**" in spring.body
    # 31 July is a Friday: the closing bulletin goes out on Monday 3 August; 商务局's signing of
    # 1 August is after the campaign and does not count.
    assert close.key == "campaign-close:百日竞赛:close"
    body = close.body
    assert body.startswith("**【百日竞赛总结通报】**（2026年4月13日—7月31日，按活动权重计分）")
    assert "🏆1. 卫庄镇 36分 优｜签约1（1.2亿元）" in body and "⚠️4. 商务局 0分 差｜未报送" in body
    assert "**前3**：卫庄镇、开发区、南樊镇，予以通报表扬" in body and "**后3**：2个单位未报送" in body
    assert "已完成1/5个单位（卫庄镇）" in body


def test_a_phase_starting_on_a_sunday_is_announced_the_workday_before(chat: Chat, group: Group) -> None:
    # 1 March 2026 is a Sunday; Saturday 28 February is a 调休 workday (春节), so the notice goes then.
    group.run_jobs_until("2026-02-26 00:00", "2026-02-27 23:59")
    assert group.pushes("campaign-phases") == []
    group.run_jobs_until("2026-02-28 00:00", "2026-02-28 23:59")
    [notice] = group.pushes("campaign-phases")
    group.run_jobs_until("2026-03-01 00:00", "2026-03-02 23:59")
    assert len(group.pushes("campaign-phases")) == 1
    assert notice.key == "campaign-phases:春季攻坚:phase:春季攻坚"
    assert notice.body.startswith("**【春季攻坚】活动将于3月1日（周日）开始**（3月1日—4月30日）")


def test_the_campaigns_30_day_meeting_names_units_without_a_breakthrough(chat: Chat, group: Group) -> None:
    spring_and_campaign(chat)
    group.run_jobs_until("2026-05-12 00:00", "2026-05-13 23:59")
    [meeting] = group.pushes("meeting")
    # 13 April + 30 days = 13 May (a Wednesday).
    assert meeting.key == "meeting:百日竞赛:2026-05-13"
    assert meeting.body.startswith("**【百日竞赛工作调度会】5月13日会议用表：百日竞赛各单位情况**")
    assert ("请在会上说明原因并提出下步措施**（尚未完成基本任务、没有取得实质性突破）：南樊镇、横水镇、开发区、商务局"
            in meeting.body)
    assert {"nf_wang", "hs_li", "kfq_chen", "sw_sun"} <= set(meeting.mentions) and "wz_liu" not in meeting.mentions

