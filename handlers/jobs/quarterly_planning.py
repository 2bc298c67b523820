"""季度策划包装: "每季度精心策划包装3-5个拟投资5000万元以上" projects per unit, due by the quarter's last deadline.

The reminder counts each unit's packaged projects (`策划包装：…` records that pass the checks, see
handlers/project_base/packaging.py) in the quarter against `[packaging] per_quarter`, and @-mentions the units short of it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.core.periods import Month, Period, deadline_of, month_of, period, quarter_key
from handlers.core.receipts import format_amount
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import due_text, mentions, months_around
from handlers.project_base.packaging import packaged_in
from storage.models import saved_id

#: The quarterly planning reminder goes out this many days before the deadline of the quarter's last month.
PLANNING_NOTICE_DAYS = 10


def _planning_day(year: int, month: int, rules: Rules, workdays: Workdays) -> date:
    deadline = deadline_of(Month(year, month), rules.schedule).date()
    return workdays.on_or_before(deadline - timedelta(days=PLANNING_NOTICE_DAYS))


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    for year, month in months_around(day):
        if month % 3 == 0 and _planning_day(year, month, rules, workdays) == day:
            return [Round(period=quarter_key(Month(year, month)), name="planning", last=True)]
    return []


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    return Round(period=quarter_key(month_of(at, rules.schedule)), name="planning", last=True)


@job("quarterly-planning", "季末月截止日前10天提醒报送季度策划包装项目，点名不足的单位",
     trigger=lambda s: Trigger(s.nag_time), due=_due, forced=_forced)
def remind_quarterly_planning(ctx: JobContext, rnd: Round) -> list[Push]:
    """策划包装: 3–5 projects ≥ 5000万 per unit per quarter, due by the deadline of its last month."""
    rules = ctx.rules.packaging
    quarter: Period = period(rnd.period, ctx.rules.schedule)
    done = {saved_id(u): (u.name, len(packaged_in(ctx.store, saved_id(u), quarter, until=ctx.at)))
            for u in ctx.store.roster.units()}
    short = [(uid, name, n) for uid, (name, n) in done.items() if n < rules.per_quarter]
    due = due_text(quarter.months[-1], ctx)
    lines = [
        f"**【季度策划包装提醒】{quarter.label}**",
        f"请各单位于{due}前报送本季度策划包装的招商项目{rules.per_quarter}-{rules.per_quarter_max}个"
        f"（拟投资{format_amount(rules.min_wan)}以上、县域外资金；政府性投资项目不算，不可重复），"
        "发送「策划包装：项目名称，拟投资XX万元…」即可。",
    ]
    if short:
        lines.append(f"本季度策划包装不足{rules.per_quarter}个的单位：" + "、".join(f"{name}{n}个" for _, name, n in short))
    else:
        lines.append(f"各单位本季度策划包装均已达到{rules.per_quarter}个。")
    return [Push("\n".join(lines), mentions(ctx, [uid for uid, _, _ in short]))]
