"""A correction's value comes without its field label, for every field (issue 8, case 8)."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("更正 #41 企业浙江华友钴业股份有限公司", "company", "浙江华友钴业股份有限公司"),
        ("更正#42 公司 河北敬业钢铁", "company", "河北敬业钢铁"),
        ("更正 #43 客商名称嘉兴海宁客商", "company", "嘉兴海宁客商"),
        ("更正 #44 项目年产5万吨再生铝项目", "project", "年产5万吨再生铝项目"),
        ("更正 #45 行业新能源", "industry", "新能源"),
        ("更正 #46 地点南浔", "place", "南浔"),
        ("更正 #47 联系人孙海涛", "contact_name", "孙海涛"),
        ("更正 #48 电话13988887777", "contact_phone", "13988887777"),
        ("更正 #49 金额4200万", "amount_wan", 4200),
    ],
)
def test_value_without_label(text: str, field: str, value: object) -> None:
    parsed = parse(text, TODAY)
    assert str(parsed.intent) == "correction"
    assert getattr(parsed, field) == value


def test_a_count_is_never_a_company() -> None:
    parsed = parse("更正 #50 企业5家", TODAY)
    assert parsed.company is None


def test_a_group_limited_company_stays_whole() -> None:
    parsed = parse("更正 #51：企业名称应为山西潞安矿业集团有限责任公司", TODAY)
    assert parsed.company == "山西潞安矿业集团有限责任公司"
