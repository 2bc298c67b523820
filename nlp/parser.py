"""Assembles a `Parsed` from the rule modules. Pure: no I/O besides the bundled dictionary."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from nlp.contacts import find_contact_name, find_phone
from nlp.corrections import labelled_spans
from nlp.dates import find_date
from nlp.entities import find_channel, find_companies, find_industry, find_place, find_project, tokens
from nlp.intents import (
    asks,
    command_of,
    fixes,
    is_plan,
    keyword_intent,
    label_of,
    quoted_reply,
    receipt_refs,
    record_intent,
    report_parts,
    says_nothing,
    table_parts,
    withdraws,
    written_label,
)
from nlp.numbers import CURRENCY_CODE, pick_amount, small_int
from nlp.plans import (
    CALLED_OFF,
    INTENTION,
    PROBLEM,
    SOLVED,
    department_of,
    due_of,
    event_outside_plans,
    find_plans,
    labelled_plan,
    project_ref,
)
from nlp.text import Cleaned, Text, clean
from nlp.types import RECORD_INTENTS, REQUIRED_FIELDS, Intent, Parsed
from nlp.typos import repair

_GOVERNMENT = re.compile(r"财政|政府投资|专项债|中央预算内|预算内资金|政府专项|国债资金|债券资金|国有资本")
_COUNT = re.compile(
    r"(?<!第)(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:家|批次|批|拨|个|位|(?P<times>次))"
    r"(?:会员|重点|规上|龙头|外资|配套)?(?P<what>企业|客商|公司|单位|项目)?"
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
#: What a problem is about: a project by number or name, a firm (`P12施工许可证办不下来`, `企业反映招工难`).
_PROBLEM_SUBJECT = re.compile(r"[Pp]\s*\d|项目|企业|公司|厂|园区|基地|工地")
_REGISTERED_NAME = re.compile(r"有限公司|集团|股份")
#: A correction of the currency alone (`币种应为美元，金额1200万`): the figure is in that currency.
_CURRENCY_LABEL = re.compile(r"币种\s*(?:应该?改为|应该?为|改为|改成|更正为|为|是|:)?\s*:?\s*(美元|美金|港元|港币|欧元|日元|人民币)")
#: `那个项目的材料我发邮箱了`: a project only pointed at, in a message with no event word, is talk.
_ONLY_POINTED = re.compile(r"^[^,;。\n]{0,8}?(?:那个|这个|那|这)项目")
#: A line that names a kind and says there was none (`签约项目：无`, `2.到位资金: 0`).
_NOTHING_LINE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.,)]\s*)?[^:\n]{1,12}:\s*(?:本月)?(?:无|暂无|没有|尚无|0|/)\s*(?:个|次|条|家|项)?\s*[。.]?\s*$"
)
#: An event said not to have happened (无签约, 没有新线索, 暂无到位资金).
_NEGATED = re.compile(
    r"(?:无|没有|暂无|尚无|尚未|还没有?|没)(?:新增|新的|新|任何)?(?:项目)?"
    r"(?:签约|开工|动工|资金到位|到位资金|到位|投产|竣工|线索|拜访|接待|外出招商|外出|走访|进展)"
)
#: An investment stated as such (投资, 总投资, 投入): with an amount and no event, the message is a lead.
_INVESTS = re.compile(r"投资|投入|投建|投个|想投|要投|准备投")


def _names_something(text: Text) -> bool:
    """Progress is about a project someone can find: a firm, a project's name or a P-number (`跑项目` is none)."""
    return bool(find_companies(text) or find_project(text, []) or project_ref(text.key) is not None)


def _called_off(key: str) -> bool:
    """A visit, reception or milestone called off (`签约仪式取消了`, `对方老板没来，黄了`) is no event."""
    m = CALLED_OFF.search(key)
    if m is None:
        return False
    # `推迟到5月签约` re-plans (a plan), `没来得及报` is no cancellation.
    return not re.match(r"得及|得了", key[m.end():m.end() + 2])


#: A lead names an investment to come (线索 / 拟投资 / 有意): its planned signing is the lead's detail.
_LEAD_HEAD = re.compile(r"线索|拟投资|意向投资|计划投资|有意|想投|打算投")
#: A packaging report's own heading (`本季度策划包装项目：`, `我镇二季度包装项目：`): not a company name.
_PACKAGING_HEAD = re.compile(r"^[^:\n]{0,12}?(?:策划|包装|谋划)[^:\n]{0,8}?:")
#: The first clause of a packaging report, up to a comma or the amount's own words.
_FIRST_CLAUSE = re.compile(r"^\s*([^,;。\n]{2,40}?)\s*(?=[,;。\n]|$|(?:计划|拟|预计|估算|总)投资)")
_HAS_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*[万亿]|投资")
_REGISTERED = re.compile(r"公司|集团|合作社|厂$")
_COUNT_INTENTS = (Intent.VISIT, Intent.RECEPTION, Intent.CORRECTION)
#: Milestones a plan clause may be about instead of reporting: `预计6月签约` is a plan, not a signing.
_PLANNABLE = (Intent.SIGNING, Intent.START, Intent.FUNDS, Intent.COMPLETION, Intent.PROGRESS, Intent.INTENTION)
#: Milestone words reported as done (已开工, 开工了, 今天正式签约): the event, whatever else the message says.
_EVENT_DONE = re.compile(
    r"(?:已经?|今天|今日|昨天|昨日|前天|本周|上周|正式|顺利|成功|已于[^,;。\n]{0,8}?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|"
    r"\d{1,2}\s*[日号])(?:举行)?\s*"
    r"(?:签约|签订|签署|开工|动工|到位|到账|投产|竣工|建成)"
    r"|(?:签约|签订|签署|开工|动工|到位|到账|投产|竣工|建成)(?:了|仪式)"
)
#: A signing reported as done (今天正式签约了), outside the intention words.
_SIGNED_NOW = re.compile(r"(?:今天|今日|昨天|正式|已经?)\s*(?:举行)?\s*(?:签约|签订|签署|签了)|(?:签约|签订|签署)(?:了|仪式)")
_INTENTION_MASK = re.compile(rf"(?:签订?|签署|签了)?[^,;。\n]{{0,4}}?(?:{INTENTION.pattern})")
#: A clause about what is still to come (`下一步将抓紧推进正式签约`): its signing is not today's news.
_FUTURE_CLAUSE = re.compile(r"[^,;。\n]*(?:下一步|下步|将|争取|力争|计划|拟|准备|有望)[^,;。\n]*")
#: Names a ref-less correction uses to say which record it means: never changes unless labelled.
_DESCRIPTORS = frozenset({"company", "project", "industry", "place"})
_PLACE_INTENTS = (Intent.LEAD, Intent.VISIT, Intent.RECEPTION, Intent.CORRECTION, Intent.INTENTION)


#: Head counts: a party (`一行5人`, `参会企业家30余人`) or people of a kind (`12名企业家`); never money nor firms.
_PERSONS = re.compile(
    r"(?:一行|共|合计|参会|参加|出席|到会|邀请|企业家|客商|乡贤|代表|嘉宾|老板|人员|人士)[^\d一二两三四五六七八九十,;。\n]{0,3}?"
    r"(?P<n>\d{1,4}|[一二两三四五六七八九十百]{1,4})\s*(?:多|余|来)?\s*(?:人|位|名)(?!民币)"
    r"|(?P<m>\d{1,4}|[一二两三四五六七八九十百]{1,4})\s*(?:多|余|来)?\s*(?:人|位|名)\s*"
    r"(?:企业家|客商|乡贤|老板|嘉宾|代表|商人|客人|专家|人士)"
)
_PERSON_INTENTS = (Intent.VISIT, Intent.RECEPTION, Intent.LEAD, Intent.CORRECTION, Intent.INTENTION, Intent.SIGNING)


def _persons(key: str) -> int | None:
    """How many people the party or the meeting had, where the message says."""
    m = _PERSONS.search(key)
    if m is None:
        return None
    return small_int(m.group("n") or m.group("m")) or None


#: A form's count field (`走访企业数：4`, `接待客商批次：2`).
_COUNT_FIELD = re.compile(
    r"(?:拜访|接待|走访|考察|对接)?(?:企业|客商|公司)?(?:数|家数|数量|批次|个数)\s*:\s*(\d{1,3}|[一二两三四五六七八九十]{1,3})"
)


def _count(key: str) -> int | None:
    """How many enterprises visited / investor groups received (拜访企业3家, 两批客商)."""
    field = _COUNT_FIELD.search(key)
    if field and (value := small_int(field.group(1))):
        return value
    for m in _COUNT.finditer(key):
        before = key[max(0, m.start() - 12) : m.start()]
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


def _record(text: Text, intent: Intent, today: date, named_record: bool = True, value: bool = False) -> Parsed:
    """The fields of one record-like text (also the body of a correction: without `named_record` its
    names say which record it means, and only labelled names are changes). `value`: the text is the value
    of `intent`'s label already (an answer to the bot's question, `parse_answer`)."""
    labelled = (intent, 0) if value else label_of(text.key)
    head = None if labelled or intent is not Intent.PACKAGING else _PACKAGING_HEAD.match(text.key)
    if labelled:
        text = text.sub(labelled[1], len(text.key))
    elif head:
        text = text.sub(head.end(), len(text.key))  # `本季度策划包装项目：…` is a label with words before it
    key = text.key
    companies = find_companies(text)
    amount = pick_amount(key, str(intent))
    project = find_project(text, companies)
    at = text.orig.find(project) if project else -1
    within = (at, at + len(project)) if project and at >= 0 else None
    fields: dict[str, object] = {
        "company": text.orig[companies[0][0] : companies[0][1]] if companies else None,
        "project": project,
        "amount_wan": amount.wan if amount else None,
        "currency": amount.currency if amount else None,
        "date": find_date(key, today),
        "place": find_place(text, str(intent), companies, within) if intent in _PLACE_INTENTS else None,
        "industry": find_industry(text, companies),
        "contact_name": find_contact_name(text),
        "contact_phone": find_phone(key),
        "count": _count(key) if intent in _COUNT_INTENTS else None,
        "persons": _persons(key) if intent in _PERSON_INTENTS else None,
        "channel": find_channel(text),
    }
    relabelled: dict[str, object] = {}
    if intent is Intent.CORRECTION:
        relabelled = _labelled(text, companies)
        if (currency := _CURRENCY_LABEL.search(key)) is not None:
            relabelled["currency"] = CURRENCY_CODE[currency.group(1)]  # 币种应为美元
        fields.update(relabelled)
    if intent is Intent.PACKAGING:
        fields.update(_packaged(text, fields, bool(labelled or head)))
    stated = frozenset(name for name, value in fields.items() if value is not None)
    if not named_record:
        stated -= _DESCRIPTORS - set(relabelled)
    extras = _pipeline_fields(text, intent, today)
    if intent is Intent.PLAN and extras.plan_date is not None:
        fields["date"] = extras.plan_date
    return Parsed(
        intent=intent,
        missing=tuple(f for f in REQUIRED_FIELDS.get(intent, ()) if fields[f] in (None, "")),
        government_funded=bool(_GOVERNMENT.search(key)),
        source_text=text.orig,
        stated=stated,
        plan_of=extras.plan_of,
        planned=extras.planned,
        project_ref=extras.project_ref,
        department=extras.department,
        due=extras.due,
        **fields,  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class _Pipeline:
    """What a record says of its project beyond the contract's fields."""

    plan_of: Intent | None = None
    plan_date: date | None = None
    planned: tuple[tuple[Intent, date | None], ...] = ()
    project_ref: int | None = None
    department: str | None = None
    due: date | None = None


def _pipeline_fields(text: Text, intent: Intent, today: date) -> _Pipeline:
    """A plan's milestone and date, the plans beside an event, a problem's department and due date,
    and a project named by number (`P8`)."""
    key = text.key
    ref = project_ref(key)
    if intent is Intent.PROBLEM:
        span = department_of(key)
        return _Pipeline(project_ref=ref, department=text.orig[span[0]: span[1]] if span else None,
                         due=due_of(key, today))
    plans = find_plans(key, today)
    if intent is Intent.PLAN and not plans and (loose := labelled_plan(key, today)) is not None:
        plans = [loose]
    plan_of = plan_date = None
    if intent is Intent.PLAN and plans:
        plan_of, plan_date = plans[0].of, plans[0].on
        plans = plans[1:]
    planned = tuple((p.of, p.on) for p in plans) if intent not in (Intent.CORRECTION, Intent.PACKAGING) else ()
    return _Pipeline(plan_of=plan_of, plan_date=plan_date, planned=planned, project_ref=ref)


def _item(text: Text, intent: Intent, today: date) -> Parsed:
    """One part of a monthly report; a plan naming no milestone (`下月计划：继续对接`) is no record."""
    parsed = _record(text, refine(text, intent, today), today)
    if parsed.intent is Intent.PLAN and parsed.plan_of is None:
        return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    return parsed


def _without_plans(key: str, today: date) -> str:
    masked = list(key)
    for plan in find_plans(key, today):
        masked[plan.start: plan.end] = " " * (plan.end - plan.start)
    return "".join(masked)


def refine(text: Text, intent: Intent, today: date) -> Intent:
    """A milestone that is only planned is a plan; one held up is a problem (`开工受阻，需电力局协调`),
    unless the message reports the milestone as done."""
    key = text.key
    labelled = label_of(key)
    body = key[labelled[1]:] if labelled else key
    if labelled and labelled[0] is Intent.PLAN:
        return Intent.PLAN
    if intent in _PLANNABLE or intent is Intent.LEAD and not labelled:
        plans = find_plans(body, today)
        only_plans = plans and not event_outside_plans(body, plans)
        if only_plans and (intent is not Intent.LEAD or not _LEAD_HEAD.search(body)) and not INTENTION.search(body):
            met = keyword_intent(_without_plans(body, today))
            if not labelled and met in (Intent.VISIT, Intent.RECEPTION):
                return met  # `接待苏州客商…，客商计划下月再来洽谈签约`: the reception is the news, the signing its plan
            return Intent.PLAN
        if plans and not labelled:
            # The milestone reported is the one outside the plan clauses (`昨天投产了，二期拟明年开工`).
            masked = list(key)
            for plan in plans:
                masked[plan.start: plan.end] = " " * (plan.end - plan.start)
            outside = keyword_intent("".join(masked))
            if outside in _PLANNABLE:
                intent = outside
    if intent is Intent.SIGNING and INTENTION.search(body) and not _SIGNED_NOW.search(
            _INTENTION_MASK.sub(" ", _without_plans(body, today))):
        return Intent.INTENTION  # `签约：…签了个意向协议，还不是正式合同`: what was signed is an intention
    if intent is Intent.INTENTION and _SIGNED_NOW.search(
            _FUTURE_CLAUSE.sub(" ", _INTENTION_MASK.sub(" ", _without_plans(body, today)))):
        return Intent.SIGNING  # `上个月签了意向书的X，今天正式签约了`: the signing is today's news
    free = intent in _PLANNABLE and not (labelled and labelled[0] is not Intent.PROGRESS)
    if free and PROBLEM.search(body) and not SOLVED.search(body) and not _EVENT_DONE.search(body):
        return Intent.PROBLEM
    return intent


#: Commands that act on one record: a reply quoting that record's receipt need not name it.
_ON_A_RECORD = frozenset({Intent.RETRACT, Intent.CORRECTION, Intent.ATTACH})


def _parse(message: Cleaned, today: date, quote_ref: int | None = None) -> Parsed:
    """`quote_ref`: the record a quoted receipt names, when WeCom delivered the quote apart from the text."""
    raw = str(message)
    text = message.text
    if not text.key:
        return Parsed(intent=Intent.UNKNOWN, source_text=raw)
    text = Text(text.orig, repair(text.key, tokens))  # 拜放了 -> 拜访了 (the original keeps the slip)
    whole = text.orig
    quoted = quoted_reply(text)
    if quoted is not None:
        if quoted.ref is not None:
            quote_ref = quoted.ref
        if not quoted.reply.key:
            return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
        text = quoted.reply  # the quote is context; the reply is the message
    if quote_ref is not None and "#" not in text.key:
        # Quoting the bot's receipt `#58 已记录 …` names the record the reply is about.
        if withdraws(text.key):
            return Parsed(intent=Intent.RETRACT, ref=quote_ref, body=text.orig, source_text=whole)
        if fixes(text.key):
            fixed = _parse(clean(f"更正 #{quote_ref} {text.orig}"), today)
            return replace(fixed, source_text=whole)
    command = command_of(text)
    if command is not None and command.ref is None and quote_ref is not None and command.intent in _ON_A_RECORD:
        command = replace(command, ref=quote_ref)  # `归入P2` quoting `#15`'s receipt: #15 归入 P2
    if command is not None:
        if command.intent is Intent.CORRECTION and command.body is not None:
            fields = _record(command.body, Intent.CORRECTION, today, named_record=command.ref is not None)
            # Without #N the names say which record is meant: kept (not stated), so the handler can find it.
            shown = fields.stated | ({"company", "project"} if command.ref is None else set())
            return Parsed(
                intent=Intent.CORRECTION,
                **{f: getattr(fields, f) for f in sorted(shown)},
                ref=command.ref,
                body=command.body.orig,
                government_funded=fields.government_funded,
                source_text=text.orig,
                stated=fields.stated,
            )
        return Parsed(
            intent=command.intent,
            ref=command.ref,
            project_ref=command.project_ref,
            confirm=command.confirm,
            body=command.body.orig if command.body is not None else None,
            target_unit=command.target_unit,
            own_unit=command.own_unit,
            source_text=text.orig,
        )
    lines = [line for line in text.key.split("\n") if line.strip()]
    if lines and all(_NOTHING_LINE.match(line) for line in lines):
        return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)  # `外出招商：无\n签约项目：无`: nothing to record
    table = table_parts(raw) if "\t" in raw or "   " in raw else []
    if len(table) >= 2:  # a table pasted from Excel: one record a row
        return Parsed(intent=Intent.REPORT, items=tuple(_item(p.text, p.intent, today) for p in table),
                      source_text=text.orig)
    found = report_parts(text)
    parts = [part for part in found if not says_nothing(part.text.key)]  # `资金到位：无` is no record
    if len(parts) >= 2:
        items = tuple(_item(part.text, part.intent, today) for part in parts)
        return Parsed(intent=Intent.REPORT, items=items, source_text=text.orig)
    if len(parts) < len(found):
        if not parts:
            return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
        text = parts[0].text  # the one part that reports something is the message
    if says_nothing(text.key):
        return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    intent = record_intent(text.key)
    if intent is not None and not label_of(text.key) and _NEGATED.search(text.key):
        # What did not happen is no event (本月无签约、无开工); what remains is (达成投资意向，还没签约: an intention).
        intent = keyword_intent(_NEGATED.sub(lambda m: " " * len(m.group(0)), text.key))
        if intent is None:
            return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    if intent is not None and intent is not Intent.PROBLEM and not PROBLEM.search(text.key) and _called_off(text.key):
        return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    if intent in (Intent.VISIT, Intent.RECEPTION) and is_plan(text.key):
        # A plan is no event yet: what the investor would build, or an amount, makes it a lead; anything else is talk.
        if _LEAD_CONTENT.search(text.key) or pick_amount(text.key, "lead"):
            lead = _record(text, Intent.LEAD, today)
            # The planned day is not the lead's date (it has not come; 5月25日 would read as last year's).
            return replace(lead, date=None, stated=lead.stated - {"date"})
        return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    if intent is None and PROBLEM.search(text.key) and (_PROBLEM_SUBJECT.search(text.key) or department_of(text.key)):
        intent = Intent.PROBLEM
    if intent is None and pick_amount(text.key, "lead") and (
        _INVESTS.search(text.key) or find_project(text, find_companies(text))
    ):
        intent = Intent.LEAD  # no event word, but what an investor would build and what it costs: a lead
    if intent is None:
        if _called_off(text.key):
            return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)  # 客商说这周来不了了
        if _RECORD_HINT.search(text.key) and not _ONLY_POINTED.search(text.key) and _names_something(text):
            intent = Intent.PROGRESS
        else:
            return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)
    if intent not in RECORD_INTENTS | {Intent.PROBLEM}:  # parse() logs this and answers as chit-chat
        raise ValueError(f"not a record intent: {intent}")
    refined = refine(text, intent, today)
    parsed = _record(text, refined, today)
    if refined is Intent.PLAN and parsed.plan_of is None:
        return Parsed(intent=Intent.UNKNOWN, source_text=text.orig)  # `下步计划：继续对接深圳客商`: no milestone
    return parsed


def parse(text: str, today: date) -> Parsed:
    """Read one chat message (raw, or `clean`'s result, which is not cleaned again). Never raises: anything
    unreadable is `unknown`. Also says what the message as a whole is (`label`, `question`)."""
    try:
        message = clean(text if isinstance(text, str) else str(text))
        parsed = _parse(message, today)
        key = message.text.key
        return replace(parsed, label=written_label(key), question=asks(key, parsed.amount_wan))
    except Exception:  # a chat message must never crash the bot, but a parser bug must be seen
        logging.getLogger(__name__).exception("parse failed; answered as chit-chat: %r", str(text)[:200])
        return Parsed(intent=Intent.UNKNOWN, source_text=str(text)[:1000])


def parse_reply(text: str, today: date, *, quoted: str) -> Parsed:
    """Read a reply to a quoted message (WeCom delivers the quote beside the text). A quoted receipt that
    names one record (`✅ 已登记 #15 …`) is the record a reply acting on a record means: `撤回`,
    `金额改为9000万`, `归入P2` act on #15 as `撤回 #15`, `更正 #15 金额改为9000万`, `#15 归入 P2` would. A quote
    naming several records names none (the reply must say which); anything else reads as it would alone.
    Never raises."""
    refs = receipt_refs(quoted)
    if len(refs) != 1:
        return parse(text, today)
    try:
        message = clean(text if isinstance(text, str) else str(text))
        parsed = _parse(message, today, quote_ref=refs[0])
        key = message.text.key
        return replace(parsed, label=written_label(key), question=asks(key, parsed.amount_wan))
    except Exception:  # as parse(): a chat message must never crash the bot
        logging.getLogger(__name__).exception("parse_reply failed; read alone: %r", str(text)[:200])
        return parse(text, today)


#: Words a project's name holds (`建设肉鸡养殖项目`): an answer naming none is not taken for one as written.
_PROJECT_WORDS = ("项目", "建设", "生产", "基地", "工厂", "厂", "园", "中心", "线", "項目", "建設")


def parse_answer(text: str, today: date, *, expecting: Intent, missing: Collection[str] = ()) -> Parsed:
    """Read the sender's answer to the bot's question about a record of kind `expecting` that lacks the
    fields `missing` (`还缺金额` → `8000万元`, `哪个项目` → `建设肉鸡养殖项目`, `在哪` → `苏州`).

    The whole answer is read as the value of that kind's label, as `线索：8000万元` would be, whatever it would
    parse as alone (`建设肉鸡养殖项目` alone is 项目进展); nothing is glued to the text. A `project` or `place`
    asked for that the rules do not find is the answer as written, when it looks like one (a project's
    word and 4 to 80 characters; 2 to 12 characters without a digit). The result's intent is `expecting`.
    Never raises: an unreadable answer fills nothing."""
    message = clean(text if isinstance(text, str) else str(text))
    try:
        said = message.text
        if not said.key:
            return Parsed(intent=expecting, source_text=str(message), missing=tuple(missing))
        said = Text(said.orig, repair(said.key, tokens))
        parsed = _record(said, expecting, today, value=True)
        as_written = said.orig.strip().strip("。.，,")
        if "project" in missing and not parsed.project and 4 <= len(as_written) <= 80 and any(
                w in as_written for w in _PROJECT_WORDS):
            parsed = replace(parsed, project=as_written)
        if "place" in missing and not parsed.place and 2 <= len(as_written) <= 12 and not any(
                ch.isdigit() for ch in as_written):
            parsed = replace(parsed, place=as_written)
        return parsed.with_missing_recomputed()
    except Exception:  # an answer must never crash the bot, but a parser bug must be seen
        logging.getLogger(__name__).exception("parse_answer failed; nothing filled: %r", str(text)[:200])
        return Parsed(intent=expecting, source_text=str(message)[:1000], missing=tuple(missing))
