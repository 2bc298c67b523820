"""Failure kinds found by the second held-out file (heldout_b.jsonl, written from the contract alone).

One test per kind, with fresh examples: other firms, places and phrasings than the failing lines.
"""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "intent", "place", "day"),
    [
        (
            "昨天去滨海新区拜访了天津瑞昇医疗器械有限公司，对方打算明年来我镇实地看看",
            "visit",
            "滨海新区",
            "2026-04-14",
        ),
        (
            "今天到嘉定走访了上海汇众汽车零部件有限公司，他们准备下个月来我县考察",
            "visit",
            "嘉定",
            "2026-04-15",
        ),
        ("昨天接待了宁波客商一行，对方计划下月再来考察一次", "reception", "宁波", "2026-04-14"),
    ],
)
def test_a_past_event_wins_over_a_later_plan(text: str, intent: str, place: str, day: str) -> None:
    """What happened (去/走访了/接待了 with 今天/昨天) is the record; the investor's later plan is not."""
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.place, parsed.date and parsed.date.isoformat()) == (intent, place, day)


@pytest.mark.parametrize(
    "text",
    [
        "计划下月去宁波拜访几家模具企业，今天先电话联系了",
        "下周去合肥对接，已经约好了国轩的人",
        "月底台州客商过来考察，时间都定好了",
    ],
)
def test_a_plan_with_only_a_past_arrangement_stays_a_plan(text: str) -> None:
    """约好了/联系了 arranges the trip, and 过来 is no past 过: nothing has happened yet (issue 8's choice)."""
    assert str(parse(text, TODAY).intent) not in ("visit", "reception")


@pytest.mark.parametrize(
    ("text", "company", "day"),
    [
        ("昨天陪同澜海光电的周总一行4人实地察看了园区标准厂房", "澜海光电", "2026-04-14"),
        ("今天上午陪锦程新材料的许董参观了我镇产业园", "锦程新材料", "2026-04-15"),
        ("前天带恒远机械的孙总一行实地查看了拟选地块", "恒远机械", "2026-04-13"),
    ],
)
def test_accompanying_an_investor_party_is_a_reception(text: str, company: str, day: str) -> None:
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.company, parsed.date and parsed.date.isoformat()) == (
        "reception",
        company,
        day,
    )


@pytest.mark.parametrize(
    "text",
    ["今天陪同县长实地查看了重点项目施工现场", "今天赵总看了我们发的方案", "昨天800万资金到我县账户"],
)
def test_no_investor_party_shown_round_is_no_reception(text: str) -> None:
    """The county's own inspection, a boss reading a file, money arriving: nobody was received."""
    assert str(parse(text, TODAY).intent) != "reception"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("明天陪同苏州客商实地查看标准厂房", "unknown"),
        ("下周接待温州客商", "unknown"),
        ("前天吴总一行到我镇实地看了地块", "reception"),
    ],
)
def test_showing_round_is_a_plan_until_it_happens(text: str, intent: str) -> None:
    """陪同/接待 with 明天/下周 is a plan (a lead: it names an investor); 到我镇看了 happened."""
    assert str(parse(text, TODAY).intent) == intent


@pytest.mark.parametrize("text", ["这个助手咋用啊", "机器人怎么使", "咋操作？", "签约咋报", "到位资金咋填"])
def test_colloquial_how_to_questions_are_help(text: str) -> None:
    assert str(parse(text, TODAY).intent) == "help"


@pytest.mark.parametrize(
    "text",
    [
        "【通知】本周五前各单位报送三季度招商台账",
        "【紧急通知】仍有2个乡镇未报送11月到位资金，请于今日下班前补齐",
        "【公告】下周一起线索模板调整，未报送的单位请按新模板",
    ],
)
def test_a_bracketed_notice_header_is_a_bulletin(text: str) -> None:
    assert str(parse(text, TODAY).intent) == "bulletin"


def test_a_bracketed_unit_tag_is_still_dropped() -> None:
    parsed = parse("【城关镇】线索：宁波客商拟投资3000万元建设模具项目", TODAY)
    assert (str(parsed.intent), parsed.amount_wan) == ("lead", 3000)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("线索：延安客商拟投资三个多亿建设苹果深加工项目", 30000),
        ("签约：昨天和宁波均胜电子签了，投资一个多亿", 10000),
        ("线索：温州客商想投两千多万办个鞋厂", 2000),
        ("线索：合肥客商拟投资5个多亿建设储能项目", 50000),
    ],
)
def test_a_number_with_duo_is_the_number_before_it(text: str, amount: float) -> None:
    assert parse(text, TODAY).amount_wan == amount


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("线索：一家新加坡公司想投3000万美元建数据中心", "新加坡"),
        ("线索：某苏州企业有意投资8000万元建设精密模具项目", "苏州"),
        ("线索：有家东莞公司想来我县办个电子厂，投资两千万", "东莞"),
        ("线索：某温州公司有意投资5000万元建设鞋业项目", "温州"),
        ("线索：昆山展会上碰到一家台湾公司，拟投资3000万元建设模具项目", "台湾"),
    ],
)
def test_a_company_kind_phrase_names_the_investors_place(text: str, place: str) -> None:
    parsed = parse(text, TODAY)
    assert (parsed.place, parsed.company) == (place, None)


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("线索：日本名古屋松和电装株式会社拟投资20亿日元建设线束项目", "日本名古屋松和电装株式会社"),
        ("签约：韩国釜山大和化学株式会社偏光膜项目签约，投资500万美元", "韩国釜山大和化学株式会社"),
        ("线索：日本京都山田精机有限会社拟投资3亿日元建设模具项目", "日本京都山田精机有限会社"),
        ("线索：新加坡丰泰私人有限公司拟投资2000万美元建设冷链仓储项目", "新加坡丰泰私人有限公司"),
        (
            "线索：德国Kessler Antriebstechnik GmbH拟投资500万欧元建设齿轮箱项目",
            "德国Kessler Antriebstechnik GmbH",
        ),
        ("线索：美国Northwind Robotics Inc.拟投资300万美元建设机器人装配线", "美国Northwind Robotics Inc."),
        ("签约：与瑞士Baumann Optik AG签订光学镜片项目，投资200万欧元", "瑞士Baumann Optik AG"),
        ("线索：香港Harbour Cold Chain Co., Ltd.拟投资1亿港币建设冷库", "香港Harbour Cold Chain Co., Ltd."),
    ],
)
def test_a_foreign_company_keeps_its_place_and_legal_suffix(text: str, company: str) -> None:
    assert parse(text, TODAY).company == company


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("线索：县水利局争取专项债资金建设灌区节水改造，总投资约3000万元", []),
        ("线索：省里拟投资2000万元新建现代化育秧大棚", []),
        ("线索：苏州客商想在我县弄个项目，投资一个亿左右，干什么还没定", ["project"]),
        ("线索：有个宁波老板想过来上个项目，大概三千万", ["project"]),
        ("线索：台州客商想来我县办个项目，投资两千万", ["project"]),
        ("线索：绍兴客商想在我县搞个印染项目，投资八千万", []),
    ],
)
def test_a_project_is_what_will_be_built_not_the_word_project(text: str, missing: list[str]) -> None:
    assert list(parse(text, TODAY).missing) == missing


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("今天我和华为技术有限公司签了合同，投资3000万", "华为技术有限公司"),
        ("签约：县里和松和电装株式会社签订线束项目，投资2亿日元", "松和电装株式会社"),
    ],
)
def test_a_conjunction_between_two_parties_still_separates_them(text: str, company: str) -> None:
    """和 inside a brand (松和, 丸和) is kept only after a single character; 我和/县里和 join two parties."""
    assert parse(text, TODAY).company == company


@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("进展：宁波客商在我县新建仓储用房已封顶", "仓储用房"),
        ("进展：宁波客商的仓储用房正在建设中", None),
        ("线索：苏州客商拟投资2亿元建设，具体内容待定", None),
        ("线索：宁波客商拟投资1亿元，建设周期两年", None),
        ("线索：拟新建中药材初加工车间", "中药材初加工车间"),
        ("线索：常州客商拟在我县新建智能温室大棚5万平方米，投资3000万", "智能温室大棚"),
        ("进展：冷链仓储建设顺利推进", None),
        ("进展：标准厂房建设已完成七成", None),
        ("线索：温州客商拟在我县建设一批光伏车棚", "光伏车棚"),
        ("开工：嘉兴闻达模具有限公司数字化工厂今日开工建设", "数字化工厂"),
    ],
)
def test_a_build_verbs_object_stops_where_the_news_starts(text: str, project: str | None) -> None:
    """The object of 建设/新建 ends before a figure, a tense word (已, 正在) or the clause end."""
    assert parse(text, TODAY).project == project


@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("进展：宁波旭升科技有限公司铝压铸生产线项目完成环评批复", "铝压铸生产线项目"),
        ("进展：湖州客商的绿色建材产业园项目已摘牌", "绿色建材产业园项目"),
    ],
)
def test_a_project_name_runs_to_its_last_project_word(text: str, project: str) -> None:
    """Found without a build verb (tests/test_demo.py's generated lines): 生产线项目 is one name."""
    assert parse(text, TODAY).project == project


@pytest.mark.parametrize(
    ("text", "contact", "place"),
    [
        ("线索：嘉兴闻达模具有限公司拟投资3000万元建设模具项目，联系人安宁，电话13905741234", "安宁", None),
        ("线索：杭州达丰精工有限公司拟投资1亿元建设轴承项目，对接人是高明 13812345678", "高明", None),
    ],
)
def test_a_contacts_name_is_no_place(text: str, contact: str, place: str | None) -> None:
    """安宁 and 高明 are county-level names too; after a contact label they are a person."""
    parsed = parse(text, TODAY)
    assert (parsed.contact_name, parsed.place) == (contact, place)


@pytest.mark.parametrize(
    "text",
    ["接待：孙总一行4人来我县考察", "昨天周总一行到我镇实地踏勘了地块", "前天欧阳董到我镇看了厂房"],
)
def test_a_person_with_a_title_is_no_company(text: str) -> None:
    """孙总一行 is the investor's party, not a firm's name (found while probing the reception kind)."""
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.company) == ("reception", None)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("今天带着杭州客商看了三个地块", None),
        ("昨天陪宁波客商考察了2个园区", None),
        ("今天去常州见了三家企业", 3),
    ],
)
def test_things_looked_at_are_not_counted(text: str, count: int | None) -> None:
    """`count` is enterprises visited or groups received: plots and parks shown are neither."""
    assert parse(text, TODAY).count == count
