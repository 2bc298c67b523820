"""Homophone typos of the words that decide what a record is (拜放 for 拜访, 头产 for 投产, 截待 for 接待).

Liaisons type on phones with pinyin keyboards and voice input, so a mistyped word sounds like the
right one. pypinyin (the maintained pinyin dictionary, every reading of a character) tells whether
two characters sound like one of the event words; the matching copy (`Text.key`) gets the right word,
the original keeps what was typed. Only where a slip is likely and a real word is not: in a label
before its colon, or where the two characters are not part of a longer word jieba knows (大头产品 has
头产 across two words, and stays).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

#: The words whose slips change a record's kind. Not 意向 (异乡 sounds the same and is a word).
EVENT_WORDS = (
    "接待", "拜访", "考察", "洽谈", "签约", "开工", "动工", "竣工", "投产", "到位", "到账", "线索", "走访", "来访",
    "外出", "招商", "进展", "签订",
)
#: In a label before its colon a slip of 意向 is safe too (意象：…); in text only before 书/协议 (投资意象书).
LABEL_WORDS = (*EVENT_WORDS, "意向")
_INTENTION_SLIP = re.compile(r"意象(?=书|协议)")
_LABEL = re.compile(r"^\s*(?:\d{1,2}\s*[.,)]\s*)?([\u4e00-\u9fff]{2,6})\s*:")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Where a slip stands as the verb it should be: before 了/过, or after a time or an adverb of done.
_VERB_AFTER = re.compile(r"了|过|完毕")
_VERB_BEFORE = re.compile(r"(?:已经?|正式|今天|昨天|前天|今日|昨日|顺利|成功|上午|下午|去|来|(?:赴|到|去)[\u4e00-\u9fff]{1,6})$")
#: Short questions to the bot whose key word was slipped (查一下拍名, 为报送的单位, 我的台帐): any position.
QUERY_WORDS = ("排名", "未报", "台账")
_SHORT = 20


def _toneless(reading: str) -> str:
    """`bǎi` -> `bai`, `lǜ` -> `lv` (pypinyin's NORMAL style)."""
    plain = "".join(c for c in unicodedata.normalize("NFD", reading.replace("ü", "v")) if not unicodedata.combining(c))
    return plain.replace("ü", "v")


def _build_sounds(syllables: frozenset[str]) -> dict[str, list[str]]:
    """Character -> its readings among `syllables`, from pypinyin's character table (every reading)."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, list[str]] = {}
    for code, readings in pinyin_dict.items():
        found = sorted({_toneless(r) for r in readings.split(",")} & syllables)
        if found:
            table[chr(code)] = found
    return table


@lru_cache(maxsize=1)
def _sounds() -> dict[str, list[str]]:
    """The characters that sound like a syllable of the words above, cached in the temp directory (like the
    tokenizer's table): importing pypinyin costs ~0.15 s, which every `zsbot` call would pay."""
    syllables = frozenset(_toneless(r) for w in (*LABEL_WORDS, *QUERY_WORDS) for r in _SYLLABLES_OF[w])
    digest = hashlib.sha1(
        f"{version('pypinyin')}|{sorted(syllables)}|".encode() + Path(__file__).read_bytes()
    ).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"zsbot-sounds-{digest}.marshal"
    try:
        cached: dict[str, list[str]] = marshal.loads(path.read_bytes())
        return cached
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = _build_sounds(syllables)
    try:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(table))
        os.replace(tmp, path)
    except OSError:  # a read-only temp dir only costs each start the build
        pass
    return table


#: The words' own readings, written out (the table is built from them; pypinyin is not needed to read them).
_SYLLABLES_OF: dict[str, tuple[str, str]] = {
    "接待": ("jie", "dai"), "拜访": ("bai", "fang"), "考察": ("kao", "cha"), "洽谈": ("qia", "tan"),
    "签约": ("qian", "yue"), "开工": ("kai", "gong"), "动工": ("dong", "gong"), "竣工": ("jun", "gong"),
    "投产": ("tou", "chan"), "到位": ("dao", "wei"), "到账": ("dao", "zhang"), "线索": ("xian", "suo"),
    "走访": ("zou", "fang"), "来访": ("lai", "fang"), "外出": ("wai", "chu"), "招商": ("zhao", "shang"),
    "进展": ("jin", "zhan"), "签订": ("qian", "ding"), "意向": ("yi", "xiang"), "排名": ("pai", "ming"),
    "未报": ("wei", "bao"), "台账": ("tai", "zhang"),
}


@lru_cache(maxsize=1)
def _opening_chars() -> frozenset[str]:
    """Characters that sound like the first syllable of an event word (a cheap test before the pair's)."""
    firsts = {_SYLLABLES_OF[w][0] for w in EVENT_WORDS}
    return frozenset(ch for ch, readings in _sounds().items() if firsts.intersection(readings))


@lru_cache(maxsize=4096)
def _readings(ch: str) -> frozenset[str]:
    """The readings of one character among the words' syllables (百: bai; 拜: bai)."""
    return frozenset(_sounds().get(ch, ()))


@lru_cache(maxsize=2)
def _by_sound(label: bool = False) -> dict[tuple[str, str], str]:
    """(first syllable, second syllable) -> the event word that sounds so."""
    table: dict[tuple[str, str], str] = {}
    for word in LABEL_WORDS if label else EVENT_WORDS:
        a, b = _SYLLABLES_OF[word]
        table.setdefault((a, b), word)
    return table


@lru_cache(maxsize=1)
def _first_sounds() -> frozenset[str]:
    return frozenset(a for a, _b in _by_sound(True))


def sounds_like(pair: str, label: bool = False) -> str | None:
    """The event word two characters sound like, if they are not that word already."""
    if len(pair) != 2 or pair in LABEL_WORDS or not (_CJK.match(pair[0]) and _CJK.match(pair[1])):
        return None
    first = _readings(pair[0]) & _first_sounds()
    if not first:
        return None
    table = _by_sound(label)
    for a in first:
        for b in _readings(pair[1]):
            word = table.get((a, b))
            if word is not None:
                return word
    return None


@lru_cache(maxsize=1)
def _query_sounds() -> dict[tuple[str, str], str]:
    return {_SYLLABLES_OF[word]: word for word in QUERY_WORDS}


def _query_slip(pair: str) -> str | None:
    """The query word two characters sound like (拍名 -> 排名, 为报 -> 未报, 台帐 -> 台账)."""
    if pair in QUERY_WORDS or not (_CJK.match(pair[0]) and _CJK.match(pair[1])):
        return None
    table = _query_sounds()
    return next((table[(a, b)] for a in _readings(pair[0]) for b in _readings(pair[1]) if (a, b) in table), None)


def repair(key: str, split: Callable[[str], list[tuple[str, int, int]]]) -> str:
    """`key` with slips of the event words corrected (same length, so spans stay aligned).

    In a label before its colon any slip is corrected; elsewhere only one used as a verb (before 了/过, after
    今天/已/正式 …). `split` segments a stretch of text into (word, start, end) (jieba, dictionary only): outside a label a
    pair is corrected only where it falls on single characters (今天|街|待|了), never inside a longer word
    (大头|产品) nor where it is a word of its own (借贷, 考查).
    """
    chars = list(key)
    label = _LABEL.match(key)
    if label:
        start, end = label.span(1)
        for i in range(start, end - 1):
            word = sounds_like(key[i : i + 2], label=True)
            if word is not None:
                chars[i : i + 2] = word
                break
    opening = _opening_chars()
    for i in range(label.end() if label else 0, len(key) - 1):
        if key[i] not in opening:
            continue  # most characters sound like no event word's first syllable
        word = sounds_like(key[i : i + 2])
        if word is None or not (_VERB_AFTER.match(key, i + 2) or _VERB_BEFORE.search(key, max(0, i - 9), i)):
            continue  # used as a verb only: 拜放了, 今天头产; never inside a name (鹭岛卫浴 is no 到位)
        lo = max(0, i - 4)
        pieces = split(key[lo : i + 6])
        if all(e - s == 1 for _w, s, e in pieces if s < i + 2 - lo and e > i - lo):
            chars[i : i + 2] = word
    if len(key) <= _SHORT:
        for i in range(len(key) - 1):
            query = _query_slip(key[i : i + 2])
            if query is not None:
                chars[i : i + 2] = query
    repaired = "".join(chars)
    return _INTENTION_SLIP.sub("意向", repaired) if "意象" in repaired else repaired
