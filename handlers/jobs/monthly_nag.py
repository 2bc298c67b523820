"""报送提醒: on the nag days, name the units that have not reported and @-mention their liaisons.

"每月20日前报送，逾期不报视为没有". A nag due on a holiday goes out on the workday before it (调休
included); the last nag before the deadline also mentions the units' leaders.
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.core.periods import month_of, period
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import due_on, due_text, mentions, nominal, seen_until
from storage.ranking import not_reported


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    schedule = rules.schedule
    due = due_on(day, nominal(day, schedule.nag_days), workdays.on_or_before)
    if not due:
        return []
    latest = max(due)
    when = datetime.combine(latest, schedule.nag_time, tzinfo=schedule.tz)
    return [Round(
        period=month_of(when, schedule).key, name=latest.isoformat(),
        last=any(n.day == max(schedule.nag_days) for n in due),
        covers=tuple(n.isoformat() for n in due if n != latest),
    )]


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    local = at.astimezone(rules.schedule.tz)
    due = _due(local.date(), rules, workdays)
    if due:
        return due[0]
    return Round(period=month_of(at, rules.schedule).key, name=local.date().isoformat(),
                 last=local.day >= max(rules.schedule.nag_days))


@job("monthly-nag", "提醒未报送的单位（nag_days，遇节假日提前到上一个工作日）",
     trigger=lambda s: Trigger(s.nag_time), due=_due, forced=_forced)
def nag_units_not_reported(ctx: JobContext, rnd: Round) -> list[Push]:
    """One group message naming the units that have not reported, @-mentioning their liaisons."""
    chosen = period(rnd.period, ctx.rules.schedule)
    missing = not_reported(ctx.store.session, chosen.keys, until=seen_until(ctx, chosen))
    if not missing:
        return []
    ids = [u.id for u in missing if u.id is not None]
    today = ctx.local_at
    lines = [
        f"**【报送提醒】{chosen.label}**",
        f"截至{today.month}月{today.day}日，还有{len(missing)}个单位未报送：{'、'.join(u.name for u in missing)}",
        f"请于{due_text(chosen.months[-1], ctx)}24时前报送，逾期不报，视为没有。",
    ]
    tagged = mentions(ctx, ids, leaders=rnd.last)
    if rnd.last:
        leaders = set(tagged) - set(mentions(ctx, ids))
        lines.append("这是截止前最后一次提醒" + ("，已同时提醒相关单位分管领导。" if leaders else "。"))
    return [Push("\n".join(lines), tagged)]
