"""Company, place, industry and project: the named things in a record.

Names are found on the matching copy (`Text.key`) and cut from the original, so they
come back exactly as written. jieba (one private tokenizer, bundled dictionary) decides
where a name starts: a company or project name begins after the last word that cannot
be part of a name (拜访, 与, 的, 今天上午, 我镇 …), which a character class cannot tell.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.text import Text

if TYPE_CHECKING:
    from jieba import Tokenizer


def _import_jieba() -> Any:
    """jieba without pkg_resources: jieba 0.42 imports it only to locate its own data files, and falls back
    to reading them beside its module when it is missing. pkg_resources costs ~80 ms to import, which every
    `zsbot` call would pay; it is kept out only while jieba loads, and only when nothing has loaded it yet."""
    import sys

    if "pkg_resources" in sys.modules or "jieba" in sys.modules:
        import jieba as loaded

        return loaded
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail fast
    try:
        import jieba as loaded
    finally:
        del sys.modules["pkg_resources"]
    return loaded


jieba = _import_jieba()

DICT_PATH = Path(__file__).with_name("dict.txt")
#: Administrative divisions, generated from cpca's adcode list by nlp/data/build_places.py.
PLACES_PATH = Path(__file__).with_name("places.txt")
#: Trades of the national classification (GB/T 4754-2017, 战略性新兴产业分类), by nlp/data/build_industries.py.
INDUSTRIES_PATH = Path(__file__).with_name("industries.txt")
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The bundled domain dictionary, split by tag."""

    industries: frozenset[str]
    #: The classification's trade words besides ours: found as an industry, never used to cut names.
    classified: frozenset[str]
    places: tuple[str, ...]
    breakers: frozenset[str]
    project_breakers: frozenset[str]
    entries: tuple[tuple[str, int, str], ...]
    #: Company-name endings that say what a firm does (化工, 锂业, 科技): `place? + brand + this`.
    trades: frozenset[str]


def _gazetteer() -> list[str]:
    """Province, prefecture and county-level names, full and short (see nlp/data/build_places.py)."""
    names: list[str] = []
    for line in PLACES_PATH.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            names.append(line.split("\t", 1)[0])
    return names


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    entries: list[tuple[str, int, str]] = []
    for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, freq, tag = line.split()
        entries.append((word, int(freq), tag))
    places = {w for w, _, t in entries if t.startswith("ns")} | set(_gazetteer())
    classified = {
        line.split("\t", 1)[0]
        for line in INDUSTRIES_PATH.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    return Lexicon(
        industries=frozenset(w for w, _, t in entries if t == "ind"),
        classified=frozenset(classified),
        trades=frozenset(w for w, _, t in entries if t in ("ind", "trade")),
        places=tuple(sorted(places, key=len, reverse=True)),
        breakers=frozenset(w for w, _, t in entries if t == "brk"),
        project_breakers=frozenset(w for w, _, t in entries if t in ("brk", "brkp")),
        entries=tuple(entries),
    )


#: jieba words rarer than this are left out of the parser's tokenizer: they are obscure compounds that
#: never decide where a name starts, and dropping them makes the table a third of jieba's (faster start).
MIN_JIEBA_FREQ = 10
#: jieba tags of proper names; any other tag marks an everyday word (资金, 精密) that names no firm alone.
_PROPER_TAGS = frozenset({"ns", "nz", "nr", "nrt", "nrfg", "nt"})


@dataclass(frozen=True, slots=True)
class _JiebaState:
    freq: dict[str, int]
    total: int
    proper: frozenset[str]


def _cache_path() -> Path:
    """Where the prepared tokenizer table is cached: keyed by jieba's and our dictionaries."""
    main = Path(jieba.__file__).with_name("dict.txt")
    stat = main.stat()
    digest = hashlib.sha1(
        f"{jieba.__version__}|{stat.st_size}|{stat.st_mtime_ns}|{MIN_JIEBA_FREQ}|".encode()
        + DICT_PATH.read_bytes()
        + Path(__file__).read_bytes()  # the code that builds it: a change never reads a stale table
    ).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"zsbot-jieba-{digest}.marshal"


def _build_jieba_state() -> _JiebaState:
    freq: dict[str, int] = {}
    total = 0
    proper: set[str] = set()
    main = Path(jieba.__file__).with_name("dict.txt")
    with main.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2 or int(parts[1]) < MIN_JIEBA_FREQ:
                continue
            word, count = parts[0], int(parts[1])
            freq[word] = count
            total += count
            if len(parts) > 2 and (parts[2] in _PROPER_TAGS or (parts[2] == "j" and len(word) >= 3)):
                proper.add(word)  # j: abbreviations, of firms among others (中石化, 中联重科)
            for i in range(1, len(word)):
                freq.setdefault(word[:i], 0)
    return _JiebaState(freq, total, frozenset(proper))


def _jieba_state() -> _JiebaState:
    """jieba's table, pruned and cached with marshal (like jieba's own cache, but a third the size)."""
    path = _cache_path()
    try:
        freq, total, proper = marshal.loads(path.read_bytes())
        return _JiebaState(freq, total, proper)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    state = _build_jieba_state()
    try:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((state.freq, state.total, state.proper)))
        os.replace(tmp, path)
    except OSError:  # a read-only temp dir only costs the next start its time
        pass
    return state


@lru_cache(maxsize=1)
def _proper_words() -> frozenset[str]:
    proper: frozenset[str] = tokenizer().zsbot_proper
    return proper


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    """One private tokenizer per process (jieba's globals are never touched), built once and cached."""
    jieba.setLogLevel(logging.WARNING)
    state = _jieba_state()
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total = state.freq, state.total
    tok.initialized = True
    tok.zsbot_proper = state.proper
    for word, freq, tag in lexicon().entries:
        tok.add_word(word, freq, tag)
    return tok


Token = tuple[str, int, int]


def tokens(key: str) -> list[Token]:
    """(word, start, end) of `key`, dictionary words only (no HMM guessing across names)."""
    return list(tokenizer().tokenize(key, HMM=False))


class Vocabulary:
    """A set of words found in text leftmost-longest, as a regex of their trie would find them.

    Set lookups instead of one regex: compiling a trie of 6,000 place names took ~0.2 s of every
    process's first message (the command line's start), and scanning a chat line this way is as fast.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        lengths: dict[str, set[int]] = {}
        for w in self.words:
            lengths.setdefault(w[0], set()).add(len(w))
        #: The lengths of the words each first character opens, longest first (few per character).
        self.lengths = {ch: tuple(sorted(ns, reverse=True)) for ch, ns in lengths.items()}
        self.first = frozenset(self.lengths)

    def match(self, key: str, pos: int, endpos: int | None = None) -> int | None:
        """End of the longest word starting at `pos` (within `endpos`), or None."""
        end = len(key) if endpos is None else endpos
        if pos >= end or key[pos] not in self.first:
            return None
        for n in self.lengths[key[pos]]:
            if pos + n <= end and key[pos : pos + n] in self.words:
                return pos + n
        return None

    def search(self, key: str, pos: int = 0, endpos: int | None = None) -> Span | None:
        """The leftmost (then longest) word at or after `pos`."""
        end = len(key) if endpos is None else endpos
        first = self.first
        for i in range(pos, end):
            if key[i] in first and (stop := self.match(key, i, end)) is not None:
                return i, stop
        return None

    def finditer(self, key: str) -> list[Span]:
        """Every word, left to right, none overlapping (as re.finditer)."""
        found: list[Span] = []
        hit = self.search(key)
        while hit is not None:
            found.append(hit)
            hit = self.search(key, hit[1])
        return found


@lru_cache(maxsize=2)
def _breakers(project: bool) -> Vocabulary:
    """Cheap pre-check: segmenting is only needed when a breaker word occurs at all."""
    return Vocabulary(lexicon().project_breakers if project else lexicon().breakers)


def breaker_cut(key: str, start: int, end: int, project: bool = False) -> int:
    """Where a name inside key[start:end] begins: after the last word that cannot be part of one.

    Only this region is segmented (jieba is the costly step). Company names may contain
    投资/建设 (XX投资有限公司); project names may not.
    """
    region = key[start:end]
    if _breakers(project).search(region) is None:
        return start
    breakers = lexicon().project_breakers if project else lexicon().breakers
    cut = start
    words = tokens(region)
    for i, (word, _tok_start, tok_end) in enumerate(words):
        # A conjunction joins two things: the last word before a name's end (新希望六和|股份有限公司) is the
        # name's own character, never a conjunct.
        if (word == "号" and i >= 2 and words[i - 1][0].isdigit() and not project
                and words[i - 2][0][-1] not in "年月日周期第"):
            continue  # 测试1号新材料: a numbered name, not a day (3号)
        if word in breakers and not (
            word in _CONJUNCTIONS
            and ((tok_end == len(region) and not project) or _brand_char_before(region, words, i, breakers))
        ):
            cut = start + tok_end
    return cut


#: Conjunctions that are breakers between two names, but also a brand's second character (丸和, 大和, 恒与).
_CONJUNCTIONS = frozenset("和与同跟及")
#: Single characters that are a conjunct of their own (我和…, 这与…), never the first half of a brand.
_STANDALONE_CHARS = frozenset("我你他她它这那该本此其各每并或而县镇乡市省区村")


def _brand_char_before(region: str, words: list[Token], i: int, breakers: frozenset[str]) -> bool:
    """Whether the conjunction words[i] ends a two-character brand (日本大阪丸和精工, 与松和电装).

    One character alone after a place or a breaker cannot be a conjunct, so 丸 + 和 is one name;
    `苏州科达和无锡先导` (two names) and `我和…` keep their conjunction.
    """
    if i < 1 or len(words[i - 1][0]) != 1 or words[i - 1][0] in _STANDALONE_CHARS:
        return False
    if i + 1 < len(words) and find_places(region[words[i + 1][1] :])[:1] == ((0, len(words[i + 1][0])),):
        return False  # 与…和上海XX: the conjunction opens another place-led name
    if i < 2:  # 东和精工: one character opening the run cannot be a conjunct of its own (a day's 日 is no brand)
        return i == 1 and words[0][0] not in "日月年号天周期时点分秒"
    before = words[i - 2][0]
    return before in breakers or find_places(before) == ((0, len(before)),)


@lru_cache(maxsize=1)
def _place_words() -> Vocabulary:
    return Vocabulary(lexicon().places)


_PLACE_TAIL = ("地区", "市", "省")


def _place_at(key: str, pos: int, endpos: int | None = None) -> Span | None:
    """The leftmost place at or after `pos`, with a 市/省/地区 written after it."""
    hit = _place_words().search(key, pos, endpos)
    if hit is None:
        return None
    end = len(key) if endpos is None else endpos
    tail = next((t for t in _PLACE_TAIL if key.startswith(t, hit[1]) and hit[1] + len(t) <= end), "")
    return hit[0], hit[1] + len(tail)


_COMPANY_SUFFIX = re.compile(
    r"(?:集团股份有限公司|集团有限责任公司|集团有限公司|股份有限公司|有限责任公司|有限公司|集团|公司|合作社|株式会社|研究院|研究所|"
    r"商会|同乡会|(?<=[业会])协会|厂(?![房区长家商址]))"
)
_GENERIC_NAME = {"投资", "企业", "一家", "这家", "该", "该公司", "子", "分", "总", "母", "工", "本"}
#: A build verb, or a light verb with a count word (投个新厂, 搞一个厂): the plant is a plan, not a firm's name.
_BUILD_BEFORE = re.compile(r"建|办|开|设|投资做|(?:投|搞|弄|上|整|落)(?:一?个|一?座|一?家)")


#: Name characters: CJK, and Latin words that may carry digits (3M, TCL, A123) but not bare numbers (dates, amounts).
_NAME_RUN = re.compile(
    r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[\u4e00-\u9fff()·&]|(?<=[\u4e00-\u9fff])(?<![年月日周期第])\d{1,3}(?=号)"
    # digits inside a name (河北365食品), never a count or a date (投资3家, 本月8日)
    r"|(?<=[\u4e00-\u9fff])(?<![年月日周期第号至到和与及或约近超共计])\d{1,4}"
    r"(?=[\u4e00-\u9fff])(?![年月日号个家位名人次批条项天周万亿千百元吨亩台套期栋层间只头辆部款])"
    r")+$"
)


#: A capitalised Latin word and the space after it: a Latin name goes on to the left (`Johnson Controls Asia公司`).
_LATIN_WORD_BEFORE = re.compile(r"(?<![A-Za-z0-9&.\-])[A-Z0-9][A-Za-z0-9&.\-]* $")


def _extend_left(key: str, end: int) -> int:
    """Start of the run of name characters (at most 30) that ends at `end`; a Latin name keeps its spaces.

    An opening bracket left open inside the run (`一家二级供应商（宁波拓普…有限公司`) starts the name after it.
    """
    m = _NAME_RUN.search(key, max(0, end - 30), end)
    start = m.start() if m else end
    if start < end and key[start].isascii() and key[start].isalnum():
        for _ in range(5):
            word = _LATIN_WORD_BEFORE.search(key, max(0, start - 30), start)
            if not word:
                break
            start = word.start()
        before = _NAME_RUN.search(key, max(0, start - 30), start)
        if before is not None and before.start() < start:
            start = before.start()  # 韩国SJ Chem株式会社: the country written before the Latin name
    depth = 0
    for i in range(end - 1, start - 1, -1):
        if key[i] == ")":
            depth += 1
        elif key[i] == "(":
            if depth == 0:
                return i + 1
            depth -= 1
    return start


def _placeholder_start(key: str, region_start: int, start: int, end: int) -> int:
    """Widen a name cut right after 某/某某 (a breaker) back over the placeholder; `end` is the suffix.

    A place right before the placeholder makes place + 某 + rest one name (`上海某某科技有限公司`,
    `北京某公司`); so does a doubled 某某 (`某某集团`) or a 某 with more of a name (`某科技有限公司`).
    A lone 某 before the bare suffix (`某公司`, `某集团`) names nobody.
    """
    mou = start
    while mou > region_start and key[mou - 1] == "某":
        mou -= 1
    if mou == start:
        return start
    for place_start, place_end in find_places(key[region_start:mou]):
        if region_start + place_end == mou:
            return region_start + place_start
    return mou if start - mou >= 2 or end > start else start


#: A determiner that makes `X公司` a description (一家香港公司, 有家东莞公司), not a name.
_SOME = re.compile(r"^(?:一家|有家|有个|一个|这家|那家|某家|某个|某)")


def _kind_of_firm(name: str) -> bool:
    """Whether the words before a bare 公司 are a place alone, maybe after 一家/有家 (一家香港公司)."""
    some = _SOME.match(name)
    rest = name[some.end() :] if some else name
    places = find_places(rest)
    return bool(rest) and len(places) == 1 and places[0] == (0, len(rest))


#: Foreign legal forms written in Latin script; the name is the capitalised words before them.
_LATIN_SUFFIX = (
    r"GmbH|AG|KG|SE|Inc\.?|LLC|L\.L\.C\.|Co\.,?\s?Ltd\.?|Ltd\.?|Limited|Corp\.?|Corporation|"
    r"Pte\.?\s?Ltd\.?|Sdn\.?\s?Bhd\.?|PLC|plc|S\.A\.|S\.p\.A\.|B\.V\.|N\.V\.|Oy|AB|A/S"
)
_LATIN_HINT = re.compile(rf"\s(?:{_LATIN_SUFFIX})(?![A-Za-z])")
_LATIN_FIRM = re.compile(
    rf"(?<![A-Za-z0-9&'.\-])(?:[A-Z0-9][A-Za-z0-9&'.\-]*\s){{1,6}}(?:{_LATIN_SUFFIX})(?![A-Za-z])"
)


def _latin_firms(key: str) -> list[Span]:
    """`Kessler Antriebstechnik GmbH`, `Harbour Cold Chain Co., Ltd.`, with a place written before it.

    A country or city right before the Latin name stays part of it, as written (`德国Kessler … GmbH`).
    """
    found: list[Span] = []
    for m in _LATIN_FIRM.finditer(key):
        start = m.start()
        run = _extend_left(key, start)
        lead = breaker_cut(key, run, start)
        places = find_places(key[lead:start])
        if lead < start and places and sum(e - s for s, e in places) == start - lead:
            start = lead  # 德国Kessler …, 新加坡Apex …: the place belongs to the name
        found.append((start, m.end()))
    return found


def find_companies(text: Text) -> list[Span]:
    """Spans of registered-looking company names (…有限公司, …集团, …合作社, …厂), then X客商."""
    key = text.key
    spans: list[Span] = []
    for m in _COMPANY_SUFFIX.finditer(key):
        region_start = _extend_left(key, m.start())
        called = max(_CALLED.finditer(key, region_start, m.start()), key=lambda c: c.end(), default=None)
        if called is not None:
            region_start = called.end()  # 一家名为X有限公司的企业, X集团下属的Y有限公司: the name after it
        if lead := _LEADING_TIME.match(key, region_start, m.start()):
            region_start = lead.end()  # 上周五晋城泰和化工有限公司: the day is not the name
        start = _placeholder_start(key, region_start, breaker_cut(key, region_start, m.start()), m.start())
        start = next((region_start + s for s, e in find_places(key[region_start : m.start()])
                      if region_start + s < start < region_start + e), start)  # 于都县宏达…: 于 opens a place here
        name = key[start : m.start()]
        if len(name) < 2 or name in _GENERIC_NAME:
            continue
        if m.group(0) == "公司" and _kind_of_firm(name):
            continue  # 一家香港公司: a kind of firm from a place, named by nobody
        if m.group(0) in ("商会", "同乡会", "协会") and not (find_places(name)[:1] and find_places(name)[0][0] == 0):
            continue  # 运城市福建商会 names investors; 参加商会活动 names nobody
        if (
            m.group(0) == "厂"
            and (
                (spans and spans[-1][1] > region_start)  # XX有限公司智能工厂: the firm's plant, a project
                or _BUILD_BEFORE.search(key[region_start : m.start()])
                or len(name) < 3
                or re.match(r"[万千百]?[吨套台件只头条个平亩]", name)
                or (start > 0 and key[start - 1].isdigit())
            )
        ):
            continue  # 办个服装厂 is a plan, 面粉厂 a kind of mill: neither names a firm
        spans.append((start, m.end()))
    if _LATIN_HINT.search(key):
        spans.extend(s for s in _latin_firms(key) if not any(a < s[1] and s[0] < b for a, b in spans))
    for p_start, p_end in find_places(key) if "客商" in key else ():
        if key.startswith("客商", p_end) and not any(s <= p_start < e for s, e in spans):
            spans.append((p_start, p_end + 2))  # 浙江客商, 贵州遵义客商: named by where they come from
    if not spans:
        spans = _unsuffixed(key) or _leading_chunk(key)
    spans.sort()
    if len(spans) > 1:  # 恳请县供电公司协调…X有限公司: the county's own utility is asked, the investor is X
        spans = [s for s in spans if not _COUNTY_OWN.match(key, s[0]) and not _TOWN.match(key[s[0]:s[1]])] or spans
    # A parent group named first (中国建材集团下属的中建材（合肥）新能源有限公司): the firm met is the one after it.
    return [s for i, s in enumerate(spans) if not (i + 1 < len(spans) and _PARENT_AFTER.match(key, s[1]))]


#: The county's or a town's own companies, asked to help, never the investor (县供电公司, 镇自来水公司).
_COUNTY_OWN = re.compile(r"(?:恳请|请求|请|麻烦)?[县镇乡市区](?:供电|电力|自来水|供水|燃气|电信|移动|联通|城投|国投|交投|水务|热力)")
#: After a parent group's name: the words that introduce its subsidiary.
_PARENT_AFTER = re.compile(r"的?(?:下属|旗下|控股|全资|配套|子公司)")
#: A day written right before a name (上周五, 昨天, 3月5日), or a preposition (关于X有限公司…): not part of it.
_LEADING_TIME = re.compile(
    r"(?:[日号]?(?:预计|计划|拟于|拟|将于|将)?(?:关于|对于|针对|举行|召开|参加|出席|"
    r"(?:(?:上|下|本|这)(?:周|星期|个星期)[一二三四五六日天]|星期[一二三四五六日天]|周[一二三四五六日]|今天|昨天|前天|今日|昨日|"
    r"(?:[\d一二三四五六七八九十]{1,3}月)?[\d一二三四五六七八九十]{1,3}[日号]|明天|后天)))+"
)


#: What may follow a company named without a legal suffix: its intention, its event, its project.
_AFTER_NAME = re.compile(
    r"拟|计划|想|有意|打算|准备|将|已|正在|的|签|与我|和我|同我|在我|来我|到我|到账|到位|首笔|开工|动工|投产|竣工|"
    r"年产|项目|新上|投资|落户|追加|增资|扩产|谈了|谈过|聊了|聊过|沟通|交流|一行|董事长|总经理|老板|配套|旗下|下属|子公司|供应商|上下游|考察团|代表团|考察组|调研组|工作组"
)
#: Verbs and links right before a company named without a suffix (跟XX签了, 拜访了XX, 与XX签订).
_BEFORE_NAME = re.compile(r"(?:与|和|跟|同|拜访了?|拜会了?|走访了?|对接了?|见了|约见了?|会见了?)$")
_NAME_END = re.compile(r"\s*(?:[,.;:!?。\n]|$|签|洽谈|就|商谈|座谈|达成|举行|正式|对接|合作)|\s+(?=[\u4e00-\u9fff])")
#: Words that make a would-be name a description of somebody instead (一家企业, 老乡, 他本人, 面粉厂).
_NOT_A_NAME = re.compile(
    r"一家|两家|几家|\d家|家企业|企业|客商|对方|本地|一行|一个|一位|几个|这个|那个|这位|那位|县里|镇里|这家|那家|该|有个|有家|他|她|我|你|"
    r"人|负责|朋友|团队|做|从事|搞|项目|领导|书记|县长|镇长|主任|市场|政府|部门|单位|考察团|代表团|工作|情况|线索|"
    r"资金|首笔|本月|累计|今天|昨天|前天|上午|下午|目前|(?<![\u4e00-\u9fff])\d+\s*[年月日号期]|[年月周期第本上下今明昨前]\d+\s*[年月日号期]|[一二三四五六七八九十]+[月日号]|[今明去前]年|[本一二三四]期|某|厂|园区|开发区|公司|集团|方面|这边|那边|"
    r"[上下本这]个?(?:周|星期|礼拜)|星期|礼拜|明天|后天|晚上|中午|下一?步|接下来|后续|随后|然后|双方|产能|部分|把|来自|协调"
)
_PERSON = re.compile(r"老板|老乡|客户|朋友|老总")
#: A family name (one or two characters) with a title: a person (刘总, 欧阳董, 王经理).
_TITLED = re.compile(r"[\u4e00-\u9fff]{1,2}(?:总|董|董事长|总经理|经理|先生|女士|主任)")
_NAME_TAGS = frozenset({"ns", "nz", "nr", "nrt", "nrfg", "nt", "nsc", "nsr", "nsz", "trade"})


def _common_word(word: str) -> bool:
    """True for an everyday word jieba knows (资金, 精密), which alone never names a firm."""
    if not tokenizer().FREQ.get(word):
        return False
    if word in lexicon().industries:
        return True
    return word not in _proper_words() and word not in _our_names()


@lru_cache(maxsize=1)
def _our_names() -> frozenset[str]:
    """Our dictionary's proper names (places, zones, trades) are never everyday words."""
    return frozenset(w for w, _f, tag in lexicon().entries if tag in _NAME_TAGS)


def _trade_end(name: str) -> int:
    """Length of the trade word that ends `name` (化工 in 山东鲁信化工), 0 when none."""
    trades = lexicon().trades
    for size in (4, 3, 2):
        if len(name) > size and name[-size:] in trades:
            return size
    return 0


#: A township, village or zone opening a would-be name (河溜镇…, 开发区…): what it builds, never an investor.
_TOWN = re.compile(r"^[\u4e00-\u9fff]{1,4}?(?:镇|乡|街道|村|社区|开发区|园区|高新区)")


def _brand_ok(key: str, start: int, end: int, strong: bool) -> bool:
    """Whether key[start:end] reads as a firm's name: place? + brand (+ trade word), not a description."""
    name = key[start:end]
    if not 2 <= len(name) <= 16 or _NOT_A_NAME.search(name) or not re.search(r"[\u4e00-\u9fffA-Za-z]", name):
        return False
    if _PERSON.search(name) and not _trade_end(name):
        return False  # 温州老板, 有个老乡: a person; 老板电器 is a brand with its trade word
    if _TOWN.match(name):
        return False  # 河溜镇冷链, 荆山镇石榴文化产业园: a township's own project, no firm
    if _TITLED.fullmatch(name):
        return False  # 刘总一行, 许董: a person with a title, not the firm
    places = find_places(name)
    lead = places[0][1] if places and places[0][0] == 0 else 0
    brand = name[lead:]
    if not brand or sum(e - s for s, e in places) == len(name):
        return False  # a place, maybe with a district (深圳南山), says where, not who
    if len(brand) < 2:
        return False
    trade = _trade_end(brand)
    if not lead and (brand[:2] in lexicon().trades or brand[:3] in lexicon().trades):
        return False  # a brand is distinctive: 智能仓储物流 describes a trade, it names nobody
    if trade and len(brand) - trade >= 2:
        return True  # place? + brand + trade word (海螺水泥: an everyday brand word is still a brand)
    if not strong or brand in lexicon().industries:
        return False
    # No trade word: a brand alone (比亚迪), or after a place (宁德时代, 上海联影), never one everyday word (资金).
    return lead > 0 or not _common_word(brand)


def _known_head(key: str, start: int, end: int) -> Span:
    """`比亚迪刀片电池` -> `比亚迪`: a known firm's name followed by one of its products is the firm.

    Only a name jieba knows (3+ characters) followed by 4+ characters that end in a trade word;
    `京东方科技` (name + trade word alone) stays whole.
    """
    if end - start < 7:
        return start, end
    first = tokens(key[start:end])[:1]
    if not first or len(first[0][0]) < 3 or first[0][0] not in _proper_words():
        return start, end
    if find_places(first[0][0]):
        return start, end  # 新加坡丰益国际: a place opens the name, it is not the firm
    rest = key[start + first[0][2] : end]
    if len(rest) >= 4 and _trade_end(rest) and _trade_end(rest) < len(rest) - 1:
        return start, start + first[0][2]
    return start, end


def _leading_chunk(key: str) -> list[Span]:
    """A firm written first, apart from the rest by a space (`到位资金 遵义黔醇酒业 本月…` after its label)."""
    m = re.match(r"\s*([\u4e00-\u9fffA-Za-z0-9()]{2,16})\s+\S", key)
    if m and _trade_end(m.group(1)) and _brand_ok(key, m.start(1), m.end(1), True):
        return [(m.start(1), m.end(1))]
    return []


def _unsuffixed(key: str) -> list[Span]:
    """Companies written without a legal suffix, found by where they stand and how they are built.

    A name run right before an investor's intention or event (`XX拟投资`, `XX的电石项目`, `XX到账`) or
    right after a meeting verb (`跟XX签了`, `拜访了XX，`) is a company when it is place? + brand +
    trade word (`山东鲁信化工`), or a brand jieba does not know as an everyday word (`比亚迪`).
    """
    found: list[Span] = []
    parents: set[Span] = set()
    for m in _AFTER_NAME.finditer(key):
        p = m.start()
        region = _extend_left(key, p)
        if region >= p:
            continue
        word = m.group(0)
        titled = _without_title(key, region, p)
        if titled < p:
            p, word = titled, "一行"  # 天合储能副总一行: the person's title is cut, a party follows
        called = max(_CALLED.finditer(key, region, p), key=lambda c: c.end(), default=None)
        if called is not None:
            region = called.end()  # 一家叫测试1号科技的公司: the name is what it is called
        start = breaker_cut(key, region, p)
        if word in _PARENT_OF:
            parents.add((start, p))
        at_clause = start == region and (start == 0 or key[start - 1] in ":,;。!?\n")
        strong = word not in ("的", "项目", "投资", "年产")
        if word == "的" and not (at_clause or _trade_end(key[start:p])):
            continue
        if (
            word == "的"
            and at_clause
            and re.match(r"[^,;。\n]{0,12}(?:项目|人|负责人|老板|董事长|总)", key[m.end() :])
        ):
            strong = True
        if word in ("项目", "年产", "投资"):
            if not at_clause:
                continue  # 建设 智能仓储物流园项目: a project after its verb, not a firm
            # `万华化学新材料项目`: the shortest trade-ended prefix is the firm, the rest its project.
            for cut in range(start + 3, p + 1):
                if _trade_end(key[start:cut]) and _brand_ok(key, start, cut, False):
                    while cut < p and _trade_end(key[start : cut + 1]):
                        cut += 1  # 正威新材 -> 正威新材料: the longer trade word that continues it
                    found.append((start, cut))
                    break
            else:  # no trade word: a name jieba knows opens the run (中石化加油站项目)
                first = tokens(key[start:p])[:1]
                if (
                    first
                    and len(first[0][0]) >= 3
                    and first[0][0] in _proper_words()
                    and first[0][2] < p - start
                ):
                    found.append((start, start + first[0][2]))
            continue
        if _brand_ok(key, start, p, strong):
            found.append((start, p))
    for m in _BEFORE_NAME_ANY.finditer(key):
        start = m.end()
        run = _NAME_RUN_FWD.match(key, start)
        if not run:
            continue
        end = run.end()
        stop = _AFTER_NAME.search(key, start, end)
        while stop and stop.group(0) == "投资" and key.startswith("签", stop.end()):
            stop = _AFTER_NAME.search(key, stop.end(), end)  # 与XX投资签订: an investment firm's name
        if stop and stop.start() > start:
            end = stop.start()
        if not _NAME_END.match(key, end) and not _AFTER_NAME.match(key, end):
            continue
        end = _without_title(key, start, end)
        if _brand_ok(key, start, end, True):
            found.append((start, end))
    # A parent named first (宁德时代配套企业江西赣锋锂业): the firm met is the one after it.
    found = [f for f in found if f not in parents or not any(o[0] >= f[1] for o in found)]
    found = [_known_head(key, s, e) for s, e in found]
    found.sort()
    out: list[Span] = []
    for span in found:
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out[:1]


_BEFORE_NAME_ANY = re.compile(
    r"(?:与|和|跟|同|拜访了?|拜会了?|走访了?|对接了?|见了|约见了?|会见了?|的是|就是|名叫|叫做|叫作|名为|叫)(?=[\u4e00-\u9fffA-Za-z0-9])"
)
#: What introduces a firm's name (一家叫X的公司, 名叫X, X配套企业Y): the name starts after it.
_CALLED = re.compile(r"名叫|叫做|叫作|名为|叫|(?:配套|旗下|下属|上下游)(?:企业|厂商|厂家|公司|的)?|子公司|供应商")
#: Words after a firm that introduce another one, the firm actually met (宁德时代配套企业江西赣锋锂业, X旗下的Y).
_PARENT_OF = frozenset({"配套", "旗下", "下属", "子公司", "供应商", "上下游"})
#: A person's title glued to a firm's name (常州天合储能副总, 河南牧原张总): the name ends before it.
_TITLE_END = re.compile(
    r"的?(?:副总经理|总经理|副总裁|总裁|副董事长|董事长|副会长|常务副会长|会长|秘书长|副总|总监|经理|主任|部长|厂长|负责人|老板|"
    r"[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤][总董])$"
)


def _without_title(key: str, start: int, end: int) -> int:
    """Where a would-be name ends once a person's title glued to it is cut (常州天合储能副总 -> 常州天合储能)."""
    m = _TITLE_END.search(key, start, end)
    return m.start() if m and m.start() - start >= 2 else end
#: A name run forward: CJK, Latin words with digits, and digits glued to CJK that count nothing (58同城, 测试1号科技).
_NAME_RUN_FWD = re.compile(
    r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[\u4e00-\u9fff()·&]|\d{1,3}(?=[\u4e00-\u9fff])(?![\d]*[家个位名批次人条项年月日天周期万亿千百元吨亩台套]))+"
)


_GROUP_END = re.compile(r"(?:客商|协会|商会|联合会|同乡会|考察团|代表团)$")
_WENT_TO = re.compile(r"(?:赴|前往|去|到|地点\s*:?)\s*$")
_FROM_BEFORE = re.compile(r"(?:来自|总部在|总部位于|总部设在|老家在|老家是)\s*$")
_FROM_AFTER = re.compile(
    r"\s*(?:来的|来我|过来|的客商|客商|一家|某|的企业|企业|的?公司|的?厂商|的?老板|商人|的?老乡)"
)
_IN_BEFORE = re.compile(r"在\s*$")
#: A contact label: what follows is a person, even when the name is also a place's (联系人高明, 对接人江山).
_CONTACT_BEFORE = re.compile(r"(?:联系人|对接人|联络人|负责人|联系)\s*(?:是|为|:)?\s*$")
_DOING_AFTER = re.compile(r"\s*(?:做|从事|经营|开|办)")
_DESTINATION_BEFORE = re.compile(r"(?:在|赴|到|于|去|往)\s*$")


@lru_cache(maxsize=64)
def find_places(key: str) -> tuple[Span, ...]:
    """Place names; adjacent ones (佛山顺德, 江苏苏州) are one place, as written.

    Cached for the span of one message, which asks for the places of the same text and its name
    candidates several times (small on purpose: a benchmark repeating messages must not profit).
    """
    spans: list[Span] = []
    m = _place_at(key, 0)
    while m:
        start, end = m
        if end - start <= 3 and not _on_word_edges(key, start, end):
            m = _place_at(key, start + 1)  # 今天河北: 天河 straddles 今天; look again from 河
            continue
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        m = _place_at(key, end)
    return tuple(spans)


def _on_word_edges(key: str, start: int, end: int) -> bool:
    """Whether key[start:end] starts and ends where jieba cuts words in its neighbourhood.

    A short place name inside a longer word is no place (今天河北 has 天河, 潞安化工 has 安化).
    """
    lo, hi = max(0, start - 4), min(len(key), end + 4)
    edges = {lo + s for _w, s, _e in tokens(key[lo:hi])} | {hi}
    return start in edges and end in edges


def _inside(pos: int, spans: list[Span]) -> bool:
    return any(s <= pos < e for s, e in spans)


#: Organisations of people from one place living in another (北京山西商会 is in Beijing, of Shanxi people).
_CHANNEL_END = re.compile(r"商会|同乡会|异地商会|联谊会|校友会|商协会|老乡会")
#: A chamber, an association or a fellow-townsmen's club named (北京山西商会, 瑞安汽摩配行业协会): a channel.
_CHANNEL = re.compile(r"(?:商会|协会|联合会|同乡会|校友会|促进会|联谊会|商协会|老乡会)")


def find_channel(text: Text) -> str | None:
    """The 商会/协会 the contact came through, as written (a channel, not a place nor an investor's name)."""
    key = text.key
    for m in _CHANNEL.finditer(key):
        region = _extend_left(key, m.start())
        start = breaker_cut(key, region, m.start())
        if m.start() - start >= 2:
            return text.orig[start : m.end()]
    return None


def _first_of_places(key: str, start: int, end: int) -> Span:
    """The first place of a run of adjacent ones (北京|山西 in 北京山西商会)."""
    m = _place_at(key, start, end)
    return (start, m[1]) if m and m[0] == start and m[1] < end else (start, end)


def find_place(text: Text, intent: str, companies: list[Span], within: Span | None = None) -> str | None:
    """Where the liaison went (visit) or where the investor comes from (lead, reception).

    In a correction body only a place with a cue counts (赴南京, 来自南京, 南京客商). A place inside
    the project's name (`温泉康养度假区`, span `within`) says what is built, not where anyone is from.
    """
    key = text.key
    # A place that opens a placeholder name (上海某某科技有限公司) still says where the investor is from.
    # So does the place of investors named by it (温州客商, 瑞安汽摩配行业协会): a group, not a firm.
    firms = [(s, e) for s, e in companies if not _GROUP_END.search(key, s, e)]
    places = [
        _first_of_places(key, *p) if _CHANNEL_END.match(key, p[1]) else p
        for p in find_places(key)
        if (not _inside(p[0], firms) or key.startswith("某", p[1]))
        and not _CONTACT_BEFORE.search(key, max(0, p[0] - 6), p[0])
        and not (within and within[0] <= p[0] < within[1])
    ]
    if not places:
        return None

    def cut(span: Span) -> str:
        return text.orig[span[0] : span[1]]

    if intent == "visit":
        for s, e in places:
            if _WENT_TO.search(key, max(0, s - 4), s):
                return cut((s, e))
        return cut(places[0])
    for s, e in places:
        before, after = key[max(0, s - 4) : s], key[e : e + 4]
        if _FROM_BEFORE.search(before) or _FROM_AFTER.match(after):
            return cut((s, e))
        if intent == "correction":  # only where a cue says so (赴南京, 来自南京)
            if _WENT_TO.search(before):
                return cut((s, e))
            continue
        if _IN_BEFORE.search(before) and _DOING_AFTER.match(after):
            return cut((s, e))
    if intent == "correction":
        return None
    for s, e in places:
        if not _DESTINATION_BEFORE.search(key, max(0, s - 2), s) and not _BUILT_BEFORE.search(key, max(0, s - 3), s):
            return cut((s, e))
    return None


#: A place right after a build verb names what is built (建设温泉康养度假区), not where the investor is from.
_BUILT_BEFORE = re.compile(r"(?:建设|新建|投建|兴建|打造|开发|建)\s*$")


_INDUSTRY_FIELD = re.compile(
    r"(?:所属行业|所属产业|行业类别|产业类别|行业|产业)\s*(?:为|是|:)\s*([^\s,;。:!?]{2,12})"
)


@lru_cache(maxsize=1)
def _industry_words() -> Vocabulary:
    return Vocabulary(lexicon().industries | lexicon().classified)


def _crosses_word(key: str, start: int, end: int) -> bool:
    """True when some dictionary word straddles an edge of key[start:end]."""
    freq = tokenizer().FREQ
    limit = min(len(key), end + 3)
    # jieba's table holds every prefix of every word (count 0), so a fragment
    # missing from it ends the search for longer words at that start.
    for i in range(start, end):
        for j in range(end + 1, limit + 1):
            count = freq.get(key[i:j])
            if count is None:
                break
            if count:
                return True
    for i in range(max(0, start - 3), start):
        if key[i:start] not in freq:
            continue
        for j in range(start + 1, end + 1):
            count = freq.get(key[i:j])
            if count is None:
                break
            if count:
                return True
    return False


def _glued_to_latin(key: str, start: int, end: int) -> bool:
    """True when a Latin/digit edge of the hit runs on into more Latin letters or digits."""
    after = end < len(key) and key[end - 1].isascii() and key[end].isascii() and key[end].isalnum()
    before = start > 0 and key[start].isascii() and key[start - 1].isascii() and key[start - 1].isalnum()
    return after or before


#: What a firm does, said as such (做鞋材的企业, 从事玉米深加工, 搞光伏生意): the trade as written.
_DOING = re.compile(
    r"(?:做|从事|经营|专做|主营|主要生产|专业生产|搞)(?P<x>[\u4e00-\u9fffA-Za-z]{1,10}?)"
    r"(?P<end>的(?!时候|话|事|工作|不错|很好|挺好|比较|非常|还|是)|生意|行业|产业|这一?行|这块|方面|为主|[,;。\n]|$)"
)
#: Who does it, before a trade that ends its clause (`对方做树脂眼镜镜片，`, `企业做花椒油和调味料，`).
_DOER = re.compile(r"(?:企业|公司|对方|他们|客商|老板|厂家|主要|是|专门|一直)$")
#: Not a trade: what anyone does (做项目, 做投资; 做贸易的 is still a trade).
_NOT_A_TRADE = re.compile(
    r"^(?:项目|投资|企业|工作|事情|生意|实业|招商|对接|考察|调研|准备|了|好|完|过|得|大|强|个|一|些|点|这|那|什么|啥|的)|做|"
    r"走访|拜访|接待|洽谈|会见|联系|服务|引进|招引|签约|落地|帮扶|调度|包联|对口"
)
#: The investor named by its trade (榆林兰炭客商, 一家汽车座椅企业, 赤峰的牛羊肉加工客商): the words before the party.
_TRADE_PARTY = re.compile(r"(?P<x>[\u4e00-\u9fff]{1,6}?)(?:加工|生产|制造)?(?P<party>客商|企业|厂家|厂商|老板|商人|公司)")
#: Kinds of firm that say nothing of the trade (民营企业, 配套企业, 一家企业, 外地客商).
_FIRM_KIND = re.compile(
    r"(?:外资|内资|民营|私营|国有|国营|央企|龙头|骨干|配套|上市|本地|当地|外地|县内|县外|市内|省内|省外|国内|海外|境外|外商|港资|"
    r"台资|合资|独资|中小|小微|规上|规模以上|高新|重点|优质|知名|大型|中型|小型|头部|链主|领军|招商|引进|签约|在谈|意向|目标|"
    r"客户|一家|这家|那家|该|两家|几家|多家|有家|这个|那个|这位|那位|一位|几位|各|其他|相关|新|老|大|小|好|的|家)$"
)
_PARTY_BOUNDARY = re.compile(r"[,;:。\n\s的家个位有]")


def _trade_party(key: str, places: tuple[Span, ...]) -> Span | None:
    """The trade of an investor named by it: after a place, 的, 一家 or a clause start, before 客商/企业."""
    starts = [0] + [e for _s, e in places] + [m.end() for m in _PARTY_BOUNDARY.finditer(key)]
    for start in sorted(set(starts)):
        m = _TRADE_PARTY.match(key, start)
        if not m:
            continue
        x = m.group("x")
        if m.group("party") == "公司" and not (start > 0 and key[start - 1] in "家个"):
            continue  # 一家生物医药公司 says a trade; 华为公司 names a firm
        if len(x) < 2 or _FIRM_KIND.search(x) or _FIRM_KIND.match(x) or find_places(x) or _NOT_A_TRADE.search(x):
            continue
        return m.start("x"), m.end("x")
    return None


def _doing(key: str) -> Span | None:
    """What a firm does, said with a verb (做X的, 从事X行业, 对方做X，)."""
    for m in _DOING.finditer(key):
        x, end = m.group("x"), m.group("end")
        if _NOT_A_TRADE.search(x) or find_places(x):
            continue
        party = end == "的" and re.match(r"[^,;。\n]{0,4}?(?:企业|公司|客商|老板|厂家|厂商|商人|集团|外商|投资商|老乡|兄弟|人|[\u4e00-\u9fff][总董])", key[m.end():])
        if len(x) < 2 and not party:
            continue
        at_clause_end = end not in ("的", "生意", "行业", "产业") and not end.startswith(("这", "方面", "为主"))
        if at_clause_end and (not _DOER.search(key, 0, m.start()) or len(x) < 2):
            continue  # a clause ending after 做X is a trade only when a firm does it (对方做X，)
        return m.start("x"), m.end("x")
    return None


def find_industry(text: Text, companies: list[Span]) -> str | None:
    """An explicit 行业:/产业: value, a trade said as such (做鞋材的企业), else a dictionary industry word
    (outside company names first)."""
    m = _INDUSTRY_FIELD.search(text.key)
    if m:
        return text.orig[m.start(1) : m.end(1)]
    key = text.key
    said = _doing(key) or _trade_party(key, find_places(key))
    if said:
        return text.orig[said[0] : said[1]]
    industries = lexicon().industries | lexicon().classified
    found = _industry_words().finditer(key)
    outside = [f for f in found if not _inside(f[0], companies)]
    for start, end in (outside or found)[:3]:
        if _glued_to_latin(key, start, end):
            continue  # 5GW is a capacity, not 5G
        if not _crosses_word(key, start, end):
            return text.orig[start:end]
        # A dictionary word overlaps the hit's edge: let jieba decide (羽绒服饰 is 羽绒/服饰, 农业银行 is one word).
        lo, hi = max(0, start - 4), min(len(key), end + 4)
        for word, s, e in tokens(key[lo:hi]):
            if word in industries and lo + s <= start < lo + e:
                return text.orig[lo + s : lo + e]
    return None


_PROJECT_FIELD = re.compile(r"(?:项目名称|项目)\s*:\s*([^\n;,。]{2,60})")
_CONTENT_FIELD = re.compile(r"建设内容\s*(?::\s*([^\n;。]{2,80})|(?:为|是|主要为|主要是|包括)\s*:?\s*([^\n;。,]{2,60}))")
_UNDECIDED = re.compile(r"^\s*(?:待|未|暂|尚|不|还没|没有|无)")
_BUILD_VERB = re.compile(
    r"(?:建设|新建|投建|兴建|扩建|打造|上马|新上|设立|转移|谋划|建(?![设成材筑议立档])|设(?=个?厂)|"
    r"办(?![理公事法好完成])|开(?=个|一个|一家|了个|家|厂)|(?:搞|弄|整|上|落)(?=了?一?[个座条家间片])|"
    r"搞(?![好定活清懂到了过])|盖(?=了?[一几两三四五\d]*[个座栋间幢])|建(?=了?[一几两三四五\d]*[个座栋间幢])|"
    r"做(?=[^,;。\s的]{1,12}?(?:基地|冷库|库|厂|车间|中心|园|场|项目|深加工)))\s*"
)
#: A production line or plant moved here (把SMT贴片线搬过来, 将一条注塑生产线迁到我县).
_MOVED_LINE = re.compile(
    r"(?:把|将)\s*(?:一条|一个|一座|部分|一部分)?(?P<what>[^,;。\s\x00]{1,12}?(?:生产线|产线|线|车间|工厂|厂))"
    r"\s*(?:整体|全部|逐步)?(?:搬迁|搬|迁|转移|转)"
)
#: Capacity moved here (把产能转过来, 将部分业务迁到我县): the move is the project (a plant moved is found by its noun).
_RELOCATION = re.compile(
    r"(?:把|将)\s*(?P<what>(?:[\u4e00-\u9fff,]{0,10}?)(?:产能|业务|订单|产业))"
    r"\s*(?:整体|全部|部分|逐步)?(?:转移|转|搬迁|搬|迁)(?:过来|过去|到[^,;。\s]{0,6}|来)"
)
_PROJECT_SUFFIX = re.compile(
    r"项目|工程|生产线|生产基地|基地|产业园|物流园|园区|中心|综合体|工厂|加工厂|厂(?!房)|车间|电站|仓库|农场|园|"
    r"冷库|大厦|大楼|酒店|市场|医院|学校|平台|养殖场|牧场|(?<=[\u4e00-\u9fffA-Za-z]{2})站|大棚|温室|仓(?![库储])|(?<=[冷藏调储])库|民宿|农庄|庄园|码头|厂房|厨房|度假区|(?<=[\u4e00-\u9fff]{2})(?:精深加工|深加工)|(?<=[制务究诊])所|(?<=[\u4e00-\u9fff]{2})场(?![地景面合次所])|"
    r"(?<=[\u4e00-\u9fffA-Za-z])线(?![索上下路])"
)
#: What an investor wants to make (想做光伏边框, 打算搞枸杞深加工), when nothing else names the project.
_WANTS_TO_MAKE = re.compile(
    r"(?:想|打算|准备|要|拟|计划)(?:来|在[^,;。\s]{1,6})?(?:做|搞|上|干)(?:个|点)?(?P<x>[\u4e00-\u9fffA-Za-z]{2,10})(?=[,;。\s]|$)"
)
#: A phrase standing between spaces (as voice input and quick notes write a record's parts).
_CHUNK = re.compile(r"(?:(?<=\s)|^)([\u4e00-\u9fffA-Za-z]{3,20})(?=\s|$)")
#: Words that point at a project without saying what it is (具体项目, 相关项目, 这个项目).
_VAGUE_PROJECT = re.compile(r"具体|相关|有关|这个|那个|该|此|什么|哪个|哪些|新的?|好的?|重点|重大|大")
#: A question word right before 项目 (具体上什么项目还没说): no project named.
_ASKED_PROJECT = re.compile(r"(?:什么|啥|哪个|哪些|哪一个)$")
#: A build word right before the project word (农田建设项目, 道路改造工程): part of the project's name.
_BUILT_NOUN = re.compile(r"(?:建设|改造|提升|新建|扩建|开发)$")
#: What a project is without a build verb before it (`把一条涂布生产线搬过来`, `落地一个原料药项目`).
_PROJECT_WORD = re.compile("(?:项目|生产线|生产基地|工厂|产业园)+")
#: A count word opening a project (`一条`, `个`): not part of its name.
_QUANTIFIER = re.compile(r"^(?:一?[个条座家所处套批]|了个|一期|一些)")
_CLAUSE_CHAR = re.compile(r"[^\s,;。:!?()\x00]")
#: A project word with no content before it (办个项目, 上个工程).
_GENERIC_PROJECT = re.compile(r"项目|工程|基地|园区|平台|中心")
#: A light verb and a count word before a project word: what they bring carries no content (搞个, 上个).
_VAGUE = re.compile(r"(?:搞|弄|上|做|干|整|引|投|办|建|落)(?:了?一?个|点|些|几个)")
#: Build verbs whose object is the project even when no project word follows (建设高标准农田).
_STRONG_BUILD = re.compile(r"建设|新建|投建|兴建|扩建|改建|实施")
#: That object: up to the clause end, a figure, or a word about the investment instead of the build.
_BUILD_OBJECT = re.compile(
    r"[\u4e00-\u9fffA-Za-z][^\s,;。:!?()\x00\d]{1,19}?(?=[\s,;。:!?()\x00\d]|投资|总投|预计|计划|约|占地|用地|已|正在|将|今[天日年]|本月|于|了|$)"
)
#: What follows a build verb without being built (建设内容, 建设周期, 建设中, 建设完成).
#: Also an adverb or a state after 建设 used as a noun (项目建设顺利推进, 厂房建设已完成): nothing named.
_NOT_AN_OBJECT = re.compile(
    r"内容|周期|进度|工期|期限|完成|好|了|的|用地|方案|手续|资金|规模|地点|单位|方(?![\u4e00-\u9fff])|情况|阶段|过程|"
    r"顺利|已|正|将|加快|加速|稳步|有序|全面|基本|持续|推进|进展|为|成|完|开始|启动|工作|任务|按|如期|提速|主体"
)


def _masked(key: str, spans: list[Span]) -> str:
    chars = list(key)
    for s, e in spans:
        chars[s:e] = "\x00" * (e - s)
    return "".join(chars)


def find_project(text: Text, companies: list[Span]) -> str | None:
    """What will be built, as written, without the amount; None when 待定/未定."""
    key = text.key
    m = _PROJECT_FIELD.search(key)
    if m:
        value = m.group(1).strip()
        if _UNDECIDED.search(value):
            return None
        return text.orig[m.start(1) : m.start(1) + len(value)]
    masked = _masked(key, companies) if companies else key
    places = find_places(key)
    for verb in _BUILD_VERB.finditer(masked):
        if any(s <= verb.start() < e for s, e in places):
            continue  # the 建 of 福建 builds nothing
        end = verb.end()
        while end < len(masked):
            if masked[end] == "(" and (close := masked.find(")", end, end + 14)) > end:
                end = close + 1  # 水处理剂（聚合氯化铝）生产项目: a bracket inside the name
                continue
            if not _CLAUSE_CHAR.match(masked[end]):
                break
            end += 1
        clause = masked[verb.end() : end]
        if clause.startswith("内容"):
            continue
        last = None
        for suffix in _PROJECT_SUFFIX.finditer(clause):
            last = suffix
        if last:
            lead = _QUANTIFIER.match(clause)
            start = verb.end() + (lead.end() if lead and lead.end() < last.start() else 0)
            if _GENERIC_PROJECT.fullmatch(clause, lead.end() if lead else 0, last.end()) or re.fullmatch(
                    rf"(?:{_VAGUE_PROJECT.pattern})(?:项目|工程)", clause[lead.end() if lead else 0 : last.end()]):
                continue  # 办个项目, 上什么项目: the word project alone says nothing will be built yet
            if lead and lead.end() == last.start() and last.end() - last.start() == 1:
                return text.orig[verb.start() : verb.end() + last.end()]  # 建个厂, 建个仓: one noun says little alone
            if verb.end() + last.end() - start >= 2:
                return text.orig[start : verb.end() + last.end()]
            if last.end() - last.start() == 1 and masked[verb.start()] in "设办开建":
                return text.orig[
                    verb.start() : verb.end() + last.end()
                ]  # 在我县设厂: the plant is the project
    moved = _RELOCATION.search(masked)
    if moved:
        return text.orig[moved.start("what") : moved.end()]
    line = _MOVED_LINE.search(masked)
    if line:
        return text.orig[line.start("what") : line.end("what")]  # 把SMT贴片线搬过来: the line moved is the project
    for m in _PROJECT_WORD.finditer(masked):
        start = m.start()
        while start > 0 and _CLAUSE_CHAR.match(masked[start - 1]):
            start -= 1
        region = start
        start = breaker_cut(key, start, m.start(), project=True)
        built = _BUILT_NOUN.search(key, region, start)
        if start == m.start() and built and built.end() == start:
            # 高标准农田建设项目: 建设 names the project's kind here, the field it builds comes before it
            start = breaker_cut(key, region, built.start(), project=True)
        for vague in _VAGUE.finditer(key, start, m.start()):
            start = vague.end()  # 搞个养殖项目 -> 养殖项目; 搞个项目 has no content, so no project yet
        lead = _QUANTIFIER.match(key[start : m.start()])
        if lead:
            start += lead.end()
        if (m.start() - start >= 2 and not _VAGUE_PROJECT.fullmatch(key, start, m.start())
                and not _ASKED_PROJECT.search(key, start, m.start())):
            end = m.end()
            while (more := _PROJECT_WORD.match(masked, end)) is not None:
                end = more.end()  # 复合材料生产线项目: the name runs to its last project word
            return text.orig[start:end]
    for verb in _STRONG_BUILD.finditer(masked):
        obj = _BUILD_OBJECT.match(masked, verb.end())
        # 建设高标准农田: what 建设 builds is the project, though no project word follows
        if obj and not _NOT_AN_OBJECT.match(obj.group(0)):
            lead = _QUANTIFIER.match(obj.group(0))
            start = obj.start() + (lead.end() if lead and lead.end() <= len(obj.group(0)) - 2 else 0)
            return text.orig[start : obj.end()]
    wants = _WANTS_TO_MAKE.search(masked)
    if wants and not _NOT_A_TRADE.search(wants.group("x")):
        return text.orig[wants.start("x") : wants.end("x")]
    for chunk in _CHUNK.finditer(masked) if " " in masked.strip() else ():
        last = max(_PROJECT_SUFFIX.finditer(chunk.group(1)), key=lambda m: m.end(), default=None)
        if last is not None and last.end() == len(chunk.group(1)) and len(chunk.group(1)) >= 3:
            return text.orig[chunk.start(1) : chunk.end(1)]  # `线索 X公司 文旅康养度假区 3亿港元`: a chunk of its own
    c = _CONTENT_FIELD.search(key)
    group = 1 if c and c.group(1) else 2  # `建设内容：…` runs to the line's end, `建设内容为…` to the clause's
    if c and not _UNDECIDED.search(c.group(group)):
        return text.orig[c.start(group) : c.end(group)].strip().rstrip(",，、 ")
    return None
