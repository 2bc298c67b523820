"""How the bot says back what it understood: amounts, record lines, field names in Chinese."""

from __future__ import annotations

from nlp import Intent
from storage.fields import BY_COLUMN, BY_PARSED
from storage.models import Record, RecordKind

#: What the bot asks for, by parse-result field (the field table's questions).
FIELD_NAMES = {name: f.ask for name, f in BY_PARSED.items() if f.ask}

CURRENCY_NAMES = {"CNY": "元", "USD": "美元", "HKD": "港元", "EUR": "欧元", "JPY": "日元"}


def kind_name(kind: str | Intent) -> str:
    """The Chinese name of a record kind (an intent that stores a record has the same value)."""
    try:
        return RecordKind(str(kind)).label
    except ValueError:
        return str(kind)


def _trim(number: float) -> str:
    text = f"{number:,.4f}".rstrip("0").rstrip(".")
    return text


def format_amount(amount_wan: float | None, currency: str | None = "CNY") -> str:
    """8000 -> "8,000万元", 12000 -> "1.2亿元", 800 USD -> "800万美元"."""
    if amount_wan is None:
        return "未填"
    unit = CURRENCY_NAMES.get(currency or "CNY", currency or "元")
    if abs(amount_wan) >= 10000:
        return f"{_trim(amount_wan / 10000)}亿{unit}"
    return f"{_trim(amount_wan)}万{unit}"


def _label(column: str) -> str:
    return BY_COLUMN[column].label


def describe(record: Record) -> list[str]:
    """The fields a person would check, one per line, labelled as the field table says."""
    lines = []
    if record.company:
        lines.append(f"{_label('company')}：{record.company}")
    if record.project_name:
        lines.append(f"{_label('project_name')}：{record.project_name}")
    if record.amount_wan is not None:
        line = f"{_label('amount_wan')}：{format_amount(record.amount_wan, record.currency)}"
        if record.currency and record.currency != "CNY" and record.amount_cny_wan is not None:
            line += f"（约合{format_amount(record.amount_cny_wan)}）"
        lines.append(line)
    if record.place:
        lines.append(f"{_label('place')}：{record.place}")
    if record.industry:
        lines.append(f"{_label('industry')}：{record.industry}")
    if record.count is not None:
        lines.append(f"{_label('count')}：{record.count}{'家' if record.kind == RecordKind.VISIT else '批'}")
    if record.persons is not None:
        lines.append(f"{_label('persons')}：{record.persons}人")
    if record.channel:
        lines.append(f"{_label('channel')}：{record.channel}")
    if record.event_date:
        lines.append(f"{_label('event_date')}：{record.event_date.month}月{record.event_date.day}日")
    if record.contact_name or record.contact_phone:
        contact = " ".join(x for x in (record.contact_name, record.contact_phone) if x)
        lines.append(f"{_label('contact_name')}：{contact}")
    return lines


def one_line(record: Record) -> str:
    """#12 线索 江苏恒润新材料有限公司 8,000万元."""
    parts = [f"#{record.id}", kind_name(record.kind)]
    if record.company:
        parts.append(record.company)
    elif record.project_name:
        parts.append(record.project_name)
    elif record.place:
        parts.append(record.place)
    if record.amount_wan is not None:
        parts.append(format_amount(record.amount_wan, record.currency))
    if record.status == "retracted":
        parts.append("（已撤回）")
    return " ".join(parts)


_FIX_EXAMPLES = {
    "lead": "投资9000万元",
    "signing": "投资9000万元",
    "packaging": "投资9000万元",
    "funds": "到位资金500万元",
    "visit": "地点南京",
    "reception": "日期3月8日",
}


def fix_hint(record_id: int, kind: str = "lead") -> str:
    example = _FIX_EXAMPLES.get(kind, "日期3月8日")
    return f"有误请回复「更正 #{record_id} {example}」，撤回请回复「撤回 #{record_id}」。"


def missing_question(missing: tuple[str, ...] | list[str], kind: str | Intent, minutes: int) -> str:
    """还缺：…。请在{minutes}分钟内直接回复补充 — `minutes` is [reporting] draft_minutes."""
    names = {**FIELD_NAMES, "amount_wan": "到位金额（如：500万元）"} if str(kind) == "funds" else FIELD_NAMES
    wanted = "、".join(names.get(m, m) for m in missing)
    return f"还缺：{wanted}。请在{minutes}分钟内直接回复补充。"
