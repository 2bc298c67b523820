"""Assessment periods: a month runs from the day after the previous deadline to this month's deadline.

"每月20日前报送，逾期不报视为没有": a report on March 21 counts for April, never for March.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from handlers.core.rules import Campaign, ScheduleRules


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """An assessment month. Storage keeps it as its text key ("2026-03"); handlers use this type and
    convert at the repository boundary (`Month.parse(record.period)`, `period.keys`)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"月份无效: {self.year}-{self.month}")

    @classmethod
    def parse(cls, key: str) -> Month:
        """"2026-03" -> Month(2026, 3); ValueError for anything else."""
        if m := _MONTH.match(key.strip()):
            return cls(int(m[1]), int(m[2]))
        raise ValueError(f"月份无效: {key}")

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    def shift(self, delta: int) -> Month:
        index = self.year * 12 + (self.month - 1) + delta
        return Month(index // 12, index % 12 + 1)

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


@dataclass(frozen=True, slots=True)
class Period:
    """A named span of months ("2026-03", "2026-Q1", "2026-H1", "2026") or a campaign."""

    key: str
    months: tuple[Month, ...]
    starts_at: datetime
    ends_at: datetime
    #: A campaign counts reports by their time within [starts_at, ends_at], not by whole months.
    by_dates: bool = False

    @property
    def label(self) -> str:
        return period_label(self.key)

    @property
    def keys(self) -> tuple[str, ...]:
        """The months as storage keys them, for the repositories."""
        return tuple(m.key for m in self.months)


def month_key(year: int, month: int) -> str:
    return Month(year, month).key


def deadline_of(month: Month, rules: ScheduleRules) -> datetime:
    """The last instant a report counts for `month`: deadline_day 23:59:59 local time."""
    return datetime.combine(date(month.year, month.month, rules.deadline_day), time(23, 59, 59), tzinfo=rules.tz)


def month_bounds(month: Month, rules: ScheduleRules) -> tuple[datetime, datetime]:
    """[start, end] of the reporting window of `month`."""
    before = month.shift(-1)
    start = datetime.combine(date(before.year, before.month, rules.deadline_day) + timedelta(days=1), time(0),
                             tzinfo=rules.tz)
    return start, deadline_of(month, rules)


def month_of(at: datetime, rules: ScheduleRules) -> Month:
    """The month a report sent at `at` counts for."""
    local = at.astimezone(rules.tz)
    own = Month(local.year, local.month)
    return own if local.day <= rules.deadline_day else own.shift(1)


def is_late(at: datetime, rules: ScheduleRules) -> bool:
    """True when `at` is past the deadline of its own calendar month (so it rolls to the next)."""
    return at.astimezone(rules.tz).day > rules.deadline_day


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


def months_of(key: str) -> tuple[Month, ...]:
    """The months making up a period key; ValueError for an unknown form."""
    if _MONTH.match(key):
        return (Month.parse(key),)
    if m := _QUARTER.match(key):
        first = Month(int(m[1]), (int(m[2]) - 1) * 3 + 1)
        return tuple(first.shift(i) for i in range(3))
    if m := _HALF.match(key):
        first = Month(int(m[1]), (int(m[2]) - 1) * 6 + 1)
        return tuple(first.shift(i) for i in range(6))
    if m := _YEAR.match(key):
        return tuple(Month(int(m[1]), i) for i in range(1, 13))
    raise ValueError(f"无法识别的期间: {key}（可用 2026-03、2026-Q1、2026-H1、2026）")


def quarter_key(month: Month) -> str:
    """Month(2026, 3) -> "2026-Q1"."""
    return f"{month.year}-Q{month.quarter}"


def period(key: str, rules: ScheduleRules) -> Period:
    """A Period from its key, or a campaign's name as configured in [schedule].campaigns."""
    for campaign in rules.campaigns:
        if campaign.name == key:
            return campaign_period(campaign, rules)
    months = months_of(key.upper() if "q" in key or "h" in key else key)
    start, _ = month_bounds(months[0], rules)
    _, end = month_bounds(months[-1], rules)
    return Period(key=key.upper(), months=months, starts_at=start, ends_at=end)


def campaign_period(campaign: Campaign, rules: ScheduleRules) -> Period:
    """A campaign counts reports sent between its start and end dates (inclusive), whatever month
    they count for: the months it touches only narrow the search."""
    starts = datetime.combine(campaign.start, time(0), tzinfo=rules.tz)
    ends = datetime.combine(campaign.end, time(23, 59, 59), tzinfo=rules.tz)
    months: list[Month] = []
    month, last = month_of(starts, rules), month_of(ends, rules)
    while month <= last:
        months.append(month)
        month = month.shift(1)
    return Period(key=campaign.name, months=tuple(months), starts_at=starts, ends_at=ends, by_dates=True)


def campaign_of(chosen: Period, rules: ScheduleRules) -> Campaign | None:
    """The configured campaign a period stands for, if it is one."""
    if not chosen.by_dates:
        return None
    return next((c for c in rules.campaigns if c.name == chosen.key), None)


_YEAR_PREFIX = re.compile(r"^\d{4}年?")


def campaign_in(text: str, at: datetime, rules: ScheduleRules) -> Campaign | None:
    """The campaign a question names (`百日竞赛排名`; `2026百日竞赛` is also asked as `百日竞赛`).

    Of several that match, the one under way at `at`, else the latest begun, else the next one.
    """
    found = [c for c in rules.campaigns if c.name in text or (_YEAR_PREFIX.sub("", c.name) or c.name) in text]
    if not found:
        return None
    day = at.astimezone(rules.tz).date()
    begun = [c for c in found if c.start <= day]
    return max(begun, key=lambda c: c.start) if begun else min(found, key=lambda c: c.start)


def current_period(at: datetime, rules: ScheduleRules) -> Period:
    return period(month_of(at, rules).key, rules)


def period_label(key: str) -> str:
    """"2026-03" -> "2026年3月", "2026-Q1" -> "2026年第1季度"."""
    if _MONTH.match(key):
        return Month.parse(key).label
    if m := _QUARTER.match(key):
        return f"{m[1]}年第{m[2]}季度"
    if m := _HALF.match(key):
        return f"{m[1]}年{'上' if m[2] == '1' else '下'}半年"
    if m := _YEAR.match(key):
        return f"{m[1]}年"
    return key


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}
_ASK_MONTH = re.compile(r"(?<![\d年])(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月(?:份)?")
_ASK_QUARTER = re.compile(r"(?:第)?([1-4一二三四])\s*季度|[Qq]([1-4])")
#: A year written out (`2026年排名`, `2025年3月排名`, `2026年度`): the question is about that year.
_ASK_YEAR = re.compile(r"(20\d{2})\s*年度?")


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGITS[token]


def period_asked(text: str, at: datetime, rules: ScheduleRules) -> Period:
    """The period a chat query names (上月, 一季度, 上半年, 今年, 3月, a campaign), else the one it is asked in."""
    return period_named(text, at, rules) or current_period(at, rules)


def settled_month(at: datetime, rules: ScheduleRules) -> Month:
    """The month whose table a leader means at `at`: the month in progress up to its deadline, then,
    until the month's end, the month that just closed (its final table), not the new month's empty one."""
    now = month_of(at, rules)
    return now.shift(-1) if is_late(at, rules) else now


def closed_month_asked(text: str, at: datetime, rules: ScheduleRules) -> tuple[Period, Month | None]:
    """The period a question means and, when that is the month just closed, that month.

    A question naming a period gets it. One naming none, asked after the deadline, means the month
    just closed (its final figures, as 排名 shows them), not the new month's first days; before
    the deadline, the month in progress. The month closed is returned so the answer can say so.
    """
    named = period_named(text, at, rules)
    if named is not None:
        return named, None
    if is_late(at, rules):
        closed = settled_month(at, rules)
        return period(closed.key, rules), closed
    return current_period(at, rules), None


def closed_note(closed: Month, rules: ScheduleRules, ask: str) -> str:
    """（2026年3月报送已于3月20日截止，以上为最终结果；此后报送的计入2026年4月，发送「4月排名」查看。）"""
    deadline, following = deadline_of(closed, rules), closed.shift(1)
    return (f"（{closed.label}报送已于{deadline.month}月{deadline.day}日截止，以上为最终结果；"
            f"此后报送的计入{following.label}，发送「{following.month}月{ask}」查看。）")


def period_named(text: str, at: datetime, rules: ScheduleRules) -> Period | None:
    """The period a chat query names explicitly; None if none.

    上月, 本季度, 今年 are the calendar's as a leader speaks (on 22 May 上月 is April, not the May that
    closed on the 20th); a month by number is the latest one reports have counted for (after March's
    deadline, 4月 is this April, as the closed-month note suggests asking).
    """
    if (campaign := campaign_in(text, at, rules)) is not None:
        return campaign_period(campaign, rules)
    now, base = month_of(at, rules), settled_month(at, rules)
    year = base.year
    found = _ASK_YEAR.search(text)
    last = next((w for w in ("去年", "上一年", "上年度", "上年") if w in text), None)
    written = found is not None or last is not None
    if found is not None:
        # 2026年3月 / 2026年一季度 / 2026年上半年 / 2026年: the year as written, the rest read as usual.
        year, text = int(found[1]), text[:found.start()] + text[found.end():]
    elif last is not None:
        year, text = base.year - 1, text.replace(last, "", 1)
    if any(w in text for w in ("上月", "上个月", "上一个月")):
        return period(base.shift(-1).key, rules)
    quarter = base.quarter
    if any(w in text for w in ("上季度", "上个季度", "上一季度")):
        return period(quarter_key(Month(year, (quarter - 1) * 3 + 1).shift(-3)), rules)
    if any(w in text for w in ("本季度", "这季度", "这个季度", "本季")):
        return period(f"{year}-Q{quarter}", rules)
    if m := _ASK_QUARTER.search(text):
        return period(f"{year}-Q{_number(m[1] or m[2])}", rules)
    if "上半年" in text:
        return period(f"{year}-H1", rules)
    if "下半年" in text:
        return period(f"{year}-H2", rules)
    if any(w in text for w in ("今年", "全年", "本年", "年度")):
        return period(str(year), rules)
    if (m := _ASK_MONTH.search(text)) and not any(w in text for w in ("本月", "这个月", "当月")):
        asked = _number(m[1])
        if 1 <= asked <= 12:
            if written:
                return period(month_key(year, asked), rules)
            return period(month_key(now.year if asked <= now.month else now.year - 1, asked), rules)
    return period(str(year), rules) if written else None
