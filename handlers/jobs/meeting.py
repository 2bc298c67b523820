"""调度会: before each meeting, its table to the group: figures, the units to explain, stale projects.

Seeds: "实行一月一次例会制度，定期研究、调度" (a monthly 调度会, `[schedule] meeting_days`) and, in a
campaign, "每30天召开一次工作调度会，没有取得实质性突破的单位，主要负责人在会上说明原因" (a campaign's
`meeting_every_days`). A meeting on a holiday is prepared on the workday before. The table is the one
a leader would ask for then (after the deadline: the month just closed; in a campaign: the campaign's).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.assessment.campaigns import base_task, campaign_named, period_of
from handlers.assessment.ranking import BOTTOM, Table, number, table
from handlers.core.periods import Period, period, settled_month
from handlers.core.receipts import format_amount
from handlers.core.rules import Campaign, Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import mentions, month_day, nominal
from handlers.jobs.tables import pipeline_lines, standing_lines

#: Stale projects listed in one meeting table (the rest are counted).
MAX_PROJECTS = 10


def _month_round(day: date, rules: Rules) -> Round:
    at = datetime.combine(day, rules.schedule.meeting_time, tzinfo=rules.schedule.tz)
    return Round(period=settled_month(at, rules.schedule).key, name=day.isoformat())


def campaign_meetings(campaign: Campaign) -> list[date]:
    """Every `meeting_every_days` from the campaign's start, within it."""
    if not campaign.meeting_every_days:
        return []
    step = timedelta(days=campaign.meeting_every_days)
    days, day = [], campaign.start + step
    while day <= campaign.end:
        days.append(day)
        day += step
    return days


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    schedule = rules.schedule
    rounds = [_month_round(n, rules) for n in nominal(day, schedule.meeting_days) if workdays.on_or_before(n) == day]
    rounds += [Round(period=c.name, name=d.isoformat())
               for c in schedule.campaigns for d in campaign_meetings(c) if workdays.on_or_before(d) == day]
    return rounds


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    """Today's meeting round, else a monthly meeting's table for `at`'s day."""
    day = at.astimezone(rules.schedule.tz).date()
    due = _due(day, rules, workdays)
    return due[0] if due else _month_round(day, rules)


def _laggards(ctx: JobContext, t: Table, campaign: Campaign | None) -> list[tuple[int, str]]:
    """Units to explain at the meeting: (campaign with a base task) those that have not met it yet;
    otherwise the bottom three and every unit that did not report."""
    if campaign is not None and campaign.base_task:
        return [(s.unit_id, s.unit) for s in base_task(ctx.store, campaign, t, ctx.rules, as_of=ctx.at) if not s.met]
    out = []
    for s in t.standings:
        if not s.row.reported:
            out.append((s.row.unit_id, f"{s.row.unit}（未报送）"))
        elif s.mark == BOTTOM:
            out.append((s.row.unit_id, f"{s.row.unit}（{number(s.row.score)}分，{s.grade}）"))
    return out


def _stale_lines(ctx: JobContext, t: Table) -> list[str]:
    """Signed projects with no progress for `stale_days`, county-wide, oldest news first."""
    days = ctx.rules.schedule.stale_days
    before = ctx.at - timedelta(days=days)
    names = {s.row.unit_id: s.row.unit for s in t.standings}
    stale = ctx.store.projects.stale(before)
    if not stale:
        return []
    tz = ctx.rules.schedule.tz
    lines = [f"**签约后超过{days}天无进展的项目**（{len(stale)}个）"]
    lines += [f"P{p.id} {names.get(p.unit_id, '')} {p.company or p.name or ''}"
              f"（{format_amount(p.signed_wan or p.amount_wan)}，{month_day(p.last_progress_at.astimezone(tz))}后无进展）"
              for p in stale[:MAX_PROJECTS]]
    if len(stale) > MAX_PROJECTS:
        lines.append(f"……另有{len(stale) - MAX_PROJECTS}个，详见台账")
    return lines


@job("meeting", "调度会前把会议用表发到工作群：各单位数据、需说明原因的单位、久无进展的签约项目"
     "（meeting_days 及活动 meeting_every_days，遇节假日提前到上一个工作日）",
     trigger=lambda s: Trigger(s.meeting_time), due=_due, forced=_forced)
def prepare_meeting(ctx: JobContext, rnd: Round) -> list[Push]:
    """The meeting's table, @-mentioning the liaisons and leaders of the units that must explain."""
    campaign = campaign_named(rnd.period, ctx.rules)
    chosen: Period = period_of(campaign, ctx.rules) if campaign else period(rnd.period, ctx.rules.schedule)
    t = table(ctx.store, chosen, ctx.rules, as_of=ctx.at)
    if not t.rows:
        return []
    held = date.fromisoformat(rnd.name)
    name = f"{campaign.name}工作调度会" if campaign else ctx.rules.schedule.meeting_name
    lines = [f"**【{name}】{month_day(held)}会议用表：{chosen.label}各单位情况**（截至{month_day(ctx.local_at)}）",
             *standing_lines(t)]
    laggards = _laggards(ctx, t, campaign)
    if laggards:
        why = "尚未完成基本任务、没有取得实质性突破" if campaign and campaign.base_task else "排名靠后或未报送"
        lines.append(f"**请在会上说明原因并提出下步措施**（{why}）：{'、'.join(n for _, n in laggards)}")
    lines += _stale_lines(ctx, t)
    lines += pipeline_lines(ctx.store, ctx.local_at.date())
    return [Push("\n".join(lines), mentions(ctx, [u for u, _ in laggards], leaders=True))]
