"""活动阶段: the group is told when each phase of a campaign begins (百日竞赛: 宣传发动、洽谈招商、签约落地、总结考核).

A phase that begins on a holiday is announced on the workday before it. Each phase is one round
(period = the campaign, round = `phase:<name>`), so it is announced once whatever reruns. From the
second phase on, the notice carries the campaign's top three so far and who has met its base task.
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.assessment.campaigns import (
    base_task,
    campaign_named,
    campaign_span,
    period_of,
    task_lines,
    task_text,
)
from handlers.assessment.ranking import table
from handlers.core.rules import Campaign, Phase, Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import month_day
from handlers.jobs.tables import top_text

WEEKDAYS = "一二三四五六日"


def phases_of(campaign: Campaign) -> list[Phase]:
    """The campaign's phases; one without phases is announced once, as a whole."""
    return campaign.phases or [Phase(name=campaign.name, start=campaign.start, end=campaign.end)]


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    return [
        Round(period=c.name, name=f"phase:{p.name}")
        for c in rules.schedule.campaigns for p in phases_of(c) if workdays.on_or_before(p.start) == day
    ]


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    """The phase announced on `at`'s day, else the phase under way then; else a round with nothing to say."""
    day = at.astimezone(rules.schedule.tz).date()
    due = _due(day, rules, workdays)
    if due:
        return due[0]
    for c in rules.schedule.campaigns:
        for p in phases_of(c):
            if p.start <= day <= p.end:
                return Round(period=c.name, name=f"phase:{p.name}")
    return Round(period="-", name=f"phase:{day.isoformat()}")


def phase_text(ctx: JobContext, campaign: Campaign, phase: Phase) -> str:
    phases = phases_of(campaign)
    index = next(i for i, p in enumerate(phases) if p.name == phase.name)
    begins = ("今天开始" if ctx.today == phase.start
              else f"将于{month_day(phase.start)}（周{WEEKDAYS[phase.start.weekday()]}）开始")
    whole = phase.name == campaign.name and not campaign.phases
    lines = [
        f"**【{campaign.name}】{'活动' if whole else f'第{index + 1}阶段「{phase.name}」'}{begins}**"
        f"（{campaign_span(phase)}）",
    ]
    if not whole:
        lines.append("阶段安排：" + " → ".join(f"{p.name}（{campaign_span(p)}）" for p in phases))
    if campaign.base_task and index == 0:
        lines.append(f"基本任务：每个单位{task_text(campaign)}。")
    if index > 0:
        t = table(ctx.store, period_of(campaign, ctx.rules), ctx.rules, as_of=ctx.at)
        lines += [line for line in (top_text(t, "（活动至今）"),) if line]
        lines += task_lines(campaign, base_task(ctx.store, campaign, t, ctx.rules, as_of=ctx.at))
    lines.append(f"发送「{campaign.name}排名」查看活动排名。")
    return "\n".join(lines)


@job("campaign-phases", "活动（百日竞赛等）每个阶段开始时通知工作群（遇节假日提前到上一个工作日）",
     trigger=lambda s: Trigger(s.bulletin_time), due=_due, forced=_forced)
def announce_phase(ctx: JobContext, rnd: Round) -> list[Push]:
    """One notice per phase of a configured campaign, once."""
    campaign = campaign_named(rnd.period, ctx.rules)
    if campaign is None:
        return []
    phase = next((p for p in phases_of(campaign) if f"phase:{p.name}" == rnd.name), None)
    return [Push(phase_text(ctx, campaign, phase))] if phase is not None else []
