"""Corrections (`更正 #N …`): the fields people correct are read and listed in `stated`."""

from datetime import date

import pytest

from nlp import parse
from nlp.types import Intent

TODAY = date(2026, 3, 10)


def _fixed(text: str, field: str) -> object:
    parsed = parse(text, TODAY)
    assert parsed.intent is Intent.CORRECTION and parsed.ref == 3
    assert field in parsed.stated
    return getattr(parsed, field)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("更正 #3 地点南京", "南京"),
        ("更正 #3 地点为南京", "南京"),
        ("更正 #3 地点改为南京", "南京"),
        ("更正 #3 地点：南京", "南京"),
        ("更正#3：赴南京拜访", "南京"),
        ("更正 #3 客商来自温州", "温州"),
        # After a place label the written value counts even when no gazetteer knows it.
        ("更正 #3 地点改为张家湾村，投资5000万元", "张家湾村"),
        ("更正 #3 地点应为宁夏银川", "宁夏银川"),
    ],
)
def test_place(text: str, place: str) -> None:
    assert _fixed(text, "place") == place


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("更正 #3 企业改为浙江华峰集团有限公司", "浙江华峰集团有限公司"),
        ("更正 #3 公司名称应为浙江华峰集团有限公司", "浙江华峰集团有限公司"),
        ("更正 #3 企业名称：浙江华峰集团有限公司", "浙江华峰集团有限公司"),
        ("更正 #3 企业改为华峰", "华峰"),
    ],
)
def test_company(text: str, company: str) -> None:
    assert _fixed(text, "company") == company


@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("更正 #3 项目改为锂电池隔膜生产线项目", "锂电池隔膜生产线项目"),
        ("更正 #3 项目名称应为年产5万吨饲料项目", "年产5万吨饲料项目"),
        ("更正 #3 项目改为锂电池项目投资5000万", "锂电池项目"),
    ],
)
def test_project_without_the_amount(text: str, project: str) -> None:
    assert _fixed(text, "project") == project


def test_industry_contact_and_count() -> None:
    assert _fixed("更正 #3 行业改为新能源", "industry") == "新能源"
    assert _fixed("更正 #3 所属行业应为光伏储能", "industry") == "光伏储能"
    parsed = parse("更正 #3 联系人改为王强 13800000000", TODAY)
    assert (parsed.contact_name, parsed.contact_phone) == ("王强", "13800000000")
    assert {"contact_name", "contact_phone"} <= parsed.stated
    assert _fixed("更正 #3 拜访企业5家", "count") == 5
    assert _fixed("更正 #3 拜访企业数改为6家", "count") == 6
    assert _fixed("更正 #3 接待客商2批", "count") == 2


def test_date_and_amount_still_work() -> None:
    assert _fixed("更正 #3 日期改为3月5日", "date") == date(2026, 3, 5)
    assert _fixed("更正 #3 投资8000万元", "amount_wan") == 8000


def test_only_what_is_written_is_stated() -> None:
    parsed = parse("更正 #3 地点改为南京", TODAY)
    assert parsed.stated == frozenset({"place"})
    parsed = parse("更正 #3 企业改为浙江华峰集团有限公司", TODAY)
    assert "place" not in parsed.stated  # 浙江 is part of the name, not a new place
    # A place with no cue is not a place change; prose is not a label.
    assert "place" not in parse("更正 #3 项目改为苏州工业园项目", TODAY).stated
    assert "company" not in parse("更正 #3 拜访企业5家", TODAY).stated
