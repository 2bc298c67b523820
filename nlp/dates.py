"""Event dates, resolved against the caller's `today` (the parser never reads a clock)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from nlp.numbers import small_int

_CN = "零〇一二两三四五六七八九十"
_NUM = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})"
_WEEKDAY = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "末": 5,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}

#: The lookahead names every character a date can start with: the branches open with
#: lookbehinds, which keep re from skipping ahead on its own (4x faster on chat text).
_PATTERNS = re.compile(
    rf"(?=[\d{_CN}本这当上大前昨今下周星礼])(?:"
    + "|".join(
        [
            r"(?P<ymd>(?P<y>20\d\d|19\d\d)\s*[年.\-/]\s*(?P<ym>\d{1,2})\s*[月.\-/]\s*(?P<yd>\d{1,2}))(?!\d)",
            rf"(?P<rel_month>本月|这个月|当月|上月|上个月)\s*(?P<rd>{_NUM})\s*[日号]",
            rf"(?<![\d年])(?P<md>(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]?)(?![\d万亿元])",
            r"(?<![\d.])(?P<dot>(?P<dm>1[0-2]|0?[1-9])\.(?P<dd>3[01]|[12]\d|0?[1-9]))(?![\d.%万亿千百元个kKwW])",
            r"(?P<day>大前天|前天|前日|昨天|昨日|昨晚|昨晨|昨儿个|昨儿|今天|今日|今早|今晨|今晚|今儿个|今儿|本日|当天)",
            r"(?P<week>上上|上个|上|本|这个|这|下个|下)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])",
        ]
    )
    + ")"
)
_DAY_OFFSET = {"大前天": -3, "前天": -2, "前日": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "昨晨": -1, "昨儿个": -1,
               "昨儿": -1}


def _month_day(month: int | None, day: int | None, today: date) -> date | None:
    """The most recent `month`/`day` not after today."""
    if not month or not day:
        return None
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _resolve(m: re.Match[str], today: date) -> date | None:
    if m.group("ymd"):
        try:
            return date(int(m.group("y")), int(m.group("ym")), int(m.group("yd")))
        except ValueError:
            return None
    if m.group("rel_month"):
        day = small_int(m.group("rd"))
        first = today.replace(day=1)
        if m.group("rel_month").startswith("上"):
            first = (first - timedelta(days=1)).replace(day=1)
        try:
            return first.replace(day=day) if day else None
        except ValueError:
            return None
    if m.group("md"):
        return _month_day(small_int(m.group("m")), small_int(m.group("d")), today)
    if m.group("dot"):
        return _month_day(int(m.group("dm")), int(m.group("dd")), today)
    if m.group("day"):
        return today + timedelta(days=_DAY_OFFSET.get(m.group("day"), 0))
    weekday = _WEEKDAY[m.group("wd")]
    monday = today - timedelta(days=today.weekday())
    prefix = m.group("week") or ""
    if prefix == "上上":
        return monday - timedelta(weeks=2) + timedelta(days=weekday)
    if prefix.startswith("上"):
        return monday - timedelta(weeks=1) + timedelta(days=weekday)
    if prefix.startswith("下"):
        return monday + timedelta(weeks=1) + timedelta(days=weekday)
    candidate = monday + timedelta(days=weekday)
    if not prefix and candidate > today:
        candidate -= timedelta(weeks=1)
    return candidate


def find_date(key: str, today: date) -> date | None:
    """The first date the text names (a span 3月17日-19日 dates from its start)."""
    for m in _PATTERNS.finditer(key):
        found = _resolve(m, today)
        if found is not None:
            return found
    return None
