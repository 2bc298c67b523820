"""Turning a complete parse result into a stored record, linked to the project it speaks of."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from handlers.context import Context
from handlers.periods import deadline_of, is_late, month_of, period_label
from handlers.receipts import describe, fix_hint, kind_name
from nlp import MILESTONE_INTENTS, Intent, Parsed
from storage.models import ProjectStage, Record

_STAGE_OF = {
    Intent.LEAD: ProjectStage.LEAD,
    Intent.SIGNING: ProjectStage.SIGNED,
    Intent.START: ProjectStage.STARTED,
    Intent.COMPLETION: ProjectStage.COMPLETED,
}


@dataclass(frozen=True, slots=True)
class Stored:
    record: Record
    project_note: str | None


def cny_wan(amount_wan: float | None, currency: str | None, ctx: Context) -> float | None:
    """The CNY value (万元) of an amount at the configured rate."""
    if amount_wan is None:
        return None
    if currency in (None, "CNY"):
        return amount_wan
    rate = ctx.rules.reporting.fx_to_cny.get(currency)
    return round(amount_wan * rate, 4) if rate else None


def store_record(parsed: Parsed, ctx: Context, reported_at: datetime | None = None) -> Stored:
    """Store one complete report item for the sender's unit and link it to its project.

    `reported_at` is when the report was first sent: a draft completed after the deadline still
    counts at the time of its first message.
    """
    assert ctx.unit is not None and ctx.unit.id is not None
    rules = ctx.rules.schedule
    at = reported_at or ctx.at
    project_id, note = _link_project(parsed, ctx)
    record = ctx.store.records.add(
        Record(
            unit_id=ctx.unit.id,
            reporter=ctx.member.userid,
            kind=str(parsed.intent),
            period=month_of(at, rules),
            late=is_late(at, rules),
            reported_at=at,
            text=parsed.source_text or ctx.incoming.text,
            message_id=ctx.message_id,
            project_id=project_id,
            event_date=parsed.date,
            company=parsed.company,
            project_name=parsed.project,
            amount_wan=parsed.amount_wan,
            currency=parsed.currency,
            amount_cny_wan=cny_wan(parsed.amount_wan, parsed.currency, ctx),
            place=parsed.place,
            industry=parsed.industry,
            contact_name=parsed.contact_name,
            contact_phone=parsed.contact_phone,
            count=parsed.count,
            government_funded=parsed.government_funded,
            fields=parsed_to_json(parsed),
        )
    )
    return Stored(record, note)


def _link_project(parsed: Parsed, ctx: Context) -> tuple[int | None, str | None]:
    if not (parsed.company or parsed.project):
        return None, None
    assert ctx.unit is not None and ctx.unit.id is not None
    projects = ctx.store.projects
    found = projects.find(ctx.unit.id, parsed.company, parsed.project, ctx.rules.reporting.project_match_threshold)
    stage = _STAGE_OF.get(parsed.intent)
    actor = ctx.member.userid
    funds = cny_wan(parsed.amount_wan, parsed.currency, ctx) if parsed.intent is Intent.FUNDS else None
    signed = cny_wan(parsed.amount_wan, parsed.currency, ctx) if parsed.intent is Intent.SIGNING else None
    on = parsed.date or ctx.today
    if found is not None:
        projects.advance(found, stage, ctx.at, on, actor, amount_wan=signed, funds_cny_wan=funds)
        return found.id, f"已归入本单位跟踪项目 P{found.id}（{found.company or found.name}）"
    if parsed.intent in MILESTONE_INTENTS or parsed.intent is Intent.LEAD:
        project = projects.open(
            ctx.unit.id, parsed.company, parsed.project, stage or ProjectStage.TALKS, ctx.at, actor,
            amount_wan=cny_wan(parsed.amount_wan, parsed.currency, ctx), currency="CNY", industry=parsed.industry,
        )
        if stage is not None and stage is not ProjectStage.LEAD:
            projects.advance(project, stage, ctx.at, on, actor, amount_wan=signed, funds_cny_wan=funds)
        elif funds:
            projects.advance(project, None, ctx.at, on, actor, funds_cny_wan=funds)
        return project.id, f"已新建项目档案 P{project.id}"
    return None, None


def receipt(stored: Stored, ctx: Context) -> str:
    """The confirmation a liaison sees: number, what was understood, period, how to fix."""
    record = stored.record
    unit_name = ctx.unit.name if ctx.unit else ""
    head = f"✅ 已登记{kind_name(record.kind)} #{record.id}（{unit_name}，计入{period_label(record.period)}）"
    lines = [head, *describe(record)]
    if stored.project_note:
        lines.append(stored.project_note)
    if record.government_funded:
        lines.append("注：财政/政府投资类项目已登记备查，但不计入招商引资考核。")
    if record.late:
        local = record.reported_at.astimezone(ctx.rules.schedule.tz)
        deadline = deadline_of(f"{local.year:04d}-{local.month:02d}", ctx.rules.schedule)
        lines.append(
            f"⚠️ 已过{deadline.month}月{deadline.day}日报送截止，本条计入{period_label(record.period)}，"
            f"不计入{local.month}月（逾期不报，视为没有）。"
        )
    lines.append(fix_hint(record.id or 0, record.kind))
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
