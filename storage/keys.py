"""Index keys for names: a company's core name and the character pairs a project is found by.

`广东美的暖通设备有限公司`, `美的暖通设备公司` and `美的暖通` are one investor to the office, so
repeats and milestones are matched on the core name: the name without its region prefix (province,
city, county) and without its legal and generic suffixes. Keys are computed when a row is written and
looked up through an index, so finding a project costs the same at 100 rows as at 200k.
"""

from __future__ import annotations

import hashlib
import re

#: Provinces (short and full forms) and large cities that prefix company names. Longest first.
_PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
_CITIES = (
    "石家庄", "太原", "沈阳", "大连", "长春", "哈尔滨", "南京", "苏州", "无锡", "常州", "南通", "徐州", "杭州",
    "宁波", "温州", "绍兴", "嘉兴", "金华", "台州", "合肥", "芜湖", "福州", "厦门", "泉州", "南昌", "赣州",
    "济南", "青岛", "烟台", "潍坊", "郑州", "洛阳", "武汉", "长沙", "广州", "深圳", "佛山", "东莞", "珠海",
    "中山", "惠州", "汕头", "海口", "成都", "贵阳", "昆明", "西安", "宝鸡", "咸阳", "渭南", "汉中", "兰州",
    "西宁", "银川", "乌鲁木齐", "呼和浩特", "南宁", "拉萨", "义乌", "昆山", "江阴", "晋江",
)
_REGION = re.compile(
    "^(?:中国)?(?:(?:" + "|".join(sorted(_PROVINCES, key=len, reverse=True)) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?)?"
    "(?:(?:" + "|".join(sorted(_CITIES, key=len, reverse=True)) + r")市?)?"
)
#: Legal forms, then generic words that describe rather than name the company. Stripped from the end,
#: repeatedly, while at least two characters remain.
_SUFFIXES = (
    "有限责任公司", "股份有限公司", "股份公司", "有限公司", "集团公司", "分公司", "总公司", "公司", "集团",
    "股份", "控股", "合作社", "工作室", "企业", "厂",
    "设备", "科技", "技术", "实业", "发展", "投资", "贸易", "商贸", "工贸", "制造", "工业", "产业", "智能",
    "电子", "电器", "新能源", "新材料", "材料", "生物", "食品", "农业", "建设", "开发", "管理", "服务",
)
_PUNCT = re.compile(r"[\s（）()【】\[\]「」“”\"'，,。.:：、·]")
_PAREN = re.compile(r"[（(][^）)]*[）)]")


_LEGAL = _SUFFIXES[: _SUFFIXES.index("设备")]


def company_words(name: str | None) -> str:
    """The name without region and legal form, generic words kept: 江苏恒润新材料有限公司 → 恒润新材料
    (a liaison's short name `恒润新材料项目` shares its words)."""
    return _strip(name, _LEGAL) or ""


def core_company_name(name: str | None) -> str | None:
    """The investor's name without region and legal/generic suffix: 广东美的暖通设备有限公司 → 美的暖通."""
    text = _strip(name, _SUFFIXES)
    if not text or _PLACEHOLDER.search(text) or text in _GENERIC or text in _SUFFIXES:
        return None  # 新材料有限公司: a trade word names no one, and never decides a repeat
    return text


def same_investor(a: str | None, b: str | None) -> bool:
    """Two names with the same core name mean one investor unless their fuller names part ways:
    美的暖通 / 美的暖通设备 are one, 恒润新材料 / 恒润电子 (both core 恒润) are two."""
    wa, wb = company_words(a), company_words(b)
    return bool(wa and wb and (wa.startswith(wb) or wb.startswith(wa)))


def _strip(name: str | None, suffixes: tuple[str, ...]) -> str | None:
    if not name:
        return None
    text = _PUNCT.sub("", _PAREN.sub("", name))
    stripped = _REGION.sub("", text, count=1)
    if len(stripped) >= 2:
        text = stripped
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) - len(suffix) >= 2:
                text = text[: -len(suffix)]
                changed = True
                break
    return text


#: Names that stand for no one in particular: they never make two reports the same investor.
_PLACEHOLDER = re.compile(r"某|[Xx×＊*]{1,3}|[A-Z]{1,2}公司$")
_GENERIC = {"客商", "企业", "公司", "集团", "外商", "投资方"}


_PROJECT_NOISE = re.compile(
    r"(年产|新建|扩建|改扩建|建设|项目|項目|一期|二期|三期|拟投资|投资|总投资|生产线|[0-9０-９.万亿千百吨套台件平方米元]+"
    r"|[\s（）()，,。.:：、·])"
)


def project_core(name: str | None) -> str:
    """A project's name without the words every project has (年产, 建设, 项目, figures)."""
    return _PROJECT_NOISE.sub("", name or "")


def pairs(text: str | None) -> set[str]:
    """The character pairs of `text` (Chinese names have no spaces; pairs are their words)."""
    text = text or ""
    return {text[i : i + 2] for i in range(len(text) - 1)}


def project_keys(company: str | None, name: str | None) -> set[str]:
    """Everything a project can be found by: its core company name, and the pairs of that and its name."""
    core = core_company_name(company)
    keys = {f"w:{p}" for p in pairs(company_words(company)) | pairs(project_core(name))}
    if core:
        keys.add(f"c:{core}")
        # Its beginnings too: a report naming a shorter core (赣锋 for 赣锋锂业) finds it by equality.
        keys |= {f"p:{core[:n]}" for n in range(2, len(core))}
    else:
        # A project known by its name only: a report naming a company may still mean it.
        keys |= {f"n:{p}" for p in pairs(project_core(name))}
    return keys


def lookup_keys(company: str | None, name: str | None) -> set[str]:
    """What a report offers to find its project: the same keys, company name written inside the project too
    (`赣锋锂业回收项目` names the company in the project name)."""
    return project_keys(company, name)


def text_hash(text: str | None) -> str:
    """A short digest of a message's words without spacing and punctuation: an identical re-send
    (a phone on a bad network sends twice) has the same digest."""
    return hashlib.sha1(_PUNCT.sub("", text or "").encode()).hexdigest()[:20]
