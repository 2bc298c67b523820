"""Turning a complete parse result into a stored record, linked to the project it speaks of."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from handlers.core.context import Context
from handlers.core.messages import Button, Card
from handlers.core.periods import Month, deadline_of, is_late, month_of, period_label
from handlers.core.receipts import describe, fix_hint, format_amount, kind_name, one_line
from handlers.core.rules import CountyRules, Rules
from handlers.core.words import mentions
from handlers.project_base import packaging
from nlp import MESSAGE_FIELDS, Intent, Parsed
from storage.fields import BY_PARSED
from storage.kinds import RecordKind
from storage.models import Project, ProjectStage, Record, saved_id
from storage.projects import Match
from storage.records import awaits_project
from storage.store import Store

#: Reports that may open a project of their own: they name an investor and what it would build.
_OPENERS = {Intent.LEAD: ProjectStage.LEAD, Intent.INTENTION: ProjectStage.INTENTION, Intent.SIGNING: ProjectStage.LEAD}
#: Words of a formal contract that follows a framework agreement (框架协议 → 正式合同).
_CONTRACT = re.compile(r"正式合同|签订合同|签署合同|合同签订|合同签约|投资合同|正式签约合同|签合同|签了合同|合同金额")
#: The unit's recent conversation: `那个项目`, `这个项目`, `该项目` mean the project last spoken of.
_THAT_PROJECT = re.compile(r"[那这该此上][个一]?(?:述)?项目|那个厂|这个厂")
#: How a repeat of the unit's own record is marked (a repeat from another unit names that unit).
SAME_UNIT_REPEAT = "重复：本单位 "
#: How far back "that project" reaches: the sender's own reports of the last days.
_RECENT = timedelta(days=14)
#: A project named by words only wins over another when it shares clearly more of them.
_CLEAR_LEAD = 0.2
#: A lead or signing naming its investor's known project shares at least this much of its words; less, and
#: it is another project of the same investor.
_SAME_PROJECT = 0.5
#: A visit or reception told as done before any plan word: the plan is the investor's next step.
_REPORTED_FIRST = re.compile(
    r"(?:拜访|走访|拜会|会见|接待|考察|洽谈|对接|陪同|见)了"
    r"|(?:今天|今日|昨天|前天|上午|下午)[^,，。；;]{0,6}?(?:拜访|走访|拜会|会见|接待|考察|洽谈|赴|去了|到了)"
)
#: The bot's own example (`线索：XX公司拟投资5000万元建设XX项目`): a template, not a report.
_TEMPLATE = re.compile(r"^(?:[Xx×ＸｘＸ]{1,3}|某某?|ＸＸ)(?:公司|企业|集团|项目|有限公司)?$")
#: A padded report (seed 003: 往年已报、已建成的不算新线索): said by the report itself.
_PADDED = re.compile(
    r"(?:20\d\d年|去年|前年|上年|往年|以前|之前|早已|早就)[^,，。；;]{0,4}?(?:已经?报|报过|报送过|上报过|已上报)"
    r"|已建成投产|已经投产|早已投产|已投产多年|已竣工投产|已经建成|早已建成|已正常生产|已经在生产|投产多年"
)
#: The county's own people and firms, however a liaison writes them (我县民营企业家李总, 本县龙头企业).
_OUR_PEOPLE = re.compile(
    r"(?:我县|本县|县内|我们县|咱县|咱们县)(?:的)?(?:民营|本土|本地|骨干|龙头|重点|规上|规模以上|籍)?"
    r"(?:企业家|企业|公司|老板|客商|商人|能人|乡贤)"
)
#: How many characters of province and city may come before the county's name in a firm's (山西省运城市).
_REGION_BEFORE = 6
#: 统一社会信用代码: 18 characters, digits 3–8 the registering division's code.
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}(\d{6})[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")


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
    #: The same question as buttons (the candidates and 新项目), for channels that show cards in 1:1 chat.
    choices: Card | None = None
    #: Plans the same message named beside its event (stored as plan records of the project).
    plans: tuple[Record, ...] = ()


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
    if word is None or _REPORTED_FIRST.search(text[: text.index(word)]):
        return None  # `拜访了天合储能 对方…下一步准备来实地考察`: the investor's next step after the event
    return (f"📅 「{word}」是计划中的{kind_name(parsed.intent)}，尚未发生，本条未登记为{kind_name(parsed.intent)}。"
            "来访/出访后再报；如有投资意向，可按「线索：XX公司拟投资XX万元建设XX项目」报送线索。")


def template_reply(parsed: Parsed) -> str | None:
    """The bot's own example sent back (`XX公司…XX项目`): say so, store nothing."""
    names = [n for n in (parsed.company, parsed.project) if n]
    if names and all(_TEMPLATE.match(n.strip()) for n in names):
        return ("这是报送格式的示例，请把「XX」换成真实的企业名称和项目内容后再发送，"
                "例如「线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目」。本条未登记。")
    return None


def store_record(parsed: Parsed, ctx: Context, reported_at: datetime | None = None) -> Stored:
    """Store one complete report item for the sender's unit, once, attached to the project it speaks of.

    `reported_at` is when the report was first sent: a draft completed after the deadline still
    counts at the time of its first message. An identical re-send is not stored; repeats, public or
    the county's own money, padded reports and surprising amounts are stored and flagged (see `_flags`).
    A milestone whose project the bot cannot tell is stored unattached and asked about; it waits on the
    office's lists until someone says which project (`P2`, `#15 归入 P2`).
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
    link = link_project(parsed, ctx, at)
    fields = parsed_to_json(parsed)
    if link.contract:
        fields["contract"] = True
    if parsed.plan_of is not None:
        fields["plan_of"] = str(parsed.plan_of)
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
            fields=fields,
            **record_fields(parsed),
        )
    )
    notes = _flags(record, parsed, link.project, ctx)
    plans: list[Record] = []
    if link.project is not None:
        plans = _store_plans(parsed, record, link.project, ctx)
        ctx.store.projects.refresh(link.project)
    question, choices = None, None
    if link.project is None and awaits_project(record):
        question = ask_project(record, link.candidates, ctx)
        choices = project_card(record, link.candidates, ctx)
    return Stored(record, link.note, tuple(notes), question=question, choices=choices, plans=tuple(plans))


@dataclass(frozen=True, slots=True)
class _Link:
    project: Project | None = None
    note: str | None = None
    #: Projects the report may mean, to ask about instead of guessing.
    candidates: tuple[Project, ...] = ()
    #: The report is the contract of a project signed by agreement earlier.
    contract: bool = False


def link_project(parsed: Parsed, ctx: Context, at: datetime) -> _Link:
    """Find the unit's project the report speaks of: by its number (`P8`), the investor's core name, the
    project's words, or the sender's recent conversation (`那个项目`); open one only for a lead, an
    intention or a signing naming an investor the unit does not follow yet."""
    if ctx.unit is None or ctx.unit.id is None:
        raise ValueError("a project is looked up for a sender with a stored unit only")
    if parsed.intent in (Intent.PACKAGING, Intent.VISIT, Intent.RECEPTION):
        return _Link()  # a packaged project is offered to investors, not yet one a unit follows
    projects = ctx.store.projects
    text = parsed.source_text or ctx.incoming.text
    if parsed.project_ref is not None:
        numbered = projects.get(parsed.project_ref)
        if numbered is not None and numbered.unit_id == ctx.unit.id:
            return _found(parsed, numbered, text, f"已归入项目 P{numbered.id}（{numbered.company or numbered.name}）")
    found = projects.matches(ctx.unit.id, parsed.company, parsed.project, ctx.rules.reporting.project_match_threshold,
                             text=text)
    sibling: Project | None = None
    if parsed.intent in _OPENERS and parsed.project:
        # The same investor's other project (安踏's 物流园 after its 鞋服): a project of its own.
        other = [m for m in found if m.named and m.project.name and m.words < _SAME_PROJECT]
        sibling = other[0].project if other else None
        found = [m for m in found if m not in other]
    chosen, ask = _decide(found)
    owned = [p for p in ask if p.owner and p.owner == ctx.member.userid]
    if chosen is None and len(owned) == 1:
        chosen, ask = owned[0], []  # 包干: of the candidates, the one the sender answers for
    if chosen is not None:
        return _found(parsed, chosen, text, f"已归入本单位跟踪项目 P{chosen.id}（{chosen.company or chosen.name}）")
    if ask:
        return _Link(candidates=tuple(ask))
    named = bool(parsed.company or (parsed.project and not _THAT_PROJECT.fullmatch(parsed.project.strip())))
    recent = ctx.store.records.recent_project(ctx.unit.id, ctx.member.userid, at - _RECENT) if not named else None
    project = projects.get(recent) if recent else None
    if project is not None and _THAT_PROJECT.search(text):
        # `那个项目` in a report naming nothing else: the project the sender spoke of last. (In a report that
        # names its investor, `该项目…` is the one it names.)
        return _found(parsed, project, text,
                      f"已按最近的报送归入项目 P{project.id}（{project.company or project.name}），如不对请回复「#编号 归入 P编号」")
    if project is not None and parsed.intent not in _OPENERS:
        return _Link(candidates=(project,))  # naming nothing: ask, suggesting the project last spoken of
    stage = _OPENERS.get(parsed.intent)
    if stage is not None and (parsed.company or parsed.project):
        project = projects.open(
            ctx.unit.id, parsed.company, parsed.project, stage, ctx.at, ctx.member.userid,
            amount_wan=cny_wan(parsed.amount_wan, parsed.currency, ctx), currency="CNY", industry=parsed.industry,
        )
        note = f"已新建项目档案 P{project.id}"
        if sibling is not None:
            note += (f"（该企业已有项目 P{sibling.id} {sibling.name}；如是同一项目，请回复「#编号 归入 P{sibling.id}」）")
        return _Link(project, note)
    return _Link()


def _decide(found: list[Match]) -> tuple[Project | None, list[Project]]:
    """The one project a report means, or the candidates to ask about: a report naming an investor's
    core name means that investor's project (the product words choose among its projects); one naming
    only words means the project sharing clearly more of them."""
    named = [m for m in found if m.named]
    pool = named or found
    if not pool:
        return None, []
    if not pool[0].guess and (len(pool) == 1 or pool[0].words >= pool[1].words + _CLEAR_LEAD):
        return pool[0].project, []
    best = pool[0].words
    return None, [m.project for m in pool if m.words >= best - _CLEAR_LEAD][:5]


def _found(parsed: Parsed, project: Project, text: str, note: str) -> _Link:
    contract = parsed.intent is Intent.SIGNING and bool(_CONTRACT.search(text)) and project.signed_period is not None
    return _Link(project, note, contract=contract)


def _store_plans(parsed: Parsed, record: Record, project: Project, ctx: Context) -> list[Record]:
    """Plans named beside an event (`今天签约，计划6月开工`): plan records of the same project."""
    out: list[Record] = []
    for of, on in parsed.planned:
        if on is None:
            continue
        out.append(ctx.store.records.add(Record(
            unit_id=record.unit_id, reporter=record.reporter, kind=RecordKind.PLAN.value, period=record.period,
            late=record.late, reported_at=record.reported_at, text=record.text, message_id=record.message_id,
            project_id=project.id, event_date=on, fields={"plan_of": str(of), "with": record.id},
            company=record.company, project_name=record.project_name,
        )))
    return out


def attach(record: Record, project: Project, ctx: Context) -> None:
    """Put a record on a project (the sender's `P2`, the office's `#15 归入 P2`): the record is checked
    against the project (a project that does not count makes its milestones not count), and both the
    project it leaves and the one it joins are derived again."""
    earlier = ctx.store.projects.get(record.project_id) if record.project_id else None
    if record.kind == RecordKind.SIGNING.value and project.signed_period is not None and _CONTRACT.search(record.text):
        record.fields = {**record.fields, "contract": True}
    ctx.store.records.link(record, saved_id(project), ctx.member.userid)
    _recheck_repeat(record, project, ctx)
    _inherit(record, project, ctx)
    for touched in (earlier, project):
        if touched is not None:
            ctx.store.projects.refresh(touched, ctx.member.userid)


def _recheck_repeat(record: Record, project: Project, ctx: Context) -> None:
    """A repeat of the unit's own record was judged against the project the record sat on: on its new
    project it is a repeat only of a record there (`#5 新项目` after a wrong guess counts again)."""
    if record.not_counting is None or not record.not_counting.startswith(SAME_UNIT_REPEAT):
        return
    first = ctx.store.records.first_of_project(saved_id(project), [record.kind])
    if first is not None and first.id != record.id and (first.id or 0) < (record.id or 0):
        return
    ctx.store.records.unflag(record, ctx.member.userid)


def ask_project(record: Record, candidates: tuple[Project, ...], ctx: Context) -> str:
    """Ask which project a milestone belongs to. The question stays open as long as the reporter may answer
    it, to the deadline of the record's period (a draft of kind "project" takes `是`, `新项目`, `P2`); the
    record waits, listed under 草稿 and 审核, and after the deadline the office attaches it."""
    closes = deadline_of(Month.parse(record.period), ctx.rules.schedule)
    ctx.store.drafts.open(
        ctx.member.userid,
        {"ask": "project", "record_id": record.id, "project_id": candidates[0].id if len(candidates) == 1 else None},
        ctx.at, max(ctx.rules.reporting.draft_minutes, int((closes - ctx.at).total_seconds() // 60)), ctx.message_id,
    )
    if len(candidates) == 1:
        c = candidates[0]
        return (f"❓ #{record.id} 是 P{c.id} {' '.join(x for x in (c.company, c.name) if x)}吗？"
                f"回复「是」，或回复「P编号」「新项目」。")
    if candidates:
        options = "；".join(f"P{c.id} {' '.join(x for x in (c.company, c.name) if x)}" for c in candidates)
        return (f"❓ #{record.id} 属于哪个项目？本单位有：{options}。请回复「P编号」，或「新项目」。"
                "（也可稍后回复「#编号 归入 P编号」）")
    return (f"❓ #{record.id} 本单位没有找到对应的项目档案，暂未归入项目（不计入开工率等项目指标）。"
            "回复「新项目」建档，或回复「P编号」归入已有项目（也可稍后回复「#编号 归入 P编号」）。")


#: Projects offered as buttons (a card has at most 6: these and 新项目).
_CARD_CANDIDATES = 5


def project_card(record: Record, candidates: tuple[Project, ...], ctx: Context) -> Card | None:
    """「属于哪个项目？」as buttons, one per candidate and 新项目: a click does what `#N 归入 P2` or `#N 新项目`
    does. Only in a 1:1 chat (WeCom shows interactive cards there); the group keeps the typed question."""
    if ctx.incoming.chat_id is not None:
        return None
    buttons = [Button(f"project:{record.id}:{c.id}", f"P{c.id} {c.company or c.name or ''}".strip())
               for c in candidates[:_CARD_CANDIDATES]]
    buttons.append(Button(f"project:{record.id}:new", "新项目", primary=not buttons))
    return Card(task_id=f"project-{record.id}-{ctx.message_id}", title=f"#{record.id} 属于哪个项目？",
                text=one_line(record), buttons=tuple(buttons))


def county_own(company: str | None, text: str, county: CountyRules, towns: Sequence[str]) -> str | None:
    """Why the money is the county's own, or None: the investor (`company`, never where it builds) named with
    the county or one of its `towns` (绛县宏达建材有限公司), 我县/本县 people and firms in the text (我县民营企业家李总),
    or a 统一社会信用代码 registered in the county."""
    name = company or ""
    for place in ([county.name] if county.name else []) + list(towns):
        # 绛县…, 山西绛县…, 运城市绛县…: the place opens the firm's name, after its province or city at most.
        if place in name[: len(place) + _REGION_BEFORE]:
            return place
    if (m := _OUR_PEOPLE.search(text)) is not None:
        return m.group(0)
    if county.adcode:
        for code in _CREDIT_CODE.finditer(text.upper()):
            if code.group(1) == county.adcode:
                return f"统一社会信用代码{code.group(0)}"
    return None


def towns_of(store: Store, county: CountyRules) -> list[str]:
    """The county's towns: `[county] towns` and the roster's units named 镇/乡/街道."""
    return [*county.towns, *(u.name for u in store.roster.units() if u.name.endswith(("镇", "乡", "街道")))]


def public_or_local(company: str | None, text: str, rules: Rules, store: Store) -> str | None:
    """Why money does not count as 招商引资 (government money, or the county's own), or None."""
    public = next((w for w in rules.counting.government_words if mentions(w, text)), None)
    if public:
        return f"政府投资/平台公司（{public}）"
    local = next((w for w in rules.counting.in_county_words if mentions(w, text)), None) or county_own(
        company, text, rules.county, towns_of(store, rules.county))
    return f"县内投资（{local}）" if local else None


def _padded(record: Record, project: Project | None) -> str | None:
    """Why a lead (or a signing) is not new: the report says so, or the project is in the base from an
    earlier year (imported, or signed before this year)."""
    if record.kind not in (RecordKind.LEAD.value, RecordKind.SIGNING.value):
        return None
    if (m := _PADDED.search(record.text)) is not None:
        return f"疑似往年已报或已建成项目（「{m.group(0)}」）"
    if record.kind == RecordKind.LEAD.value and project is not None:
        year = record.period[:4]
        if project.baseline is not None or (project.signed_period and project.signed_period[:4] < year):
            return f"项目库已有 P{project.id}（{project.company or project.name}，往年项目）"
    return None


def _inherit(record: Record, project: Project | None, ctx: Context) -> str | None:
    """A milestone of a project that does not count (城投, the county's own, another unit's investor,
    rejected) does not count either (`Records.inherit`; kept in step whenever the project changes);
    the receipt line that says so."""
    if project is None or not ctx.store.records.inherit(record, project.id or 0, project.counted,
                                                        project.not_counted_reason, ctx.member.userid):
        return None
    return f"注：{record.not_counting}，本条登记备查，不计分。"


def _flags(record: Record, parsed: Parsed, project: Project | None, ctx: Context) -> list[str]:
    """Apply the counting rules to a just-stored record; the receipt lines that explain them."""
    if record.kind == packaging.KIND:
        return packaging.check(record, ctx)
    if record.kind == RecordKind.PLAN.value:
        return []
    rules = ctx.rules.counting
    records = ctx.store.records
    actor = ctx.member.userid
    text = record.text
    notes: list[str] = []
    reason = public_or_local(record.company, text, ctx.rules, ctx.store)
    if reason:
        records.flag(record, reason, review=True, actor=actor)
        notes.append(f"注：{reason}，按考核办法只计县外资金、不计政府投资，已登记备查，不计入考核，已转招商办审核。")
        return notes
    inherited = _inherit(record, project, ctx)
    if inherited:
        return [inherited]
    padded = _padded(record, project)
    if padded:
        records.flag(record, padded, review=True, actor=actor)
        return [f"注：{padded}，已登记备查，暂不计分，已转招商办审核（确认后计入）。"]
    if record.kind in rules.once_kinds:
        first = records.first_of_company(record.company, [record.kind])
        if first is not None and first.unit_id == record.unit_id and project is not None and first.project_id not in (
                None, project.id):
            first = None  # the same investor's other project in this unit: not a repeat
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
            elif record.kind == "signing" and (record.fields or {}).get("contract"):
                records.flag(record, f"合同：同一签约已于 #{first.id} 计入", review=False, actor=actor, repeat_of=first.id)
                notes.append(f"注：此前已以协议签约登记（#{first.id}），本条为正式合同，项目进入「合同」阶段，签约不重复计分。")
            else:
                records.flag(record, f"{SAME_UNIT_REPEAT}#{first.id} 已报", review=False, actor=actor, repeat_of=first.id)
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
    if record.kind == RecordKind.PLAN.value:
        head = f"📅 已记录计划 #{record.id}（{unit_name}）：{plan_words(record)}"
        lines = [head, *describe(record)]
    else:
        head = f"✅ 已登记{kind_name(record.kind)} #{record.id}（{unit_name}，计入{counted_for}）"
        lines = [head, *describe(record)]
    if stored.project_note:
        lines.append(stored.project_note)
    lines.extend(stored.notes)
    for plan in stored.plans:
        lines.append(f"📅 {plan_words(plan)}，已记入项目（#{plan.id}）。")
    if record.kind == RecordKind.PLAN.value:
        lines.append("注：计划不是已发生的事项，不计分、不计入开工率等指标；到期未实现的，列入每周督查和调度会的逾期项目。")
    elif record.kind == RecordKind.INTENTION.value:
        lines.append("注：意向协议不是正式签约，项目处于「意向」阶段，不计入签约个数和签约额；正式签约后请报「签约：…」。")
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


def plan_words(record: Record) -> str:
    """计划开工 2026年6月30日前 (a plan record in words)."""
    of = (record.fields or {}).get("plan_of") or ""
    on = record.event_date
    when = f"{on.year}年{on.month}月{on.day}日前" if on else "（未说明时间）"
    return f"计划{_PLAN_NAMES.get(of, '推进')} {when}"


_PLAN_NAMES = {"signing": "签约", "start": "开工", "funds": "资金到位", "completion": "投产"}


def parsed_to_json(parsed: Parsed) -> dict[str, Any]:
    """A JSON-safe dict of a Parsed (for drafts and the record's `fields`)."""
    out: dict[str, Any] = {}
    for f in fields(parsed):
        if f.name in MESSAGE_FIELDS:
            continue  # the message's, not the record's
        value = getattr(parsed, f.name)
        if f.name == "items":
            value = [parsed_to_json(item) for item in value]
        elif f.name == "planned":
            value = [[str(of), on.isoformat() if on else None] for of, on in value]
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
    for name in ("date", "due"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    if values.get("plan_of"):
        values["plan_of"] = Intent(values["plan_of"])
    values["planned"] = tuple((Intent(of), date.fromisoformat(on) if on else None)
                              for of, on in values.get("planned") or ())
    values["items"] = tuple(parsed_from_json(item) for item in values.get("items") or ())
    values["missing"] = tuple(values.get("missing") or ())
    values["stated"] = frozenset(values.get("stated") or ())
    return Parsed(**values)


def with_answer(draft: Parsed, answer: Parsed) -> Parsed:
    """Fill a draft's missing fields from the sender's answer (`nlp.parse_answer`, which takes a project or
    place asked for as written when the rules find none)."""
    changes: dict[str, Any] = {}
    for name in draft.missing:
        value = getattr(answer, name, None)
        if name == "amount_wan" and value is not None:
            changes["amount_wan"] = value
            changes["currency"] = answer.currency or "CNY"
        elif value is not None:
            changes[name] = value
    for name in ("company", "industry", "contact_name", "contact_phone"):
        if getattr(draft, name) is None and getattr(answer, name) is not None:
            changes[name] = getattr(answer, name)
    return replace(draft, **{k: v for k, v in changes.items() if v is not None}).with_missing_recomputed()
