"""半月通报: totals, leads by size tier, each unit, top three and bottom three.

"半月通报、每月调度、半年提醒、年末考核". A bulletin due on a holiday goes out on the next workday.
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.documents import follow_ups
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import due_on, nominal
from handlers.periods import month_of, period
from handlers.ranking import BOTTOM, TOP, Table, figures, number, table
from handlers.receipts import format_amount
from handlers.rules import Rules
from handlers.workdays import Workdays


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    schedule = rules.schedule
    due = due_on(day, nominal(day, schedule.bulletin_days), workdays.on_or_after)
    when = datetime.combine(day, schedule.bulletin_time, tzinfo=schedule.tz)
    return [Round(period=month_of(when, schedule).key, name=max(due).isoformat(),
                  covers=tuple(n.isoformat() for n in due if n != max(due)))] if due else []


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    local = at.astimezone(rules.schedule.tz)
    due = _due(local.date(), rules, workdays)
    return due[0] if due else Round(period=month_of(at, rules.schedule).key, name=local.date().isoformat())


def bulletin_text(t: Table, at: datetime, ctx: JobContext) -> str:
    """半月通报 in WeCom markdown: totals, leads by size tier, each unit, top three and bottom three."""
    rows = t.rows
    thresholds = sorted(float(k) for k in ctx.rules.scoring.tier_bonus) or [5000, 10000, 20000, 50000]
    tiers = "、".join(
        f"过{format_amount(low).replace('.0', '')} {sum(r.leads_by_tier[i] for r in rows if i < len(r.leads_by_tier))}个"
        for i, low in enumerate(thresholds)
    )
    missing = t.not_reported
    lines = [
        f"**【半月通报】{t.period.label}**（截至{at.month}月{at.day}日）",
        f"> 已报送 {len(rows) - len(missing)}/{len(rows)} 个单位"
        + (f"，未报送：{'、'.join(r.unit for r in missing)}" if missing else ""),
        f"**新增线索** {sum(r.leads for r in rows)}个（{tiers}）",
        f"**签约** {sum(r.signings for r in rows)}个 {format_amount(sum(r.signed_wan for r in rows))}"
        f"｜**开工** {sum(r.starts for r in rows)}个"
        f"｜**资金到位** {format_amount(sum(r.funds_wan for r in rows))}"
        f"｜**竣工投产** {sum(r.completions for r in rows)}个",
        "**各单位**",
        *[f"{s.mark}{s.row.rank}. {s.row.unit} {number(s.row.score)}分｜{figures(s.row)}" for s in t.standings],
    ]
    best = [s.row.unit for s in t.standings if s.mark == TOP]
    worst = [s.row.unit for s in t.standings if s.mark == BOTTOM]
    if best:
        lines.append(f"**前{t.top}**：{'、'.join(best)}")
    if worst:
        lines.append(f"**后{t.bottom}**：{'、'.join(worst)}，请加快进度")
    return "\n".join(lines)


@job("bulletin", "半月通报（bulletin_days，遇节假日顺延到下一个工作日）",
     trigger=lambda s: Trigger(s.bulletin_time), due=_due, forced=_forced)
def push_bulletin(ctx: JobContext, rnd: Round) -> list[Push]:
    """The half-month bulletin to the group (nothing when the roster has no units)."""
    t = table(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules)
    if not t.rows:
        return []
    charts = follow_ups(ctx.store, t.period, ctx.rules, ctx.at, final=monthly_final(rnd, ctx.rules))
    return [Push(bulletin_text(t, ctx.local_at, ctx)), *[Push.of_media(m, suffix) for m, suffix in charts]]


def monthly_final(rnd: Round, rules: Rules) -> bool:
    """The month's first bulletin (day 1, or the workday it moved to) closes the month: its chart is
    followed by the pipeline and the 通报 .docx. With one bulletin day a month, every one is final."""
    days = sorted(rules.schedule.bulletin_days)
    return len(days) < 2 or date.fromisoformat(rnd.name).day < days[1]
