"""Message clean-up and a matching copy of the text.

Rules match on `key`: a simplified, half-width copy with exactly the same length as
the cleaned original, so every span found in `key` can be cut from `orig` and values
come back "as written" (traditional stays traditional).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

#: Longest input analysed; anything beyond is ignored to keep parsing bounded in time.
MAX_CHARS = 4000

_MENTION = re.compile(r"^\s*(?:@\S{1,20}[\s\u2005\u00a0]+)+")
#: A leading 【城关镇】 names the sender's unit; 【通知】/【紧急通报】/【公告】 says what the message is, and stays.
_UNIT_TAG = re.compile(r"^\s*【(?![^】\n]{0,4}(?:通报|通知|公告)】)[^】\n]{1,20}】\s*")
_WECHAT_EMOJI = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,4}\]")
_SPACES = re.compile(r"[ \t\u3000\u00a0\u2005]+")

_HALF_WIDTH = {
    "：": ":",
    "，": ",",
    "；": ";",
    "（": "(",
    "）": ")",
    "～": "~",
    "、": ",",
    "！": "!",
    "？": "?",
    "＃": "#",
    "－": "-",
    "—": "-",
    "–": "-",
    "\u3000": " ",
    "．": ".",
    "％": "%",
    "＠": "@",
}


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """One simplified character per traditional one (from OpenCC's TSCharacters)."""
    table: dict[int, str] = {}
    try:
        import opencc

        path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            src, _, dst = line.partition("\t")
            target = dst.split(" ")[0] if dst else ""
            if len(src) == 1 and len(target) == 1:
                table[ord(src)] = target
    except Exception:  # matching degrades to simplified-only, never fails
        table = {}
    for ch, half in _HALF_WIDTH.items():
        table[ord(ch)] = half
    for code in range(0xFF10, 0xFF1A):  # full-width digits
        table[code] = chr(code - 0xFF10 + 0x30)
    for code in range(0xFF21, 0xFF3B):
        table[code] = chr(code - 0xFF21 + 0x41)
    for code in range(0xFF41, 0xFF5B):
        table[code] = chr(code - 0xFF41 + 0x61)
    return table


def to_key(text: str) -> str:
    """Simplified, half-width copy of `text`, one character for one character; Cantonese and Minnan words
    liaisons type in the south read as the Mandarin they stand for (`签咗约` as `签了约`), length kept."""
    key = text.translate(_t2s_table())
    if len(key) != len(text):
        return text
    if _DIALECT_HINT.search(key):
        key = _DIALECT.sub(lambda m: _DIALECT_WORDS[m.group(0)], key)
    return key


#: Dialect words and the Mandarin of the same length (Cantonese: 咗 嘅 喺 我哋 睇 嚟 …; Minnan: 头家, 阮镇).
#: Only characters and phrases that are not also ordinary Mandarin are read so (系 alone, 话, 伊 stay as written).
_DIALECT_WORDS = {
    "咗": "了", "嘅": "的", "喺": "在", "哋": "们", "睇": "看", "嚟": "来", "啲": "些", "嗰": "那", "冇": "没",
    "唔": "不", "琴日": "昨天", "寻日": "昨天", "听日": "明天", "应该系": "应该是", "就系": "就是", "唔系": "不是",
    "系咪": "是不", "点用": "咋用", "点样": "怎样", "搞掂": "搞定", "头家": "老板", "阮镇": "我镇", "阮县": "我县",
    "帮手": "帮忙", "礼拜": "星期",
}
_DIALECT = re.compile("|".join(sorted(map(re.escape, _DIALECT_WORDS), key=len, reverse=True))
                      + r"|倾(?=了|咗|下|过)|(?<=[一二两三四五六七八九十\d])间(?=[^车])|欲(?=来|去|投|在)")
_DIALECT_WORDS.update({"倾": "谈", "间": "家", "欲": "要"})
_DIALECT_HINT = re.compile(r"[咗嘅喺哋睇嚟啲嗰冇唔倾间欲]|琴日|寻日|听日|系|点用|点样|搞掂|头家|阮|帮手|礼拜")


#: Emoji, pictographs, variation selectors, lone surrogates, private use and control characters.
_JUNK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf"
    "\u2b00-\u2bff\u3030\u303d\u3297\u3299\ud800-\udfff\ue000-\uf8ff\ufe00-\ufe0f\U0001f000-\U0001faff"
    "\U000e0000-\U000e007f]"
)


def _storable(text: str) -> str:
    """Drop what no store keeps: NUL and the other control characters (PostgreSQL refuses NUL) and lone
    surrogates (not encodable as UTF-8); newlines and tabs stay (a pasted table's cells are parted by tabs)."""
    return "".join(
        ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f" and not "\ud800" <= ch <= "\udfff")
    )


def _tidy(text: str) -> str:
    """What the parser reads: the message minus what carries no report content (@mentions, 【unit】
    tags, emoji, control characters), spaces folded, at most `MAX_CHARS` long.

    Leading @mentions are dropped here although the AI-bot wire (`bot.wecom.aibot_wire`) drops WeCom's
    own `@招商助手` before the core sees the message: the command line (`zsbot say`, `zsbot parse`) and
    the other channels hand the text over as typed, and `@招商助手 线索：…` must read as `线索：…`
    there too (without this, the label would not open the message and the lead would lose its label).
    Several mentions (`@张三 @招商助手 …`) go as well, where the wire drops only the first."""
    text = _JUNK.sub("", text[:MAX_CHARS])
    if "@" in text:
        text = _MENTION.sub("", text)
    if "【" in text:
        text = _UNIT_TAG.sub("", text)
    if "[" in text:
        text = _WECHAT_EMOJI.sub("", text)
    if "\n" not in text and "\r" not in text:
        return _SPACES.sub(" ", text).strip()
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return text.strip()


class Cleaned(str):
    """One message, cleaned once (made by `clean`; `parse` takes it as it is and cleans nothing again).

    The string itself is the message as written minus what no store can keep (`_storable`): what the
    message log keeps, what a reply may quote, and what the length limit counts (`too_long`), so a
    message's emoji and spaces count as the sender sees them. `text` is what the parser reads: junk,
    mentions and unit tags gone (`_tidy`), with its simplified, half-width matching copy."""

    def __new__(cls, raw: str) -> Cleaned:
        return super().__new__(cls, _storable(raw))

    @cached_property
    def text(self) -> Text:
        """What the parser reads, made on first use: a message refused for its length is never tidied."""
        tidy = _tidy(self)
        return Text(tidy, to_key(tidy))

    def too_long(self, limit: int) -> bool:
        """More characters than `limit` (the setting `reporting.max_message_chars`)."""
        return len(self) > limit

    @property
    def empty(self) -> bool:
        """Nothing but blanks was sent (a message of emoji alone is not empty: it is answered as talk)."""
        return not self.strip()


def clean(text: str) -> Cleaned:
    """The one clean-up of a message: what may be stored, what counts towards the length limit, and what
    the parser reads. The handlers call it once per message; `parse` calls it for text not cleaned yet."""
    return text if isinstance(text, Cleaned) else Cleaned(text)


@dataclass(frozen=True, slots=True)
class Text:
    """A cleaned message and its aligned matching copy."""

    orig: str
    key: str

    def sub(self, start: int, end: int) -> Text:
        return Text(self.orig[start:end], self.key[start:end])

    def strip(self) -> Text:
        start, end = 0, len(self.key)
        while start < end and self.key[start] in " \n\t,.;:":
            start += 1
        while end > start and self.key[end - 1] in " \n\t,.;:":
            end -= 1
        return self.sub(start, end)
