"""签约项目跟进: "签完约就放在那不管了" — signed projects with no progress, named to their unit weekly,
and to each project's 包干领导 privately (one message per owner)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.core.periods import month_of
from handlers.core.receipts import format_amount
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.jobs.base import JobContext, Push, Round, Trigger, job
from handlers.jobs.calendar import mentions, month_day
from storage.models import Project, saved_id
from storage.outbox import Target


def _week_round(day: date, rules: Rules) -> Round:
    year, week, _ = day.isocalendar()
    when = datetime.combine(day, rules.schedule.nag_time, tzinfo=rules.schedule.tz)
    return Round(period=month_of(when, rules.schedule).key, name=f"{year}-W{week:02d}")


def _due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    monday = day - timedelta(days=day.weekday())
    first = workdays.on_or_after(monday)
    return [_week_round(day, rules)] if first == day else []


def _forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    return _week_round(at.astimezone(rules.schedule.tz).date(), rules)


@job("stale-projects", "每周第一个工作日点名超过 stale_days 天无进展的签约项目",
     trigger=lambda s: Trigger(s.nag_time), due=_due, forced=_forced)
def name_stale_projects(ctx: JobContext, rnd: Round) -> list[Push]:
    """Signed projects with no progress for `stale_days`, named to their unit (one message per unit)."""
    days = ctx.rules.schedule.stale_days
    before = ctx.at - timedelta(days=days)
    pushes = []
    by_owner: dict[str, list[Project]] = {}
    by_unit: dict[int, list[Project]] = {}
    for p in sorted(ctx.store.projects.stale(before), key=saved_id):
        by_unit.setdefault(p.unit_id, []).append(p)
    for unit in ctx.store.roster.units():
        unit_id = saved_id(unit)
        stale = by_unit.get(unit_id, [])
        for p in stale:
            if p.owner:
                by_owner.setdefault(p.owner, []).append(p)
        if not stale:
            continue
        names = "、".join(
            f"P{p.id} {p.company or p.name or ''}（{format_amount(p.signed_wan or p.amount_wan)}，"
            f"{month_day(p.last_progress_at.astimezone(ctx.rules.schedule.tz))}后无进展）"
            for p in stale[:10]
        )
        more = f"等{len(stale)}个" if len(stale) > 10 else ""
        body = (f"**【签约项目跟进】{unit.name}**\n以下签约项目已超过{days}天没有进展：{names}{more}\n"
                "请及时对接客商、推进开工，有进展请回复「进展：…」。")
        pushes.append(Push(body, mentions(ctx, [unit_id], leaders=True), suffix=f":{unit_id}"))
    units = {saved_id(u): u.name for u in ctx.store.roster.units()}
    for owner, projects in sorted(by_owner.items()):
        lines = [f"【包干项目跟进】您包干的以下签约项目已超过{days}天没有进展："]
        lines += [_line(p, units.get(p.unit_id, ""), ctx) for p in projects[:20]]
        lines.append("请督促相关单位对接客商、推进开工。发送「我的包干项目」查看全部。")
        pushes.append(Push("\n".join(lines), target=Target.user(owner), kind="text", suffix=f":owner:{owner}"))
    return pushes


def _line(p: Project, unit: str, ctx: JobContext) -> str:
    return (f"P{p.id} {unit} {p.company or p.name or ''}（{format_amount(p.signed_wan or p.amount_wan)}，"
            f"{month_day(p.last_progress_at.astimezone(ctx.rules.schedule.tz))}后无进展）")
