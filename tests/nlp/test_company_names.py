"""Company names with placeholder words (某, 某某) come back whole, as written."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("text", "company", "place"),
    [
        ("线索：上海某某科技有限公司拟投资2亿元建设芯片项目", "上海某某科技有限公司", "上海"),
        ("线索：北京某科技有限公司拟投资2亿元建设芯片项目", "北京某科技有限公司", "北京"),
        ("线索：浙江某某集团拟投资2亿元建设芯片项目", "浙江某某集团", "浙江"),
        (
            "线索：江苏省南京市某某新材料有限公司拟投资1亿元建设新材料项目",
            "江苏省南京市某某新材料有限公司",
            "江苏省南京市",
        ),
        ("线索：某某集团拟投资2亿元建设芯片项目", "某某集团", None),
        ("线索：某科技有限公司拟投资2亿元建设芯片项目", "某科技有限公司", None),
    ],
)
def test_placeholder_is_part_of_the_name(text: str, company: str, place: str | None) -> None:
    parsed = parse(text, TODAY)
    assert parsed.company == company
    assert parsed.place == place


@pytest.mark.parametrize(
    "text", ["线索：某公司拟投资2亿元建设芯片项目", "线索：某集团拟投资2亿元建设芯片项目"]
)
def test_a_lone_placeholder_names_nobody(text: str) -> None:
    assert parse(text, TODAY).company is None


def test_placeholder_name_after_a_verb() -> None:
    parsed = parse("拜访：赴苏州拜访上海某某科技有限公司", TODAY)
    assert parsed.company == "上海某某科技有限公司"
    assert parsed.place == "苏州"
