"""Numerals and money amounts.

Only numeral spans are converted (never the whole message: cn2an.transform turns 张三
into 张3). Colloquial forms cn2an rejects (一亿五, 2.3个亿) get rules of their own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
CN_UNITS = "十百千拾佰仟"
_DIGIT_VALUE = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {
    "〇": 0,
    "两": 2,
    "壹": 1,
    "贰": 2,
    "叁": 3,
    "肆": 4,
    "伍": 5,
    "陆": 6,
    "柒": 7,
    "捌": 8,
    "玖": 9,
}
_UNIT_VALUE = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}

#: ISO codes written right before a figure (RMB5000万, USD300万): the one Latin prefix a numeral may have.
_CODES = {"RMB": "CNY", "CNY": "CNY", "USD": "USD", "HKD": "HKD", "EUR": "EUR", "JPY": "JPY"}
_CODE_BEFORE = ")|(?<=".join(list(_CODES) + [c.lower() for c in _CODES])
#: A numeral: Arabic (with thousands commas / decimals), Chinese, formal or mixed, with 万/亿 inside.
#: Never glued to Latin letters or to a longer digit run (1e308, abc300, SKU12345 are not numerals).
NUMERAL = (
    rf"(?:(?<![A-Za-z0-9.])|(?<={_CODE_BEFORE}))(?:\d[\d,]*(?:\.\d+)?|[{CN_DIGITS}{CN_UNITS}]"
    # northern 万九 (= 1.9万): a bare 万 opening the figure, one digit after it
    rf"|(?<![\d{CN_DIGITS}{CN_UNITS}])万(?=[一二两三四五六七八九](?![\d{CN_DIGITS}{CN_UNITS}万亿])))"
    rf"(?:[\d.{CN_DIGITS}{CN_UNITS}点万亿]|(?:来|多)?个(?=多?亿)|,(?=\d{{3}}))*"
)
_CURRENCY_AFTER = r"(?P<cur>元人民币|人民币|美元|美金|港元|港币|欧元|日元|元|远|块钱|块)?"
_AMOUNT = re.compile(
    rf"(?P<a>{NUMERAL})(?:\s*(?:-|~|到|至)\s*(?P<b>{NUMERAL}))?(?P<hedge>多|余|来)?"
    # 500w = 500万, 5kw = 5000万 (chat shorthand), never inside a Latin word (5kWh, 3w3).
    rf"(?P<mag>万|亿|(?<=[\d{CN_DIGITS}{CN_UNITS}])[kK]?[wW](?![A-Za-z\d]))?"
    rf"(?P<hedge2>多|余)?{_CURRENCY_AFTER}"
)
#: Latin magnitudes as the Chinese ones they stand for.
_LATIN_MAG = {"w": "万", "kw": "千万"}
#: Around a `w`/`kW` figure, words of electric power: watts and kilowatts, never money.
_POWER_BEFORE = re.compile(r"装机|容量|功率|额定|输出|充电|桩|光伏|电站|发电|储能|逆变|机组|电机|供电|用电|增容|变压")
_POWER_AFTER = re.compile(r"\s*(?:[hH]|时|级|的?(?:快充|充电|光伏|组件|电机|机组|逆变|储能|电站|发电|变压)|峰)")
#: A bare 亿 after a hedge (近亿元, 超亿元, 上亿): one 亿, hedges never change the number.
_BARE_YI = re.compile(rf"(?<=[近超上逾过])亿{_CURRENCY_AFTER}(?![\d{CN_DIGITS}{CN_UNITS}])")
_CURRENCY_BEFORE = re.compile(r"(美元|美金|港元|港币|欧元|日元|人民币|(?i:rmb|cny|usd|hkd|eur|jpy))\s*$")
#: Currency words and codes as the contract's currency codes (also a correction's `币种应为美元`).
CURRENCY_CODE = {
    "美元": "USD",
    "美金": "USD",
    "港元": "HKD",
    "港币": "HKD",
    "欧元": "EUR",
    "日元": "JPY",
    "人民币": "CNY",
} | _CODES
#: Measure words after a number that make it not money (5万吨, 1.5万平方米, 30万方, 一行4人).
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?:吨|平|亩|方|立方|人|台|套|千瓦|瓦|度|株|头|只|件|个(?!亿)|家|批|辆|户|米|公里|千克|公斤|斤|箱|羽|张|条|"
    r"伏|次|%|(?<!\s)[a-zA-Z]|年|月|日|号|天|小时|岁|层|栋|间|块(?!钱)|平米|元/)"
)


#: Every money figure carries one of these (万/亿 or a currency word); most chat lines have none.
_MONEY_HINT = re.compile(rf"[万亿元金币远块]|[\d{CN_DIGITS}{CN_UNITS}][kK]?[wW]")
_FORMAL_THREE = re.compile(r"参(?=[拾佰仟万亿元])")
_DIGITS_UNIT = re.compile(r"(\d+(?:\.\d+)?)([十百千拾佰仟])")
_MAG_TAIL = re.compile(r"[十百千拾佰仟]*[万亿]+$")
_COLLOQUIAL_TAIL = re.compile(r"[亿万][一二两三四五六七八九\d]$")
#: Integer digit runs (commas ignored); more than MAX_DIGITS of them is an ID or junk, not money.
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d[\d,]*")
MAX_DIGITS = 12
#: No investment is larger than 1万亿 (1e12 of any currency, i.e. 1e8 万).
MAX_AMOUNT = 1e12


#: Two neighbouring digits before a unit are a colloquial range (两三千, 七八百, 三五千, 一两个): the lower bound.
_COLLOQUIAL_RANGE = re.compile(r"([一两二三四五六七八九])([两二三四五六七八九])(?=[十百千万亿个拾佰仟])")
#: Northern shorthand with the last unit left out: 千一 = 1100, 百二 = 120, 三千五 = 3500.
_UNIT_THEN_DIGIT = re.compile(
    r"([一二两三四五六七八九壹贰叁肆伍陆柒捌玖]?)([百千佰仟])([一二两三四五六七八九壹贰叁肆伍陆柒捌玖])"
)


def _lower_bound(match: re.Match[str]) -> str:
    low, high = _DIGIT_VALUE[match.group(1)], _DIGIT_VALUE[match.group(2)]
    return match.group(1) if high - low == 1 or (low, high) == (3, 5) else match.group(0)


def _small(text: str) -> float | None:
    """Value of a numeral below 万 (e.g. 5千, 一千二百, 3,000, 伍佰, 一点五, 千一, 三千五)."""
    if not text:
        return None
    text = text.replace(",", "")
    short = _UNIT_THEN_DIGIT.fullmatch(text)
    if short:
        unit = _UNIT_VALUE[short.group(2)]
        head = _DIGIT_VALUE[short.group(1)] if short.group(1) else 1
        return float(head * unit + _DIGIT_VALUE[short.group(3)] * unit // 10)
    if "点" in text:
        before_point, _, frac = text.partition("点")
        whole = _small(before_point)
        digits = "".join(str(_DIGIT_VALUE[c]) if c in _DIGIT_VALUE else c for c in frac)
        if whole is None or not digits.isdigit():
            return None
        return whole + float("0." + digits)
    try:
        return float(text)
    except ValueError:
        pass
    m = _DIGITS_UNIT.fullmatch(text)
    if m:
        return float(m.group(1)) * _UNIT_VALUE[m.group(2)]
    if len(text) == 1 and text in _DIGIT_VALUE:
        return float(_DIGIT_VALUE[text])
    try:
        import cn2an  # lazily: importing it costs ~0.3 s, and most figures never get here

        return float(cn2an.cn2an(text, "smart"))
    except Exception:  # cn2an raises KeyError/ValueError/... on odd input
        pass
    total, current = 0.0, 0.0
    for ch in text:
        if ch in _DIGIT_VALUE:
            current = current * 10 + _DIGIT_VALUE[ch]
        elif ch in _UNIT_VALUE:
            total += (current or 1) * _UNIT_VALUE[ch]
            current = 0
        elif ch.isdigit():
            current = current * 10 + int(ch)
        else:
            return None
    return total + current


def numeral_value(text: str) -> float | None:
    """Value of any numeral span (万/亿 inside, 一亿五, 两万五, 2.3个亿); None when not a number."""
    if len(text) > 2:
        text = _COLLOQUIAL_RANGE.sub(_lower_bound, text)
    text = text.replace("来个", "").replace("多个", "").replace("个", "").replace(",", "")
    if not text or not any(ch.isdigit() or ch in _DIGIT_VALUE or ch in "十拾" for ch in text):
        return None
    for mag_char, mag in (("亿", 1e8), ("万", 1e4)):
        if mag_char in text:
            head, _, tail = text.partition(mag_char)
            head_value = _small(head) if head else 1.0
            if head_value is None or (head and mag_char == "万" and "亿" in head):
                return None
            if len(tail) == 1 and (tail in _DIGIT_VALUE or tail.isdigit()):
                small = _small(tail)
                tail_value: float | None = None if small is None else small * mag / 10  # 一亿五 = 1.5亿
            else:
                tail_value = numeral_value(tail) if tail else 0.0
            if tail_value is None:
                return None
            value = head_value * mag + tail_value
            return value if math.isfinite(value) else None
    plain = _small(text)
    return plain if plain is None or math.isfinite(plain) else None


def small_int(text: str) -> int | None:
    """A count or a day/month written in Arabic or Chinese numerals."""
    value = numeral_value(text)
    return int(value) if value is not None and value == int(value) and value < 10_000 else None


@dataclass(frozen=True, slots=True)
class Amount:
    """A money figure found in the text, with where it sits (for choosing among several)."""

    wan: float
    currency: str
    start: int
    end: int


def _with_mag(text: str, mag: str | None) -> str:
    return text + mag if mag and not text.endswith(("万", "亿")) else text


def find_amounts(key: str) -> list[Amount]:
    """Every money figure in `key` (the matching copy), in order of appearance."""
    found: list[Amount] = []
    if not _MONEY_HINT.search(key):
        return found
    if "参" in key:  # 參/参 is the formal 3 (參佰萬元) only before a unit; same length, spans stay aligned
        key = _FORMAL_THREE.sub("叁", key)
    for m in _AMOUNT.finditer(key):
        a, b, mag, cur = m.group("a", "b", "mag", "cur")
        if mag and mag[-1] in "wW":
            if _POWER_BEFORE.search(key, max(0, m.start() - 8), m.start()) or _POWER_AFTER.match(key, m.end()):
                continue  # 装机容量500kW, 120kW快充桩: power, not money
            mag = _LATIN_MAG[mag.lower()]
        if not (cur or mag or "万" in a or "亿" in a or (b and ("万" in b or "亿" in b))):
            continue  # no magnitude and no currency: a count, a date, a phone number
        if b is not None:
            b_full = _with_mag(b, mag)
            tail = _MAG_TAIL.search(b_full)
            if tail and not a.endswith(("万", "亿")):
                suffix = tail.group(0)
                a = a + (suffix if not a.endswith(tuple(CN_UNITS)) else suffix.lstrip(CN_UNITS))
        else:
            a = _with_mag(a, mag)
        colloquial = _COLLOQUIAL_TAIL.search(a) and m.group("hedge") is None
        if not (a.endswith(("万", "亿")) or cur or colloquial):
            continue
        if cur in ("块", "块钱") and not a.endswith(("万", "亿")):
            continue
        if _NOT_MONEY_AFTER.match(key, m.end()) and not cur:
            continue
        if any(len(run.replace(",", "")) > MAX_DIGITS for run in _DIGIT_RUN.findall(m.group(0))):
            continue  # a 13+ digit run is an ID or junk, never money
        value = numeral_value(a)
        if value is None or not 0 < value <= MAX_AMOUNT:
            continue  # also drops inf/nan: implausible figures are no amount at all
        before = _CURRENCY_BEFORE.search(key, max(0, m.start() - 4), m.start())
        # 港币1200万元: the currency written before the figure wins over a plain 元 after it
        word = (cur if cur not in (None, "元", "元人民币") or not before else before.group(1).upper()) or ""
        found.append(Amount(round(value / 1e4, 6), CURRENCY_CODE.get(word, "CNY"), m.start(), m.end()))
    if "亿" in key:
        bare = [
            Amount(10000.0, CURRENCY_CODE.get(m.group("cur") or "", "CNY"), m.start(), m.end())
            for m in _BARE_YI.finditer(key)
            if not _NOT_MONEY_AFTER.match(key, m.end())
        ]
        if bare:
            found = sorted(found + bare, key=lambda a: a.start)
    return found


_PUNCT = re.compile(r"[,;。!?\n]")
_REVENUE = re.compile(r"产值|收入|营收|税收|利税|销售额|销售|产出|利润|效益|达产|年产")
_PHASE = re.compile(r"一期|首期|二期|三期|第[一二三]期|分期")
_FUNDS = re.compile(r"到位|到账|拨付|注入|打款|实际投入|入账|又到了?|到了|新到")
_THIS_TIME = re.compile(r"本月|本次|新增|本期|当月|今天|昨天|今日|昨日|本周|这个月|这次|这回|这一?笔|又")
_CUMULATIVE = re.compile(r"累计|共计|总计|合计|累积|截至|截止")


def _funds_rank(before: str) -> int:
    """0 for this report's arrival (本月到位), 2 for a running total (累计到位), 1 otherwise; the marker
    nearest the figure decides (`截至本月累计到位3000万` is a total, `累计3000万，其中本月到位800万` this month's)."""
    this = max((m.end() for m in _THIS_TIME.finditer(before)), default=-1)
    total = max((m.end() for m in _CUMULATIVE.finditer(before)), default=-1)
    if this < 0 and total < 0:
        return 1
    return 0 if this > total else 2
_TOTAL = re.compile(r"总投资|投资总额|总额|总规模")
_INVEST = re.compile(r"投资|投入|投资额|资金")
#: In a correction: the figure being replaced (不是八千万, 原报5000万, 5000万有误) and the new one (应为, 是).
_OLD_VALUE = re.compile(r"(?:不是|而非|并非|原报?|原来|原先|之前报?的?|误报)\s*$")
_OLD_AFTER = re.compile(r"\s*(?:有误|错了|不对|是错的)")
_NEW_VALUE = re.compile(r"(?:应该?是|应为|应改为|改为|改成|更正为|修正为|调整为|实际是|其实是|是|为)\s*$")


def _context(key: str, amount: Amount) -> tuple[str, str]:
    """The words before (up to 12 chars) and after an amount, within its clause."""
    before = key[max(0, amount.start - 12) : amount.start]
    cut = list(_PUNCT.finditer(before))
    if cut:
        before = before[cut[-1].end() :]
    after = key[amount.end : amount.end + 14]
    stop = _PUNCT.search(after)
    return before, after[: stop.start()] if stop else after


def pick_amount(key: str, intent: str) -> Amount | None:
    """The amount the record is about: the investment total, or for funds the arrived sum."""
    best: tuple[int, int] | None = None
    chosen: Amount | None = None
    for index, amount in enumerate(find_amounts(key)):
        before, after = _context(key, amount)
        if _REVENUE.search(before) and not _INVEST.search(before[-4:]):
            continue
        # (计划投资8.6亿元)…已到位1.2亿: a figure said to be the investment is not what arrived, whatever follows it
        funds = bool(_FUNDS.search(before) or (_FUNDS.search(after) and not _INVEST.search(before[-6:])))
        if intent == "correction" and (_OLD_VALUE.search(before) or _OLD_AFTER.match(after)):
            rank = 5  # 不是八千万 是八千五百万: the new figure wins
        elif intent == "correction" and _NEW_VALUE.search(before):
            rank = 0
        elif intent == "funds":
            rank = _funds_rank(before) if funds else (4 if _TOTAL.search(before) or "投资" in before else 3)
        elif _TOTAL.search(before):
            rank = 0
        elif _PHASE.search(before):
            rank = 3
        elif funds:
            rank = 4
        elif _INVEST.search(before):
            rank = 1
        else:
            rank = 2
        if best is None or (rank, index) < best:
            best, chosen = (rank, index), amount
    return chosen
