"""Places from a maintained list of divisions (cpca's adcodes), zones, regions and foreign places.

Failure kind (issue 9): a dictionary of ~350 names missed most county-level cities, districts,
development zones, and the forms liaisons type (`温州客商`, `来自东莞的`, `赴宁波`, `去芜湖见了`).
"""

from datetime import date

import pytest

from nlp import parse
from nlp.entities import find_places, lexicon

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    "name",
    [
        "仙桃",
        "仙桃市",
        "长兴",
        "长兴县",
        "龙港",
        "柯城区",
        "兴化",
        "迁安",
        "博罗县",
        "阿克苏",
        "延边",
        "甘孜",
    ],
)
def test_the_gazetteer_knows_county_level_places_full_and_short(name: str) -> None:
    assert name in lexicon().places


@pytest.mark.parametrize("word", ["合作", "通道", "来宾", "和平", "东方"])
def test_everyday_words_that_are_also_place_short_forms_are_left_out(word: str) -> None:
    assert word not in lexicon().places


@pytest.mark.parametrize(
    ("text", "intent", "place"),
    [
        ("外出招商：赴仙桃拜访企业2家", "visit", "仙桃"),
        ("今天去长兴见了三家做电池的企业", "visit", "长兴"),
        ("在迁安拜访了首钢配套企业", "visit", "迁安"),
        ("拜访：前往两江新区对接汽车企业4家", "visit", "两江新区"),
        ("赴印尼雅加达对接镍矿企业", "visit", "印尼雅加达"),
        ("接待：来自兴化的客商来考察不锈钢项目", "reception", "兴化"),
        ("博罗来的老板上午来看了厂房", "reception", "博罗"),
        ("接待：湖南浏阳客商来我县考察烟花项目", "reception", "湖南浏阳"),
        ("线索：成渝地区一家做电子的企业想来投资，金额未定", "lead", "成渝地区"),
        ("线索：新加坡客商拟投资800万美元建设冷链项目", "lead", "新加坡"),
    ],
)
def test_place_in_every_form(text: str, intent: str, place: str) -> None:
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.place) == (intent, place)


def test_merchants_named_by_a_chain_of_places_keep_it_whole() -> None:
    parsed = parse("接待：江西赣州客商来我县考察稀土项目", TODAY)
    assert (parsed.company, parsed.place) == ("江西赣州客商", "江西赣州")


def test_adjacent_places_are_one_place() -> None:
    key = "赴浙江湖州南浔区"
    spans = find_places(key)
    assert [key[s:e] for s, e in spans] == ["浙江湖州南浔区"]


def test_where_the_headquarters_are_is_where_the_investor_comes_from() -> None:
    parsed = parse("线索：一家总部位于合肥的新能源企业有意在我县建设电池仓储中心，投资约8000万元", TODAY)
    assert parsed.place == "合肥"


def test_a_group_named_after_its_place_says_where_it_comes_from() -> None:
    parsed = parse("接待：浙江平湖服装商会一行8人来我县考察", TODAY)
    assert parsed.place == "浙江平湖"


@pytest.mark.parametrize(
    ("key", "places"),
    [
        ("今天河北客商来考察", ["河北"]),  # not 天河 (inside 今天)
        ("山西潞安化工有意投资", ["山西"]),  # not 安化 (inside 化工)
        ("赴中山大学对接科研团队", []),  # a university, not the city
        ("去嘉善见了两家企业", ["嘉善"]),
    ],
)
def test_a_short_place_inside_a_longer_word_is_no_place(key: str, places: list[str]) -> None:
    assert [key[s:e] for s, e in find_places(key)] == places
