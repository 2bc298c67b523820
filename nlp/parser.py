"""Assembles a `Parsed` from the rule modules. Pure: no I/O besides the bundled dictionary."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date

from nlp.contacts import find_contact_name, find_phone
from nlp.corrections import labelled_spans
from nlp.dates import find_date
from nlp.entities import find_companies, find_industry, find_place, find_project
from nlp.intents import command_of, is_plan, label_of, record_intent, report_parts
from nlp.numbers import pick_amount, small_int
from nlp.text import Text
from nlp.types import RECORD_INTENTS, REQUIRED_FIELDS, Intent, Parsed

_GOVERNMENT = re.compile(r"财政|政府投资|专项债|中央预算内|预算内资金|政府专项|国债资金|债券资金|国有资本")
_COUNT = re.compile(
    r"(?<!第)(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:家|批次|批|个|位|(?P<times>次))"
    r"(?P<what>企业|客商|公司|单位|项目)?"
)
_COUNT_VERB = re.compile(r"拜访|拜方|走访|对接|接待|考察|拜会|外出|企业|客商|见了|看了|跑了")
#: `外出招商2次` counts visits; 次 after anything else (分3次到位) counts nothing.
_TIMES_VERB = re.compile(r"外出|招商|拜访|走访|出访|对接")
#: Things looked at, not enterprises or groups met (看了三个地块, 考察了2个园区).
_THINGS = re.compile(r"(?:标准化?)?(?:地块|厂房|园区|产业园|车间|点位|场地|基地|现场|工地)")
_LEADING_NUMBER = re.compile(r"[\d一二两三四五六七八九十]{0,3}")
_CLAUSE_BREAK = re.compile(r"[,;。\n]")
_AMONG = re.compile(r"其中\s*$")
_RECORD_HINT = re.compile(r"有限公司|集团|客商|项目")
#: What a lead says beyond a visit date: the investment it intends.
_LEAD_CONTENT = re.compile(r"投资|投建|落户|建设|想建|想做|想上|设厂|项目|生产线")
#: A packaging report's own heading (`本季度策划包装项目：`, `我镇二季度包装项目：`): not a company name.
_PACKAGING_HEAD = re.compile(r"^[^:\n]{0,12}?(?:策划|包装|谋划)[^:\n]{0,8}?:")
#: The first clause of a packaging report, up to a comma or the amount's own words.
_FIRST_CLAUSE = re.compile(r"^\s*([^,;。\n]{2,40}?)\s*(?=[,;。\n]|$|(?:计划|拟|预计|估算|总)投资)")
_HAS_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*[万亿]|投资")
_REGISTERED = re.compile(r"公司|集团|合作社|厂$")
_COUNT_INTENTS = (Intent.VISIT, Intent.RECEPTION, Intent.CORRECTION)
_PLACE_INTENTS = (Intent.LEAD, Intent.VISIT, Intent.RECEPTION, Intent.CORRECTION)


def _count(key: str) -> int | None:
    """How many enterprises visited / investor groups received (拜访企业3家, 两批客商)."""
    for m in _COUNT.finditer(key):
        before = key[max(0, m.start() - 8) : m.start()]
        before = _CLAUSE_BREAK.split(before)[-1]
        if m.group("times") and not _TIMES_VERB.search(before):
            continue
        if m.group("what") in ("企业", "客商", "公司", "单位") or _COUNT_VERB.search(before):
            if _AMONG.search(before) or _THINGS.match(key, m.end()):
                continue
            value = small_int(m.group("n"))
            if value:
                return value
    return None


def _labelled(text: Text, companies: list[tuple[int, int]]) -> dict[str, object]:
    """What a correction names by label (`地点改为南京`), as written; wins over the guesses."""
    out: dict[str, object] = {}
    for field, (start, end) in labelled_spans(text.key).items():
        if field == "count":
            number = _LEADING_NUMBER.match(text.key, start, end)
            value = small_int(number.group(0)) if number else None
            if value:
                out[field] = value
            continue
        if field == "company":  # a registered name found inside the value is the tighter cut
            start, end = next(((s, e) for s, e in companies if start <= s < end), (start, end))
        out[field] = text.orig[start:end]
    return out


def _packaged(text: Text, fields: dict[str, object], labelled: bool) -> dict[str, object]:
    """A packaged project names no investor yet: after its label, the first clause is the project
    (`策划包装：农副产品冷链仓储中心，估算投资6000万元`); a name is a company only in its registered form."""
    out: dict[str, object] = {}
    first = _FIRST_CLAUSE.match(text.key) if labelled else None
    if first and not _HAS_AMOUNT.search(first.group(1)):
        out["project"] = text.orig[first.start(1) : first.end(1)].strip()
        if fields["company"] and not _REGISTERED.search(str(fields["company"])):
            out["company"] = None
    if fields["industry"] and "包装" in str(fields["industry"]):
        out["industry"] = None  # the word 包装 of 策划包装 is the report's kind, not the project's trade
    return out


def _record(text: Text, intent: Intent, today: date) -> Parsed:
    """The fields of one record-like text (also the body of a correction)."""
    labelled = label_of(text.key)
    head = None if labelled or intent is not Intent.PACKAGING else _PACKAGING_HEAD.match(text.key)
    if labelled:
        text = text.sub(labelled[1], len(text.key))
    elif head:
        text = text.sub(head.end(), len(text.key))  # `本季度策划包装项目：…` is a label with words before it
    key = text.key
    companies = find_companies(text)
    amount = pick_amount(key, str(intent))
    fields: dict[str, object] = {
        "company": text.orig[companies[0][0] : companies[0][1]] if companies else None,
        "project": find_project(text, companies),
        "amount_wan": amount.wan if amount else None,
        "currency": amount.currency if amount else None,
        "date": find_date(key, today),
        "place": find_place(text, str(intent), companies) if intent in _PLACE_INTENTS else None,
        "industry": find_industry(text, companies),
        "contact_name": find_contact_name(text),
        "contact_phone": find_phone(key),
        "count": _count(key) if intent in _COUNT_INTENTS else None,
    }
    if intent is Intent.CORRECTION:
        fields.update(_labelled(text, companies))
    if intent is Intent.PACKAGING:
        fields.update(_packaged(text, fields, bool(labelled or head)))
    return Parsed(
        intent=intent,
        missing=tuple(f for f in REQUIRED_FIELDS.get(intent, ()) if fields[f] in (None, "")),
        government_funded=bool(_GOVERNMENT.search(key)),
        source_text=text.orig,
        stated=frozenset(name for name, value in fields.items() if value is not None),
        **fields,  # type: ignore[arg-type]
    )


def _parse(raw: str, today: date) -> Parsed:
    text = Text.of(raw)
    if not text.key:
        return Parsed(intent=Intent.UNKNOWN, source_text=raw)
    command = command_of(text)
    if command is not None:
        if command.intent is Intent.CORRECTION and command.body is not None:
            fields = _record(command.body, Intent.CORRECTION, today)
            return Parsed(
                intent=Intent.CORRECTION,
                **{f: getattr(fields, f) for f in sorted(fields.stated)},
                ref=command.ref,
                body=command.body.orig,
                government_funded=fields.government_funded,
                source_text=text.orig,
                stated=fields.stated,
            )
        return Parsed(
            intent=command.intent,
            ref=command.ref,
            body=command.body.orig if command.body is not None else None,
            target_unit=command.target_unit,
            own_unit=command.own_unit,
            source_text=text.orig,
        )
    parts = report_parts(text)
    if len(parts) >= 2:
        items = tuple(_record(part.text, part.intent, today) for part in parts)
        return Parsed(intent=Intent.REPORT, items=items, source_text=text.orig)
    intent = record_intent(text.key)
    if intent in (Intent.VISIT, Intent.RECEPTION) and is_plan(text.key):
        # A plan is no event yet: the investor it names is a lead, anything else is talk.
        if find_companies(text) or _LEAD_CONTENT.search(text.key):
            lead = _record(text, Intent.LEAD, today)
            # The planned day is not the lead's date (it has not come; 5月25日 would read as last year's).
            return replace(lead, date=None, stated=lead.stated - {"date"})
        return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    if intent is None:
        if _RECORD_HINT.search(text.key):
            intent = Intent.PROGRESS
        else:
            return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    if intent not in RECORD_INTENTS:  # parse() logs this and answers as chit-chat
        raise ValueError(f"not a record intent: {intent}")
    return _record(text, intent, today)


def parse(text: str, today: date) -> Parsed:
    """Read one chat message. Never raises: anything unreadable is `unknown`."""
    try:
        return _parse(text if isinstance(text, str) else str(text), today)
    except Exception:  # a chat message must never crash the bot, but a parser bug must be seen
        logging.getLogger(__name__).exception("parse failed; answered as chit-chat: %r", str(text)[:200])
        return Parsed(intent=Intent.UNKNOWN, source_text=str(text)[:1000])
