"""Questions about the county's projects in chat: 开工率, 履约率, 签约多少, 到位多少, 哪些项目签约未开工.

The parser marks them as questions (`Parsed.question`; `开工率` has 开工 in it, so it is never a report);
the figures are `zsbot stats`'s (`handlers.assessment.stats`), for the period 排名 would mean then.
"""

from __future__ import annotations

import re

from handlers.assessment.ranking import number, table
from handlers.assessment.stats import (
    count_not_started,
    not_completed,
    not_started,
    percent,
    rates_of,
    year_to_date,
)
from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.metrics import RATE_NAMES
from handlers.core.periods import Period, closed_month_asked, closed_note
from handlers.core.receipts import format_amount
from nlp import Parsed
from storage.kinds import MILESTONE_VALUES, RecordKind
from storage.models import Project, ProjectStage

#: Projects named in one chat answer (oldest first; the rest are counted, the workbook has them all).
_LISTED = 20


def office_question(parsed: Parsed, ctx: Context) -> Reply | None:
    """Answer 开工率/履约率/资金到位率/线索转化率, 签约未开工/开工未投产, 签约多少, 到位多少; None if not such a question.

    Rates and lists come from `handlers.assessment.stats` (the figures of `zsbot stats`): projects signed this
    year up to the end of the period asked. A question naming no period means what 排名 means then
    (after the deadline, the month just closed, said so); one naming a unit (卫庄镇开工率) or 全县
    answers for it, else for the asker's unit (the county for the office and county leaders).
    """
    text = ctx.incoming.text
    if not parsed.question:
        return None
    scope = _scope(ctx, text)
    if isinstance(scope, Reply):
        return scope
    unit_id, whose = scope
    chosen, closed = closed_month_asked(text, ctx.at, ctx.rules.schedule)
    units = {u.id: u.name for u in ctx.store.roster.units()}
    lists = "未开工" in text or "未投产" in text or ("哪些" in text and ("开工" in text or "投产" in text))
    if lists and unit_id != _own_scope(ctx) and not _sees_county(ctx):
        return Reply("项目名单只能查看本单位的（县领导和招商办可查看全县和各单位）。发送「签约未开工」查看本单位名单，"
                     f"或发送「{whose}开工率」查看比率。")
    reply = _pipeline_answer(ctx, text, chosen, unit_id, whose, units)
    if reply is None or closed is None:
        return reply
    ask = ("签约未开工" if "未开工" in text else "开工未投产" if "未投产" in text
           else next((name for name in RATE_NAMES if name in reply.text), "") or ("签约" if "签约" in text else "到位"))
    return Reply(reply.text + "\n" + closed_note(closed, ctx.rules.schedule, ask))


def _own_scope(ctx: Context) -> int | None:
    """The unit a question naming none is about: the asker's, or the county (None) for the office and county leaders."""
    return None if _sees_county(ctx) or ctx.unit is None else ctx.unit.id


def _sees_county(ctx: Context) -> bool:
    return ctx.unit is None or ctx.is_admin


#: Words of a period in front of a unit's name (一季度卫庄镇开工率), dropped before looking the unit up.
_PERIOD_WORDS = re.compile(
    r"20\d{2}年度?|\d{1,2}月份?|[上下本这]个?(?:月|季度|半年)|第?[1-4一二三四]季度|[上下]半年|今年|全年|本年|年度|截至|目前|的")
#: A unit named in front of the question: 卫庄镇, 开发区, 商务局 …
_PLACE = re.compile(r"([\u4e00-\u9fff]{1,10}(?:镇|乡|街道|开发区|园区|区|局|委|办))$")
_ASKED = re.compile(r"开工率|履约率|资金到位率|到位率|线索转化率|转化率|签约未开工|开工未投产|未开工|未投产|签约|到位|资金|开工|投产")


def _scope(ctx: Context, text: str) -> tuple[int | None, str] | Reply:
    """(unit id, or None for the county; its name) the question is about, or a reply naming the units
    when it names one the roster does not have."""
    units = [(u.id, u.name) for u in ctx.store.roster.units() if u.id is not None]
    named = [(uid, name) for uid, name in units if name in text]
    if named:
        return max(named, key=lambda u: len(u[1]))
    if "全县" in text or re.search(r"各(?:乡镇|单位|镇|部门)", text):
        return None, "全县"
    asked = _ASKED.search(text)
    head = _PERIOD_WORDS.sub("", text[:asked.start()] if asked else "").strip()
    if (place := _PLACE.search(head)) is not None and not head.startswith(("我", "本")):
        close = [(uid, name) for uid, name in units if place[1] in name or name in place[1]]
        if len(close) == 1:
            return close[0]
        return Reply(f"没有找到「{place[1]}」。参加考核的单位：{'、'.join(name for _, name in units)}")
    own = _own_scope(ctx)
    return own, "全县" if own is None else (ctx.unit.name if ctx.unit else "")


def _pipeline_answer(ctx: Context, text: str, chosen: Period, unit_id: int | None, whose: str,
                     units: dict[int | None, str]) -> Reply | None:
    if "未开工" in text or ("哪些" in text and "开工" in text and "投产" not in text):
        waiting = not_started(ctx.store, chosen, unit_id, limit=_LISTED)
        if not waiting:
            return Reply(f"{whose}{chosen.months[-1].year}年签约的项目截至{chosen.label}均已开工。")
        total = count_not_started(ctx.store, chosen, unit_id)
        lines = [f"**{whose}签约未开工项目 {total} 个**（{chosen.months[-1].year}年签约、截至{chosen.label}未报开工）"]
        owners = {m.userid: m.name for m in ctx.store.roster.members()} if any(p.owner for p in waiting) else {}
        lines += [_project_line(p, units, owners) for p in waiting]
        if total > len(waiting):
            lines.append(f"……另有{total - len(waiting)}个，详见台账（zsbot export）")
        return Reply("\n".join(lines))
    if "未投产" in text or ("哪些" in text and "投产" in text):
        begun = not_completed(ctx.store, chosen, unit_id)
        if not begun:
            return Reply(f"{whose}截至{chosen.label}没有开工未投产的项目。")
        lines = [f"**{whose}开工未投产项目 {len(begun)} 个**（截至{chosen.label}）"]
        lines += [_project_line(p, units) for p in begun[:30]]
        return Reply("\n".join(lines))
    asked_rate = next((name for name in RATE_NAMES if name in text or name.replace("率", "") + "率" in text), None)
    if asked_rate is None and "开工" in text:
        asked_rate = "开工率"
    if asked_rate is None and "到位率" in text:
        asked_rate = "资金到位率"
    if asked_rate is None and "转化" in text:
        asked_rate = "线索转化率"
    if asked_rate is not None:
        return Reply(_rate_reply(ctx, chosen, unit_id, whose, asked_rate))
    rows = table(ctx.store, chosen, ctx.rules).rows
    if unit_id is not None:
        rows = [r for r in rows if r.unit_id == unit_id]
    if "签约" in text:
        signings = sum(r.signings for r in rows)
        signed_wan = sum(r.signed_wan for r in rows)
        return Reply(f"{whose}{chosen.label}签约{signings}个，签约额{format_amount(signed_wan)}（协议后签合同只计一次）。")
    if "到位" in text or "资金" in text:
        funds = sum(r.funds_wan for r in rows)
        return Reply(f"{whose}{chosen.label}到位资金{format_amount(funds)}（{number(sum(r.funds for r in rows))}笔）。")
    return None


_RATE_MEANS = {
    "开工率": "今年签约项目中已开工的比例",
    "履约率": "今年签约项目中已开工或已有资金到位的比例",
    "资金到位率": "今年签约项目到位资金÷签约额",
    "线索转化率": "今年报送的线索中项目已签约的比例",
}


def _rate_reply(ctx: Context, chosen: Period, unit_id: int | None, whose: str, name: str) -> str:
    who = rates_of(ctx.store, chosen, unit_id, name)
    p, value = who.pipe, who.values[name]
    basis = {
        "开工率": f"今年签约项目{p.signed}个、已开工{p.started}个",
        "履约率": f"今年签约项目{p.signed}个、已开工或资金到位{p.performing}个",
        "资金到位率": f"签约额{format_amount(p.signed_wan)}、到位{format_amount(p.funds_wan)}",
        "线索转化率": f"今年线索{p.leads}条、已签约{p.leads_signed}条",
    }[name]
    shown = percent(value) if value is not None else "—（还没有可计算的项目）"
    # The year's milestones a rate would read, still without their project (a plan changes no rate).
    waiting = ctx.store.records.count_unattached(
        MILESTONE_VALUES - {RecordKind.PLAN.value}, unit_id, [m.key for m in year_to_date(chosen)]
    ) if name in ("开工率", "履约率", "资金到位率") else 0
    lines = [f"{whose}{name}（{_RATE_MEANS[name]}，截至{chosen.label}）：{shown}，{basis}。",
             "发送「签约未开工」查看名单。" if name in ("开工率", "履约率") else "",
             f"另有{waiting}条进展尚未归入项目，不在上述比率中（发送「审核」或「草稿」查看）。" if waiting else ""]
    return "\n".join(x for x in lines if x)


def _project_line(p: Project, units: dict[int | None, str], owners: dict[str, str] | None = None) -> str:
    stage = ProjectStage(p.stage).label if p.stage in set(ProjectStage) else p.stage
    when = p.started_on if p.stage in (ProjectStage.STARTED, ProjectStage.COMPLETED) else p.contract_on or p.signed_on
    amount = format_amount(p.signed_wan or p.amount_wan) if (p.signed_wan or p.amount_wan) else ""
    owner = f"｜包干：{(owners or {}).get(p.owner, p.owner)}" if p.owner else ""
    return (f"P{p.id} {units.get(p.unit_id, '')} {p.company or ''} {p.name or ''} {amount}（{stage}"
            f"{(' ' + when.isoformat()) if when else ''}）{owner}").replace("  ", " ")
