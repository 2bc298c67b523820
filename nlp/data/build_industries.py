"""Build `nlp/industries.txt`, the industry lexicon, from GB/T 4754-2017 and the 战略性新兴产业分类(2018).

Why a generated file and not a run-time dependency: the classification is a 2.7 MB JSON tree with long
descriptions; the parser needs only the short trade words a liaison writes (锂离子电池, 棉纺纱, 蔬菜) and the
code each came from. The output is plain text (word, tab, code, tab, official name), loaded once, lazily.

Source: the JSON tree of swifthu/industrial_classifi on GitHub, file `data/industry_tree_advanced.json` at
commit 0594ba85fa3263352b8628adf16ee9a39d07c024 (sha256 9ea8c6e2391e6ba34db266a336bde4470824e0e4103a4ec66d16412c3a937434).
The repository has no licence file; what is read from it is the text of the national classifications, which
it transcribes: GB/T 4754-2017 国民经济行业分类 as amended by its 第1号修改单 (2019) — 20 门类, 97 大类, 473 中类,
1,382 小类 — and, as tags on the 小类, the 战略性新兴产业分类(2018) (国家统计局令第23号). Only category names are
read; the ~4,400 "重点产品和服务" of the latter are not (technical specs: 碲化镉, 钼靶, 高强碳纤维(拉伸强度≥4.9GPa…)).

Reproduce (the file is only read):

    curl -L -o /tmp/industry_tree_advanced.json https://raw.githubusercontent.com/swifthu/industrial_classifi/0594ba85fa3263352b8628adf16ee9a39d07c024/data/industry_tree_advanced.json
    python nlp/data/build_industries.py /tmp/industry_tree_advanced.json

(or, from a clone of the repository, `git show 0594ba85fa32:data/industry_tree_advanced.json` as the first step;
the script warns when the file's sha256 is not the pinned one.)

Rules, in order, for each official name (`锂离子电池制造`, `汽车零部件及配件制造`, `牛的饲养`). 门类 S (public
administration: 人民法院, 中国共产党机关) and T (国际组织) are skipped: no liaison reports them as a trade.
1. Clean: full-width brackets to ASCII; `人造纤维(纤维素纤维)`, `三维(3D)打印` give both phrases; `羽毛(绒)` and
   `瓶(罐)装` give both words (BRACKETS); any other bracket (`货运枢纽(站)`, `(所、站)`) is dropped; 类似 is dropped.
   NAME_FIXES corrects the source's typos against the standard.
2. Strip the tails that contain a conjunction (生产和供应业, 开采和洗选业, 专业及辅助性活动 …), then split on
   、 和 及 与 或, and on 等 except in 初等/中等/高等. `X的Y` keeps Y (儿童乘骑玩耍的童车类产品) unless Y is only a
   tail (牛的饲养 -> 牛).
3. The last piece loses its sector ending first (SECTOR_ENDINGS: 制造业, 服务业, 产业, 业 …), never below two
   characters (制鞋业 -> 制鞋, 新能源产业 -> 新能源, 农业 stays) and only as the name's own ending (公共就业服务
   keeps 就业). Then each piece loses its leading words in LEADS (其他, 未列明, 常用, 提供 …) and, repeatedly, the
   generic tails in TAILS (制造, 加工, 种植, 养殖, 批发, 零售, 服务 …); a tail that would leave one character leaves
   that character, which rule 6 drops (绳、索、缆制造 -> 缆).
4. Shorter forms, kept beside the full piece: without 类 (柑橘类 -> 柑橘), without 专用 (纺织专用设备 -> 纺织设备),
   without a QUALITY word (高性能碳纤维 -> 碳纤维), without 制品/用品 (玻璃制品 -> 玻璃; not 日用品).
5. A modifier is not a product: pieces before a shared use-modified head (`食品、酒、饮料及茶生产专用设备`,
   `医疗、外科及兽医用器械`; not `泵、阀门、压缩机及类似机械` nor `铁路、船舶…和其他运输设备`, whose pieces are
   instances), pieces of at most two characters before …材料 (`隔热和隔音材料`), and a list of single characters
   (`农、林、牧、渔专用机械`: 渔机械) give no word from that name.
6. Drop: fewer than 2 or more than 8 characters; anything but Chinese characters, Latin letters and digits; the
   hand-kept GENERIC words (其他, 专用, 设备, 用品, 制品, 服务, 配件, 信息 …) and words opening with 其 or 制品;
   place names (nlp/places.txt, or jieba tag ns with frequency >= 1000, PLACE_FREQ: 海洋 4068, not the mis-tagged
   墨水 128 or 密封 502); everyday words by jieba's bundled dictionary (the dict.txt behind jieba.dt.FREQ, read with
   its tags): a word tagged r/a/ad/d/b/c/p/u/m/mq/q/f/t/s/z/ul/uj (一般, 公共, 零部件), a verb (v) of frequency
   >= 1000 (EVERYDAY_VERB_FREQ: 会计, 审计, 计算), any word of frequency >= 20000 (EVERYDAY_FREQ: 工业, 文化,
   会议). KEEP lists the trades those rules would drop (教育 23961 vn, 出版 5962 v, 典当 a …).
7. One line per word. Its code is, in this order of preference: from a name that makes or grows it rather than
   one that sells, rents, repairs, stores or supports it (SECONDARY: 汽车 -> C36 汽车制造业, not L7111 汽车租赁);
   from GB/T 4754 rather than a 战略性新兴产业 category; from a name of which it is the whole stem (食品 -> C14
   食品制造业, not C1495 食品及饲料添加剂制造); the piece itself rather than a shorter form (医药 -> C27, not
   C2770 …医药用品); not a catch-all 其他…/未列明 category; the most specific (小类 over 中类 over 大类 over 门类).
   A 战略性新兴产业 category's code is the deepest GB/T code common to all the 小类 it tags, if at least a 大类;
   else the first tagged 小类 (门类 A–D first) whose name contains the category's stem (风能产业 -> C3415
   风能原动设备制造); else the 大类 holding most of its tagged 门类 C 小类 (生物医药产业 -> C27).
   ALIASES, hand-kept, add everyday forms that no official name contains (锂电, 光伏, 汽配, 预制菜, 童装, 物流) and
   win over derived words (服装 -> C18, whose only official source is F5132 服装批发).

`-v` after the path lists every dropped word under its rule.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.data.build_places import _jieba_words  # the gazetteer's reader of jieba's words, tags and counts

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "industries.txt"
PLACES = HERE.parent / "places.txt"
SOURCE_COMMIT = "0594ba85fa3263352b8628adf16ee9a39d07c024"
SOURCE_SHA256 = "9ea8c6e2391e6ba34db266a336bde4470824e0e4103a4ec66d16412c3a937434"
SEI = "战略性新兴产业"


def _words(text: str) -> list[str]:
    """A hand-kept word table, written as space-separated words."""
    return text.split()


#: 门类 not read: public administration and international organisations are no trade.
SKIPPED_SECTIONS = frozenset({"S", "T"})

#: Typos of the source against the published standard, by code (without the 门类 letter).
NAME_FIXES = {
    "3445": "液力动力机械元件制造",
}
#: Brackets that hold a one-character alternative: both words are kept.
BRACKETS = {"羽毛(绒)": "羽毛、羽绒", "瓶(罐)装": "瓶装、罐装"}
#: Tails that contain a conjunction: removed from the whole name before it is split.
COMPOUND_TAILS = re.compile(
    r"(?:生产和供应业?|开采和洗选(?:专业及辅助性活动|业)?|开采洗选|冶炼和压延加工业|专业及辅助性活动|"
    r"及其他相关服务|及相关服务|及相关法律服务|研究和试验发展|修理与维护|经营租赁|及辅助设备)(?:制造|加工)?$"
)
#: Generic tails stripped from each piece, longest first, repeatedly (`棉印染精加工` -> 棉印染).
TAILS = sorted(
    _words(
        "制造 加工 加工处理 初加工 初级加工 精加工 印染精加工 染整精加工 制作 生产 种植 养殖 饲养 "
        "捕捞 采运 采集 采选 开采 洗选 冶炼 压延 批发 零售 专门零售 服务业 服务 产业 行业 活动 "
        "修理 维修 租赁 出租 经营 拍卖 辅助性活动 相关服务 产品 销售 代理 工程建筑 工程施工 施工 "
        "织造 鞣制 育种 培育 提取 处理 技术推广 推广 其他"
    ),
    key=len,
    reverse=True,
)
#: Leading words that only qualify (`其他谷物` -> 谷物, `常用有色金属` -> 有色金属).
LEADS = ("其他未列明", "其他", "未列明", "未包括", "常用", "提供", "一般")
#: Sector endings taken off the last piece of a name before anything else (制鞋业 -> 制鞋, 新能源产业 -> 新能源).
SECTOR_ENDINGS = re.compile(r"(?:制造业|加工业|服务业|(?<!地)产业|行业|业)$")
#: A name that sells, rents, repairs, stores or supports the thing rather than makes or grows it.
SECONDARY = re.compile(
    r"(?:批发|零售|销售|租赁|租赁经营|出租|修理|维修|维护|代理|拍卖|仓储|辅助性活动|辅助活动|相关服务|技术推广服务|"
    r"工程施工|工程建筑)(?:服务|业|活动)?$"
)
#: Quality words before a product: the bare product is kept beside the full form (高性能碳纤维, 碳纤维).
QUALITY = ("高性能", "高品质", "高端", "先进", "新型", "高纯", "特种", "优质", "高强度")
#: Heads whose modifiers name a use, not a product (`食品、酒、饮料及茶生产专用设备`).
SHARED_HEADS = re.compile(
    r"(?:设备|机械|器材|仪器|仪表|装备|器械|机具|装置|工具|零件|部件|配件|元件|器件|器具|标牌|灯)$"
)
#: Too generic to name a trade on its own (hand-kept).
GENERIC = frozenset(
    _words(
        "其他 专用 通用 设备 用品 制品 服务 产品 材料 配件 零件 部件 元件 器件 器材 器具 器械 "
        "工具 机械 装置 装备 仪器 仪表 容器 附件 组件 零配件 辅机 原料 燃料 物品 相关 专业 "
        "活动 管理 工程 技术 研究 设施 系统 类似品 日用品 有关物品 金属 非金属 制成品 专用设备 "
        "通用设备 专用机械 专用仪器 相关设备 配套设备 辅助设备 化学 化学品 专用化学 专项化学 "
        "化学用品 日用 日用化学 机构 组织 中心 单位 动力 能源 资源 应用 融合 创新 创业 新技术 "
        "生产 制造 加工 分配 利用 更新 调查 咨询 监测 检测 试验 发展 设计 推广 保护 治理 维护 "
        "经纪 交易 投资 保障 救助 帮助 收集 准备 拆除 支持 处理 存储 传输 接入 零售 批发 运输 "
        "修理 维修 租赁 信息 综合 办公 代理 修复 噪声 智能 网络 营养 海水 内陆 副产品 纤维 "
        "碎屑 改培 管护 交通 商务 信用 贸易 其他相关 关键 重大 供能 数字 电子 电子产品 日用产品 "
        "家庭用品 原辅料 试验发展 运行维护 捕捉动物 土木 养护 气体 齿轮减 高分子光 高储能 "
        "麻纤维纺前 相关物品 相关装置 相关设施 生物业 服务业 制造业 安全 生物 环境 居民 家庭 电气"
    )
)
#: jieba tags that mark a function word or a descriptive word, never a trade (其他 r, 一般 a, 公共 b).
EVERYDAY_TAGS = frozenset(_words("r a ad d b c p u m mq q f t s z ul uj"))
#: A place name this frequent in jieba's dictionary is read as a place (海洋 4068; not 墨水 128, 密封 502).
PLACE_FREQ = 1000
#: A verb this frequent in jieba's dictionary is an everyday verb (相关 12463, 安装 2382, 维修 1678).
EVERYDAY_VERB_FREQ = 1000
#: Any word this frequent is an everyday word (技术 37664, 社会 43401, 产品 22801).
EVERYDAY_FREQ = 20000
#: Trades that jieba counts as everyday words: kept whatever the rules above say.
KEEP = frozenset({"教育", "出版", "展览", "翻译", "典当"})
#: Hand-kept everyday forms that no official name contains: word -> GB/T 4754-2017 code.
ALIASES = {
    "锂电": "C3841",  # 锂离子电池制造
    "锂电池": "C3841",
    "动力电池": "C3841",
    "光伏": "C3825",  # 光伏设备及元器件制造
    "储能": "C3849",  # 其他电池制造
    "新能源": "D441",  # 电力生产
    "风电": "D4415",  # 风力发电
    "新能源汽车": "C3612",  # 新能源车整车制造
    "预制菜": "C1439",  # 其他方便食品制造
    "童装": "C1819",  # 其他机织服装制造
    "母婴": "F5239",  # 其他日用品零售
    "汽配": "C3670",  # 汽车零部件及配件制造
    "建材": "C3039",  # 其他建筑材料制造
    "化工": "C26",  # 化学原料和化学制品制造业
    "家电": "C385",  # 家用电力器具制造
    "芯片": "C3973",  # 集成电路制造
    "钢材": "C3130",  # 钢压延加工
    "机床": "C342",  # 金属加工机械制造 (数控机床, 机床 alone)
    "液化气": "D4512",  # 液化石油气生产和供应业
    "医疗器械": "C358",  # 医疗仪器设备及器械制造 (split by rule 2 into 医疗仪器设备 + 器械)
    "鞋材": "C195",  # 制鞋业
    "母婴用品": "F5239",  # 其他日用品零售
    "婴童用品": "F5239",
    "物流": "G",  # 交通运输、仓储和邮政业: the names say 运输, 仓储, 配送, never 物流
    "冷链": "G5930",  # 低温仓储
    # derived words whose only official source sells them (服装批发, 化肥批发): the maker's code instead
    "服装": "C18",  # 纺织服装、服饰业
    "化肥": "C262",  # 肥料制造
}


@dataclass(frozen=True, slots=True)
class Category:
    code: str  # with the 门类 letter: C3841, C384, C38, or the letter alone
    name: str
    sei: bool = False  # a 战略性新兴产业 category (its code is the GB/T code chosen for it)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    product: bool  # False: a modifier of a shared head in this name (食品 in 食品…专用设备)
    secondary: bool  # True: the name sells, rents, repairs or supports it (汽车租赁, 农业专业及辅助性活动)
    short: bool  # True: a shorter form of the piece (玻璃 of 玻璃制品), not the piece itself
    whole: bool  # True: the piece is the name's only one (食品 of 食品制造业, not of 食品及饲料添加剂制造)


def _places() -> frozenset[str]:
    if not PLACES.exists():
        return frozenset()
    lines = PLACES.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("\t", 1)[0] for line in lines if line and not line.startswith("#"))


def _clean(name: str) -> list[str]:
    """Normalised spellings of one official name, brackets resolved into alternatives."""
    name = name.strip().replace("（", "(").replace("）", ")").replace("\xa0", "").replace("类似", "")
    for bracket, words in BRACKETS.items():
        name = name.replace(bracket, words)
    m = re.search(r"\(([^()]*)\)", name)
    if not m:
        return [name]
    inner, before, after = m.group(1), name[: m.start()], name[m.end() :]
    if "、" in inner or len(inner) < 2:
        return _clean(before + after)
    # 三维(3D)打印: the Latin form replaces as many characters before it; 人造纤维(纤维素纤维): another name
    alt = before[: max(0, len(before) - len(inner))] + inner if inner.isascii() else inner
    return _clean(before + after) + _clean(alt + after)


def _strip(piece: str, last: bool = False) -> str:
    """Leading qualifiers and generic tails off, never below two characters."""
    changed = True
    while changed:
        changed = False
        for lead in LEADS:
            if piece.startswith(lead) and len(piece) - len(lead) >= 2:
                piece, changed = piece[len(lead) :], True
    # 制鞋业 -> 制鞋; 农业, 渔业 stay; only the name's own ending (公共就业服务 keeps 就业)
    m = SECTOR_ENDINGS.search(piece) if last else None
    if m and m.start() >= 2:
        piece = piece[: m.start()]
    changed = True
    while changed:
        changed = False
        for tail in TAILS:
            if piece.endswith(tail) and len(piece) > len(tail):
                piece, changed = piece[: -len(tail)], len(piece) - len(tail) >= 2
                break
    return piece


def _forms(piece: str) -> list[str]:
    """The piece and its shorter forms that are still trade words."""
    out = [piece]
    if piece.endswith("类") and len(piece) >= 3:
        out.append(piece[:-1])
    if "专用" in piece and len(piece) >= 5:
        out.append(piece.replace("专用", ""))
    for q in QUALITY:
        if piece.startswith(q) and len(piece) - len(q) >= 2:
            out.append(piece[len(q) :])
    for tail in ("制品", "用品"):
        if piece.endswith(tail) and len(piece) - len(tail) >= 2 and not piece.endswith("日用品"):
            out.append(piece[: -len(tail)])
    return list(dict.fromkeys(_strip(f) for f in out))


def words_of(name: str) -> list[Word]:
    """The candidate words of one official name (before the drop rules)."""
    out: list[Word] = []
    secondary = SECONDARY.search(name) is not None
    for spelling in _clean(name):
        whole = COMPOUND_TAILS.sub("", spelling) or spelling
        if "的" in whole:  # 儿童乘骑玩耍的童车类产品 -> 童车类产品; 牛的饲养 -> 牛
            head, _, tail = whole.rpartition("的")
            whole = tail if len(_strip(tail)) >= 2 and _strip(tail) not in TAILS else head
        pieces = [p for p in re.split(r"[、,，/]|和|及|与|或|(?<![初中高])等", whole) if p]
        if not pieces:
            continue
        last = _strip(pieces[-1], last=True)
        # A use-modified head (茶生产专用设备, 兽医用器械) shared by the pieces, unless they are its instances
        # (泵、阀门、压缩机及类似机械, 砖瓦、石材等建筑材料, 铁路、船舶…和其他运输设备).
        shared = (
            len(pieces) > 1
            and re.search(r"专用|用(?!品)", pieces[-1]) is not None
            and not re.search(r"类似|等|其他", name)
            and SHARED_HEADS.search(last[1:]) is not None
        )
        singles = len(pieces) > 2 and all(len(p) == 1 for p in pieces[:-1])
        for i, piece in enumerate(pieces):
            is_last = i == len(pieces) - 1
            stem = _strip(piece, last=is_last)
            if is_last:  # 农、林、牧、渔专用机械: 渔专用机械 is no product
                bare_head = stem[1:] in GENERIC or SHARED_HEADS.search(stem) is not None
                product = not singles or len(stem) <= 1 or not bare_head
            elif shared:
                product = SHARED_HEADS.search(stem) is not None
            else:  # 隔热和隔音材料, 粉末、泡沫及多孔材料; not 砖瓦、石材等建筑材料
                product = not (last.endswith("材料") and len(stem) <= 2 and "等" not in whole)
            for k, form in enumerate(_forms(stem)):
                out.append(Word(form, product, secondary, k > 0, len(pieces) == 1))
    return out


def _load(path: Path) -> tuple[list[Category], dict[str, set[str]]]:
    """Every GB/T category (code with its 门类 letter); each 战略性新兴产业 name -> the 小类 codes it tags."""
    tree = json.loads(path.read_text(encoding="utf-8-sig"))
    cats: list[Category] = []
    sei: dict[str, set[str]] = {}

    def walk(node: dict[str, Any], letter: str) -> None:
        level, code = node.get("level", 0), str(node.get("code", "")).strip()
        if level == 1:
            letter = code
        if level >= 1:
            full = code if level == 1 else letter + code
            cats.append(Category(full, NAME_FIXES.get(code, node["name"]).strip()))
        detail = (node.get("tagDetail") or {}).get("strategic")
        if level == 4 and detail:
            paths = detail.get("categories") or [{"path": detail.get("category", "")}]
            for p in paths:
                text = p["path"] if isinstance(p, dict) else p
                for seg in str(text).split(">"):
                    seg = seg.strip().replace("\xa0", "")
                    if seg:
                        sei.setdefault(seg, set()).add(letter + code)
        for child in node.get("children", []):
            walk(child, letter)

    walk(tree, "")
    return cats, sei


def _sei_code(name: str, codes: set[str], names: dict[str, str]) -> str:
    """A GB/T code for a 战略性新兴产业 category, from the 小类 it tags (see the module docstring, rule 7)."""
    ordered = sorted(codes)
    first, last = ordered[0], ordered[-1]
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    if n >= 3:
        return first[:n]  # 大类 (C38), 中类 (C384) or 小类 (C3841) common to all
    stem = _strip(name, last=True)
    makers = [c for c in ordered if c[0] in "ABCD"]
    for pool in (makers, ordered):  # 风能产业 -> C3415 风能原动设备制造, 太阳能产业 -> D4416 太阳能发电
        named = [c for c in pool if stem in names.get(c, "")]
        if named:
            return named[0]
    made = [c for c in ordered if c.startswith("C")] or ordered
    return Counter(c[:3] for c in made).most_common(1)[0][0]


def _rank(cat: Category, word: Word) -> tuple[int, ...]:
    """Higher is better: makes rather than sells; GB/T; the whole name; the piece itself; not a catch-all; specific."""
    catch_all = "其他" in cat.name or "未列明" in cat.name
    return (
        0 if word.secondary else 1,
        0 if cat.sei else 1,
        1 if word.whole else 0,
        0 if word.short else 1,
        0 if catch_all else 1,
        len(cat.code),
    )


def _drop_reason(word: str, jieba_words: dict[str, tuple[int, str]], places: frozenset[str]) -> str | None:
    if len(word) < 2:
        return "one character"
    if len(word) > 8:
        return "longer than 8"
    if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", word) or not re.search(r"[\u4e00-\u9fff]", word):
        return "not a Chinese word"
    if word in GENERIC or word.startswith(("制品", "其")):
        return "generic (GENERIC)"
    if word in KEEP:
        return None
    if word in places:
        return "place name (places.txt)"
    known = jieba_words.get(word)
    if known is None:
        return None
    freq, tag = known
    if tag == "ns" and freq >= PLACE_FREQ:
        return f"place name (jieba ns, freq >= {PLACE_FREQ})"
    if tag in EVERYDAY_TAGS:
        return "everyday word (jieba function/descriptive tag)"
    if tag == "v" and freq >= EVERYDAY_VERB_FREQ:
        return f"everyday verb (jieba v, freq >= {EVERYDAY_VERB_FREQ})"
    if freq >= EVERYDAY_FREQ:
        return f"everyday word (jieba freq >= {EVERYDAY_FREQ})"
    return None


def build(path: Path) -> tuple[list[tuple[str, str, str]], dict[str, set[str]], int]:
    """The rows (word, code, name), the distinct words dropped by each rule, and how many ALIASES were added."""
    cats, sei = _load(path)
    names = {c.code: c.name for c in cats}
    cats = [c for c in cats if c.code[0] not in SKIPPED_SECTIONS]
    for name, codes in sorted(sei.items()):
        cats.append(Category(_sei_code(name, codes, names), f"{name}（{SEI}）", sei=True))
    jieba_words = _jieba_words()
    places = _places()
    dropped: dict[str, set[str]] = {}
    best: dict[str, tuple[tuple[int, ...], Category]] = {}
    modifiers: set[str] = set()
    for cat in cats:
        for word in words_of(cat.name.removesuffix(f"（{SEI}）")):
            reason = _drop_reason(word.text, jieba_words, places)
            if reason:
                dropped.setdefault(reason, set()).add(word.text)
            elif not word.product:
                modifiers.add(word.text)
            elif word.text not in best or _rank(cat, word) > best[word.text][0]:
                best[word.text] = (_rank(cat, word), cat)
    dropped["modifier of a shared head only"] = modifiers - best.keys()
    out = {w: (c.code, c.name) for w, (_, c) in best.items()}
    for alias, code in ALIASES.items():
        if code not in names:
            raise SystemExit(f"alias {alias}: no category {code} in the source")
        out[alias] = (code, names[code])
    return sorted((w, c, n) for w, (c, n) in out.items()), dropped, len(ALIASES)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv  # list every dropped word
    argv = [a for a in argv if a != "-v"]
    if len(argv) != 2:
        print(__doc__)
        return 2
    path = Path(argv[1])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"warning: {path} has sha256 {digest}, not the pinned {SOURCE_SHA256}", file=sys.stderr)
    cats, sei = _load(path)
    levels = Counter(len(c.code) for c in cats)
    skipped = sum(1 for c in cats if c.code[0] in SKIPPED_SECTIONS)
    rows, dropped, aliased = build(path)
    header = (
        f"# Generated by nlp/data/build_industries.py from swifthu/industrial_classifi@{SOURCE_COMMIT[:12]} "
        "(GB/T 4754-2017 and 战略性新兴产业分类(2018)); do not edit by hand.\n"
        "# word<TAB>GB/T 4754 code (门类 letter + digits)<TAB>official name; a name ending （战略性新兴产业） is that "
        "classification's, with a GB/T code chosen among the 小类 it covers (rule 7 of the script).\n"
    )
    OUT.write_text(header + "".join(f"{w}\t{c}\t{n}\n" for w, c, n in rows), encoding="utf-8")
    by_level = ", ".join(
        f"{levels[k]} {lv}" for k, lv in ((1, "门类"), (3, "大类"), (4, "中类"), (5, "小类"))
    )
    print(
        f"entries in: {sum(levels.values())} GB/T 4754 categories ({by_level}; {skipped} in 门类 S/T skipped)"
    )
    print(f"            {len(sei)} {SEI} category names")
    print(
        f"words out:  {len(rows)} -> {OUT.relative_to(HERE.parent.parent)} ({aliased} of them hand-kept ALIASES)"
    )
    print("distinct candidate words dropped:")
    for reason, words in sorted(dropped.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(words):5d}  {reason}  ({'、'.join(sorted(words)[:6])} …)")
        if verbose:
            print("        ", " ".join(sorted(words)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
