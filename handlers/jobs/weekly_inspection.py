"""每周督查通报 (seed 004: "建立重点项目定期督查制度…并每周编发一期督查通报"): what each unit reported this
week, signed projects that have stalled, and the units that said nothing all week, followed by the
ranking chart. Its day is `[schedule] inspection_weekday` (moved to the workday before on a holiday).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from handlers.core.periods import current_period, month_of, period
from handlers.core.receipts import format_amount
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import month_day
from handlers.jobs.tables import pipeline_lines
from handlers.publishing.documents import extras_for, follow_ups
from storage.kinds import RecordKind
from storage.models import saved_id


def _week_round(day: date, rules: Rules) -> Round:
    year, week, _ = day.isocalendar()
    when = datetime.combine(day, rules.schedule.inspection_time, tzinfo=rules.schedule.tz)
    return Round(period=month_of(when, rules.schedule).key, name=f"{year}-W{week:02d}")


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    weekday = rules.schedule.inspection_weekday
    if not weekday:
        return []
    nominal = day - timedelta(days=day.weekday()) + timedelta(days=weekday - 1)
    moved = workdays.on_or_before(nominal)
    if moved.isocalendar()[:2] != nominal.isocalendar()[:2]:
        return []  # the whole week is a holiday: no 督查 that week
    return [_week_round(day, rules)] if moved == day else []


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    return _week_round(at.astimezone(rules.schedule.tz).date(), rules)


def week_text(ctx: JobContext, start: datetime, end: datetime) -> str:
    """The 督查通报 in WeCom markdown: reports by unit this week, silent units, stalled projects."""
    store = ctx.store
    units = {saved_id(u): u.name for u in store.roster.units()}
    by_unit: dict[int, Counter[str]] = {uid: Counter() for uid in units}
    for record in store.records.reported_between(start, end):
        by_unit.setdefault(record.unit_id, Counter())[record.kind] += 1
    week = start.date().isocalendar()[1]
    lines = [f"**【督查通报】第{week}周（{month_day(start)}—{month_day(end - timedelta(seconds=1))}）**",
             "**本周各单位报送**"]
    silent = []
    for uid, name in units.items():
        kinds = by_unit.get(uid) or Counter()
        if not kinds:
            silent.append(name)
            continue
        lines.append(f"- {name}：" + "、".join(f"{RecordKind(k).label}{n}条" for k, n in kinds.items()))
    if len(silent) == len(units):
        lines.append("本周各单位均未报送。")
    lines.append(f"**本周未报送**（{len(silent)}个）：{'、'.join(silent) if silent else '无'}")
    extras = extras_for(store, current_period(ctx.at, ctx.rules.schedule), ctx.rules, ctx.at)
    lines.append(f"**签约未开工** {len(extras.waiting)}个，其中超过{extras.stale_days}天无进展{len(extras.stale)}个"
                 + ("：" + "；".join(f"{p.unit} {p.name}（{format_amount(p.amount_wan)}）"
                                     for p in extras.stale[:10]) if extras.stale else ""))
    lines += pipeline_lines(store, ctx.local_at.date())
    if silent:
        lines.append("请未报送的单位抓紧报送本周工作进展。")
    return "\n".join(lines)


@job("weekly-inspection", "每周督查通报（inspection_weekday，遇节假日提前到本周上一个工作日）",
     trigger=lambda s: Trigger(s.inspection_time), due=_due, forced=_forced)
def push_weekly_inspection(ctx: JobContext, rnd: Round) -> list[Push]:
    """This week's 督查通报 to the group, then the month's ranking chart (nothing without units)."""
    if not ctx.store.roster.units():
        return []
    local = ctx.local_at
    start = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=local.tzinfo)
    end = start + timedelta(days=7)
    charts = follow_ups(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules, ctx.at, final=False)
    return [Push(week_text(ctx, start, end)),
            *[Push.of_media(m, suffix) for m, suffix in charts]]
