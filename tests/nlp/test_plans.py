"""A plan (`下周来考察`, `拟于…来访`, `计划下月去…`) is no visit or reception yet.

The contract: a plan that names what the investor would build or an amount is a lead; a plan that names
neither is chit-chat (`unknown`) even when it names the investor, so nothing is counted before it happens.
"""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("绍兴客商计划下周来我县考察，拟投资3000万元", "绍兴客商"),
        ("杭州老板电器拟于月底来访，想建厨电配件生产线", "杭州老板电器"),
    ],
)
def test_a_planned_reception_naming_an_investment_is_a_lead(text: str, company: str) -> None:
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.company) == ("lead", company)


@pytest.mark.parametrize("text", ["绍兴客商计划下周来我县考察", "后天宁波客商过来看厂房"])
def test_a_planned_reception_naming_only_the_investor_is_talk(text: str) -> None:
    assert str(parse(text, TODAY).intent) == "unknown"


@pytest.mark.parametrize(
    "text", ["计划下月去宁波拜访几家模具企业", "下周四准备带队赴西安招商", "拟于五月初赴东莞对接电子企业"]
)
def test_a_planned_trip_naming_nobody_is_not_a_visit(text: str) -> None:
    assert str(parse(text, TODAY).intent) == "unknown"


@pytest.mark.parametrize("text", ["昨天赴宁波拜访了2家模具企业", "上周苏州客商来我县考察了光伏项目"])
def test_what_already_happened_stays_an_event(text: str) -> None:
    assert str(parse(text, TODAY).intent) in ("visit", "reception")


def test_a_plans_day_is_not_the_leads_date() -> None:
    parsed = parse("宁波客商拟于4月28日来我县考察模具项目", TODAY)
    assert (str(parsed.intent), parsed.date) == ("lead", None)
