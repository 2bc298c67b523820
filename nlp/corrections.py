"""Labelled fields of a correction body: `地点改为南京`, `企业名称应为…`, `行业改为新能源`.

A correction names the field it fixes, so the value after the label is taken as written,
even when no dictionary knows it (a village, a company without a registered suffix).
"""

from __future__ import annotations

import re

from nlp.numbers import find_amounts

Span = tuple[int, int]

#: How a correction links a label to its new value (改为, 应为, 更正为, 为, :).
CHANGE = r"(?:应该?改为|应该?为|应该?是|应|改为|改成|更正为|更改为|修改为|变更为|调整为|换成|为|是)"
#: A label opens the body or a clause; `该项目为…` is prose, not a label.
_CLAUSE_START = r"(?:^|(?<=[\s,;。:!?]))"
#: The value runs to the next punctuation or space.
_VALUE = r"(?P<v>[^\s,;。:!?()\n]+)"

#: field -> (label words, whether the link word may be left out: `地点南京` but never `企业5家`).
_LABELS: dict[str, tuple[str, bool]] = {
    "place": (r"拜访地点|考察地点|所在地|目的地|来源地|地点|地址", True),
    "count": (
        r"(?:拜访|接待|走访|考察|对接)?(?:企业|客商|公司)?(?:家数|数量|批次|个数)"
        r"|(?:拜访|接待|走访|考察|对接)(?:企业|客商|公司)数|企业数|客商数",
        False,
    ),
    "company": (r"企业名称|公司名称|客商名称|投资方|投资主体|企业|公司|客商", True),
    "project": (r"项目名称|项目", True),
    "industry": (r"所属行业|所属产业|行业类别|产业类别|行业|产业", True),
}
#: A bare label (`企业陕西秦川…`) never takes a figure or a count word as its value (`企业5家`, `企业数`).
_NOT_BARE_VALUE = r"(?![\d一二两三四五六七八九十]+\s*[家个批位]|数|家数|名称|类别)"


def _pattern(words: str, bare: bool) -> re.Pattern[str]:
    link = rf"(?:{CHANGE}\s*:?|:)"
    if bare:  # the link word may be left out: `地点南京`, `企业 陕西秦川果业集团有限公司`
        link = rf"(?:{link}|{_NOT_BARE_VALUE})"
    return re.compile(rf"{_CLAUSE_START}(?:{words})\s*{link}\s*{_VALUE}")


_PATTERNS = {field: _pattern(words, bare) for field, (words, bare) in _LABELS.items()}
#: The words that lead into an amount (投资5000万, 总投资约2亿): cut off with it.
_AMOUNT_LEAD = re.compile(r"(?:(?:计划|拟|总)?(?:投资额?|投入|金额|资金)(?:为|是)?)?(?:约|近|超|达|共)?$")
_UNDECIDED = re.compile(r"^(?:待|未|暂|尚|不|还没|没有|无)")


def labelled_spans(key: str) -> dict[str, Span]:
    """Where each labelled value sits in `key` (the matching copy); amounts are cut off the end."""
    amounts = find_amounts(key)
    out: dict[str, Span] = {}
    for field, pattern in _PATTERNS.items():
        m = pattern.search(key)
        if not m:
            continue
        start, end = m.span("v")
        # `项目改为锂电池项目投资5000万`: the amount is a field of its own.
        cut = min([a.start for a in amounts if start < a.start < end] + [end])
        if cut < end:
            lead = _AMOUNT_LEAD.search(key, start, cut)
            end = lead.start() if lead else cut
        if end > start and not _UNDECIDED.match(key, start):
            out[field] = (start, end)
    return out
