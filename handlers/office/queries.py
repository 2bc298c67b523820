"""Queries in chat: 排名, 我单位排名, XX镇排名, 未报送, 本月情况/我的上报/台账.

A query means the period of the moment it is asked, except that 排名 and 本月情况/汇总 after the
deadline answer for the month just closed (its final table), saying new reports count for the next. A leader without a unit (and the office) sees
the county; a liaison or a unit's leader sees their unit in detail and the public table.
"""

from __future__ import annotations

import re

from handlers.assessment.campaigns import (
    base_task,
    campaign_span,
    metric_text,
    phase_on,
    task_lines,
    task_text,
)
from handlers.assessment.ranking import Standing, Table, figures, number, table, table_text, unit_text
from handlers.assessment.stats import compute_stats, targets_lines
from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.periods import (
    Period,
    campaign_of,
    closed_month_asked,
    closed_note,
    current_period,
    deadline_of,
    period_named,
)
from handlers.core.receipts import one_line
from handlers.core.registry import router
from handlers.project_base.questions import office_question
from nlp import Intent, Parsed

#: Records listed in one reply; more are summed up (the full ledger is `zsbot export`).
MAX_LINES = 30


def _period(ctx: Context, settled: str = "") -> tuple[Period, str]:
    """The period the question names (上月排名, 一季度排名, 百日竞赛排名), else the one it is asked in,
    and a note to add to the answer.

    With `settled` (the query's word, 排名/汇总), a question after the deadline that names no period
    means the month just closed: its final table, not the next month's empty one. The note says so,
    and how to ask for the new month (the issue's rule for 排名, 本月情况 and 汇总).
    """
    schedule = ctx.rules.schedule
    if not settled:
        return period_named(ctx.incoming.text, ctx.at, schedule) or current_period(ctx.at, schedule), ""
    chosen, closed = closed_month_asked(ctx.incoming.text, ctx.at, schedule)
    return chosen, "" if closed is None else "\n" + closed_note(closed, schedule, settled)


#: A contest named in a ranking question (百日竞赛排名, 冬季攻坚排名): the words counties name them by.
_CONTEST = re.compile(r"([\u4e00-\u9fff\d]{0,8}?(?:竞赛|攻坚战?|会战|擂台赛?|比武|大比拼|活动))")
_OWN = re.compile(r"^(?:我单位|本单位|我们单位|全县|县)")


def _unknown_contest(ctx: Context, chosen: Period) -> Reply | None:
    """A ranking question naming a contest that is not configured: say so, not the month's table."""
    if chosen.by_dates:
        return None
    m = _CONTEST.search(ctx.incoming.text)
    if m is None:
        return None
    name = _OWN.sub("", m[1]) or m[1]
    campaigns = ctx.rules.schedule.campaigns
    if campaigns:
        names = "、".join(f"「{c.name}」" for c in campaigns)
        return Reply(f"没有找到「{name}」活动。目前的活动：{names}，发送「{campaigns[-1].name}排名」查看；发送「排名」看本月排名。")
    return Reply(f"目前没有设置「{name}」等竞赛活动（由县招商办在配置中设置）。发送「排名」看本月排名。")


def _campaign_lines(ctx: Context, t: Table, unit_id: int | None = None) -> list[str]:
    """For a campaign's table: its dates and phase, and who has met its base task (or this unit)."""
    campaign = campaign_of(t.period, ctx.rules.schedule)
    if campaign is None:
        return []
    phase = phase_on(campaign, ctx.today)
    lines = [f"活动时间{campaign_span(campaign)}" + (f"，当前为「{phase.name}」阶段" if phase else "")
             + ("，按活动权重计分" if campaign.weights else "")]
    statuses = base_task(ctx.store, campaign, t, ctx.rules)
    if unit_id is None:
        return lines + task_lines(campaign, statuses)
    own = next((s for s in statuses if s.unit_id == unit_id), None)
    if own is not None:
        lines.append(f"基本任务（{task_text(campaign)}）：" + ("✅ 已完成" if own.met else "尚未完成，已完成"
                     + "、".join(metric_text(m, v) for m, v in own.done.items())))
    return lines


def _sees_county(ctx: Context) -> bool:
    return ctx.unit is None or ctx.is_admin


def _public_line(t: Table, s: Standing) -> str:
    r = s.row
    return (f"{r.unit} {t.period.label}：第{r.rank}名/共{len(t.standings)}个，{number(r.score)}分 {s.grade}"
            f"{(' ' + s.mark) if s.mark else ''}｜{figures(r)}")


def _unit_in_text(t: Table, text: str) -> str | None:
    """A roster unit named in the question (the parser knows townships; the roster knows them all)."""
    named = [s.row.unit for s in t.standings if s.row.unit in text]
    return max(named, key=len) if named else None


def _targets(ctx: Context, t: Table, s: Standing) -> list[str]:
    """The unit's targets against 序时进度 and its rates, from the one stats computation (this unit only).

    A campaign's table has its base task instead: yearly targets against the 序时进度 of a campaign's
    last month (often still ahead) would say nothing a leader can use."""
    if t.period.by_dates:
        return []
    stats = compute_stats(ctx.store, ctx.rules, t.period, s.row.unit_id, ranked=t)
    mine = stats.unit(s.row.unit_id)
    if mine is None:
        return []
    return targets_lines(mine, stats.schedule_progress)


@router.on(Intent.QUERY_RANK, title="排名", examples=("排名", "我单位排名", "卫庄镇排名"))
def show_ranking(parsed: Parsed, ctx: Context) -> Reply:
    """查看本期排名（前三🏆、后三⚠️；截止日后为刚结束月份的最终排名），或本单位/某单位的得分、各项数据、任务完成情况；「百日竞赛排名」看活动排名。"""
    chosen, note = _period(ctx, settled="排名")
    unknown = _unknown_contest(ctx, chosen)
    if unknown is not None:
        return unknown
    t = table(ctx.store, chosen, ctx.rules)
    named = parsed.target_unit or _unit_in_text(t, ctx.incoming.text)
    if named:
        found = t.named(named)
        if found is None:
            names = "、".join(s.row.unit for s in t.standings)
            return Reply(f"没有找到「{named}」。参加考核的单位：{names}")
        mine = ctx.unit is not None and found.row.unit_id == ctx.unit.id
        if mine or _sees_county(ctx):
            return Reply(_unit_detail(ctx, t, found) + note)
        return Reply(_public_line(t, found) + note)
    if parsed.own_unit and ctx.unit is not None:
        own = t.of_unit(ctx.unit.id)
        if own is not None:
            return Reply(_unit_detail(ctx, t, own) + note)
    text = "\n".join([table_text(t), *_campaign_lines(ctx, t)])
    own = t.of_unit(ctx.unit.id) if ctx.unit is not None else None
    if own is not None:
        text += f"\n本单位{own.row.unit}：第{own.row.rank}名。发送「我单位排名」看明细和提分建议。"
    return Reply(text + note)


def _unit_detail(ctx: Context, t: Table, s: Standing) -> str:
    text = unit_text(t, s, ctx.rules, _targets(ctx, t, s))
    return "\n".join([text, *_campaign_lines(ctx, t, s.row.unit_id)])


@router.on(Intent.QUERY_MISSING, title="未报送", examples=("未报送", "哪些单位还没报"))
def show_not_reported(parsed: Parsed, ctx: Context) -> Reply:
    """查看本期还没有报送的单位（截止日后逾期不报，视为没有）。"""
    chosen, _ = _period(ctx)
    t = table(ctx.store, chosen, ctx.rules)
    deadline = deadline_of(chosen.months[-1], ctx.rules.schedule)
    due = f"{deadline.month}月{deadline.day}日"
    missing = t.not_reported
    if not missing:
        return Reply(f"✅ {chosen.label}全部{len(t.standings)}个单位均已报送（截止{due}）。")
    days = (deadline.date() - ctx.today).days
    left = f"，距截止还有{days}天" if days > 0 else "，今天截止" if days == 0 else ""
    names = "、".join(r.unit for r in missing)
    text = f"{chosen.label}（{due}截止{left}）还有{len(missing)}/{len(t.standings)}个单位未报送：{names}"
    if ctx.unit is not None and any(r.unit_id == ctx.unit.id for r in missing):
        text += f"\n⚠️ 本单位{ctx.unit.name}尚未报送，请在{due}前报送，逾期不报，视为没有。"
    return Reply(text)


@router.on(Intent.QUERY_SUMMARY, title="本月情况", examples=("本月情况", "我的上报", "台账"))
def show_summary(parsed: Parsed, ctx: Context) -> Reply:
    """查看本单位本期已登记的每一条（带#编号，便于更正/撤回）；县领导看各单位汇总。"""
    if (asked := office_question(parsed, ctx)) is not None:  # 开工率、签约多少、哪些项目签约未开工
        return asked
    chosen, note = _period(ctx, settled="汇总")
    if _sees_county(ctx) or ctx.unit is None or ctx.unit.id is None:
        t = table(ctx.store, chosen, ctx.rules)
        lines = [f"**{chosen.label}各单位报送情况**（已报送{len(t.rows) - len(t.not_reported)}/{len(t.rows)}）"]
        lines += [f"{s.row.unit}：{figures(s.row)}" for s in t.standings]
        return Reply("\n".join(lines) + note)
    total, shown = ctx.store.records.latest_of_unit(ctx.unit.id, chosen.keys, MAX_LINES)
    if not total:
        if note:
            return Reply(f"{ctx.unit.name}{chosen.label}没有登记任何报送。" + note)
        deadline = deadline_of(chosen.months[-1], ctx.rules.schedule)
        return Reply(f"{ctx.unit.name}{chosen.label}还没有登记任何报送，请在{deadline.month}月{deadline.day}日前报送。")
    lines = [f"**{ctx.unit.name}{chosen.label}已登记{total}条**"]
    if total > len(shown):
        lines.append(f"（仅列最近{len(shown)}条，完整台账请找招商办导出）")
    for record in shown:
        flag = ("（政府投资，不计分）" if record.government_funded
                else "（已驳回，不计分）" if record.review == "rejected"
                else f"（不计分：{record.not_counting}）" if record.not_counting and record.review != "confirmed"
                else "（已更正）" if record.status == "corrected" else "")
        lines.append(one_line(record) + flag)
    lines.append("有误请回复「更正 #编号 …」或「撤回 #编号」。")
    return Reply("\n".join(lines) + note)
