"""Turning a complete parse result into a stored record, linked to the project it speaks of."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from handlers import packaging
from handlers.context import Context
from handlers.periods import Month, deadline_of, is_late, month_of, period_label
from handlers.receipts import describe, fix_hint, format_amount, kind_name, one_line
from handlers.words import mentions
from nlp import Intent, Parsed
from storage.fields import BY_PARSED
from storage.keys import core_company_name, same_investor
from storage.models import Project, ProjectStage, Record

_STAGE_OF = {
    Intent.LEAD: ProjectStage.LEAD,
    Intent.SIGNING: ProjectStage.SIGNED,
    Intent.START: ProjectStage.STARTED,
    Intent.COMPLETION: ProjectStage.COMPLETED,
}
#: Milestones that never open a project by themselves: they join one, or the bot asks.
_JOINERS = frozenset({Intent.FUNDS, Intent.START, Intent.PROGRESS, Intent.COMPLETION})
#: Words of a formal contract that follows a framework agreement (框架协议 → 正式合同).
_CONTRACT = re.compile(r"正式合同|签订合同|签署合同|合同签订|合同签约|投资合同|正式签约合同|签合同")


@dataclass(frozen=True, slots=True)
class Stored:
    record: Record
    project_note: str | None
    #: What the receipt must add: why it does not count, who reported it first, what the office checks.
    notes: tuple[str, ...] = ()
    #: True when nothing was stored: `record` is the earlier record this message re-sends.
    resent: bool = False
    #: A question to ask about the record's project (`是 P5 …吗？`), if any.
    question: str | None = None


def cny_wan(amount_wan: float | None, currency: str | None, ctx: Context) -> float | None:
    """The CNY value (万元) of an amount at the configured rate."""
    if amount_wan is None:
        return None
    if currency in (None, "CNY"):
        return amount_wan
    rate = ctx.rules.reporting.fx_to_cny.get(currency)
    return round(amount_wan * rate, 4) if rate else None


def record_fields(parsed: Parsed) -> dict[str, Any]:
    """The record columns a parse result fills, through the field table (storage.fields)."""
    return {f.column: getattr(parsed, name) for name, f in BY_PARSED.items()}


def plan_reply(parsed: Parsed, ctx: Context) -> str | None:
    """A visit or reception that is still a plan (`下周来考察`) is not one: say so, store nothing."""
    if parsed.intent not in (Intent.VISIT, Intent.RECEPTION):
        return None
    text = parsed.source_text or ctx.incoming.text
    word = next((w for w in ctx.rules.counting.plan_words if w in text), None)
    if word is None:
        return None
    return (f"📅 「{word}」是计划中的{kind_name(parsed.intent)}，尚未发生，本条未登记为{kind_name(parsed.intent)}。"
            "来访/出访后再报；如有投资意向，可按「线索：XX公司拟投资XX万元建设XX项目」报送线索。")


def store_record(parsed: Parsed, ctx: Context, reported_at: datetime | None = None) -> Stored:
    """Store one complete report item for the sender's unit, once, linked to the project it speaks of.

    `reported_at` is when the report was first sent: a draft completed after the deadline still
    counts at the time of its first message. An identical re-send is not stored; repeats, public or
    in-county money and surprising amounts are stored and flagged (see `_flags`).
    """
    if ctx.unit is None or ctx.unit.id is None:
        raise ValueError("store_record needs a sender with a stored unit (the report handlers check first)")
    rules = ctx.rules.schedule
    at = reported_at or ctx.at
    text = parsed.source_text or ctx.incoming.text
    kind = str(parsed.intent)
    earlier = ctx.store.records.resent(ctx.unit.id, text, [kind])
    if earlier is not None and at - earlier.reported_at <= timedelta(hours=ctx.rules.counting.resend_hours):
        return Stored(earlier, None, resent=True)
    link = _link_project(parsed, ctx)
    record = ctx.store.records.add(
        Record(
            unit_id=ctx.unit.id,
            reporter=ctx.member.userid,
            kind=kind,
            period=month_of(at, rules).key,
            late=packaging.is_quarter_late(at, ctx.rules) if kind == packaging.KIND else is_late(at, rules),
            reported_at=at,
            text=text,
            message_id=ctx.message_id,
            project_id=link.project.id if link.project else None,
            amount_cny_wan=cny_wan(parsed.amount_wan, parsed.currency, ctx),
            fields=parsed_to_json(parsed),
            **record_fields(parsed),
        )
    )
    notes = _flags(record, parsed, link.project, ctx)
    counted = record.not_counting is None
    if link.project is not None and (counted or link.contract):
        advance_project(link.project, record, ctx, counted=counted, contract=link.contract)
    question = None
    named = bool(parsed.company or parsed.project)
    if link.ask is not None or (link.project is None and named and parsed.intent in _JOINERS):
        question = ask_project(record, link.ask, ctx)
    return Stored(record, link.note, tuple(notes), question=question)


@dataclass(frozen=True, slots=True)
class _Link:
    project: Project | None = None
    note: str | None = None
    #: A project the report may mean, to ask about instead of guessing.
    ask: Project | None = None
    #: The report is the contract of a project signed by agreement earlier.
    contract: bool = False


def _link_project(parsed: Parsed, ctx: Context) -> _Link:
    """Find the unit's project the report speaks of; open one only for a lead or a signing."""
    if ctx.unit is None or ctx.unit.id is None:
        raise ValueError("a project is looked up for a sender with a stored unit only")
    if not (parsed.company or parsed.project) or parsed.intent is Intent.PACKAGING:
        return _Link()  # a packaged project is offered to investors, not yet one a unit follows
    projects = ctx.store.projects
    found = projects.matches(ctx.unit.id, parsed.company, parsed.project, ctx.rules.reporting.project_match_threshold)
    text = parsed.source_text or ctx.incoming.text
    sure = found[:1] if len(found) == 1 or (found and _same_company(parsed, found[0]) and not (
        len(found) > 1 and _same_company(parsed, found[1]))) else []
    if sure:
        project = sure[0]
        contract = parsed.intent is Intent.SIGNING and bool(_CONTRACT.search(text)) and project.signed_on is not None
        return _Link(project, f"已归入本单位跟踪项目 P{project.id}（{project.company or project.name}）", contract=contract)
    if found:
        return _Link(ask=found[0])
    if parsed.intent in (Intent.LEAD, Intent.SIGNING):
        project = projects.open(
            ctx.unit.id, parsed.company, parsed.project, ProjectStage.LEAD if parsed.intent is Intent.LEAD
            else ProjectStage.TALKS, ctx.at, ctx.member.userid, amount_wan=cny_wan(parsed.amount_wan, parsed.currency, ctx),
            currency="CNY", industry=parsed.industry,
        )
        return _Link(project, f"已新建项目档案 P{project.id}")
    return _Link()


def _same_company(parsed: Parsed, project: Project) -> bool:
    return bool(core_company_name(parsed.company) and project.company_key and same_investor(parsed.company, project.company))


def advance_project(project: Project, record: Record, ctx: Context, counted: bool = True, contract: bool = False) -> None:
    """Move the record's project along: stage, dates, signed amount and funds (only what counts adds up)."""
    intent = Intent(record.kind)
    stage = ProjectStage.CONTRACT if contract else _STAGE_OF.get(intent)
    on = record.event_date or ctx.today
    amount = record.amount_cny_wan
    ctx.store.projects.advance(
        project, stage, ctx.at, on, ctx.member.userid,
        amount_wan=amount if intent is Intent.SIGNING and (counted or contract) else None,
        funds_cny_wan=amount if intent is Intent.FUNDS and counted else None,
    )


def ask_project(record: Record, candidate: Project | None, ctx: Context) -> str:
    """Ask which project a milestone belongs to (a draft of kind "project" waits for the answer)."""
    ctx.store.drafts.open(
        ctx.member.userid, {"ask": "project", "record_id": record.id, "project_id": candidate.id if candidate else None},
        ctx.at, ctx.rules.reporting.draft_minutes, ctx.message_id,
    )
    if candidate is not None:
        name = " ".join(x for x in (candidate.company, candidate.name) if x)
        return f"❓ 是 P{candidate.id} {name}吗？回复「是」或「新项目」。"
    return ("❓ 本单位没有找到对应的项目档案，本条暂未归入项目。回复「新项目」建档，"
            "或回复「P编号」归入已有项目（发送「我的上报」可查看）。")


def _flags(record: Record, parsed: Parsed, project: Project | None, ctx: Context) -> list[str]:
    """Apply the counting rules to a just-stored record; the receipt lines that explain them."""
    if record.kind == packaging.KIND:
        return packaging.check(record, ctx)
    rules = ctx.rules.counting
    records = ctx.store.records
    actor = ctx.member.userid
    text = record.text
    notes: list[str] = []
    public = next((w for w in rules.government_words if mentions(w, text)), None)
    local = next((w for w in rules.in_county_words if mentions(w, text)), None)
    if public or local:
        reason = f"政府投资/平台公司（{public}）" if public else f"县内投资（{local}）"
        records.flag(record, reason, review=True, actor=actor)
        notes.append(f"注：{reason}，按考核办法只计县外资金、不计政府投资，已登记备查，不计入考核，已转招商办审核。")
        return notes
    if record.kind in rules.once_kinds:
        first = records.first_of_company(record.company, [record.kind])
        if (first is None or first.id == record.id) and project is not None:
            first = records.first_of_project(project.id or 0, [record.kind])
        if first is not None and first.id != record.id:
            units = {u.id: u.name for u in ctx.store.roster.units()}
            kind = kind_name(record.kind)
            if first.unit_id != record.unit_id:
                records.flag(record, f"重复：{units.get(first.unit_id, '')} #{first.id} 已报", review=True,
                             actor=actor, repeat_of=first.id)
                notes.append(f"⚠️ 该{kind}已由{units.get(first.unit_id, '')}先报（#{first.id}），按第一引资人计入"
                             f"{units.get(first.unit_id, '')}；本条已登记，不计分，已转招商办审核。")
            elif record.kind == "signing" and _CONTRACT.search(text):
                records.flag(record, f"合同：同一签约已于 #{first.id} 计入", review=False, actor=actor, repeat_of=first.id)
                notes.append(f"注：此前已以协议签约登记（#{first.id}），本条为正式合同，项目进入「合同」阶段，签约不重复计分。")
            else:
                records.flag(record, f"重复：本单位 #{first.id} 已报", review=False, actor=actor, repeat_of=first.id)
                notes.append(f"注：与本单位 #{first.id} 为同一{kind}，已登记备查，不重复计分。如确是另一项，请联系招商办确认。")
            return notes
    amount = record.amount_cny_wan
    if amount:
        usual, n = records.usual_amount(record.unit_id, record.kind)
        n -= 1  # the record itself is among the last ones
        usual = (usual * (n + 1) - amount) / n if n > 0 else 0.0
        big = amount > rules.review_above_wan
        odd = n >= rules.review_min_history and usual > 0 and amount >= rules.review_factor * usual
        if big or odd:
            why = "超过50亿元" if big else f"约为本单位通常金额（{format_amount(usual)}）的{amount / usual:.0f}倍"
            if big and rules.review_above_wan != 500000:
                why = f"超过{format_amount(rules.review_above_wan)}"
            records.flag(record, None, review=True, actor=actor)
            notes.append(f"注：金额{why}，已转招商办审核（审核前照常计入，驳回后不计）。")
    return notes


def receipt(stored: Stored, ctx: Context) -> str:
    """The confirmation a liaison sees: number, what was understood, period, how to fix."""
    record = stored.record
    if stored.resent:
        return (f"🔁 重复 #{record.id}：这条与已登记的 {one_line(record)} 相同，未重复登记。"
                f"如确是另一项，请改写后发送，或联系招商办。")
    unit_name = ctx.unit.name if ctx.unit else ""
    quarterly = record.kind == packaging.KIND
    counted_for = packaging.quarter_of(record.period, ctx.rules).label if quarterly else period_label(record.period)
    head = f"✅ 已登记{kind_name(record.kind)} #{record.id}（{unit_name}，计入{counted_for}）"
    lines = [head, *describe(record)]
    if stored.project_note:
        lines.append(stored.project_note)
    lines.extend(stored.notes)
    if record.government_funded and not record.not_counting:
        lines.append("注：财政/政府投资类项目已登记备查，但不计入招商引资考核。")
    if record.late and quarterly:
        lines.append(packaging.late_line(record, ctx))
    elif record.late:
        local = record.reported_at.astimezone(ctx.rules.schedule.tz)
        deadline = deadline_of(Month(local.year, local.month), ctx.rules.schedule)
        lines.append(
            f"⚠️ 已过{deadline.month}月{deadline.day}日报送截止，本条计入{period_label(record.period)}，"
            f"不计入{local.month}月（逾期不报，视为没有）。"
        )
    lines.append(fix_hint(record.id or 0, record.kind))
    if stored.question:
        lines.append(stored.question)
    return "\n".join(lines)


def parsed_to_json(parsed: Parsed) -> dict[str, Any]:
    """A JSON-safe dict of a Parsed (for drafts and the record's `fields`)."""
    out: dict[str, Any] = {}
    for f in fields(parsed):
        value = getattr(parsed, f.name)
        if f.name == "items":
            value = [parsed_to_json(item) for item in value]
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, frozenset | tuple):
            value = sorted(value) if isinstance(value, frozenset) else list(value)
        elif isinstance(value, Intent):
            value = str(value)
        out[f.name] = value
    return out


def parsed_from_json(data: dict[str, Any]) -> Parsed:
    known = {f.name for f in fields(Parsed)}
    values = {k: v for k, v in data.items() if k in known}
    values["intent"] = Intent(values["intent"])
    if values.get("date"):
        values["date"] = date.fromisoformat(values["date"])
    values["items"] = tuple(parsed_from_json(item) for item in values.get("items") or ())
    values["missing"] = tuple(values.get("missing") or ())
    values["stated"] = frozenset(values.get("stated") or ())
    return Parsed(**values)


def with_answer(draft: Parsed, answer: Parsed, text: str) -> Parsed:
    """Fill a draft's missing fields from the sender's answer (parsed, or taken as written)."""
    changes: dict[str, Any] = {}
    for name in draft.missing:
        value = getattr(answer, name, None)
        if name == "amount_wan" and value is not None:
            changes["amount_wan"] = value
            changes["currency"] = answer.currency or "CNY"
        elif name == "project":
            changes["project"] = answer.project or _as_project(text)
        elif name == "place":
            changes["place"] = answer.place or _as_place(text)
        elif value is not None:
            changes[name] = value
    for name in ("company", "industry", "contact_name", "contact_phone"):
        if getattr(draft, name) is None and getattr(answer, name) is not None:
            changes[name] = getattr(answer, name)
    return replace(draft, **{k: v for k, v in changes.items() if v is not None}).with_missing_recomputed()


_PROJECT_WORDS = ("项目", "建设", "生产", "基地", "工厂", "厂", "园", "中心", "线", "項目", "建設")


def _as_project(text: str) -> str | None:
    cleaned = text.strip().strip("。.，,")
    if 4 <= len(cleaned) <= 80 and any(w in cleaned for w in _PROJECT_WORDS):
        return cleaned
    return None


def _as_place(text: str) -> str | None:
    cleaned = text.strip().strip("。.，,")
    if 2 <= len(cleaned) <= 12 and not any(ch.isdigit() for ch in cleaned):
        return cleaned
    return None
