"""半年提醒: on the first workday of July, the first half's ranking and each unit's targets against
50 % 序时进度, naming the units behind it ("半月通报、每月调度、半年提醒、年末考核", seed 003).

The half-year is the months 1–6 of the assessment year (to June's deadline), so by July it is closed.
One round per year (period `2026-H1`, round `half-year`).
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.assessment.ranking import table
from handlers.core.periods import period
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.tables import bottom_text, standing_lines, target_lines, top_text
from handlers.publishing.documents import follow_ups

#: 序时进度 at the end of June: half the year.
HALF = 0.5


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    if day.month == 7 and workdays.on_or_after(date(day.year, 7, 1)) == day:
        return [Round(period=f"{day.year}-H1", name="half-year")]
    return []


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    """The latest first half that has begun its July: this year's from July on, else last year's."""
    local = at.astimezone(rules.schedule.tz)
    return Round(period=f"{local.year if local.month >= 7 else local.year - 1}-H1", name="half-year")


@job("half-year", "每年7月第一个工作日：上半年排名（优/中/差）和年度任务对照序时进度50%",
     trigger=lambda s: Trigger(s.bulletin_time), due=_due, forced=_forced)
def remind_half_year(ctx: JobContext, rnd: Round) -> list[Push]:
    """The first half's ranking with grades, and every unit's targets against 50 % 序时进度."""
    t = table(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules, as_of=ctx.at)
    if not t.rows:
        return []
    lines = [f"**【半年提醒】{t.period.label}招商引资排名**（时间过半，序时进度{HALF:.0%}）", *standing_lines(t)]
    lines += [line for line in (top_text(t), bottom_text(t)) if line]
    targets, behind = target_lines(ctx.store, t, ctx.rules)
    if targets:
        lines += ["**年度任务完成情况**", *targets]
        lines.append(f"**未达到序时进度**：{'、'.join(behind)}，请加快进度，确保完成全年任务。" if behind
                     else "✅ 各单位均达到序时进度。")
    # The chart follows, as after every bulletin.
    media = follow_ups(ctx.store, t.period, ctx.rules, ctx.at, final=False)
    return [Push("\n".join(lines)), *[Push.of_media(m, suffix) for m, suffix in media]]
