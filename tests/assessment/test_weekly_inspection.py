"""每周督查通报 (seed 004: "每周编发一期督查通报"): this week's reports by unit, the silent units, stalled
signed projects, then the ranking chart; on the configured weekday, a day earlier when it is a holiday."""

from __future__ import annotations

from datetime import date

from handlers.core.rules import Rules, ScheduleRules
from handlers.core.workdays import Workdays
from handlers.jobs import job_named
from tests.conftest import Chat

from .conftest import Group


def test_the_weekly_inspection_names_this_weeks_reports_and_the_silent_units(chat: Chat, group: Group) -> None:
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-03-06 10:00")  # last week
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-09 10:00")
    chat.send("nf_wang", "线索：浙江绿源环保科技有限公司拟投资5000万元建设固废处理项目", at="2026-03-11 15:00")
    chat.send("nf_wang", "接待：上海华谊集团考察团一行来我镇考察洽谈新材料项目", at="2026-03-12 11:00")
    [outcome] = group.job_run("weekly-inspection", "2026-03-13 16:00")
    assert (outcome.round.name, outcome.pushes) == ("2026-W11", 2)
    [text] = group.pushes("weekly-inspection")
    assert text.body.splitlines()[:5] == [
        "**【督查通报】第11周（3月9日—3月15日）**",
        "**本周各单位报送**",
        "- 卫庄镇：线索1条",
        "- 南樊镇：线索1条、接待洽谈1条",
        "**本周未报送**（3个）：横水镇、开发区、商务局",
    ]
    # The 6 March signing is last week's; it made a signed project, 7 days old: not yet stale (60 days).
    assert "**签约未开工** 1个，其中超过60天无进展0个" in text.body
    [chart] = group.media("weekly-inspection")
    assert (chart.kind, chart.key) == ("image", "weekly-inspection:2026-03:2026-W11:chart")
    [again] = group.job_run("weekly-inspection", "2026-03-13 16:00")
    assert again.status == "already"


def test_it_goes_on_friday_and_a_holiday_friday_moves_to_thursday() -> None:
    job = job_named("weekly-inspection")
    assert job is not None
    rules = Rules()
    days = Workdays(rules.schedule)
    assert [d for d in (date(2026, 3, 12), date(2026, 3, 13)) if job.due(d, rules, days)] == [date(2026, 3, 13)]
    # 2026-05-01 (Friday) is Labour Day: that week's 督查 goes on Thursday 30 April.
    assert job.due(date(2026, 5, 1), rules, days) == []
    assert [r.name for r in job.due(date(2026, 4, 30), rules, days)] == ["2026-W18"]
    monday = Rules(schedule=ScheduleRules(inspection_weekday=1))
    assert job.due(date(2026, 3, 9), monday, days) and not job.due(date(2026, 3, 13), monday, days)
    off = Rules(schedule=ScheduleRules(inspection_weekday=0))
    assert not any(job.due(date(2026, 3, d), off, days) for d in range(9, 16))
