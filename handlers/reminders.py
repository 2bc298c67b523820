"""The office's rhythm as jobs: 报送提醒, 逾期未报, 半月通报, 签约项目跟进, 季度策划包装.

"每月20日前报送，逾期不报视为没有"; "半月通报、每月调度、半年提醒、年末考核"; "签完约就放在那不管了".
A reminder due on a holiday goes out on the workday before it (调休 included); a bulletin due on a
holiday goes out on the next workday; the overdue list goes out the day after the deadline.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from handlers.jobs import Job, JobContext, Push, Round, Trigger
from handlers.periods import Period, deadline_of, month_key, month_of, period
from handlers.ranking import BOTTOM, TOP, Table, figures, number, table
from handlers.receipts import format_amount
from handlers.rules import Rules
from handlers.workdays import Workdays
from storage.models import ProjectStage, Role

#: The quarterly planning reminder goes out this many days before the deadline of the quarter's last month.
PLANNING_NOTICE_DAYS = 10
#: Packaged projects per quarter and their size: "每季度精心策划包装3-5个拟投资5000万元以上".
PLANNING_PROJECTS, PLANNING_MIN_WAN = 3, 5000


def _months_around(day: date) -> Iterable[tuple[int, int]]:
    for delta in (-1, 0, 1):
        index = day.year * 12 + day.month - 1 + delta
        yield index // 12, index % 12 + 1


def _nominal(day: date, days_of_month: Iterable[int]) -> list[date]:
    """The configured days of the months around `day` (a day beyond a month's end is its last day)."""
    out = []
    for year, month in _months_around(day):
        last = calendar.monthrange(year, month)[1]
        out += sorted({date(year, month, min(d, last)) for d in days_of_month})
    return out


def _due(day: date, nominal: list[date], shift: Callable[[date], date]) -> list[date]:
    return [n for n in nominal if shift(n) == day]


def _mentions(ctx: JobContext, unit_ids: Iterable[int], leaders: bool = False) -> tuple[str, ...]:
    roles = (Role.LIAISON, Role.LEADER) if leaders else (Role.LIAISON,)
    return tuple(
        m.userid for uid in unit_ids for role in roles for m in ctx.store.roster.members_of(uid, role)
    )


def _md(day: date | datetime) -> str:
    return f"{day.month}月{day.day}日"


def _due_text(key: str, ctx: JobContext) -> str:
    deadline = deadline_of(key, ctx.rules.schedule)
    return f"{deadline.month}月{deadline.day}日"


# monthly-nag ---------------------------------------------------------------------------------------


def _nag_due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    schedule = rules.schedule
    due = _due(day, _nominal(day, schedule.nag_days), workdays.on_or_before)
    if not due:
        return []
    latest = max(due)
    when = datetime.combine(latest, schedule.nag_time, tzinfo=schedule.tz)
    return [Round(
        period=month_of(when, schedule), name=latest.isoformat(),
        last=any(n.day == max(schedule.nag_days) for n in due),
        covers=tuple(n.isoformat() for n in due if n != latest),
    )]


def _nag_forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    local = at.astimezone(rules.schedule.tz)
    due = _nag_due(local.date(), rules, workdays)
    if due:
        return due[0]
    return Round(period=month_of(at, rules.schedule), name=local.date().isoformat(),
                 last=local.day >= max(rules.schedule.nag_days))


def nag_units_not_reported(ctx: JobContext, rnd: Round) -> list[Push]:
    """One group message naming the units that have not reported, @-mentioning their liaisons."""
    t = table(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules)
    missing = t.not_reported
    if not missing:
        return []
    today = ctx.local_at
    lines = [
        f"**【报送提醒】{t.period.label}**",
        f"截至{today.month}月{today.day}日，还有{len(missing)}个单位未报送：{'、'.join(r.unit for r in missing)}",
        f"请于{_due_text(rnd.period, ctx)}24时前报送，逾期不报，视为没有。",
    ]
    mentions = _mentions(ctx, [r.unit_id for r in missing], leaders=rnd.last)
    if rnd.last:
        leaders = set(_mentions(ctx, [r.unit_id for r in missing], leaders=True)) - set(_mentions(ctx, [
            r.unit_id for r in missing]))
        lines.append("这是截止前最后一次提醒" + ("，已同时提醒相关单位分管领导。" if leaders else "。"))
    return [Push("\n".join(lines), mentions)]


# overdue-list --------------------------------------------------------------------------------------


def _closed_month(day: date, rules: Rules) -> str:
    """The month whose deadline passed most recently before `day`."""
    current = month_of(datetime.combine(day, datetime.min.time(), tzinfo=rules.schedule.tz), rules.schedule)
    year, month = int(current[:4]), int(current[5:7])
    return month_key(year - 1, 12) if month == 1 else month_key(year, month - 1)


def _overdue_due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    if (day - timedelta(days=1)).day != rules.schedule.deadline_day:
        return []
    return [Round(period=_closed_month(day, rules), name="overdue", last=True)]


def _overdue_forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    return Round(period=_closed_month(at.astimezone(rules.schedule.tz).date(), rules), name="overdue", last=True)


def list_overdue_units(ctx: JobContext, rnd: Round) -> list[Push]:
    """The day after the deadline: who missed it (视为没有), or that everyone made it."""
    t = table(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules)
    missing = t.not_reported
    due = _due_text(rnd.period, ctx)
    if not missing:
        return [Push(f"**【报送情况】{t.period.label}**\n✅ 全部{len(t.rows)}个单位均在{due}前完成报送。")]
    body = "\n".join([
        f"**【逾期未报】{t.period.label}报送已于{due}截止**",
        f"以下{len(missing)}个单位未报送，本月视为没有：{'、'.join(r.unit for r in missing)}",
        "此后报送的内容计入下月。",
    ])
    return [Push(body, _mentions(ctx, [r.unit_id for r in missing], leaders=True))]


# bulletin (半月通报) -------------------------------------------------------------------------------


def _bulletin_due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    schedule = rules.schedule
    due = _due(day, _nominal(day, schedule.bulletin_days), workdays.on_or_after)
    when = datetime.combine(day, schedule.bulletin_time, tzinfo=schedule.tz)
    return [Round(period=month_of(when, schedule), name=max(due).isoformat(),
                  covers=tuple(n.isoformat() for n in due if n != max(due)))] if due else []


def _bulletin_forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    local = at.astimezone(rules.schedule.tz)
    due = _bulletin_due(local.date(), rules, workdays)
    return due[0] if due else Round(period=month_of(at, rules.schedule), name=local.date().isoformat())


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


def push_bulletin(ctx: JobContext, rnd: Round) -> list[Push]:
    t = table(ctx.store, period(rnd.period, ctx.rules.schedule), ctx.rules)
    return [Push(bulletin_text(t, ctx.local_at, ctx))] if t.rows else []


# stale-projects --------------------------------------------------------------------------------------


def _week_round(day: date, rules: Rules) -> Round:
    year, week, _ = day.isocalendar()
    when = datetime.combine(day, rules.schedule.nag_time, tzinfo=rules.schedule.tz)
    return Round(period=month_of(when, rules.schedule), name=f"{year}-W{week:02d}")


def _stale_due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    monday = day - timedelta(days=day.weekday())
    first = workdays.on_or_after(monday)
    return [_week_round(day, rules)] if first == day else []


def _stale_forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    return _week_round(at.astimezone(rules.schedule.tz).date(), rules)


def name_stale_projects(ctx: JobContext, rnd: Round) -> list[Push]:
    """Signed projects with no progress for `stale_days`, named to their unit (one message per unit)."""
    days = ctx.rules.schedule.stale_days
    before = ctx.at - timedelta(days=days)
    pushes = []
    for unit in ctx.store.roster.units():
        assert unit.id is not None
        stale = [
            p for p in ctx.store.projects.of_unit(unit.id)
            if p.stage in (ProjectStage.SIGNED.value, ProjectStage.CONTRACT.value) and p.last_progress_at < before
        ]
        if not stale:
            continue
        names = "、".join(
            f"P{p.id} {p.company or p.name or ''}（{format_amount(p.signed_wan or p.amount_wan)}，"
            f"{_md(p.last_progress_at.astimezone(ctx.rules.schedule.tz))}后无进展）"
            for p in stale[:10]
        )
        more = f"等{len(stale)}个" if len(stale) > 10 else ""
        body = (f"**【签约项目跟进】{unit.name}**\n以下签约项目已超过{days}天没有进展：{names}{more}\n"
                "请及时对接客商、推进开工，有进展请回复「进展：…」。")
        pushes.append(Push(body, _mentions(ctx, [unit.id], leaders=True), suffix=f":{unit.id}"))
    return pushes


# quarterly-planning -----------------------------------------------------------------------------------


def _quarter_of(key: str) -> str:
    return f"{key[:4]}-Q{(int(key[5:7]) - 1) // 3 + 1}"


def _planning_day(year: int, month: int, rules: Rules, workdays: Workdays) -> date:
    deadline = deadline_of(month_key(year, month), rules.schedule).date()
    return workdays.on_or_before(deadline - timedelta(days=PLANNING_NOTICE_DAYS))


def _planning_due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
    for year, month in _months_around(day):
        if month % 3 == 0 and _planning_day(year, month, rules, workdays) == day:
            return [Round(period=_quarter_of(month_key(year, month)), name="planning", last=True)]
    return []


def _planning_forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
    return Round(period=_quarter_of(month_of(at, rules.schedule)), name="planning", last=True)


def remind_quarterly_planning(ctx: JobContext, rnd: Round) -> list[Push]:
    """策划包装: 3–5 projects ≥ 5000万 per unit per quarter, due by the deadline of its last month."""
    quarter: Period = period(rnd.period, ctx.rules.schedule)
    t = table(ctx.store, quarter, ctx.rules)
    short = [r for r in t.rows if (r.leads_by_tier[0] if r.leads_by_tier else 0) < PLANNING_PROJECTS]
    due = _due_text(quarter.months[-1], ctx)
    lines = [
        f"**【季度策划包装提醒】{quarter.label}**",
        f"请各单位于{due}前报送本季度策划包装的招商项目{PLANNING_PROJECTS}-5个"
        f"（拟投资{format_amount(PLANNING_MIN_WAN)}以上、县域外资金；政府性投资项目不算，不可重复）。",
    ]
    if short:
        lines.append("本季度5000万元以上线索不足3个的单位：" + "、".join(
            f"{r.unit}{r.leads_by_tier[0] if r.leads_by_tier else 0}个" for r in short))
    return [Push("\n".join(lines), _mentions(ctx, [r.unit_id for r in short]))]


JOBS: tuple[Job, ...] = (
    Job("monthly-nag", "提醒未报送的单位（nag_days，遇节假日提前到上一个工作日）",
        lambda s: Trigger(s.nag_time), _nag_due, _nag_forced, nag_units_not_reported),
    Job("overdue-list", "截止次日通报逾期未报单位（视为没有）",
        lambda s: Trigger(s.overdue_time), _overdue_due, _overdue_forced, list_overdue_units),
    Job("bulletin", "半月通报（bulletin_days，遇节假日顺延到下一个工作日）",
        lambda s: Trigger(s.bulletin_time), _bulletin_due, _bulletin_forced, push_bulletin),
    Job("stale-projects", "每周第一个工作日点名超过 stale_days 天无进展的签约项目",
        lambda s: Trigger(s.nag_time), _stale_due, _stale_forced, name_stale_projects),
    Job("quarterly-planning", "季末月截止日前10天提醒报送季度策划包装项目",
        lambda s: Trigger(s.nag_time), _planning_due, _planning_forced, remind_quarterly_planning),
)
