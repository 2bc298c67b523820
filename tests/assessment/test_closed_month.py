"""After the deadline, leaders want the month just closed: its final table in chat and on the 1st.

March 2026 (deadline the 20th). Scores by the default weights: a lead ≥ 3000万 is 10 + 10 (big) and a
visit report of 3 companies 3 × 4; a signing of 1.2亿 is 30 + 1.2 × 5 + 10 (过1亿 tier); every unit
that reported in the month gets 5 for reporting on time.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.core.roster import import_roster, read_rows
from handlers.core.rules import DocumentRules, ScheduleRules
from storage.store import unit_of_work
from tests.assessment.conftest import Group
from tests.conftest import FIXTURES, Chat, Clock

LEAD = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"
LEAD_2 = "线索：浙江华瑞智能装备有限公司拟投资2.5亿元建设智能装备产业园项目"
VISIT = "拜访：今天赴苏州拜访企业3家"
VISIT_1 = "拜访：今天赴南京拜访企业1家"
SIGNING = "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元"


def march(chat: Chat) -> None:
    """卫庄镇 signs (51 = 30 + 6 + 10 + 5), 南樊镇 a lead (25 = 10 + 10 + 5), 开发区 visits 3 (17 = 12 + 5),
    横水镇 visits 1 (9 = 4 + 5); 商务局 reports nothing. 南樊镇's signing on the 21st counts for April."""
    chat.send("wz_liu", SIGNING, at="2026-03-05 10:00")
    chat.send("nf_wang", LEAD, at="2026-03-10 10:00")
    chat.send("kfq_chen", VISIT, at="2026-03-12 10:00")
    chat.send("hs_li", VISIT_1, at="2026-03-20 23:00")
    chat.send("nf_wang", "签约：浙江华瑞智能装备有限公司智能装备产业园项目正式签约，总投资2.5亿元", at="2026-03-21 09:00")


def test_after_the_deadline_the_ranking_is_the_closed_months_final_table(chat: Chat) -> None:
    march(chat)
    text = chat.send("county_boss", "排名", at="2026-03-25 10:00").text
    lines = text.splitlines()
    assert lines[0].startswith("**2026年3月招商引资排名**")
    assert lines[1] == "🏆1. 卫庄镇 51分 优｜签约1（1.2亿元）"
    assert lines[2] == "🏆2. 南樊镇 25分 优｜线索1（含大线索1）"  # the 21st's signing is April's
    assert lines[3] == "🏆3. 开发区 17分 优｜外出3"
    assert lines[4] == "⚠️4. 横水镇 9分 差｜外出1"
    assert lines[5] == "⚠️5. 商务局 0分 差｜未报送"
    assert "以上为最终结果" in text and "此后报送的计入2026年4月" in text and "「4月排名」" in text


def test_before_the_deadline_and_for_a_named_month_the_ranking_is_unchanged(chat: Chat) -> None:
    march(chat)
    on_the_20th = chat.send("county_boss", "排名", at="2026-03-20 18:00").text
    assert on_the_20th.startswith("**2026年3月") and "最终结果" not in on_the_20th
    april = chat.send("county_boss", "4月排名", at="2026-03-25 10:00").text
    # April so far: 南樊镇's signing of 2.5亿 = 30 + 12.5 + 20 (过2亿 tier) + 5.
    assert april.startswith("**2026年4月") and "🏆1. 南樊镇 67.5分 优｜签约1（2.5亿元）" in april
    assert "最终结果" not in april
    named = chat.send("county_boss", "3月排名", at="2026-03-25 10:00").text
    assert named.startswith("**2026年3月") and "最终结果" not in named


def test_after_the_deadline_the_county_summary_and_a_liaisons_list_are_the_closed_month(chat: Chat) -> None:
    march(chat)
    county = chat.send("county_boss", "本月情况", at="2026-03-28 10:00").text
    assert county.startswith("**2026年3月各单位报送情况**（已报送4/5）")
    assert "南樊镇：线索1（含大线索1）" in county and "计入2026年4月" in county
    own = chat.send("nf_wang", "汇总", at="2026-03-28 10:00").text
    assert "南樊镇2026年3月已登记1条" in own and "线索" in own and "签约" not in own.split("已登记")[1].split("（")[0]
    assert "「4月汇总」" in own
    april = chat.send("nf_wang", "4月汇总", at="2026-03-28 10:00").text
    assert "南樊镇2026年4月已登记1条" in april


def test_the_bulletin_on_the_1st_is_the_closed_months_final_with_grades(chat: Chat, group: Group) -> None:
    march(chat)
    group.run_jobs_until("2026-03-21 00:00", "2026-04-01 23:59")
    [bulletin] = group.pushes("bulletin")
    body = bulletin.body
    assert bulletin.key == "bulletin:2026-03:2026-04-01"
    assert body.startswith("**【半月通报】2026年3月**（最终结果，3月20日报送截止）")
    assert "🏆1. 卫庄镇 51分 优｜签约1（1.2亿元）" in body and "🏆2. 南樊镇 25分 优｜" in body
    assert "⚠️4. 横水镇 9分 差｜外出1" in body
    # Bottom three: 横水镇 reported and is named; 商务局 did not and is counted, not named as bottom.
    assert "**后3**：横水镇，请加快进度；另有1个单位未报送" in body
    assert "**签约** 1个 1.2亿元" in body  # the signing of the 21st is April's


def test_a_month_of_ties_at_zero_names_no_bottom_three(chat: Chat, group: Group) -> None:
    chat.send("wz_liu", LEAD, at="2026-04-10 10:00")
    group.run_jobs_until("2026-04-21 00:00", "2026-05-31 23:59")
    final = group.pushes("bulletin:2026-04:")
    # 1 May 2026 is a holiday (劳动节 1–5 May): the final bulletin of April goes out on Wednesday 6 May
    # (the round keeps its nominal day's name).
    assert [p.key for p in final] == ["bulletin:2026-04:2026-05-01"] and "（截至" not in final[0].body
    assert "**后3**：4个单位未报送，请抓紧报送" in final[0].body and "**前3**：卫庄镇" in final[0].body
    [mid_may] = group.pushes("bulletin:2026-05:")
    # Mid-May: nobody has reported for May; no ten-unit (here five-unit) bottom three, no top.
    assert mid_may.key == "bulletin:2026-05:2026-05-16" and "（截至5月18日）" in mid_may.body
    assert "**后3**：5个单位未报送" in mid_may.body and "前3" not in mid_may.body


def test_replaying_a_date_sees_only_what_had_been_reported_by_then(chat: Chat, group: Group) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("nf_wang", LEAD_2, at="2026-03-12 10:00")
    chat.send("kfq_chen", VISIT, at="2026-03-17 10:00")
    # Now, on the 20th, replay the 11th: only 卫庄镇's lead existed.
    [bulletin] = group.job_run("bulletin", "2026-03-11 09:30")
    assert bulletin.status == "sent"
    body = group.text("bulletin")
    assert "已报送 1/5 个单位" in body and "🏆1. 卫庄镇 25分 优" in body and "新增线索** 1个" in body
    [nag] = group.job_run("monthly-nag", "2026-03-16 09:00")
    assert nag.status == "sent"
    nag_body = group.text("monthly-nag")
    assert "还有3个单位未报送：横水镇、开发区、商务局" in nag_body  # 开发区 reported on the 17th


def test_a_weekly_bulletin_is_titled_by_its_schedule(tmp_path: Path) -> None:
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'weekly.db'}"),
                        schedule=ScheduleRules(bulletin_days=[1, 8, 15, 22]),
                        documents=DocumentRules(folder=str(tmp_path / "通报")))
    runtime = build_runtime(settings)
    try:
        with unit_of_work(runtime.engine) as store:
            import_roster(read_rows(FIXTURES / "roster.csv"), store)
        Chat(runtime, Clock()).send("wz_liu", LEAD, at="2026-03-05 10:00")
        group = Group(runtime)
        group.run_jobs_until("2026-03-07 00:00", "2026-04-02 23:59")
        keys = [p.key for p in group.pushes("bulletin")]
        # 8 March is a Sunday (→ Mon 9th), 15 March too (→ 16th); 22 March a Sunday (→ 23rd): the first
        # after the deadline, March's final; 1 April: April so far.
        assert keys == ["bulletin:2026-03:2026-03-08", "bulletin:2026-03:2026-03-15", "bulletin:2026-03:2026-03-22",
                        "bulletin:2026-04:2026-04-01"]
        bodies = [p.body for p in group.pushes("bulletin")]
        assert all(b.startswith("**【周通报】") for b in bodies) and "半月通报" not in "".join(bodies)
        assert "（最终结果，3月20日报送截止）" in bodies[2] and "（截至4月1日）" in bodies[3]
    finally:
        runtime.engine.dispose()


def test_job_run_at_a_past_date_from_the_command_line_replays_that_day(chat: Chat, tmp_path: Path) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("nf_wang", LEAD_2, at="2026-03-12 10:00")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{chat.runtime.settings.database.url}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "job", "run", "bulletin", "--at", "2026-03-11T09:30"])
    assert result.exit_code == 0, result.output
    assert "已报送 1/5 个单位" in result.output and "🏆1. 卫庄镇 25分 优" in result.output
