"""半月通报: totals, leads by size tier, each unit with its grade, top three and bottom three.

"半月通报、每月调度、半年提醒、年末考核". A bulletin due on a holiday goes out on the next workday. The first
bulletin after a month's deadline (the 1st, after the 20th) is that month's final 通报; the others
report on the month in progress. Its title follows `bulletin_days` (twice a month: 半月通报).
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.assessment.ranking import Table, table
from handlers.assessment.stats import compute_stats, schedule_of
from handlers.core.periods import Month, deadline_of, month_of, period
from handlers.core.receipts import format_amount
from handlers.core.rules import Rules, ScheduleRules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import due_on, month_day, nominal
from handlers.jobs.tables import bottom_text, county_line, standing_lines, top_text
from handlers.publishing.documents import follow_ups

#: The first bulletin after a deadline is that month's final 通报 when it falls within this many days
#: of the deadline (the 1st after the 20th); later ones report on the month in progress.
FINAL_WITHIN_DAYS = 15


def bulletin_title(schedule: ScheduleRules) -> str:
    """The bulletin's name follows its schedule: twice a month is 半月通报, weekly is 周通报."""
    return {1: "月度通报", 2: "半月通报", 3: "旬通报"}.get(len(set(schedule.bulletin_days)), "周通报")


def closing_month(day: date, rules: Rules) -> Month | None:
    """The month a bulletin on (nominal) `day` closes, if it is the first bulletin day after that
    month's deadline and within FINAL_WITHIN_DAYS of it; else None (a bulletin of the month in progress)."""
    schedule = rules.schedule
    closed = month_of(datetime.combine(day, schedule.bulletin_time, tzinfo=schedule.tz), schedule).shift(-1)
    deadline = deadline_of(closed, schedule).date()
    if (day - deadline).days > FINAL_WITHIN_DAYS:
        return None
    if any(deadline < d < day for d in nominal(day, schedule.bulletin_days)):
        return None
    return closed


def _round(day: date, name: str, rules: Rules, covers: tuple[str, ...] = ()) -> Round:
    """The round for a bulletin on nominal `day`: the closed month's final (`last`) or this month's."""
    schedule = rules.schedule
    closed = closing_month(day, rules)
    when = datetime.combine(day, schedule.bulletin_time, tzinfo=schedule.tz)
    key = closed.key if closed is not None else month_of(when, schedule).key
    return Round(period=key, name=name, last=closed is not None, covers=covers)


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    due = due_on(day, nominal(day, rules.schedule.bulletin_days), workdays.on_or_after)
    if not due:
        return []
    # Several bulletin days moved onto one workday: one bulletin, the final one if any of them is.
    chosen = next((n for n in due if closing_month(n, rules) is not None), max(due))
    return [_round(chosen, max(due).isoformat(), rules, tuple(n.isoformat() for n in due if n != max(due)))]


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    local = at.astimezone(rules.schedule.tz)
    due = _due(local.date(), rules, workdays)
    return due[0] if due else _round(local.date(), local.date().isoformat(), rules)


def bulletin_text(t: Table, at: datetime, ctx: JobContext, final: bool = False) -> str:
    """The bulletin in WeCom markdown: totals, leads by size tier, each unit with its grade, top three
    and bottom three. A final one (the month just closed) says so and when it closed."""
    rows = t.rows
    thresholds = sorted(float(k) for k in ctx.rules.scoring.tier_bonus) or [5000, 10000, 20000, 50000]
    tiers = "、".join(
        f"过{format_amount(low).replace('.0', '')} {sum(r.leads_by_tier[i] for r in rows if i < len(r.leads_by_tier))}个"
        for i, low in enumerate(thresholds)
    )
    missing = t.not_reported
    title = bulletin_title(ctx.rules.schedule)
    when = (f"（最终结果，{month_day(deadline_of(t.period.months[-1], ctx.rules.schedule))}报送截止）" if final
            else f"（截至{at.month}月{at.day}日）")
    lines = [
        f"**【{title}】{t.period.label}**{when}",
        f"> 已报送 {len(rows) - len(missing)}/{len(rows)} 个单位"
        + (f"，未报送：{'、'.join(r.unit for r in missing)}" if missing else ""),
        f"**新增线索** {sum(r.leads for r in rows)}个（{tiers}）",
        f"**签约** {sum(r.signings for r in rows)}个{_with_contracts(ctx, t)} {format_amount(sum(r.signed_wan for r in rows))}"
        f"｜**开工** {sum(r.starts for r in rows)}个"
        f"｜**资金到位** {format_amount(sum(r.funds_wan for r in rows))}"
        f"｜**竣工投产** {sum(r.completions for r in rows)}个",
    ]
    county = county_line(compute_stats(ctx.store, ctx.rules, t.period, ranked=t))
    if county is not None:
        lines.append(f"**年度目标**（序时进度{schedule_of(t.period):.0%}）：{county}")
    lines += ["**各单位**", *standing_lines(t)]
    lines += [line for line in (top_text(t), bottom_text(t)) if line]
    return "\n".join(lines)


def _with_contracts(ctx: JobContext, t: Table) -> str:
    """`（其中2个附合同佐证）`: how many of the signings carry a file (said only when some do)."""
    with_files = ctx.store.evidence.signings_with_files(t.period.keys, as_of=t.as_of)
    return f"（其中{with_files}个附合同佐证）" if with_files else ""


@job("bulletin", "半月通报（bulletin_days，遇节假日顺延到下一个工作日；截止后的第一期为上月最终通报）",
     trigger=lambda s: Trigger(s.bulletin_time), due=_due, forced=_forced)
def push_bulletin(ctx: JobContext, rnd: Round) -> list[Push]:
    """The bulletin to the group (nothing when the roster has no units), then its chart (and after the
    month's final one, the pipeline chart and the 通报 .docx). It counts only what had been reported by
    the round's time, so replaying a date (`job run --at`) gives that day's bulletin."""
    t = table(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules, as_of=ctx.at)
    if not t.rows:
        return []
    media = follow_ups(ctx.store, t.period, ctx.rules, ctx.at, final=rnd.last)
    return [Push(bulletin_text(t, ctx.local_at, ctx, final=rnd.last)), *[Push.of_media(m, suffix) for m, suffix in media]]
