"""Build `nlp/places.txt`, the gazetteer of Chinese administrative divisions, from cpca's adcode list.

Why a generated file and not a run-time dependency: cpca (MIT, DQinYuan/chinese_province_city_area_mapper)
pulls in pandas and pyahocorasick (~60 MB) to read one 150 kB CSV; the parser needs only the names.
The output is plain text (name, tab, level) that `nlp.entities` loads once, lazily.

Reproduce (the wheel is only read, never installed):

    pip download --no-deps cpca==0.5.5 -d /tmp/cpca
    python nlp/data/build_places.py /tmp/cpca/cpca-0.5.5-py3-none-any.whl

Levels: `P` province, `C` prefecture, `D` county-level (county, county-level city, district, banner).
Each division is written in its full form (`昆山市`, `浦东新区`) and its short form, the name without
the administrative suffix and ethnic-autonomy words (`昆山`, `浦东`, `甘南藏族自治州` -> `甘南`).
A short form is left out when it is one character, when it is in EVERYDAY (来宾, 合作 …), or when
jieba's own dictionary knows it as an ordinary word: for a county or district, a tag other than
place/name with frequency >= 100 (通道, 富民) or any non-place tag with frequency >= 1000 (和平);
for a city (…市), only a non-place word of frequency >= 5000 (or any word >= 20000). Hand-kept zones, regions
and foreign places live in `nlp/dict.txt` (tags nsz, nsr, nsc) and are merged in when the parser loads.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from pathlib import Path

import jieba

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "places.txt"
EXTRA = HERE / "places_extra.txt"
#: Full names that are ordinary words, or placeholders in the adcode list, never places of their own.
GENERIC_FULL = {
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "城区",
    "郊区",
    "矿区",
    "新区",
}
#: jieba tags that mark a word as (possibly) a proper name; anything else is an ordinary word.
NAME_TAGS = {"ns", "nz", "nr", "nrt", "nrfg", "nt"}
#: Above this jieba frequency even a name-tagged word is mostly used as a common word (和平 7998 nz).
COMMON_FREQ = 1000
#: A city (…市) keeps its short form unless jieba counts it this often as another word (合作 13478).
CITY_COMMON_FREQ = 5000
#: Short forms that chat uses as ordinary words whatever jieba says (接待来宾).
EVERYDAY = {
    "来宾",
    "合作",
    "开放",
    "安全",
    "和平",
    "东方",
    "光明",
    "新民",
    "富民",
    "大方",
    "通道",
    "长寿",
    "永和",
    "江山",
    "高密",
    "商城",
    "新建",
    "灯塔",
    "平原",
    "古城",
    "太平",
    "河口",
    "中原",
}
#: Below this frequency an ordinary-tagged word is rare enough to be read as the place (海门 51 n).
RARE_FREQ = 100


def _level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "P"
    if code[4:] == "0" * 8:
        return "C"
    return "D"


def _jieba_words() -> dict[str, tuple[int, str]]:
    path = Path(jieba.__file__).with_name("dict.txt")
    words: dict[str, tuple[int, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            words[parts[0]] = (int(parts[1]), parts[2])
    return words


def short_form(name: str, nations: list[str]) -> str:
    """`甘南藏族自治州` -> `甘南`, `昆山市` -> `昆山`, `浦东新区` -> `浦东`."""
    ethnic = "|".join(sorted({n.removesuffix("族") for n in nations if len(n) > 1}, key=len, reverse=True))
    stem = re.sub(r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|新区|省|市|县|区|盟|旗)$", "", name)
    bare = re.sub(rf"(?:(?:{ethnic})族?)+$", "", stem)
    return bare if len(bare) >= 2 else stem  # 内蒙古 and 西藏 are names, not 内 + 蒙古


def _is_common(word: str, jieba_words: dict[str, tuple[int, str]], city: bool) -> bool:
    """Whether the short form is mostly an everyday word; jieba's place tag always wins."""
    if word in EVERYDAY:
        return True
    known = jieba_words.get(word)
    if known is None:
        return False
    freq, tag = known
    if city:  # a city's short form is how people name it (仙桃, 大冶): only very common words lose
        return freq >= (COMMON_FREQ if tag == "ns" else CITY_COMMON_FREQ) and tag != "ns" or freq >= 20000
    return (tag not in NAME_TAGS and freq >= RARE_FREQ) or freq >= COMMON_FREQ


def build(wheel: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(wheel) as zf:
        adcodes = zf.read("cpca/resources/adcodes.csv").decode("utf-8")
        nations = zf.read("cpca/resources/56_nations.csv").decode("utf-8").split()
    jieba_words = _jieba_words()
    out: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(adcodes)):
        name, level = row["name"].strip(), _level(row["adcode"])
        if name in GENERIC_FULL or not name:
            continue
        out.setdefault(name, level)
        short = short_form(name, nations)
        if len(short) < 2 or short == name or short in out:
            continue
        # Provinces and prefectures keep their short form unless it is an everyday word (来宾).
        known = jieba_words.get(short)
        named = level in "PC" and known is not None and known[1] in NAME_TAGS and short not in EVERYDAY
        if not named and _is_common(short, jieba_words, city=name.endswith("市")):
            continue  # provinces and prefectures that jieba tags as names always keep their short form
        out[short] = level
    return sorted(out.items(), key=lambda item: (item[1], item[0]))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    rows = build(Path(argv[1]))
    header = (
        "# Generated by nlp/data/build_places.py from cpca 0.5.5 (MIT) adcodes.csv; do not edit by hand.\n"
        "# name<TAB>level (P province, C prefecture, D county-level)\n"
    )
    OUT.write_text(header + "".join(f"{n}\t{lv}\n" for n, lv in rows), encoding="utf-8")
    print(f"{len(rows)} names -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
