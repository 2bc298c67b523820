"""Workdays: the Chinese calendar with 调休, and config for the years it does not know yet."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from handlers.core import workdays as workdays_module
from handlers.core.rules import ScheduleRules
from handlers.core.workdays import Workdays


def test_spring_festival_is_off_and_its_make_up_saturday_is_a_workday() -> None:
    days = Workdays(ScheduleRules())
    assert days.is_workday(date(2026, 2, 14)) and not days.is_workday(date(2026, 2, 16))
    assert days.on_or_before(date(2026, 2, 19)) == date(2026, 2, 14)
    assert days.on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)


def test_a_year_the_package_does_not_know_falls_back_to_weekdays_and_config_and_says_so_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workdays_module, "_warned", set())
    rules = ScheduleRules(holidays=[date(2027, 2, 8)], workdays=[date(2027, 2, 20)])
    days = Workdays(rules)
    with caplog.at_level(logging.WARNING, logger="handlers.core.workdays"):
        assert not days.is_workday(date(2027, 2, 8))  # Monday, a configured holiday
        assert days.is_workday(date(2027, 2, 20))  # Saturday, a configured make-up day
        assert days.is_workday(date(2027, 2, 9)) and not days.is_workday(date(2027, 2, 13))
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1 and "Monday–Friday" in warnings[0].getMessage()
