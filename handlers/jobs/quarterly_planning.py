"""季度策划包装: "每季度精心策划包装3-5个拟投资5000万元以上" projects per unit, due by the quarter's last deadline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import due_text, mentions, months_around
from handlers.periods import Month, Period, deadline_of, month_of, period, quarter_key
from handlers.ranking import table
from handlers.receipts import format_amount
from handlers.rules import Rules
from handlers.workdays import Workdays

#: The quarterly planning reminder goes out this many days before the deadline of the quarter's last month.
PLANNING_NOTICE_DAYS = 10
#: Packaged projects per quarter and their size: "每季度精心策划包装3-5个拟投资5000万元以上".
PLANNING_PROJECTS, PLANNING_MIN_WAN = 3, 5000


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


@job("quarterly-planning", "季末月截止日前10天提醒报送季度策划包装项目",
     trigger=lambda s: Trigger(s.nag_time), due=_due, forced=_forced)
def remind_quarterly_planning(ctx: JobContext, rnd: Round) -> list[Push]:
    """策划包装: 3–5 projects ≥ 5000万 per unit per quarter, due by the deadline of its last month."""
    quarter: Period = period(rnd.period, ctx.rules.schedule)
    t = table(ctx.store, quarter, ctx.rules, as_of=ctx.at)
    short = [r for r in t.rows if (r.leads_by_tier[0] if r.leads_by_tier else 0) < PLANNING_PROJECTS]
    due = due_text(quarter.months[-1], ctx)
    lines = [
        f"**【季度策划包装提醒】{quarter.label}**",
        f"请各单位于{due}前报送本季度策划包装的招商项目{PLANNING_PROJECTS}-5个"
        f"（拟投资{format_amount(PLANNING_MIN_WAN)}以上、县域外资金；政府性投资项目不算，不可重复）。",
    ]
    if short:
        lines.append("本季度5000万元以上线索不足3个的单位：" + "、".join(
            f"{r.unit}{r.leads_by_tier[0] if r.leads_by_tier else 0}个" for r in short))
    return [Push("\n".join(lines), mentions(ctx, [r.unit_id for r in short]))]
