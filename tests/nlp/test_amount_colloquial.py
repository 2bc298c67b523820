"""Amounts as liaisons say them: colloquial ranges, this report's funds, formal and northern numerals."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("线索：温州客商拟投资三四千万建设阀门项目", 3000),
        ("线索：福建客商想投个四五百万建茶叶加工厂", 400),
        ("线索：广东客商拟投资两三个亿建设家电产业园", 20000),
        ("线索：浙江客商拟投资八九千万元建设纺织项目", 8000),
        ("线索：上海客商拟投资三五个亿建设物流园", 30000),
        ("线索：江苏客商拟投资十一二万建设小作坊项目", 11),
    ],
)
def test_a_colloquial_range_takes_its_lower_bound(text: str, wan: float) -> None:
    assert parse(text, TODAY).amount_wan == wan


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("到位：项目累计到位资金5600万元，本月新增到位700万元", 700),
        ("到位：本月到位900万，截至目前累计到位4100万", 900),
        ("这回又到了260余万元，累计已经到位1800万", 260),
    ],
)
def test_this_reports_funds_beat_the_running_total_in_either_order(text: str, wan: float) -> None:
    assert parse(text, TODAY).amount_wan == wan


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("到位：本月到位資金參佰伍拾萬元", 350),
        ("签约：投资額貳仟參佰萬元", 2300),
        ("到位：收到定金貳萬參仟肆佰元", 2.34),
    ],
)
def test_formal_traditional_numerals(text: str, wan: float) -> None:
    assert parse(text, TODAY).amount_wan == pytest.approx(wan)


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("线索：天津客商想投千二万建个冷库", 1200),
        ("线索：有个老板打算投百五万建个养鸡场", 150),
        ("到位：首笔款到账万三", 1.3),
        ("线索：北京客商拟投资三千五百万建设仓库", 3500),
        ("线索：北京客商拟投资两千万建设仓库", 2000),
    ],
)
def test_northern_shorthand_and_plain_amounts(text: str, wan: float) -> None:
    assert parse(text, TODAY).amount_wan == pytest.approx(wan)
