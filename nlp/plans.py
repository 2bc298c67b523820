"""Plans, intentions and problems: what a project is expected to do, and what holds it up.

A plan (`预计6月签约`, `计划6月30日前开工`, `拟于下月开工`, `预计下月到位资金5000万元`) is not the event:
it names a milestone to come and when. A hedge on an amount (`拟投资2亿元`, `计划总投资`) is no plan,
and a milestone that happened (`今天签约，计划6月开工`) is the event, its plan clause a planned date.
Planned dates resolve forward from `today` (the event dates of `nlp.dates` resolve backward), and a
month without a day means its last day: a plan `6月签约` is overdue only once June is over.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from nlp.numbers import small_int
from nlp.types import Intent

_CN = "零〇一二两三四五六七八九十"
_N = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})"

#: The milestone a plan is about, by its verb.
_MILESTONE_OF: tuple[tuple[Intent, str], ...] = (
    (Intent.SIGNING, r"签约|签订(?!.{0,6}意向)|签署(?!.{0,6}意向)|签合同|签协议|签下来"),
    (Intent.START, r"开工|动工|开建|进场施工|破土"),
    (Intent.FUNDS, r"到位|到账|注资|打过来|汇过来"),
    (Intent.COMPLETION, r"投产|竣工|建成|试生产|量产"),
)
_MILESTONE = "|".join(f"(?P<{intent.value}>{words})" for intent, words in _MILESTONE_OF)

#: Words that put a milestone in the future. 拟/计划 alone are hedges on amounts, so they must reach
#: a milestone verb within the same clause.
_PLAN_WORD = (
    r"预计|预期|估计|大概|可能|计划|拟于|拟在|拟定|拟|将于|将在|将|准备|打算|争取|力争|确保|有望|可望|预定|定于|约定于|"
    r"计划于|年内|即将|马上|尽快|近期|下步|下一步"
)
#: A time in the future, as liaisons write it (also with 前/之前/左右/底/内 after it).
_FUTURE_TIME = (
    rf"(?:(?:20\d\d|明)年)?\s*{_N}\s*月\s*(?:{_N}\s*[日号]|底|低|末|初|份|上旬|中旬|下旬)?"
    r"|(?:1[0-2]|0?[1-9])\.(?:3[01]|[12]\d|0?[1-9])(?!\d)|(?:20\d\d|明)年(?:底|末|内|初)|明天|后天|大后天|明日|"
    r"(?:下|这|本)?(?:周|星期)[一二三四五六日天]|"
    rf"(?:本月|这个月|下个?月){_N}\s*[日号]|下个?月(?:初|底|末|上旬|中旬|下旬)?|本月底|月底|月末|这个月底|本月内|年底|年末|年内|今年内|今年底|明年|"
    r"下周[一二三四五六日天]?|下个?星期[一二三四五六日天]?|近期|近日|下半年|上半年|"
    rf"(?:第?[一二三四1-4]|今年第?[一二三四1-4])季度(?:末|底)?|(?:国庆|五一|元旦|春节|中秋|端午)(?:节)?"
)
_TIME_TAIL = r"(?:上午|下午|晚上|前|之前|以前|左右|内|底|期间|起|开始)?"
#: `计划6月30日前开工`, `预计下月到位资金5000万元`, `拟于下月开工`, `争取年底前投产`.
_BETWEEN = (
    r"(?:(?:与|和|跟|同)[^,;。\n!?]{1,24}?|举行[^,;。\n!?]{0,30}?|正式|全面|全部|实现|完成|举行|开始|进行|能够?|可以|可|就|再|"
    r"首笔|第一笔|全部|剩余|资金|项目|全面|顺利|陆续|基本|主体|[一二三四首]期)*"
)
_PLAN = re.compile(
    rf"(?P<word>{_PLAN_WORD})\s*(?:在|于|到|从)?\s*(?P<time>{_FUTURE_TIME})?\s*{_TIME_TAIL}\s*"
    rf"{_BETWEEN}\s*(?:{_MILESTONE})"
)
#: `下月开工`, `6月底前签约`: a future time alone, right before the milestone, is a plan too. A month and
#: day alone is an event date (`3月18日正式签约`); it plans only with 前 (`6月30日前开工`).
_TIME_ONLY = re.compile(
    rf"(?<![已于了在])(?:(?P<time>下个?月(?:初|底|末|上旬|中旬|下旬)?|本月底|月底|年底|年内|下半年|明年|下周[一二三四五六日天]?|"
    rf"明天(?:上午|下午)?|后天(?:上午|下午)?)"
    rf"\s*(?:前|之前|以前|左右|内)?"
    rf"|(?P<month>(?:20\d\d年)?{_N}\s*月\s*(?:底|末|初|份|上旬|中旬|下旬)?)\s*(?:前|之前|以前|左右|内)?"
    rf"|(?P<dated>(?:20\d\d年)?{_N}\s*月\s*{_N}\s*[日号]?)\s*(?:前|之前|以前))\s*"
    rf"(?:正式|全面|实现|完成|举行|开始)?\s*(?:{_MILESTONE})"
)
#: What makes the milestone a fact after all (已签约, 签约了, 今天开工, 正式签约仪式举行).
_DONE_AROUND = re.compile(r"^(?:了|过|完成|完毕|仪式已|成功)|已$|已经$")
_PAST_WORDS = re.compile(r"今天|今日|昨天|昨日|前天|上午|下午|刚刚|刚才|已经|已于|已")


@dataclass(frozen=True, slots=True)
class Plan:
    """A planned milestone: what (signing, start, funds, completion) and by when (None: unsaid)."""

    of: Intent
    on: date | None
    start: int
    end: int


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _forward(month: int, today: date, year: int | None = None) -> int:
    """The year of `month` on or after today's month (a plan's 3月 in April is next March)."""
    if year is not None:
        return year
    return today.year if month >= today.month else today.year + 1


_QUARTER = re.compile(r"第?([一二三四1-4])季度")
_HOLIDAYS = {"国庆": (9, 30), "五一": (4, 30), "元旦": (12, 31), "春节": (1, 31), "中秋": (9, 15), "端午": (6, 1)}
_PART = {"初": 10, "上旬": 10, "中旬": 20}


def planned_date(time: str | None, today: date) -> date | None:
    """The date a plan's time names, resolved forward from `today`; a month alone is its last day."""
    if not time:
        return None
    t = re.sub(r"\s+", "", time)
    if m := re.match(r"(20\d\d|明)年(底|末|内|初)$", t):
        y = today.year + 1 if m.group(1) == "明" else int(m.group(1))
        return date(y, 1, 31) if m.group(2) == "初" else date(y, 12, 31)
    year: int | None = None
    if m := re.match(r"(20\d\d)年", t):
        year, t = int(m.group(1)), t[m.end():]
    elif t.startswith("明年"):
        year, t = today.year + 1, t[2:]
        if not t:
            return date(year, 12, 31)
    if m := re.match(rf"({_N})月(?:({_N})[日号]?|(底|低|末|份)|(初|上旬|中旬|下旬))?", t):
        month = small_int(m.group(1))
        if not month or not 1 <= month <= 12:
            return None
        y = _forward(month, today, year)
        if m.group(2):
            day = small_int(m.group(2))
            try:
                candidate = date(y, month, day or 0)
            except ValueError:
                return None
            return candidate if candidate >= today or year is not None else date(y + 1, month, day or 1)
        if m.group(4):
            part = m.group(4)
            return _month_end(y, month) if part == "下旬" else date(y, month, _PART[part])
        return _month_end(y, month)
    if m := re.match(rf"(本|这个|下个|下)?月?({_N})[日号]$", t):
        day = small_int(m.group(2)) or 0
        first = today.replace(day=1)
        if m.group(1) in ("下个", "下") or (m.group(1) is None and day < today.day):
            first = _month_end(today.year, today.month) + timedelta(days=1)
        try:
            return first.replace(day=day)
        except ValueError:
            return None
    if t.startswith(("下个月", "下月")):
        first = _month_end(today.year, today.month) + timedelta(days=1)
        part = t.removeprefix("下个月").removeprefix("下月")
        return date(first.year, first.month, _PART[part]) if part in _PART else _month_end(first.year, first.month)
    if t.startswith(("本月", "月底", "月末", "这个月")):
        return _month_end(today.year, today.month)
    if t.startswith(("年底", "年末", "年内", "今年内", "今年底", "下半年")):
        return date(year or today.year, 12, 31)
    if t.startswith("上半年"):
        return date(year or today.year, 6, 30)
    if m := _QUARTER.search(t):
        quarter = small_int(m.group(1)) or int(m.group(1))
        y = year or (today.year if quarter >= (today.month - 1) // 3 + 1 else today.year + 1)
        return _month_end(y, quarter * 3)
    if m := re.match(r"(1[0-2]|0?[1-9])\.(3[01]|[12]\d|0?[1-9])$", t):
        month, day = int(m.group(1)), int(m.group(2))
        try:
            candidate = date(year or today.year, month, day)
        except ValueError:
            return None
        return candidate if candidate >= today or year else date(today.year + 1, month, day)
    offset = {"明天": 1, "明日": 1, "后天": 2, "大后天": 3}.get(t)
    if offset:
        return today + timedelta(days=offset)
    if m := re.match(r"(下|这|本)?(?:周|星期)([一二三四五六日天])$", t):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1 if m.group(1) == "下" else 0)
        candidate = monday + timedelta(days=min("一二三四五六日天".index(m.group(2)), 6))
        return candidate if candidate >= today else candidate + timedelta(weeks=1)
    if t.startswith(("下周", "下个星期", "下星期")):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        weekday = "一二三四五六日天".find(t[-1])
        return monday + timedelta(days=min(weekday, 6) if weekday >= 0 else 6)
    for name, (month, day) in _HOLIDAYS.items():
        if t.startswith(name):
            y = _forward(month, today, year)
            return date(y, month, day)
    return None


def _ahead(month_text: str, today: date) -> bool:
    """A month written alone (`6月底`, `7月份`) is a plan's only when it is still to come this year."""
    m = re.match(rf"(?:(20\d\d)年)?\s*({_N})\s*月", month_text)
    if not m:
        return False
    month = small_int(m.group(2)) or 0
    year = int(m.group(1)) if m.group(1) else today.year
    return (year, month) > (today.year, today.month)


def _milestone(m: re.Match[str]) -> Intent:
    return next(intent for intent, _ in _MILESTONE_OF if m.group(intent.value))


def _happened(key: str, m: re.Match[str]) -> bool:
    """The milestone after the plan words is reported as done (`拟投资的项目已签约`, `计划…签约了`)."""
    after = key[m.end(): m.end() + 3]
    before = key[max(0, m.start() - 3): m.start()]
    return bool(_DONE_AROUND.search(before) or re.match(r"^(?:了|完成|成功)", after))


#: A plan word and a time, then the project named, then the milestone, in one clause
#: (`预计下周五上海沪茗茶业有限公司项目资金到位`).
_PLAN_WITH_SUBJECT = re.compile(
    rf"(?P<word>预计|计划|拟于|拟|将于|准备|争取|力争)\s*(?:在|于)?\s*(?P<time>{_FUTURE_TIME})\s*{_TIME_TAIL}"
    rf"[^,;。\n!?]{{1,24}}?{_BETWEEN}\s*(?:{_MILESTONE})"
)


def find_plans(key: str, today: date) -> list[Plan]:
    """Every planned milestone the text names, in order (a milestone named twice counts once)."""
    found: list[Plan] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_PLAN, _TIME_ONLY, _PLAN_WITH_SUBJECT):
        for m in pattern.finditer(key):
            if any(s <= m.start() < e for s, e in taken) or _happened(key, m):
                continue
            groups = m.groupdict()
            if groups.get("word") in ("下步", "下一步", "将") and not groups.get("time"):
                continue
            time = groups.get("time") or groups.get("month") or groups.get("dated")
            on = planned_date(time, today)
            if groups.get("month") and not _ahead(groups["month"], today):
                continue  # `3月份签约` in March (or May) is this month's or a past month's event
            end = m.end()
            while (more := re.match(rf"\s*(?:{_MILESTONE})", key[end:])) is not None:
                end += more.end()  # 竣工投产, 建成投产: one milestone
            taken.append((m.start(), end))
            found.append(Plan(_milestone(m), on, m.start(), end))
    found.sort(key=lambda p: p.start)
    out: list[Plan] = []
    for plan in found:
        if all(p.of is not plan.of for p in out):
            out.append(plan)
    return out


_DATED_MILESTONE = re.compile(
    rf"(?P<time>(?:20\d\d年)?{_N}\s*月\s*(?:{_N}\s*[日号]?|底|末|份|上旬|中旬|下旬)?|下个?月|年底|年内)\s*"
    rf"(?:前|之前|以前|左右|内)?\s*{_BETWEEN}\s*(?:{_MILESTONE})"
)


#: Under a plan's label the project may stand between the date and the milestone (`拟：2026年3月1日 X公司Y项目开工`).
_DATED_THEN_MILESTONE = re.compile(
    rf"(?P<time>(?:20\d\d年)?{_N}\s*月\s*(?:{_N}\s*[日号]?|底|末|份|上旬|中旬|下旬)?|下个?月|年底|年内)\s*"
    rf"(?:前|之前|以前|左右|内)?[^,;。\n!?]{{0,30}}?(?:{_MILESTONE})"
)


def labelled_plan(key: str, today: date) -> Plan | None:
    """In a message labelled as a plan (`计划：X项目2026年6月18日开工`) any dated milestone is planned."""
    m = _DATED_MILESTONE.search(key) or _DATED_THEN_MILESTONE.search(key)
    if m is None:
        return None
    return Plan(_milestone(m), planned_date(m.group("time"), today), m.start(), m.end())


def event_outside_plans(key: str, plans: list[Plan]) -> bool:
    """Whether the text names a milestone outside its plan clauses (`今天签约，计划6月开工`: the signing)."""
    masked = list(key)
    for plan in plans:
        masked[plan.start: plan.end] = " " * (plan.end - plan.start)
    rest = "".join(masked)
    return any(not _MILESTONE_NOUN.match(rest, m.end()) for m in re.finditer(_MILESTONE, rest))


#: A milestone word used as a noun (签约金额, 开工仪式 is still an event): it reports nothing by itself.
_MILESTONE_NOUN = re.compile(r"金额|额|项目数|时间|日期|地点")


# --- intentions --------------------------------------------------------------------------

#: An intention agreement: signed or reached, not yet a signing (意向书, 投资意向协议, 合作备忘录).
INTENTION = re.compile(
    r"意向书|意向协议|意向合同|意向性协议|投资意向协议|合作意向协议|框架意向|备忘录|意向性?签约|签[订署了]?意向"
    r"|(?:签订?|签署|草签)了?[^,;。\n]{0,10}?(?:投资|合作|入驻|落户)意向"
)
#: An intention reached in talks, not put on paper (`双方达成初步合作意向`): the news when nothing else
#: happened, but after a visit or a reception it is how that went (the visit is the record).
SOFT_INTENTION = re.compile(r"(?:达成|形成|确定)了?[^,;。\n]{0,10}?(?:投资|合作|入驻|落户)意向")


# --- problems ----------------------------------------------------------------------------

#: Words of a difficulty that needs someone to act (seed 000/001: 全程代办, 一事一议, 限期解决).
PROBLEM = re.compile(
    r"卡住|卡在|卡壳|卡着|受阻|停滞|停工|搁置|难以推进|推进缓慢|进展缓慢|没法推进|无法推进|推不动|"
    r"[办批接进拿签通]不(?:下来|了|进去|进来|到|上)|一直不|一直没|始终没|迟迟|等不起|(?:还|都)?(?:没|莫得|没有)下来|搞不定|"
    r"要[^,;。\n]{0,8}?(?:帮忙|帮手)?协调|"
    r"麻烦[^,;。\n]{0,8}?(?:帮忙|协调|催|加快)|帮忙催|一直等着?|"
    r"亟需|亟待|急需|难题|瓶颈|资金链|资金缺口|缺口|困难|阻力|堵点|梗阻|[招用]工难|太高|太差|太贵|"
    r"一事一议|全程代办|"
    r"需(?:要)?[^,;。\n]{0,12}?(?:协调|帮助|帮忙|出面|支持解决|做工作|给个说法|答复|对接解决)|"
    r"请[^,;。\n]{0,10}?(?:协调|帮助|帮忙|出面)|请求[^,;。\n]{0,10}?(?:协调|支持|解决)|能不能[^,;。\n]{0,6}?协调"
)
#: A problem solved is progress, not a problem (`用地问题已协调解决`).
SOLVED = re.compile(r"已(?:经)?(?:协调)?(?:解决|办结|落实|办好|批下来|拿到)|问题解决了|得到解决")
_DEPARTMENT = re.compile(
    r"(?:需要?|请求?|由|要|得|让|找)\s*(?P<d>[\u4e00-\u9fff]{1,10}?"
    r"(?:局|委|办公室|办|中心|公司|部门|所|站|镇|乡|街道|管委会|县政府|政府|银行|供电|分局))"
    r"(?:来|出面|帮助|帮忙|牵头|协调|解决|支持|对接|办理|配合|给)"
)
_DUE = re.compile(
    rf"(?P<time>(?:20\d\d年)?{_N}\s*月\s*(?:{_N}\s*[日号]|底|末|初|中旬|上旬|下旬)?|(?:本|这个|下个?)月\s*{_N}\s*[日号]|"
    rf"(?<![月\d]){_N}\s*[日号]|本月底|月底|月末|下个?月(?:初|底|中旬)?|"
    r"本周内?|这周|下周[一二三四五六日天]?|年底|年内)\s*(?:前|之前|以前|内)?\s*(?:解决|办结|完成|办好|落实|答复)"
)
_DAYS = re.compile(r"(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个)?(?:工作日|天|日)内")
#: `问题：P8 …`, `P8开工了`, `项目P8`, `（P8）`: a project named by its number, where a number stands for the project
#: (the message's start, after 项目/编号, or alone between punctuation), never inside a product (`P3实验室`, `华为P60`).
PROJECT_REF = re.compile(
    r"(?:^|(?<=[:：\s,，;；(（]))(?:项目号?|编号)?\s*[Pp]\s*(\d{1,7})(?![\d.A-Za-z])(?=\s*(?:项目|$|[\s,，。;；)）]))"
    r"|(?:^|(?<=[:：]))\s*[Pp]\s*(\d{1,7})(?![\d.A-Za-z])"
    r"|(?:项目号?|编号)\s*[Pp]\s*(\d{1,7})(?![\d.A-Za-z])"
)


def project_ref(key: str) -> int | None:
    """The project number the text names, if it names one as a number (see PROJECT_REF)."""
    m = PROJECT_REF.search(key)
    if m is None:
        return None
    return int(next(g for g in m.groups() if g))


def department_of(key: str) -> Span | None:
    """Where the department asked to act is named (`需自然资源局协调` → 自然资源局)."""
    m = _DEPARTMENT.search(key)
    return m.span("d") if m else None


Span = tuple[int, int]


def due_of(key: str, today: date) -> date | None:
    """The date a problem is to be solved by (`月底前解决`, `3月25日前办结`, `5个工作日内`)."""
    m = _DUE.search(key)
    if m:
        t = m.group("time")
        if t.startswith(("本周", "这周")):
            return today - timedelta(days=today.weekday()) + timedelta(days=6)
        return planned_date(t, today)
    d = _DAYS.search(key)
    if d:
        n = small_int(d.group("n")) or 0
        return today + timedelta(days=n) if n else None
    return None


# --- events that did not happen ---------------------------------------------------------------

#: A milestone or visit called off (`签约仪式取消了`, `对方老板没来，黄了`, `开工往后推了`): no event.
CALLED_OFF = re.compile(
    r"取消了?|临时取消|黄了|泡汤|没来成?|没谈成|没签成|没成|往后推|推迟了?(?!到\s*\d)|延期了?(?!到\s*\d)|改期|暂缓|搁浅|"
    r"未能|没能|告吹|作罢|来不了|去不了|来不成|去不成|没去成?|没能成行|未成行|放鸽子|不来了|不去了|不签了|签不成|不投了"
)
