"""Reports without a label: the verbs and the tense decide (issue 9, `reports without a label`)."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "place", "count", "day"),
    [
        ("今天陪镇长去南通见了两家做家纺的企业", "南通", 2, "2026-04-15"),
        ("昨天跑了趟常州武进，看了4家企业", "常州武进", 4, "2026-04-14"),
        ("前天去了一趟义乌，见了3家小商品企业", "义乌", 3, "2026-04-13"),
    ],
)
def test_going_and_meeting_is_a_visit_with_its_count(text: str, place: str, count: int, day: str) -> None:
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.place, parsed.count) == ("visit", place, count)
    assert parsed.date is not None and parsed.date.isoformat() == day


@pytest.mark.parametrize(
    ("text", "company", "amount"),
    [
        ("今天上午我们跟江苏长电科技签了合同，投资五千万", "江苏长电科技", 5000),
        ("昨天同安徽古井贡酒签下了酒业园项目，投资两个亿", "安徽古井贡酒", 20000),
    ],
)
def test_signed_is_a_signing_not_progress(text: str, company: str, amount: float) -> None:
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.company, parsed.amount_wan) == ("signing", company, amount)


@pytest.mark.parametrize("text", ["我这个季度报了些啥", "看看我们本月报过什么", "我们上月报了几条"])
def test_asking_what_one_reported_is_a_summary_query(text: str) -> None:
    assert str(parse(text, TODAY).intent) == "query_summary"


@pytest.mark.parametrize(
    ("text", "ref"),
    [("#88那条金额写错了，撤回", 88), ("第17条报重复了，麻烦删掉", 17), ("刚才#102 报错了 撤了吧", 102)],
)
def test_a_record_number_and_a_withdrawal_anywhere_is_a_retract(text: str, ref: int) -> None:
    parsed = parse(text, TODAY)
    assert (str(parsed.intent), parsed.ref) == ("retract", ref)
