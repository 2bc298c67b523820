"""Companies written without a legal suffix are found by where they stand and how they are built.

Failure kind (issue 9): `XX化工`, `XX锂业`, bare brands and firms named after a place were lost or read
as places; generic words (`面粉厂`) were read as firms.
"""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    ("text", "company"),
    [
        # place + brand + trade word, right before the investor's intention
        ("线索：湖北兴发化工拟投资2亿元建设磷化工新材料项目", "湖北兴发化工"),
        ("线索：青海盐湖锂业有意投资6亿元建设碳酸锂项目", "青海盐湖锂业"),
        ("新线索：深圳前沿智造科技想在园区建设机器人组装线，投资约8000万", "深圳前沿智造科技"),
        # brand + trade word after a meeting verb
        ("昨天和福耀玻璃签了汽车玻璃项目合同，投资3亿元", "福耀玻璃"),
        ("拜访：赴厦门拜访安井食品，对接速冻食品项目", "安井食品"),
        # a brand alone, no trade word
        ("线索：娃哈哈拟在我县投资1.5亿元建设饮料灌装线", "娃哈哈"),
        # the firm before its own project (shortest trade-ended prefix), and before 的
        ("到位：恒逸石化化纤项目本月到位资金3000万", "恒逸石化"),
        ("三棵树涂料的环保涂料项目今天开工", "三棵树涂料"),
    ],
)
def test_company_without_legal_suffix(text: str, company: str) -> None:
    assert parse(text, TODAY).company == company


@pytest.mark.parametrize(
    "text",
    [
        "线索：贵阳老干妈拟投资1亿元建设辣椒酱生产线",  # place + brand, nothing else
        "线索：杭州娃哈哈拟投资1亿元建设饮料生产线",
    ],
)
def test_a_firm_named_after_a_place_is_a_firm_not_a_place(text: str) -> None:
    parsed = parse(text, TODAY)
    assert parsed.company is not None and parsed.company.startswith(("贵阳", "杭州"))
    assert parsed.place is None


def test_a_supplier_of_a_named_firm_names_that_firm_not_its_city() -> None:
    parsed = parse("线索：比亚迪配套企业拟投资5000万元建设线束项目", TODAY)
    assert parsed.company == "比亚迪"
    assert parse("线索：宁德时代旗下企业拟投资1亿元建设结构件项目", TODAY).place is None


@pytest.mark.parametrize(
    "text",
    [
        "线索：镇上一家榨油厂想扩建生产线，投资还没定",
        "线索：东莞一家电子厂拟在我县设厂，投资3000万",
        "线索：有个老乡想回来投资建设养猪场，金额未定",
        "线索：一家做五金的企业拟投资2000万元建设五金加工项目",
        "下周三准备带队赴重庆招商",
    ],
)
def test_descriptions_and_generic_words_are_no_companies(text: str) -> None:
    assert parse(text, TODAY).company is None


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("进展：中石化加气站项目已完成规划许可", "中石化"),
        ("线索：听说泉州特步想在我县建设鞋材基地，正在对接", "泉州特步"),
    ],
)
def test_known_abbreviations_and_hearsay(text: str, company: str) -> None:
    assert parse(text, TODAY).company == company


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("进展：红豆服饰产业园项目已完成主体封顶", "红豆服饰"),
        ("接待：韩国三星考察团一行来我县考察", "韩国三星"),
        ("跟进：长城汽车配套项目用地已摘牌", "长城汽车"),
    ],
)
def test_everyday_words_as_brands_and_delegations(text: str, company: str) -> None:
    assert parse(text, TODAY).company == company


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("竣工：中石化润滑油脂配套项目昨天竣工", "中石化"),
        ("接待：新加坡丰益国际考察组来我县考察粮油项目", "新加坡丰益国际"),
        ("签约：与京东方科技签订显示模组项目协议，投资5亿元", "京东方科技"),
    ],
)
def test_a_known_firm_before_its_product_is_the_firm(text: str, company: str) -> None:
    assert parse(text, TODAY).company == company
