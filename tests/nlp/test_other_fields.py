"""Contacts in any position, never a pronoun; capacities and verbs are no industries; 一行N人 is people."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("线索：常州客商拟投资5000万建设模具项目。联系:钱国栋 13912340000", "钱国栋"),
        ("线索：瑞士客商拟投资200万欧元建设精密仪器项目，对接人Hans Müller", "Hans"),
        ("线索：美国客商拟投资100万美元建设实验室项目，联系人：Anna Lee，电话13800001111", "Anna Lee"),
        ("联系人：赵经理，13600002222。线索：佛山客商拟投资2000万建设陶瓷项目", "赵经理"),
    ],
)
def test_contact_names_in_any_position(text: str, name: str) -> None:
    assert parse(text, TODAY).contact_name == name


@pytest.mark.parametrize(
    "text", ["线索：联系人她本人还没确定，拟建设食品项目", "线索：负责人对方没说，拟投资建设饲料项目"]
)
def test_a_pronoun_is_never_a_contact(text: str) -> None:
    assert parse(text, TODAY).contact_name is None


def test_a_capacity_in_gw_is_not_the_5g_industry() -> None:
    assert parse("线索：隆基绿能拟投资30亿元建设10GW光伏组件项目", TODAY).industry == "光伏"


def test_planning_and_packaging_projects_is_not_the_packaging_industry() -> None:
    assert parse("进展：招商局正在策划包装项目，下月赴深圳推介", TODAY).industry is None


def test_a_party_of_people_is_not_a_count_of_groups() -> None:
    parsed = parse("接待：佛山客商一行7人来我县考察陶瓷项目", TODAY)
    assert (str(parsed.intent), parsed.count) == ("reception", None)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("线索：苏州客商拟投资1亿元建设模具项目，联系人：经理 13800000000", None),
        ("线索：苏州客商拟投资1亿元建设模具项目，联系人：钱总 13800000000", "钱总"),
    ],
)
def test_a_title_needs_a_family_name(text: str, name: str | None) -> None:
    assert parse(text, TODAY).contact_name == name


def test_a_contact_named_after_their_firm() -> None:
    parsed = parse("线索：联系人是江苏恒瑞医药的周明，对方拟投资2亿元建设制剂项目", TODAY)
    assert parsed.contact_name == "周明"
