"""Dates resolve against `today`: relative words, month-day without year, weeks, spans."""

from datetime import date

import pytest

from nlp import parse
from nlp.dates import find_date

WED = date(2025, 3, 12)  # a Wednesday


@pytest.mark.parametrize(
    ("written", "today", "expected"),
    [
        ("今天", WED, date(2025, 3, 12)),
        ("今日", WED, date(2025, 3, 12)),
        ("昨天", WED, date(2025, 3, 11)),
        ("昨日", WED, date(2025, 3, 11)),
        ("前天", WED, date(2025, 3, 10)),
        ("本周一", WED, date(2025, 3, 10)),
        ("上周五", WED, date(2025, 3, 7)),
        ("上周日", WED, date(2025, 3, 9)),
        ("上周一", date(2025, 3, 10), date(2025, 3, 3)),
        ("上星期三", date(2026, 1, 5), date(2025, 12, 31)),
        ("本月3日", WED, date(2025, 3, 3)),
        ("本月3号", WED, date(2025, 3, 3)),
        ("3月5日", WED, date(2025, 3, 5)),
        ("3.5", WED, date(2025, 3, 5)),
        ("2月28号", WED, date(2025, 2, 28)),
        ("三月五日", WED, date(2025, 3, 5)),
        ("十二月二十八日", WED, date(2024, 12, 28)),
        ("12月30日", date(2025, 1, 3), date(2024, 12, 30)),
        ("12月28日", date(2026, 1, 5), date(2025, 12, 28)),
        ("2025年4月8日", WED, date(2025, 4, 8)),
        ("2025.9.28", WED, date(2025, 9, 28)),
        ("2025-09-28", WED, date(2025, 9, 28)),
        ("3月17日—19日", date(2025, 3, 20), date(2025, 3, 17)),
        ("3月13日", WED, date(2024, 3, 13)),
    ],
)
def test_date_forms(written: str, today: date, expected: date) -> None:
    assert find_date(written.replace("—", "-"), today) == expected
    assert parse(f"拜访：{written}赴苏州拜访客商", today).date == expected


def test_traditional_last_week() -> None:
    assert parse("上週五赴廈門拜訪客商", date(2025, 6, 18)).date == date(2025, 6, 13)


@pytest.mark.parametrize(
    "text",
    [
        "线索：某企业拟投资1.2亿元建设电池项目",
        "外出招商：3月份拜访企业3家",
        "本周接待客商3批次",
        "进展：完成80%",
    ],
)
def test_no_date_named(text: str) -> None:
    assert parse(text, WED).date is None


def test_invalid_calendar_day_is_ignored() -> None:
    assert find_date("2月30日", WED) is None
