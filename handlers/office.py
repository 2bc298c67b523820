"""The office's side of the record: review (审核, 确认 #N, 驳回 #N 原因), drafts never completed
(草稿), and questions about the county's projects (开工率, 签约多少, 哪些项目签约未开工).

The parser reads these as unknown or as report words (`开工率` has 开工 in it); they are recognised
here by their own shape, so an office question is never refused as a report.
"""

from __future__ import annotations

import re
from datetime import timedelta

from handlers.context import Context
from handlers.messages import Reply
from handlers.periods import period_asked
from handlers.ranking import number, table
from handlers.receipts import format_amount, kind_name, one_line
from nlp import Intent, Parsed
from storage.models import Project, ProjectStage, Role
from storage.outbox import Target
from storage.states import DraftState

_REVIEW = re.compile(r"^\s*(确认|驳回)\s*#?\s*(\d+)\s*[，,：:。\s]*(.*)$", re.S)
_LIST_REVIEW = re.compile(r"^\s*(?:待?审核|审核列表|待审核记录|复核)\s*[？?]?\s*$")
_LIST_DRAFTS = re.compile(r"^\s*(?:草稿|未完成草稿|草稿列表|未补全)\s*[？?]?\s*$")
_QUESTION = re.compile(r"多少|哪些|哪几|几个|几家|几项|[率？?吗]|怎么样|情况如何|有没有")
_COMMAND_INTENTS = frozenset({
    Intent.CORRECTION, Intent.RETRACT, Intent.HELP, Intent.QUERY_RANK, Intent.QUERY_MISSING,
    Intent.QUERY_SUMMARY, Intent.BULLETIN, Intent.QUERY_RANK_CHART,
})
_SIGNED = (ProjectStage.SIGNED, ProjectStage.CONTRACT, ProjectStage.STARTED, ProjectStage.COMPLETED)
_STARTED = (ProjectStage.STARTED, ProjectStage.COMPLETED)
_OFFICE_ROLES = (Role.ADMIN, Role.LEADER)


def is_command(parsed: Parsed, text: str) -> bool:
    """A command or a question, never an answer to a draft."""
    return (parsed.intent in _COMMAND_INTENTS or bool(_REVIEW.match(text) or _LIST_REVIEW.match(text)
            or _LIST_DRAFTS.match(text)) or is_question(parsed, text))


def is_question(parsed: Parsed, text: str) -> bool:
    """`本季度开工率是多少`, `签约多少`, `哪些项目签约未开工`: asked, not reported (no amount, a question word)."""
    return parsed.amount_wan is None and bool(_QUESTION.search(text)) and not re.search(r"[：:]", text[:6])


def office_command(parsed: Parsed, ctx: Context) -> Reply | None:
    """确认/驳回/审核/草稿 in chat; None when the message is none of them."""
    text = ctx.incoming.text
    if m := _REVIEW.match(text):
        return _decide(ctx, m.group(1) == "确认", int(m.group(2)), m.group(3).strip())
    if _LIST_REVIEW.match(text):
        return _review_list(ctx)
    if _LIST_DRAFTS.match(text):
        return _draft_list(ctx)
    return None


def _office_only(ctx: Context) -> Reply | None:
    if ctx.is_admin:
        return None
    return Reply("审核由县招商办（管理员）操作。如对某条记录有疑问，请联系招商办。")


def _decide(ctx: Context, confirmed: bool, record_id: int, note: str) -> Reply:
    refused = _office_only(ctx)
    if refused:
        return refused
    store = ctx.store
    record = store.records.get(record_id)
    if record is None:
        return Reply(f"没有找到记录 #{record_id}，请核对编号（发送「审核」查看待审核记录）。")
    if not confirmed and not note:
        return Reply(f"请写明驳回原因，例如「驳回 #{record_id} 与南樊镇 #12 为同一项目」。")
    record = store.records.decide(record, confirmed, note, ctx.member.userid)
    verdict = "确认，计入考核" if confirmed else f"驳回，不计入考核（原因：{note}）"
    store.outbox.push(
        f"review:{record.id}:{record.review}:{ctx.message_id}",
        f"招商办审核：{one_line(record)} 已{verdict}。",
        target=Target.user(record.reporter), kind="text",
    )
    return Reply(f"已{verdict}：{one_line(record)}。已通知报送人。", stored=True)


def _review_list(ctx: Context) -> Reply:
    refused = _office_only(ctx)
    if refused:
        return refused
    pending = ctx.store.records.in_review()
    if not pending:
        return Reply("✅ 没有待审核的记录。")
    units = {u.id: u.name for u in ctx.store.roster.units()}
    lines = [f"**待审核 {len(pending)} 条**（回复「确认 #编号」计入，「驳回 #编号 原因」不计）"]
    for r in pending[:30]:
        why = r.not_counting or "金额待核"
        lines.append(f"{one_line(r)}｜{units.get(r.unit_id, '')}｜{why}")
    return Reply("\n".join(lines))


def _draft_list(ctx: Context) -> Reply:
    """Drafts of the last 30 days that were never completed (expired ones are closed as they are read)."""
    if ctx.role not in _OFFICE_ROLES:
        return Reply("草稿清单供招商办查看。您自己的草稿：直接回复补充内容即可。")
    store = ctx.store
    store.drafts.expire_due(ctx.at)
    drafts = [d for d in store.drafts.never_completed(ctx.at - timedelta(days=30)) if not d.parsed.get("ask")]
    if not drafts:
        return Reply("近30天没有未补全的草稿。")
    names = {m.userid: m.name for m in store.roster.members()}
    tz = ctx.rules.schedule.tz
    lines = [f"**近30天未补全的草稿 {len(drafts)} 条**（未补全不登记、不计分）"]
    for d in drafts[-30:]:
        what = d.parsed.get("company") or d.parsed.get("project") or (d.parsed.get("source_text") or "")[:20]
        state = "待补充" if d.state == DraftState.OPEN else "已过期"
        lines.append(f"{d.created_at.astimezone(tz):%m-%d %H:%M} {names.get(d.user_id, d.user_id)} "
                     f"{kind_name(d.parsed.get('intent', ''))} {what}（{state}，缺{'、'.join(d.parsed.get('missing') or [])}）")
    return Reply("\n".join(lines))


def office_question(parsed: Parsed, ctx: Context) -> Reply | None:
    """Answer 开工率 / 签约多少 / 哪些项目签约未开工 with the stored figures; None if not such a question."""
    text = ctx.incoming.text
    if not is_question(parsed, text):
        return None
    unit_id = None if ctx.unit is None or ctx.is_admin else ctx.unit.id
    whose = "全县" if unit_id is None else (ctx.unit.name if ctx.unit else "")
    projects = list(ctx.store.projects.at_stages(_SIGNED, unit_id))
    signed = len(projects)
    started = sum(1 for p in projects if p.stage in _STARTED)
    if "未开工" in text or ("哪些" in text and "开工" in text):
        waiting = [p for p in projects if p.stage not in _STARTED]
        if not waiting:
            return Reply(f"{whose}签约项目均已开工（共{signed}个）。")
        units = {u.id: u.name for u in ctx.store.roster.units()}
        lines = [f"**{whose}签约未开工项目 {len(waiting)} 个**（签约{signed}个，已开工{started}个）"]
        lines += [_project_line(p, units) for p in waiting[:30]]
        return Reply("\n".join(lines))
    chosen = period_asked(text, ctx.at, ctx.rules.schedule)
    rows = table(ctx.store, chosen, ctx.rules).rows
    if unit_id is not None:
        rows = [r for r in rows if r.unit_id == unit_id]
    signings = sum(r.signings for r in rows)
    signed_wan = sum(r.signed_wan for r in rows)
    starts = sum(r.starts for r in rows)
    if "开工" in text:
        rate = f"{started / signed:.0%}" if signed else "—（还没有签约项目）"
        return Reply(
            f"{whose}开工率（签约项目中已开工的比例）：{rate}，签约项目{signed}个、已开工{started}个。"
            f"\n{chosen.label}新登记开工{starts}个。发送「哪些项目签约未开工」查看名单。"
        )
    if "签约" in text:
        return Reply(
            f"{whose}{chosen.label}签约{signings}个，签约额{format_amount(signed_wan)}（协议后签合同只计一次）；"
            f"累计签约项目{signed}个，其中已开工{started}个。"
        )
    if "到位" in text or "资金" in text:
        funds = sum(r.funds_wan for r in rows)
        return Reply(f"{whose}{chosen.label}到位资金{format_amount(funds)}（{number(sum(r.funds for r in rows))}笔）。")
    return None


def _project_line(p: Project, units: dict[int | None, str]) -> str:
    stage = ProjectStage.CONTRACT.label if p.stage == ProjectStage.CONTRACT else ProjectStage.SIGNED.label
    when = p.contract_on or p.signed_on
    amount = format_amount(p.signed_wan or p.amount_wan) if (p.signed_wan or p.amount_wan) else ""
    return (f"P{p.id} {units.get(p.unit_id, '')} {p.company or ''} {p.name or ''} {amount}（{stage}"
            f"{(' ' + when.isoformat()) if when else ''}）").replace("  ", " ")
