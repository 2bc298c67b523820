"""年末考核: after the year's last deadline (December's), the annual assessment bulletin: the year's
ranking with grades, target completion, top three (奖励) and bottom three (警诫约谈), seed 003.

Sent on the first workday after December's deadline, once per year (period `2026`, round `year-end`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.assessment.ranking import table
from handlers.core.periods import Month, deadline_of, period
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.tables import bottom_text, standing_lines, target_lines, top_text
from handlers.publishing.documents import follow_ups


def _after_last_deadline(year: int, rules: Rules) -> date:
    return deadline_of(Month(year, 12), rules.schedule).date() + timedelta(days=1)


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    for year in (day.year - 1, day.year):
        if workdays.on_or_after(_after_last_deadline(year, rules)) == day:
            return [Round(period=str(year), name="year-end")]
    return []


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    """The latest year whose last deadline has passed."""
    day = at.astimezone(rules.schedule.tz).date()
    year = day.year if day >= _after_last_deadline(day.year, rules) else day.year - 1
    return Round(period=str(year), name="year-end")


@job("year-end", "年末考核：12月报送截止后的第一个工作日发布全年排名（优/中/差）、任务完成、前三和后三",
     trigger=lambda s: Trigger(s.bulletin_time), due=_due, forced=_forced)
def assess_year(ctx: JobContext, rnd: Round) -> list[Push]:
    """The annual assessment bulletin."""
    t = table(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules, as_of=ctx.at)
    if not t.rows:
        return []
    lines = [f"**【年末考核】{t.period.label}度招商引资考核结果**（共{len(t.rows)}个单位）", *standing_lines(t)]
    lines += [line for line in (top_text(t, "，给予奖励"), bottom_text(t, "进行警诫约谈")) if line]
    targets, behind = target_lines(ctx.store, t, ctx.rules)
    if targets:
        lines += ["**年度任务完成情况**", *targets]
        lines.append(f"**未完成年度任务**：{'、'.join(behind)}" if behind else "✅ 各单位均完成年度任务。")
    # The chart follows, as after every bulletin (the year's, also the pipeline and the year's 通报 .docx).
    media = follow_ups(ctx.store, t.period, ctx.rules, ctx.at, final=True)
    return [Push("\n".join(lines)), *[Push.of_media(m, suffix) for m, suffix in media]]
