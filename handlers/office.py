"""The office's side of the record: review (审核, 确认 #N, 驳回 #N 原因), drafts never completed
(草稿), and questions about the county's projects (开工率, 签约多少, 哪些项目签约未开工).

The parser reads these as unknown or as report words (`开工率` has 开工 in it); they are recognised
here by their own shape, so an office question is never refused as a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from handlers.context import Context
from handlers.messages import Reply
from handlers.metrics import RATE_NAMES
from handlers.periods import Period, closed_month_asked, closed_note
from handlers.ranking import number, table
from handlers.receipts import format_amount, kind_name, one_line
from handlers.registry import router
from handlers.stats import count_not_started, not_completed, not_started, percent, rates_of, year_to_date
from nlp import Intent, Parsed
from storage.kinds import MILESTONE_VALUES, RecordKind
from storage.models import Project, ProjectStage, Record, Role
from storage.outbox import Target
from storage.records import counts
from storage.states import DraftState

_LIST_REVIEW = re.compile(r"^\s*(?:待?审核|审核列表|待审核记录|复核)\s*[？?]?\s*$")
_LIST_DRAFTS = re.compile(r"^\s*(?:草稿|未完成草稿|草稿列表|未补全)\s*[？?]?\s*$")
_COMMAND_INTENTS = frozenset({
    Intent.CORRECTION, Intent.RETRACT, Intent.HELP, Intent.QUERY_RANK, Intent.QUERY_MISSING,
    Intent.QUERY_SUMMARY, Intent.BULLETIN, Intent.QUERY_RANK_CHART, Intent.REVIEW, Intent.ATTACH, Intent.SOLVE,
    Intent.OWNERS,
})
_OFFICE_ROLES = (Role.ADMIN, Role.LEADER)
#: Projects named in one chat answer (oldest first; the rest are counted, the workbook has them all).
_LISTED = 20



def is_command(parsed: Parsed, text: str) -> bool:
    """A command or a question (`parsed.question`, the parser's decision), never an answer to a draft."""
    return (parsed.intent in _COMMAND_INTENTS or bool(_LIST_REVIEW.match(text) or _LIST_DRAFTS.match(text))
            or parsed.question)


def office_command(parsed: Parsed, ctx: Context) -> Reply | None:
    """确认/驳回/审核/草稿 in chat; None when the message is none of them."""
    text = ctx.incoming.text
    if _LIST_REVIEW.match(text):
        return _review_list(ctx)
    if _LIST_DRAFTS.match(text):
        return _draft_list(ctx)
    return None


def _office_only(ctx: Context) -> Reply | None:
    if ctx.is_admin:
        return None
    return Reply("审核由县招商办（管理员）操作。如对某条记录有疑问，请联系招商办。")


@router.on(Intent.REVIEW, title="审核", examples=("确认 #26", "驳回 #41 城投项目不计"), allow=Role.ADMIN,
           refusal="审核由县招商办（管理员）操作。如对某条记录有疑问，请联系招商办。")
def review(parsed: Parsed, ctx: Context) -> Reply:
    """招商办审核：「确认 #编号」计入，「驳回 #编号 原因」不计；跨单位重复的，确认时选择「两家都计」或「转计本单位」。"""
    return _decide(ctx, bool(parsed.confirm), parsed.ref or 0, (parsed.body or "").strip())


#: How the office settles a cross-unit repeat (第一引资人): both units count, or the credit moves.
_BOTH = re.compile(r"两家都计|两个?单位都计|都计|均计|重复计|都算")
_MOVE = re.compile(r"转计|改计|转给|改为本单位|计入本单位|归本单位|移交|改由|转到")
_KEEP_FIRST = re.compile(r"计入先报|先报单位|维持|第一引资人")
#: The records that name an investor (a project counts when one of them does).
_FOUNDING = frozenset({RecordKind.LEAD.value, RecordKind.INTENTION.value, RecordKind.SIGNING.value})


def _decide(ctx: Context, confirmed: bool, record_id: int, note: str) -> Reply:
    store = ctx.store
    record = store.records.get(record_id)
    if record is None:
        return Reply(f"没有找到记录 #{record_id}，请核对编号（发送「审核」查看待审核记录）。")
    if not confirmed and not note:
        return Reply(f"请写明驳回原因，例如「驳回 #{record_id} 与南樊镇 #12 为同一项目」。")
    first = store.records.get(record.repeat_of) if record.repeat_of else None
    moved_from: Record | None = None
    if confirmed and first is not None and first.unit_id != record.unit_id:
        units = {u.id: u.name for u in store.roster.units()}
        mine, theirs = units.get(record.unit_id, ""), units.get(first.unit_id, "")
        if _MOVE.search(note):
            moved_from = store.records.move_credit(record, first, ctx.member.userid)
            note = f"第一引资人改为{mine}（原{theirs} #{first.id}）"
            # The investor is no longer the first unit's: neither is its project (its milestones follow).
            for other in store.records.of_project(moved_from.project_id or 0):
                if other.kind in _FOUNDING and other.id != moved_from.id and counts(other):
                    store.records.flag(other, f"第一引资人改为{mine} #{record.id}", review=False, actor=ctx.member.userid)
        elif _KEEP_FIRST.search(note):
            confirmed, note = False, f"计入先报单位{theirs} #{first.id}"
        elif not _BOTH.search(note):
            return Reply(
                f"⚠️ #{record.id}（{mine}）与{theirs} #{first.id} 是同一投资方，已按第一引资人计入{theirs}。请选择：\n"
                f"· 回复「确认 #{record.id} 两家都计」：{mine}和{theirs}都计（全县只计一次）；\n"
                f"· 回复「确认 #{record.id} 转计本单位」：改计入{mine}，{theirs} #{first.id} 不再计；\n"
                f"· 回复「驳回 #{record.id} 计入先报单位」：维持计入{theirs}。")
        else:
            note = note or f"与{theirs} #{first.id} 两家都计"
    record = store.records.decide(record, confirmed, note, ctx.member.userid)
    for touched in {record.project_id, moved_from.project_id if moved_from else None} - {None}:
        project = store.projects.get(touched or 0)
        if project is not None:
            store.projects.refresh(project, ctx.member.userid)
    verdict = "确认，计入考核" if confirmed else f"驳回，不计入考核（原因：{note}）"
    if confirmed and note:
        verdict += f"（{note}）"
    store.outbox.push(
        f"review:{record.id}:{record.review}:{ctx.message_id}",
        f"招商办审核：{one_line(record)} 已{verdict}。",
        target=Target.user(record.reporter), kind="text",
    )
    if moved_from is not None:
        store.outbox.push(
            f"review-moved:{moved_from.id}:{ctx.message_id}",
            f"招商办审核：{one_line(moved_from)} 的第一引资人已改为#{record.id}的报送单位，本条不再计入考核。",
            target=Target.user(moved_from.reporter), kind="text",
        )
    return Reply(f"已{verdict}：{one_line(record)}。已通知报送人。", stored=True)


def _review_list(ctx: Context) -> Reply:
    refused = _office_only(ctx)
    if refused:
        return refused
    pending = ctx.store.records.in_review()
    waiting = ctx.store.records.unattached(MILESTONE_VALUES)
    if not pending and not waiting:
        return Reply("✅ 没有待审核的记录，也没有待归入项目的进展。")
    units = {u.id: u.name for u in ctx.store.roster.units()}
    lines = []
    if pending:
        lines.append(f"**待审核 {len(pending)} 条**（回复「确认 #编号」计入，「驳回 #编号 原因」不计）")
        for r in pending[:30]:
            why = r.not_counting or "金额待核"
            lines.append(f"{one_line(r)}｜{units.get(r.unit_id, '')}｜{why}")
    if waiting:
        lines.append(_unattached_lines(waiting, units, office=True))
    return Reply("\n".join(lines))


def _unattached_lines(waiting: Sequence[Record], units: dict[int | None, str], office: bool) -> str:
    """The milestones no project has yet: they count in the ranking, not in 开工率 and the other rates."""
    how = "回复「#编号 归入 P编号」或「#编号 新项目」" + ("（招商办可随时归入）" if office else "")
    lines = [f"**待归入项目 {len(waiting)} 条**（未归入的不计入开工率等项目指标，{how}）"]
    lines += [f"{one_line(r)}｜{units.get(r.unit_id, '')}" for r in waiting[:30]]
    return "\n".join(lines)


def _draft_list(ctx: Context) -> Reply:
    """Drafts of the last 30 days that were never completed (expired ones are closed as they are read), and
    the milestones waiting for their project (the sender's unit's, for a liaison)."""
    store = ctx.store
    units = {u.id: u.name for u in store.roster.units()}
    if ctx.role not in _OFFICE_ROLES:
        waiting = store.records.unattached(MILESTONE_VALUES, unit_id=ctx.unit.id) if ctx.unit else []
        if waiting:
            return Reply(_unattached_lines(waiting, units, office=False))
        return Reply("草稿清单供招商办查看。您自己的草稿：直接回复补充内容即可。")
    store.drafts.expire_due(ctx.at)
    drafts = [d for d in store.drafts.never_completed(ctx.at - timedelta(days=30)) if not d.parsed.get("ask")]
    waiting = store.records.unattached(MILESTONE_VALUES)
    if not drafts and not waiting:
        return Reply("近30天没有未补全的草稿，也没有待归入项目的进展。")
    names = {m.userid: m.name for m in store.roster.members()}
    tz = ctx.rules.schedule.tz
    lines = []
    if drafts:
        lines.append(f"**近30天未补全的草稿 {len(drafts)} 条**（未补全不登记、不计分）")
    for d in drafts[-30:]:
        what = d.parsed.get("company") or d.parsed.get("project") or (d.parsed.get("source_text") or "")[:20]
        state = "待补充" if d.state == DraftState.OPEN else "已过期"
        lines.append(f"{d.created_at.astimezone(tz):%m-%d %H:%M} {names.get(d.user_id, d.user_id)} "
                     f"{kind_name(d.parsed.get('intent', ''))} {what}（{state}，缺{'、'.join(d.parsed.get('missing') or [])}）")
    if waiting:
        lines.append(_unattached_lines(waiting, units, office=True))
    return Reply("\n".join(lines))


def office_question(parsed: Parsed, ctx: Context) -> Reply | None:
    """Answer 开工率/履约率/资金到位率/线索转化率, 签约未开工/开工未投产, 签约多少, 到位多少; None if not such a question.

    Rates and lists come from `handlers.stats` (the figures of `zsbot stats`): projects signed this
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
