"""策划包装 and 包干 in the parser (issue 11): new intent values `packaging` and `owners`; every other
message keeps the intent it had (the dev corpus and the held-out files are unchanged)."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import Intent, parse

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("text", "project", "amount"),
    [
        ("策划包装：年产5万吨新型建材项目，拟投资8000万元", "年产5万吨新型建材项目", 8000),
        ("策划包装:智慧物流园项目 拟投资1.5亿元", "智慧物流园项目", 15000),
        ("包装项目：农副产品冷链仓储中心，估算投资6000万元", "农副产品冷链仓储中心", 6000),
        ("本季度策划包装项目：新能源电池回收项目，总投资1.2亿元", "新能源电池回收项目", 12000),
        ("我镇二季度包装项目：温泉康养小镇项目，总投资2亿元", "温泉康养小镇项目", 20000),
        ("包装了一个文旅康养项目，估算投资6000万元", "文旅康养项目", 6000),
        ("我镇策划了一个农产品冷链物流项目，计划总投资8000万元，面向县外招商", "农产品冷链物流项目", 8000),
    ],
)
def test_packaging_phrasing_is_read_as_a_packaged_project(text: str, project: str, amount: float) -> None:
    parsed = parse(text, TODAY)
    assert parsed.intent is Intent.PACKAGING
    assert (parsed.project, parsed.amount_wan, parsed.company) == (project, amount, None)
    assert parsed.industry is None or "包装" not in parsed.industry
    assert parsed.to_contract()["intent"] == "packaging"


def test_a_packaged_project_without_an_amount_asks_for_it() -> None:
    assert parse("策划包装：智慧物流园项目", TODAY).missing == ("amount_wan",)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("线索：宁波甬辰包装材料有限公司意向投资6500万元建设环保包装材料生产线", Intent.LEAD),  # the packaging trade
        ("宜宾五粮液的酒类包装项目今天开工", Intent.START),
        ("进展：县招商中心正在策划包装项目，准备下月推介", Intent.PROGRESS),  # labelled: the label wins
        ("策划包装的新能源电池回收项目今天签约，投资1.2亿元", Intent.SIGNING),  # a milestone is the news
    ],
)
def test_near_misses_keep_their_intent(text: str, intent: Intent) -> None:
    assert parse(text, TODAY).intent is intent


@pytest.mark.parametrize(
    ("text", "ref", "body"),
    [
        ("包干 P5 王副县长", 5, "王副县长"),
        ("包干p12 county_boss", 12, "county_boss"),
        ("包干项目5 张县长", 5, "张县长"),
        ("包干 P5", 5, ""),
        ("取消包干 P5", 5, None),
        ("解除包干P7", 7, None),
        ("我的包干项目", None, None),
        ("包干项目", None, None),
    ],
)
def test_owner_commands(text: str, ref: int | None, body: str | None) -> None:
    parsed = parse(text, TODAY)
    assert (parsed.intent, parsed.ref, parsed.body) == (Intent.OWNERS, ref, body)
