"""A made-up but plausible year for newcomers and benchmarks (`zsbot demo`).

A county of townships (镇/乡), departments (局) and a development zone; a liaison or two per unit,
some unit leaders, county leaders and the office. Projects move through the pipeline the way the
seeds describe it: a lead (线索) from a company somewhere in China, visits and receptions, for some
a signing, then a start, funds in tranches, a completion, progress notes between. Each record
carries the words a liaison would have sent (the parser reads them back to the same facts), its
message-log row and its receipt. Reports fall on working hours, the period follows the deadline
rule (a report on the 21st counts for next month), and units differ in zeal so a ranking ranks.

Rows are made in Python and written with core bulk inserts (storage.bulk): 200k records take
seconds, not the hours one ORM object per row would. Seeded: the same arguments give the same
database.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from handlers.core.periods import Month, deadline_of, is_late, month_bounds, month_of, period_label
from handlers.core.receipts import kind_name
from handlers.core.rules import Rules
from handlers.project_base.intake import parsed_to_json
from nlp import Intent, Parsed
from storage.bulk import after_bulk_load, insert_rows, refresh_statistics, rows_in_use
from storage.db import session_scope
from storage.keys import core_company_name, project_keys, text_hash
from storage.models import Audit, Member, Message, Project, ProjectKey, ProjectStage, Record, Role, Unit
from storage.store import derive_projects

CHANNEL = "demo"
DEFAULT_UNITS = 24
DEFAULT_RECORDS = 3000
#: A county has tens of units; the name pools give well over this many distinct ones.
MAX_UNITS = 1000

ZONE = "经济技术开发区"
_TOWN_ROOTS = (
    "柳泉", "东关", "西河", "南樊", "北寨", "石门", "青山", "龙泉", "白马", "杨柳", "桃园", "古城", "大河",
    "安峪", "陈村", "冷口", "横岭", "卫庄", "牛家", "宋村", "马坊", "王庄", "槐树", "泉掌", "黄河", "清水",
    "双桥", "三合", "永安", "太平", "兴隆", "富民", "新华", "红旗", "金山", "凤凰", "望江", "长岭",
)
_TOWN_SUFFIX = ("镇", "镇", "镇", "乡")
_DEPARTMENTS = (
    "发展和改革局", "工业和信息化局", "商务局", "农业农村局", "文化和旅游局", "自然资源局", "住房和城乡建设局",
    "交通运输局", "科技局", "市场监督管理局", "财政局", "卫生健康局", "水利局", "林业局", "人力资源和社会保障局",
    "民政局", "教育局", "能源局", "行政审批服务管理局", "供销社",
)
_SURNAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("赵", "Zhao"),
    ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"), ("胡", "Hu"), ("朱", "Zhu"),
    ("高", "Gao"), ("林", "Lin"), ("何", "He"), ("郭", "Guo"), ("马", "Ma"), ("罗", "Luo"), ("梁", "Liang"),
    ("宋", "Song"), ("郑", "Zheng"), ("韩", "Han"), ("冯", "Feng"), ("董", "Dong"), ("程", "Cheng"),
    ("薛", "Xue"), ("贾", "Jia"), ("段", "Duan"), ("郝", "Hao"), ("田", "Tian"), ("史", "Shi"), ("卫", "Wei"),
)
_GIVEN = (
    ("伟", "Wei"), ("芳", "Fang"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"), ("强", "Qiang"), ("磊", "Lei"),
    ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"), ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"),
    ("超", "Chao"), ("霞", "Xia"), ("平", "Ping"), ("刚", "Gang"), ("辉", "Hui"), ("鹏", "Peng"), ("华", "Hua"),
    ("飞", "Fei"), ("玲", "Ling"), ("建", "Jian"), ("国", "Guo"), ("文", "Wen"), ("斌", "Bin"), ("宇", "Yu"),
    ("浩", "Hao"), ("凯", "Kai"), ("俊", "Jun"), ("旭", "Xu"), ("宁", "Ning"), ("波", "Bo"), ("峰", "Feng"),
    ("亮", "Liang"), ("红", "Hong"), ("云", "Yun"), ("琳", "Lin"), ("婷", "Ting"), ("慧", "Hui"), ("丹", "Dan"),
)
#: (name prefix of the company, where it comes from): provinces and cities investors come from.
_ORIGINS = (
    ("江苏", "南京"), ("苏州", "苏州"), ("无锡", "无锡"), ("浙江", "杭州"), ("宁波", "宁波"), ("温州", "温州"),
    ("广东", "广州"), ("深圳", "深圳"), ("东莞", "东莞"), ("上海", "上海"), ("北京", "北京"), ("天津", "天津"),
    ("山东", "济南"), ("青岛", "青岛"), ("河南", "郑州"), ("河北", "石家庄"), ("山西", "太原"), ("陕西", "西安"),
    ("四川", "成都"), ("重庆", "重庆"), ("湖北", "武汉"), ("湖南", "长沙"), ("安徽", "合肥"), ("福建", "厦门"),
    ("江西", "南昌"), ("辽宁", "沈阳"), ("内蒙古", "呼和浩特"),
)
_BRAND = "恒润华晟鑫源泰盛宏远博创中科天瑞金达元嘉禾锦隆德信安通联宇海星辰益丰昌永兴凯正卓越睿峰澄岚拓"
#: (word in the company name, industry, project names; {n} is a small number, never money).
_INDUSTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("新材料科技", "新材料", ("年产{n}万吨可降解塑料项目", "高性能复合材料生产线项目", "特种陶瓷材料项目")),
    ("新能源科技", "新能源", ("分布式光伏发电项目", "锂电池隔膜生产线项目", "储能电站项目", "风电装备制造项目")),
    ("智能装备", "装备制造", ("智能装备制造基地项目", "精密零部件加工项目", "数控机床生产项目")),
    ("生物医药", "生物医药", ("原料药生产基地项目", "中药材精深加工项目", "医疗器械生产项目")),
    ("食品", "农产品加工", ("果蔬深加工项目", "年产{n}万吨速冻食品项目", "面粉加工项目", "山楂饮品加工项目")),
    ("农业开发", "现代农业", ("设施农业示范园项目", "苹果种植示范园项目", "中药材种植基地项目")),
    ("电子科技", "电子信息", ("电子元器件生产项目", "智能终端组装项目", "大数据中心项目")),
    ("供应链管理", "物流", ("智慧物流园项目", "农产品冷链仓储项目")),
    ("文化旅游开发", "文旅", ("乡村旅游综合体项目", "康养度假区项目", "研学基地项目")),
    ("建材", "建材", ("装配式建筑构件项目", "新型墙体材料项目")),
    ("汽车零部件", "汽车零部件", ("汽车零部件生产项目", "新能源汽车电机项目")),
    ("纺织", "纺织", ("羽绒加工项目", "服装加工项目")),
)
_SUFFIXES = ("有限公司",) * 8 + ("股份有限公司", "集团有限公司")
_REGIONS = ("长三角", "珠三角", "京津冀", "苏州", "深圳", "杭州", "郑州", "西安", "成都", "上海")
_PROGRESS = (
    "完成土地摘牌", "环评已批复", "设备进场安装", "厂房主体封顶", "完成项目备案", "正在办理施工许可",
    "完成可研报告", "签订用地协议",
)
#: Share of records a correction or a retraction touched.
CORRECTED, RETRACTED = 0.03, 0.01


class DemoRefused(Exception):
    """The database already holds data: a demo is only ever written into an empty one."""


@dataclass(frozen=True, slots=True)
class DemoResult:
    year: int
    units: int
    members: int
    projects: int
    records: int
    messages: int
    first_period: str
    last_period: str
    seconds: float
    liaison: str
    leader: str
    admin: str

    def summary(self) -> str:
        return (
            f"已生成{self.year}年演示数据：{self.units}个单位、{self.members}名成员、{self.projects}个项目、"
            f"{self.records}条报送、{self.messages}条消息（{period_label(self.first_period)}至"
            f"{period_label(self.last_period)}），用时{self.seconds:.1f}秒。\n"
            f"试试：zsbot rank --period {self.last_period}；zsbot say --as {self.liaison} 我单位排名；"
            f"zsbot say --as {self.admin} 未报送"
        )


@dataclass(slots=True)
class _Person:
    userid: str
    name: str
    unit_id: int | None
    role: Role


@dataclass(slots=True)
class _Event:
    at: datetime
    kind: str
    unit: int
    story: int | None
    text: str
    parsed: Parsed
    amount_cny_wan: float | None


@dataclass(slots=True)
class _Story:
    unit: int
    company: str | None
    project: str
    industry: str
    events: list[_Event] = field(default_factory=list)


@dataclass(slots=True)
class _Unit:
    id: int
    name: str
    zeal: float
    liaisons: list[str] = field(default_factory=list)


def _unit_names(n: int, rng: random.Random) -> list[str]:
    """The zone first, then townships and departments about half and half, all different."""
    roots = list(_TOWN_ROOTS)
    rng.shuffle(roots)
    departments = list(_DEPARTMENTS)
    rng.shuffle(departments)
    towns = [f"{r}{rng.choice(_TOWN_SUFFIX)}" for r in roots]
    names = [ZONE]
    while len(names) < n:
        if departments and (len(names) % 2 == 0 or not towns):
            names.append(departments.pop())
        elif towns:
            names.append(towns.pop())
        else:
            a, b = rng.choice(_TOWN_ROOTS), rng.choice(_TOWN_ROOTS)
            name = f"{a[0]}{b[1]}{rng.choice(_TOWN_SUFFIX)}"
            if name not in names:
                names.append(name)
    return names[:n]


class _Names:
    """Chinese names with pinyin WeCom userids (LiuWei, LiuWei2 …), never the same twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.taken = rng, set[str]()

    def person(self) -> tuple[str, str]:
        surname, sp = self.rng.choice(_SURNAMES)
        given = [self.rng.choice(_GIVEN) for _ in range(self.rng.choice((1, 2, 2)))]
        name = surname + "".join(g for g, _ in given)
        base = sp + "".join(p for _, p in given)
        userid, k = base, 1
        while userid in self.taken:
            k += 1
            userid = f"{base}{k}"
        self.taken.add(userid)
        return name, userid


def _amount_text(wan: float, currency: str = "CNY") -> str:
    """1.2亿元 / 8000万元 / 3000万美元: the way liaisons write amounts."""
    unit = "美元" if currency == "USD" else "元"
    if wan >= 10000:
        return f"{wan / 10000:g}亿{unit}"
    return f"{wan:g}万{unit}"


def _round_amount(wan: float) -> float:
    """Amounts as people state them: 350万, 8000万, 1.2亿 — never 8123.7万."""
    if wan >= 10000:
        return round(wan / 1000) * 1000
    if wan >= 1000:
        return round(wan / 100) * 100
    return max(50, round(wan / 50) * 50)


def _when_word(at: datetime, on: date) -> str:
    return "今天" if at.date() == on else f"{on.month}月{on.day}日"


class _Year:
    """The generator: a window of reporting time, units with zeal, stories along the pipeline."""

    def __init__(self, rules: Rules, year: int, now: datetime, rng: random.Random) -> None:
        self.rules, self.rng = rules, rng
        self.tz = rules.schedule.tz
        self.start = month_bounds(Month(year, 1), rules.schedule)[0]
        end = deadline_of(Month(year, 12), rules.schedule)
        #: The current year is filled up to now: no report comes from the future.
        self.end = min(end, now) if now > self.start else end
        self.fx = rules.reporting.fx_to_cny

    def moment(self, after: datetime | None = None, days: tuple[int, int] = (0, 0)) -> datetime:
        """A working-hours instant: uniform over the window, or `days` after `after`."""
        if after is None:
            span = (self.end - self.start).total_seconds()
            at = self.start + timedelta(seconds=self.rng.random() * span)
        else:
            at = after + timedelta(days=self.rng.randint(*days))
        local = at.astimezone(self.tz)
        if local.weekday() >= 5 and self.rng.random() < 0.8:
            local += timedelta(days=7 - local.weekday())
        minutes = self.rng.randint(8 * 60 + 30, 18 * 60)
        local = local.replace(hour=minutes // 60, minute=minutes % 60, second=self.rng.randint(0, 59), microsecond=0)
        return local.astimezone(UTC)

    def event(self, kind: str, unit: int, story: int | None, at: datetime, text: str, **facts: Any) -> _Event:
        # A date is a fact only where the words name one (今天, 3月5日), as the parser reads it.
        on = None
        if "{when}" in text:
            on = (at.astimezone(self.tz) - timedelta(days=self.rng.choice((0, 0, 0, 1, 2)))).date()
            text = text.replace("{when}", _when_word(at.astimezone(self.tz), on))
        amount, currency = facts.get("amount_wan"), facts.get("currency")
        cny = None if amount is None else amount if currency in (None, "CNY") else round(amount * self.fx.get(currency, 1), 4)
        parsed = Parsed(intent=Intent(kind), date=on, source_text=text,
                        stated=frozenset(k for k, v in facts.items() if v is not None), **facts)
        return _Event(at, kind, unit, story, text, parsed, cny)

    def company(self) -> tuple[str, str, str, str, str]:
        """(company, from where, project, industry word, industry)."""
        prefix, place = self.rng.choice(_ORIGINS)
        word, industry, projects = self.rng.choice(_INDUSTRIES)
        brand = "".join(self.rng.sample(_BRAND, 2))
        project = self.rng.choice(projects).replace("{n}", str(self.rng.choice((2, 3, 5, 10, 20))))
        return f"{prefix}{brand}{word}{self.rng.choice(_SUFFIXES)}", place, project, word, industry

    def story(self, index: int, unit: _Unit, where: str) -> _Story:
        """One project's way through the pipeline, as far as the window reaches."""
        rng = self.rng
        company, place, project, _, industry = self.company()
        public = rng.random() < 0.02
        currency = "USD" if rng.random() < 0.02 else "CNY"
        amount = _round_amount(min(500000, max(300, rng.lognormvariate(math.log(6000), 1.0))))
        if currency == "USD":
            amount = _round_amount(amount / 7)
        s = _Story(unit.id, None if public else company, project, industry)
        add = s.events.append
        t = self.moment()
        if public:
            add(self.event("lead", unit.id, index, t, f"线索：拟利用专项债资金{_amount_text(amount)}建设{project}",
                           project=project, amount_wan=amount, currency="CNY", industry=industry,
                           government_funded=True))
        else:
            contact = ""
            facts: dict[str, Any] = {}
            if rng.random() < 0.4:
                person, _ = _Names(rng).person()
                phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
                contact, facts = f"，联系人{person}，电话{phone}", {"contact_name": person, "contact_phone": phone}
            add(self.event("lead", unit.id, index, t,
                           f"线索：{company}拟投资{_amount_text(amount, currency)}建设{project}{contact}",
                           company=company, project=project, amount_wan=amount, currency=currency,
                           industry=industry, **facts))
        if not public and rng.random() < 0.5:
            k = rng.randint(2, 8)
            add(self.event("reception", unit.id, index, self.moment(t, (5, 40)),
                           f"接待：{{when}}接待{company}一行{k}人来{where}考察{project}",
                           company=company, project=project))
        if not public and rng.random() < 0.35:
            add(self.event("visit", unit.id, index, self.moment(t, (5, 60)),
                           f"拜访：{{when}}带队赴{place}拜访{company}，洽谈{project}",
                           company=company, project=project, place=place))
        subject = s.company or ""
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            add(self.event("progress", unit.id, index, self.moment(t, (10, 200)),
                           f"进展：{subject}{project}{rng.choice(_PROGRESS)}", company=s.company, project=project))
        if rng.random() < 0.35:
            signed = _round_amount(amount * rng.uniform(0.8, 1.3))
            t = self.moment(t, (30, 150))
            add(self.event("signing", unit.id, index, t,
                           f"签约：{subject}{project}{{when}}正式签约，总投资{_amount_text(signed, currency)}",
                           company=s.company, project=project, amount_wan=signed, currency=currency))
            if rng.random() < 0.65:
                t = self.moment(t, (20, 120))
                add(self.event("start", unit.id, index, t, f"开工：{subject}{project}{{when}}开工建设",
                               company=s.company, project=project))
                for _ in range(rng.choice((1, 1, 2, 3))):
                    t = self.moment(t, (15, 90))
                    funds = _round_amount(signed * rng.uniform(0.1, 0.4))
                    add(self.event("funds", unit.id, index, t,
                                   f"到位：{subject}{project}本月到位资金{_amount_text(funds, currency)}",
                                   company=s.company, project=project, amount_wan=funds, currency=currency))
                if rng.random() < 0.4:
                    add(self.event("completion", unit.id, index, self.moment(t, (60, 240)),
                                   f"竣工：{subject}{project}已竣工投产", company=s.company, project=project))
        # A weekend report moved to Monday may leave the window: what is outside it never happened.
        s.events = [e for e in s.events if self.start <= e.at <= self.end]
        return s

    def outing(self, unit: _Unit) -> _Event:
        """A visit with no one project in mind: 外出招商 to a region, so many firms."""
        region, k = self.rng.choice(_REGIONS), self.rng.randint(2, 6)
        return self.event("visit", unit.id, None, self.moment(),
                          f"拜访：{{when}}带队赴{region}开展招商推介，拜访企业{k}家", place=region, count=k)


def report_texts(rules: Rules, n: int, year: int, seed: int = 11) -> list[tuple[str, str]]:
    """`n` varied (kind, text) reports as liaisons write them, for benchmarks that go through the bot."""
    gen = _Year(rules, year, datetime(year + 1, 12, 31, tzinfo=UTC), random.Random(seed))
    unit = _Unit(1, "柳泉镇", 1.0)
    out: list[tuple[str, str]] = []
    while len(out) < n:
        story = gen.story(len(out), unit, "我镇")
        out += [(e.kind, e.text) for e in story.events]
        if gen.rng.random() < 0.6:
            e = gen.outing(unit)
            out.append((e.kind, e.text))
    gen.rng.shuffle(out)
    return out[:n]


def _where(name: str) -> str:
    return "我区" if name == ZONE else "我局" if name.endswith(("局", "社")) else f"我{name[-1]}"


def fill_demo(
    engine: Engine, rules: Rules, units: int = DEFAULT_UNITS, records: int = DEFAULT_RECORDS,
    year: int | None = None, seed: int = 7, now: datetime | None = None,
) -> DemoResult:
    """Fill an empty database with a made-up year; DemoRefused (nothing written) if it holds data."""
    if not 1 <= units <= MAX_UNITS or records < 0:
        raise ValueError(f"单位数应在1到{MAX_UNITS}之间，报送条数不能为负")
    began = time.perf_counter()
    with session_scope(engine) as session:
        _refuse_if_in_use(session)  # before seconds of generating; checked again where it is written
    now = now or datetime.now(UTC)
    year = year or now.astimezone(rules.schedule.tz).year
    rng = random.Random(seed)
    gen = _Year(rules, year, now, rng)
    names = _Names(rng)
    created = gen.start

    unit_rows, people = [], []
    the_units = []
    for i, name in enumerate(_unit_names(units, rng), start=1):
        # The zone brings in most; departments have other work first.
        zeal = rng.lognormvariate(0, 0.7) * (3 if name == ZONE else 1 if name.endswith(("镇", "乡")) else 0.6)
        u = _Unit(i, name, zeal)
        the_units.append(u)
        target = 50000 if name == ZONE else 5000 if name.endswith(("镇", "乡")) else 3000
        unit_rows.append({"id": i, "name": name, "target_amount_wan": float(target),
                          "target_leads": 6 if name.endswith(("镇", "乡")) else None, "created_at": created})
        for _ in range(2 if rng.random() < 0.2 else 1):
            person, userid = names.person()
            u.liaisons.append(userid)
            people.append(_Person(userid, person, i, Role.LIAISON))
        if rng.random() < 0.4:
            person, userid = names.person()
            people.append(_Person(userid, person, i, Role.LEADER))
    for role in (Role.LEADER, Role.LEADER, Role.ADMIN):
        person, userid = names.person()
        people.append(_Person(userid, person, None, role))

    events, stories = _events(gen, the_units, records)
    with session_scope(engine) as session:
        _refuse_if_in_use(session)
        insert_rows(session, Unit, unit_rows)
        insert_rows(session, Member, (
            {"userid": p.userid, "name": p.name, "unit_id": p.unit_id, "role": p.role.value,
             "mobile": f"139{rng.randrange(10**8):08d}", "updated_at": created} for p in people
        ))
        project_ids = _write_projects(session, stories, events, gen.tz)
        _write_records(session, gen, the_units, events, project_ids, rng)
        after_bulk_load(session)
    # Stages, dates, amounts and the pipeline columns come from the records, as for any project.
    derive_projects(engine)
    refresh_statistics(engine)
    periods = sorted({month_of(e.at, rules.schedule).key for e in events}) or [f"{year:04d}-01"]
    liaison = next(p.userid for p in people if p.role is Role.LIAISON)
    leader = next(p.userid for p in people if p.role is Role.LEADER and p.unit_id is None)
    admin = next(p.userid for p in people if p.role is Role.ADMIN)
    return DemoResult(
        year=year, units=len(unit_rows), members=len(people), projects=len(project_ids), records=len(events),
        messages=len(events), first_period=periods[0], last_period=periods[-1],
        seconds=time.perf_counter() - began, liaison=liaison, leader=leader, admin=admin,
    )


def _refuse_if_in_use(session: Any) -> None:
    present = rows_in_use(session)
    if present:
        what = "、".join(f"{table} {n}行" for table, n in present.items())
        raise DemoRefused(f"数据库中已有数据（{what}），演示数据只写入空数据库；未做任何改动。")


def _events(gen: _Year, units: list[_Unit], wanted: int) -> tuple[list[_Event], list[_Story]]:
    """Stories until `wanted` records, in time order; a unit's share follows its zeal."""
    weights = [u.zeal for u in units]
    events: list[_Event] = []
    stories: list[_Story] = []
    while len(events) < wanted:
        unit = gen.rng.choices(units, weights)[0]
        story = gen.story(len(stories), unit, _where(unit.name))
        stories.append(story)
        events += story.events
        if gen.rng.random() < 0.6:
            outing = gen.outing(gen.rng.choices(units, weights)[0])
            if gen.start <= outing.at <= gen.end:
                events.append(outing)
    events.sort(key=lambda e: e.at)
    # The latest events go when there are too many: no story loses its beginning.
    return events[:wanted], stories


_STAGES = [s.value for s in ProjectStage]
#: A milestone's stage, by name (by index it went stale when 合同 joined the stages: a start read 合同).
_ORDER = {kind: _STAGES.index(stage) for kind, stage in (
    ("lead", ProjectStage.LEAD), ("signing", ProjectStage.SIGNED), ("start", ProjectStage.STARTED),
    ("completion", ProjectStage.COMPLETED))}


def _write_projects(session: Any, stories: list[_Story], events: list[_Event], tz: ZoneInfo) -> dict[int, int]:
    """One project per story with a kept lead; its stage and dates from the milestones kept."""
    kept: dict[int, list[_Event]] = {}
    for e in events:
        if e.story is not None:
            kept.setdefault(e.story, []).append(e)
    ids: dict[int, int] = {}
    rows = []
    for index in sorted(kept):
        story, its = stories[index], kept[index]
        lead = its[0]
        stage, dates, signed, funds = 0, {}, None, 0.0
        for e in its:
            if e.kind in _ORDER:
                stage = max(stage, _ORDER[e.kind])
                dates[e.kind] = e.parsed.date or e.at.astimezone(tz).date()
            if e.kind == "signing":
                signed = e.amount_cny_wan
            if e.kind == "funds":
                funds += e.amount_cny_wan or 0
        ids[index] = len(ids) + 1
        rows.append({
            "id": ids[index], "unit_id": story.unit, "name": story.project, "company": story.company,
            "stage": _STAGES[stage], "amount_wan": signed if signed is not None else lead.amount_cny_wan,
            "currency": "CNY", "industry": story.industry, "lead_on": dates.get("lead"),
            "signed_on": dates.get("signing"), "started_on": dates.get("start"),
            "completed_on": dates.get("completion"), "signed_wan": signed, "funds_cny_wan": funds,
            "last_progress_at": its[-1].at, "created_at": lead.at, "company_key": core_company_name(story.company),
        })
    insert_rows(session, Project, rows)
    # The keys a report finds its project by (`Projects.index`), so `开工：<a demo company>…` joins it.
    insert_rows(session, ProjectKey, (
        {"project_id": ids[index], "unit_id": stories[index].unit, "key": key}
        for index in sorted(kept) for key in sorted(project_keys(stories[index].company, stories[index].project))))
    return ids


def _write_records(
    session: Any, gen: _Year, units: list[_Unit], events: list[_Event], project_ids: dict[int, int],
    rng: random.Random,
) -> None:
    """Records in time order (ids grow with time), each with its message and its audit entry."""
    schedule = gen.rules.schedule
    by_id = {u.id: u for u in units}

    def rows() -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
        for n, e in enumerate(events, start=1):
            p = e.parsed
            unit = by_id[e.unit]
            reporter = rng.choice(unit.liaisons)
            period = month_of(e.at, schedule).key
            roll = rng.random()
            status = "retracted" if roll < RETRACTED else "corrected" if roll < RETRACTED + CORRECTED else "active"
            fields = parsed_to_json(p)
            if status == "corrected":
                fields["revision"] = 1
            elif status == "retracted":
                fields["retract_reason"] = "重复报送"
            record = {
                "id": n, "unit_id": e.unit, "reporter": reporter, "message_id": n,
                "project_id": project_ids.get(e.story) if e.story is not None else None,
                "kind": e.kind, "status": status, "period": period, "late": is_late(e.at, schedule),
                "event_date": p.date, "reported_at": e.at, "company": p.company, "project_name": p.project,
                "amount_wan": p.amount_wan, "currency": p.currency, "amount_cny_wan": e.amount_cny_wan,
                "place": p.place, "industry": p.industry, "contact_name": p.contact_name,
                "contact_phone": p.contact_phone, "count": p.count, "government_funded": p.government_funded,
                "text": e.text, "fields": fields,
                # As `Records.add` keys them: a later report of the same investor is seen as a repeat,
                # the same text re-sent as a re-send.
                "company_key": core_company_name(p.company), "text_hash": text_hash(e.text),
            }
            reply = f"✅ 已登记{kind_name(e.kind)} #{n}（{unit.name}，计入{period_label(period)}）"
            message = {
                "id": n, "channel": CHANNEL, "msg_id": f"demo-{n}", "user_id": reporter, "chat_id": "demo-group",
                "text": e.text, "at": e.at, "received_at": e.at + timedelta(seconds=1), "intent": e.kind,
                "reply": reply,
            }
            after = {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in record.items()}
            audit = {"id": n, "at": e.at, "actor": reporter, "action": "create", "entity": "record",
                     "entity_id": n, "before": None, "after": after}
            yield record, message, audit

    # Messages first (records point at them), then records, then the audit trail: chunk by chunk.
    batch: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = []
    for row in rows():
        batch.append(row)
        if len(batch) == 10_000:
            _flush(session, batch)
            batch = []
    _flush(session, batch)


def _flush(session: Any, batch: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]) -> None:
    if batch:
        insert_rows(session, Message, (m for _, m, _ in batch))
        insert_rows(session, Record, (r for r, _, _ in batch))
        insert_rows(session, Audit, (a for _, _, a in batch))


__all__ = ["DEFAULT_RECORDS", "DEFAULT_UNITS", "DemoRefused", "DemoResult", "fill_demo", "report_texts"]
