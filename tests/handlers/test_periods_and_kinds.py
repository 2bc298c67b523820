"""Months are a type, not strings re-parsed by regex; each record kind has one Chinese name."""

from __future__ import annotations

from datetime import datetime

import pytest

from handlers.core.periods import Month, month_of, period, period_asked, quarter_key
from handlers.core.receipts import kind_name
from handlers.core.rules import Rules
from storage.kinds import ProjectStage, RecordKind
from tests.conftest import local

SCHEDULE = Rules().schedule


def test_a_month_parses_its_key_and_steps_across_years() -> None:
    march = Month.parse("2026-03")
    assert (march.year, march.month, march.key, str(march), march.label) == (2026, 3, "2026-03", "2026-03", "2026年3月")
    assert Month(2026, 12).shift(1) == Month(2027, 1)
    assert Month(2026, 1).shift(-1) == Month(2025, 12)
    assert Month(2026, 3).shift(-15) == Month(2024, 12)
    assert quarter_key(Month(2026, 12)) == "2026-Q4" and quarter_key(Month(2026, 1)) == "2026-Q1"
    with pytest.raises(ValueError, match="月份无效"):
        Month.parse("2026-13")
    with pytest.raises(ValueError):
        Month.parse("2026年3月")


def test_a_report_after_the_december_deadline_counts_for_next_january() -> None:
    assert month_of(local("2026-12-21 09:00"), SCHEDULE) == Month(2027, 1)
    assert month_of(local("2026-12-20 23:59"), SCHEDULE) == Month(2026, 12)
    assert period("2026-Q4", SCHEDULE).keys == ("2026-10", "2026-11", "2026-12")


def test_last_quarter_asked_in_january_is_the_quarter_before_the_year() -> None:
    asked = period_asked("上季度排名", datetime.fromisoformat("2027-01-05T10:00:00+08:00"), SCHEDULE)
    assert asked.key == "2026-Q4" and asked.label == "2026年第4季度"


def test_each_kind_and_stage_has_its_one_chinese_name() -> None:
    assert [k.label for k in RecordKind] == ["线索", "外出招商", "接待洽谈", "签约", "开工", "资金到位", "竣工投产", "项目进展",
                                            "策划包装", "意向", "计划"]
    assert kind_name("reception") == "接待洽谈" and kind_name("unknown") == "unknown"
    assert [s.label for s in ProjectStage] == ["线索", "意向", "签约", "合同", "开工", "投产"]
