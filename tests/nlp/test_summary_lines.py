"""A one-line summary (`外出招商N次，接待客商N批，新增线索N条：…`): every part an item, none lost."""

from datetime import date

from nlp import parse

TODAY = date(2026, 4, 15)


def _items(text: str) -> list[dict[str, object]]:
    parsed = parse(text, TODAY).to_contract()
    assert parsed["intent"] == "report"
    return parsed["items"]


def test_visits_receptions_and_a_lead_in_one_line() -> None:
    items = _items("本月外出招商4次，接待客商5批，新增线索1条：山东金锣肉制品拟投资8000万元建设冷鲜肉项目")
    assert [(i["intent"], i["count"]) for i in items] == [("visit", 4), ("reception", 5), ("lead", None)]
    lead = items[2]
    assert (lead["company"], lead["amount_wan"], lead["project"]) == ("山东金锣肉制品", 8000, "冷鲜肉项目")
    assert items[0]["missing"] == ["place"]


def test_a_header_then_a_labelled_part_after_summary_clauses() -> None:
    items = _items("一季度小结：走访企业6家，接待考察团2批，签约：漳州片仔癀配套项目签约，投资5000万元")
    assert [i["intent"] for i in items] == ["visit", "reception", "signing"]
    assert (items[0]["count"], items[1]["count"], items[2]["amount_wan"]) == (6, 2, 5000)


def test_one_clause_with_a_count_is_still_one_record() -> None:
    parsed = parse("今天外出招商，拜访企业3家，洽谈顺利", TODAY)
    assert (str(parsed.intent), parsed.count) == ("visit", 3)
