"""A month of reports, reminders and bulletins, told day by day with a settable clock (March 2026).

March 2026: the 15th is a Sunday (its nag goes out on Friday the 13th), the 16th a Monday.
"""

from __future__ import annotations

from bot.runtime import build_runtime
from tests.assessment.conftest import Group
from tests.conftest import Chat, Clock

LEAD = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"
VISIT = "拜访：今天赴苏州拜访企业3家"
SIGNING = "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元"


def test_a_late_report_on_the_21st_counts_for_next_month_and_the_receipt_says_so(chat: Chat, clock: Clock) -> None:
    clock.set("2026-03-10 10:00")
    on_time = chat.send("wz_liu", LEAD)
    clock.set("2026-03-21 10:00")
    late = chat.send("nf_wang", SIGNING)
    assert "计入2026年3月" in on_time.text
    assert "计入2026年4月" in late.text and "视为没有" in late.text
    march = chat.send("county_boss", "排名", at="2026-03-20 18:00").text
    closed = chat.send("county_boss", "排名", at="2026-03-22 09:00").text  # after the deadline: March, final
    april = chat.send("county_boss", "4月排名", at="2026-03-22 09:00").text
    assert "2026年3月" in march and "南樊镇" in march and "未报送" in march.split("南樊镇")[1].splitlines()[0]
    assert closed.startswith("**2026年3月") and "未报送" in closed.split("南樊镇")[1].splitlines()[0]
    assert "以上为最终结果" in closed and "计入2026年4月" in closed
    assert "2026年4月" in april and "签约1" in april.split("南樊镇")[1].splitlines()[0]


def test_unit_that_has_not_reported_is_nagged_on_the_18th(chat: Chat, clock: Clock, group: Group) -> None:
    clock.set("2026-03-10 10:00")
    chat.send("wz_liu", LEAD)
    chat.send("nf_wang", VISIT)
    group.run_jobs_until("2026-03-01 00:00", "2026-03-18 09:00")
    nag = group.pushes("monthly-nag:2026-03:2026-03-18")
    assert len(nag) == 1
    assert "横水镇" in nag[0].body and "南樊镇" not in nag[0].body and "卫庄镇" not in nag[0].body
    assert set(nag[0].mentions) == {"hs_li", "kfq_chen", "sw_sun"}


def test_the_nag_due_on_sunday_the_15th_goes_out_on_friday_the_13th(chat: Chat, group: Group) -> None:
    group.run_jobs_until("2026-03-13 00:00", "2026-03-13 23:59")
    assert [p.key for p in group.pushes("monthly-nag")] == ["monthly-nag:2026-03:2026-03-15"]
    group.run_jobs_until("2026-03-14 00:00", "2026-03-17 23:59")
    assert len(group.pushes("monthly-nag")) == 1


def test_nags_during_spring_festival_go_out_once_on_the_make_up_saturday(chat: Chat, group: Group) -> None:
    """Feb 15–19, 2026 are holidays (春节); Saturday Feb 14 is a 调休 workday: one last-round nag then."""
    group.run_jobs_until("2026-02-01 00:00", "2026-02-13 23:59")
    assert group.pushes("monthly-nag") == []
    group.run_jobs_until("2026-02-14 00:00", "2026-02-14 23:59")
    nags = group.pushes("monthly-nag")
    assert [p.key for p in nags] == ["monthly-nag:2026-02:2026-02-19"]
    assert "wz_zhao" in nags[0].mentions
    group.run_jobs_until("2026-02-15 00:00", "2026-02-20 23:59")
    assert len(group.pushes("monthly-nag")) == 1


def test_only_the_last_nag_also_mentions_the_leaders(chat: Chat, group: Group) -> None:
    group.run_jobs_until("2026-03-18 00:00", "2026-03-19 23:59")
    on_18th, on_19th = group.pushes("monthly-nag:2026-03:2026-03-18"), group.pushes("monthly-nag:2026-03:2026-03-19")
    assert "wz_zhao" not in on_18th[0].mentions and "wz_liu" in on_18th[0].mentions
    assert {"wz_zhao", "wz_liu"} <= set(on_19th[0].mentions) and "最后一次提醒" in on_19th[0].body


def test_no_nag_when_every_unit_has_reported(chat: Chat, group: Group) -> None:
    for user in ("wz_liu", "nf_wang", "hs_li", "kfq_chen", "sw_sun"):
        chat.send(user, VISIT, at="2026-03-10 10:00")
    group.run_jobs_until("2026-03-11 00:00", "2026-03-19 23:59")
    assert group.pushes("monthly-nag") == []


def test_a_restart_between_two_nag_rounds_sends_nothing_twice(chat: Chat, group: Group) -> None:
    group.run_jobs_until("2026-03-01 00:00", "2026-03-18 12:00")
    restarted = build_runtime(chat.runtime.settings)
    try:
        again = Group(restarted)
        again.run_jobs_until("2026-03-01 00:00", "2026-03-19 12:00")
        keys = [p.key for p in again.pushes("monthly-nag")]
    finally:
        restarted.engine.dispose()
    assert keys == ["monthly-nag:2026-03:2026-03-15", "monthly-nag:2026-03:2026-03-18",
                    "monthly-nag:2026-03:2026-03-19"]


def test_job_run_twice_never_double_sends(chat: Chat, group: Group) -> None:
    first = group.job_run("monthly-nag", "2026-03-18 09:00")
    second = group.job_run("monthly-nag", "2026-03-18 15:00")
    group.run_jobs_until("2026-03-18 00:00", "2026-03-18 23:59")
    assert [o.status for o in first + second] == ["sent", "already"]
    assert len(group.pushes("monthly-nag")) == 1


def test_the_overdue_list_on_the_21st_names_who_missed_the_deadline(chat: Chat, group: Group) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("hs_li", VISIT, at="2026-03-21 08:00")  # too late for March
    group.run_jobs_until("2026-03-20 00:00", "2026-03-22 23:59")
    overdue = group.pushes("overdue-list")
    assert [p.key for p in overdue] == ["overdue-list:2026-03:overdue"]
    assert "视为没有" in overdue[0].body and "横水镇" in overdue[0].body and "卫庄镇" not in overdue[0].body


def test_the_bulletin_on_the_16th_shows_tiers_signings_and_the_top_and_bottom_three(
    chat: Chat, clock: Clock, group: Group
) -> None:
    clock.set("2026-03-10 10:00")
    chat.send("wz_liu", LEAD)
    chat.send("wz_liu", SIGNING)
    chat.send("nf_wang", "线索：浙江华瑞智能装备有限公司拟投资2.5亿元建设智能装备产业园项目")
    chat.send("kfq_chen", VISIT)
    group.run_jobs_until("2026-03-16 00:00", "2026-03-16 23:59")
    [bulletin] = group.pushes("bulletin")
    body = bulletin.body
    assert bulletin.key == "bulletin:2026-03:2026-03-16" and "半月通报" in body
    assert "新增线索** 2个" in body and "过2亿元 1个" in body and "过5亿元 0个" in body
    assert "**签约** 1个 1.2亿元" in body
    assert "**前3**：卫庄镇、南樊镇、开发区" in body
    # The two at the bottom did not report: they are counted as such, not named as a bottom three.
    assert "**后3**：2个单位未报送" in body and "⚠️4. 横水镇 0分 差｜未报送" in body

