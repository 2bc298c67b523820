"""How the bot says back what it understood: amounts, record lines, field names in Chinese."""

from __future__ import annotations

from nlp import Intent
from storage.models import Record, RecordKind

FIELD_NAMES = {
    "amount_wan": "投资金额（如：8000万元）",
    "project": "建设内容/项目名称（如：建设年产5万吨速冻食品项目）",
    "place": "去了哪里（如：苏州）",
}

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


def describe(record: Record) -> list[str]:
    """The fields a person would check, one per line."""
    lines = []
    if record.company:
        lines.append(f"企业：{record.company}")
    if record.project_name:
        lines.append(f"项目：{record.project_name}")
    if record.amount_wan is not None:
        line = f"金额：{format_amount(record.amount_wan, record.currency)}"
        if record.currency and record.currency != "CNY" and record.amount_cny_wan is not None:
            line += f"（约合{format_amount(record.amount_cny_wan)}）"
        lines.append(line)
    if record.place:
        lines.append(f"地点：{record.place}")
    if record.industry:
        lines.append(f"行业：{record.industry}")
    if record.count is not None:
        lines.append(f"数量：{record.count}{'家' if record.kind == 'visit' else '批'}")
    if record.event_date:
        lines.append(f"日期：{record.event_date.month}月{record.event_date.day}日")
    if record.contact_name or record.contact_phone:
        lines.append(f"联系人：{' '.join(x for x in (record.contact_name, record.contact_phone) if x)}")
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
    "funds": "到位资金500万元",
    "visit": "地点南京",
    "reception": "日期3月8日",
}


def fix_hint(record_id: int, kind: str = "lead") -> str:
    example = _FIX_EXAMPLES.get(kind, "日期3月8日")
    return f"有误请回复「更正 #{record_id} {example}」，撤回请回复「撤回 #{record_id}」。"


def missing_question(missing: tuple[str, ...] | list[str], kind: str | Intent = "lead") -> str:
    names = {**FIELD_NAMES, "amount_wan": "到位金额（如：500万元）"} if str(kind) == "funds" else FIELD_NAMES
    wanted = "、".join(names.get(m, m) for m in missing)
    return f"还缺：{wanted}。请在30分钟内直接回复补充。"
