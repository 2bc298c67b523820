"""逾期未报: the day after the deadline, who missed it (视为没有), or that everyone made it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.core.periods import month_of, period
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import due_text, mentions, seen_until
from storage.ranking import not_reported


def _closed_month(day: date, rules: Rules) -> str:
    """The month whose deadline passed most recently before `day`."""
    current = month_of(datetime.combine(day, datetime.min.time(), tzinfo=rules.schedule.tz), rules.schedule)
    return current.shift(-1).key


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    if (day - timedelta(days=1)).day != rules.schedule.deadline_day:
        return []
    return [Round(period=_closed_month(day, rules), name="overdue", last=True)]


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    return Round(period=_closed_month(at.astimezone(rules.schedule.tz).date(), rules), name="overdue", last=True)


@job("overdue-list", "截止次日通报逾期未报单位（视为没有）",
     trigger=lambda s: Trigger(s.overdue_time), due=_due, forced=_forced)
def list_overdue_units(ctx: JobContext, rnd: Round) -> list[Push]:
    """The day after the deadline: who missed it (视为没有), or that everyone made it."""
    chosen = period(rnd.period, ctx.rules.schedule)
    missing = not_reported(ctx.store.session, chosen.keys, until=seen_until(ctx, chosen))
    due = due_text(chosen.months[-1], ctx)
    if not missing:
        units = len(ctx.store.roster.units())
        return [Push(f"**【报送情况】{chosen.label}**\n✅ 全部{units}个单位均在{due}前完成报送。")]
    body = "\n".join([
        f"**【逾期未报】{chosen.label}报送已于{due}截止**",
        f"以下{len(missing)}个单位未报送，本月视为没有：{'、'.join(u.name for u in missing)}",
        "此后报送的内容计入下月。",
    ])
    return [Push(body, mentions(ctx, [u.id for u in missing if u.id is not None], leaders=True))]
