"""Investor-side contact: a name only where a 联系人/对接人 label says so, and a phone number."""

from __future__ import annotations

import re

from nlp.text import Text

_MOBILE = re.compile(r"(?<![\d.])1[3-9]\d(?:[ \-]?\d){8}(?![\d.])|(?<![\d.])1[3-9]\d\.\d{4}\.\d{4}(?![\d.])")
_LANDLINE = re.compile(r"(?<![\d.])\(?0\d{2,3}\)?[ \-]?\d{3,4}[ \-]?\d{4}(?![\d.])")
_NON_DIGIT = re.compile(r"\D")
#: After a phone label, any number of 7 to 8 digits is the phone: a local number without its area code,
#: a Hong Kong or Macau number (`9123 4567`, `+853 2888 1234`), as written.
_LABELLED_PHONE = re.compile(
    r"(?:电话|手机|联系方式|联系电话|tel|phone|联系)\s*(?:号码?|是|为|:)?\s*:?\s*"
    r"(?P<num>(?:\+?\s*85[23][ \-]?)?\d{3,4}[ \-]?\d{4})(?![\d.])",
    re.IGNORECASE,
)
#: A number read out in Chinese digits (`幺三八零零…`, as voice input writes it): seven or more in a row.
_SPOKEN_DIGITS = re.compile(r"[零〇幺一二三四五六七八九洞](?:[ \-]?[零〇幺一二三四五六七八九洞]){6,}")
_SPOKEN_VALUE = str.maketrans("零〇幺一二三四五六七八九洞", "0011234567890")
_NAME_LABEL = re.compile(
    r"(?:联系人|对接人|联络人|负责人|联系人员|联系(?=\s*:))\s*"
    r"(?:(?:应该?改为|应该?为|应该?是|改为|改成|更正为|更改为|修改为|变更为|调整为|换成|[:为是])\s*:?\s*)?"
)
_NAME = re.compile(r"[\u4e00-\u9fff][A-Z][a-z]{1,12}|[\u4e00-\u9fff]{1,4}·[\u4e00-\u9fff]{1,5}|[\u4e00-\u9fff·]{1,5}")
_NAME_STOP = re.compile(r"电话|手机|联系|电|tel|微信|先生(?=.)|女士(?=.)")
_TITLES = ("先生", "女士", "总", "经理", "主任", "董事长")
#: A Latin-script name as written (`Michael Bauer`, `Kevin Zhang`): capitalised words, one space apart.
#: A long name that is the label's whole value (Mongolian, Tibetan, Uyghur names run to 6-8 characters).
_WHOLE_NAME = re.compile(r"([\u4e00-\u9fff]{5,8})(?=\s*(?:[,;。\n(]|\d|电话|手机|$))")
_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}")
#: Pronouns and stand-ins are nobody's name (`他本人`, `对方`).
#: A firm named before its person (`深圳鹏程科技的刘洋`, `徐工集团的王部长`).
_EMPLOYER = re.compile(r"[\u4e00-\u9fffA-Za-z]{4,20}?的(?=[\u4e00-\u9fff]{2})")
_PRONOUN = re.compile(r"(?:他|她|我|你|本人|对方|该|其|这位|那位|某)")


def find_phone(key: str) -> str | None:
    """Digits of the first mobile (else landline, else labelled short) number; spoken digits count."""
    if _SPOKEN_DIGITS.search(key):
        # Same length, so positions hold; `一二三四五六七` in a name is rarer than voice input's digits.
        key = _SPOKEN_DIGITS.sub(lambda m: m.group(0).translate(_SPOKEN_VALUE), key)
    for pattern in (_MOBILE, _LANDLINE):
        m = pattern.search(key)
        if m:
            return _NON_DIGIT.sub("", m.group(0))
    labelled = _LABELLED_PHONE.search(key)
    if labelled:
        return _NON_DIGIT.sub("", labelled.group("num"))
    return None


def find_contact_name(text: Text) -> str | None:
    """The name right after a contact label (jieba's person tags misfire on 华为/宁德, so no NER)."""
    label = _NAME_LABEL.search(text.key)
    if not label:
        return None
    start = label.end()
    employer = _EMPLOYER.match(text.key, start)
    if employer:  # 对接人是深圳鹏程科技的刘洋: the person after their firm
        start = employer.end()
    latin = _LATIN_NAME.match(text.key, start)
    if latin:
        return text.orig[latin.start() : latin.end()]
    if _PRONOUN.match(text.key, start):
        return None
    m = _NAME.match(text.key, start)
    if not m:
        return None
    name = m.group(0)
    stop = _NAME_STOP.search(name)
    if stop and stop.start() > 0:
        name = name[: stop.start()]
    for title in _TITLES:
        at = name.find(title)
        if at > 0:
            name = name[: at + len(title)]
            break
    whole = _WHOLE_NAME.match(text.key, m.start())
    if whole and len(whole.group(1)) > 4:
        return text.orig[m.start() : m.start() + len(whole.group(1))]  # 额尔敦其其格: a long name, the whole value
    if len(name) > 4 and "·" not in name:  # 汉斯·穆勒 keeps its middle dot
        name = name[:3]
    if not name or (len(name) == 1 and name not in "·") or name in _TITLES:
        return None  # a title alone (经理; 王总 has a family name) names nobody
    return text.orig[m.start() : m.start() + len(name)]
