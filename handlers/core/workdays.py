"""Which days are workdays: the Chinese calendar with its 调休 make-up days, and config beyond it.

`chinesecalendar` only knows the years up to its release (1.11 stops at 2026 and raises after);
for later years the fallback is Monday–Friday plus `[schedule] holidays`/`workdays`, logged once.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar

from handlers.core.rules import ScheduleRules

log = logging.getLogger(__name__)
_warned: set[int] = set()


class Workdays:
    """Workday questions answered from `chinesecalendar`, config lists always taking precedence."""

    def __init__(self, rules: ScheduleRules) -> None:
        self.holidays = frozenset(rules.holidays)
        self.workdays = frozenset(rules.workdays)

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in _warned:
                _warned.add(day.year)
                log.warning(
                    "chinesecalendar %s has no data for %s: using Monday–Friday plus [schedule] holidays/"
                    "workdays from config (add that year's 法定节假日 and 调休 there, or upgrade the package)",
                    getattr(chinese_calendar, "__version__", "?"), day.year,
                )
            return day.weekday() < 5

    def on_or_before(self, day: date) -> date:
        """`day` if it is a workday, else the workday before it (a reminder due on a holiday)."""
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day
