"""What several jobs share: the configured days around a date, @-mentions, dates as people write them."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date, datetime

from handlers.core.periods import Month, Period, deadline_of
from handlers.jobs.base import JobContext
from storage.models import Role


def months_around(day: date) -> Iterable[tuple[int, int]]:
    """(year, month) of the month before `day`'s, its own and the one after."""
    for delta in (-1, 0, 1):
        index = day.year * 12 + day.month - 1 + delta
        yield index // 12, index % 12 + 1


def nominal(day: date, days_of_month: Iterable[int]) -> list[date]:
    """The configured days of the months around `day` (a day beyond a month's end is its last day)."""
    out = []
    for year, month in months_around(day):
        last = calendar.monthrange(year, month)[1]
        out += sorted({date(year, month, min(d, last)) for d in days_of_month})
    return out


def due_on(day: date, nominal_days: list[date], shift: Callable[[date], date]) -> list[date]:
    """The nominal days whose shifted (workday) date is `day`."""
    return [n for n in nominal_days if shift(n) == day]


def mentions(ctx: JobContext, unit_ids: Iterable[int], leaders: bool = False) -> tuple[str, ...]:
    """The liaisons (and leaders) of the units, to @-mention; one query however many units."""
    roles = (Role.LIAISON, Role.LEADER) if leaders else (Role.LIAISON,)
    return tuple(ctx.store.roster.userids_of(list(unit_ids), roles))


def month_day(day: date | datetime) -> str:
    return f"{day.month}月{day.day}日"


def due_text(month: Month, ctx: JobContext) -> str:
    """The deadline of `month` as people write it (3月20日)."""
    return month_day(deadline_of(month, ctx.rules.schedule))


def seen_until(ctx: JobContext, chosen: Period) -> datetime | None:
    """The instant a round's figures stop at: its own time, while `chosen` is still open (a replayed
    `job run --at D` sees only what had been reported by D); None once the period has closed."""
    return ctx.at if ctx.at < chosen.ends_at else None
