"""What a message is for: record intents, queries, commands, and multi-part reports."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.entities import breaker_cut
from nlp.plans import INTENTION, PROBLEM, SOFT_INTENTION
from nlp.text import Text, to_key
from nlp.types import Intent

#: Labels a liaison writes before a colon (`线索:` …), matched on the simplified copy.
LABELS: dict[Intent, str] = {
    Intent.LEAD: r"新增线索|新线索|招商线索|项目线索|报送线索|线索|项目信息|新项目",
    Intent.VISIT: r"外出招商|招商外出|外出拜访|拜访客商|拜访|拜方|拜会|走访|出访|外出",
    Intent.RECEPTION: r"接待客商|接待洽谈|接待|洽谈|来访|考察|接洽",
    Intent.SIGNING: r"项目签约|签约|签订",
    Intent.START: r"项目开工|开工|动工",
    Intent.FUNDS: r"资金到位|到位资金|到位|到账",
    Intent.COMPLETION: r"竣工投产|建成投产|竣工|投产|建成",
    Intent.PROGRESS: r"项目进展|进展|进度|跟进|推进",
    Intent.PACKAGING: r"策划包装项目|策划包装|谋划包装|包装策划|项目包装|包装项目|策划项目",
    Intent.INTENTION: r"意向签约|签订意向|投资意向|意向协议|意向",
    Intent.PLAN: r"计划签约|计划开工|拟|计划投产|计划竣工|计划到位|预计|预期|下一步工作计划|下步工作计划|下一步计划|下步计划|下个月计划|下月计划|下阶段计划|本月计划|近期计划|今后计划|"
                 r"工作计划|推进计划|计划安排|工作打算|计划",
    Intent.PROBLEM: r"存在问题|问题反映|问题反馈|反映问题|需协调事项|需协调问题|需要协调|困难问题|困难|难题|诉求|问题",
}
#: Item numbers as they look in the matching copy (where 、 became ,).
_NUMBERING = r"(?:\d{1,2}\s*[.,)](?!\d)|\(\d{1,2}\)|\([一二三四五六七八九十]{1,3}\)|[①-⑳]|[一二三四五六七八九十]{1,2}\s*,)"
_LABEL_RE = re.compile(
    rf"^\s*(?P<num>{_NUMBERING})?\s*(?P<label>{'|'.join(LABELS.values())})"
    rf"(?:\s*(?::|[;|](?=\s*[^\s:;|]{{1,8}}\s*:))|(?<!拟)[ \t]+(?=[\u4e00-\u9fff\dA-Za-z]))\s*"
)
_LABEL_INTENT = {word: intent for intent, words in LABELS.items() for word in words.split("|")}
_NUMBERED = re.compile(rf"^\s*{_NUMBERING}\s*")

#: Packaging phrasing: the 策划包装 pair, or 策划/包装 done to a project (包装了一个文旅项目).
PACKAGING_WORDS = r"(?:策划包装|谋划包装|包装策划|项目包装|包装推介|包装项目\s*:|(?:策划|包装)(?:了|好|出|成)[^,;。\n]{0,12}?项目)"
#: Milestone words that make a message about a packaged project a milestone report instead.
MILESTONE_WORDS = r"(?:签约|签订|签署|签了|开工|动工|竣工|投产|建成|到位|到账)"
#: An investor party: 一行(N人), a family name with 总/董 (刘总, 许董), 董事长, 客商, 老板.
_PARTY = r"(?:一行|[\u4e00-\u9fff][总董](?![投部额计共体结])|董事长|总经理|客商|老板)"
#: Keyword rules for unlabelled text, strongest first.
_KEYWORDS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (Intent.LEAD, re.compile(r"线索")),
    # An intention agreement is not a signing (签订投资意向书): before 签订 makes it one.
    (Intent.INTENTION, INTENTION),
    # 策划包装 a project for investors (策划包装了…项目, 包装好一个…项目), unless a milestone is the news.
    (Intent.PACKAGING, re.compile(rf"^(?!.*{MILESTONE_WORDS})(?:.*?){PACKAGING_WORDS}", re.S)),
    # A meeting of natives at home (召开在外乡贤回乡座谈会): they came to us, unless it was held away (赴深圳召开…).
    (
        Intent.RECEPTION,
        re.compile(
            r"^(?![^,;。\n]*(?:赴|前往|去|到)[^,;。\n]{0,8}(?:召开|举办|举行|组织|开了))[^,;。\n]*?"
            r"(?:回乡|返乡|在外|乡贤|老乡|游子|家乡)[^,;。\n]{0,10}?(?:座谈|恳谈|联谊|见面|茶话|恳亲)会?"
        ),
    ),
    (
        Intent.VISIT,
        re.compile(
            r"赴|(?:带队|率队|带领[^,;。\n]{0,6}?)(?:到|去|前往)|前往(?!我)|外出招商|外出拜访|拜访|拜方|走访|拜会|出访|[去到跑]了?一?趟|去了[^,;。\n]{1,6}?(?:看了|拜访|走访|见了|考察|对接)|(?<![来会接])见了|碰了?个?头|见了?面|会面|面谈"
        ),
    ),
    (Intent.SIGNING, re.compile(r"签约|签订|签署|签了|签下|签成")),
    (Intent.START, re.compile(r"开工|动工(?!具)|开建|奠基|动土|破土")),
    (Intent.COMPLETION, re.compile(r"竣工|投产|建成")),
    (Intent.FUNDS, re.compile(r"到位|到账|到的账|到了账|钱到了|款到了|打过来|打来了|汇过来|转过来一笔|进账")),
    (Intent.RECEPTION, re.compile(
        r"接待|来访|到访|考察|洽谈|会见|接见|来了[^,;。\n]{0,4}?客商|接了[^,;。\n]{0,4}?客商|客商[^,;。\n]{0,6}?到了"
        r"|带(?:他们|客商|对方|客人)[^,;。\n]{0,4}?(?:看了|参观|考察)"
        r"|(?:老总|老板|客商|企业家|董事长)[^,;。\n]{0,4}?过来(?:了|耍|看|转)")),
    # Showing an investor party round (陪同X的刘总一行实地查看了厂房, 陪X的许董参观了产业园).
    (
        Intent.RECEPTION,
        re.compile(
            rf"(?:陪同|陪着?|带着?|带领|引导)[^,;。\n]{{0,20}}?{_PARTY}"
            rf"|{_PARTY}[^,;。\n]{{0,12}}?(?:实地)?(?:查看|察看|参观|踏勘)|一行[^,;。\n]{{0,8}}?看了"
        ),
    ),
    # An intention reached in talks: after the visit and reception words (that is how the visit went).
    (Intent.INTENTION, SOFT_INTENTION),
    (Intent.PROGRESS, re.compile(r"进展|汇报一下|批复|审批|规划方案|摘牌|封顶|进场|已完成|正在办理")),
    # An investor's stated intention with no event verb is a lead (有意来我县投资…, 对方拟投资…).
    (
        Intent.LEAD,
        re.compile(r"(?:拟|有意|意向|计划|打算|准备|想)(?:来|在|到|回)?\S{0,4}?(?:投资|投建|落户)"),
    ),
    (
        Intent.RECEPTION,
        re.compile(
            r"来我[县镇乡区市]|到我[县镇乡区市](?:看|实地|参观|察看|查看|踏勘|调研|洽谈|对接)|来我们|来的客商|客商来|来的(?:老板|企业|客人|朋友|团队)|来看了|来谈了?|过来考察|"
            r"客商[^,;。\n]{0,4}?(?:要|会|将)?过来"
        ),
    ),
    (Intent.PROGRESS, re.compile(r"推进|完成|办理|[铺装搭修盖建]好了|完工|调试|进场")),
)

_COMMAND = re.compile(
    r"^\s*(?P<cmd>更正|更改|修改|修正|撤回|撤销|删除)\s*(?:#|第|编号)?\s*(?P<ref>\d{1,9})?\s*(?:条|号|:)?\s*"
)
#: The record number first, then the command (`#12 撤回`, `第12条撤回`).
_REF_FIRST = re.compile(
    r"^\s*(?:#|第)\s*(?P<ref>\d{1,9})\s*(?:条|号)?\s*(?P<cmd>更正|更改|修改|修正|撤回|撤销|删除)\s*:?\s*"
)
#: An acknowledgement that only promises a report later (`收到，下午就把线索报上来`): chit-chat, not a record.
_PROMISE = re.compile(
    r"^(?:收到|好的|好|明白|了解|知道了|ok|嗯)[,.!\s]*[^\d:]{0,16}"
    r"(?:报上来|报过来|马上报|就报|再报|补报|稍后报|晚点报|会报|去报|抓紧报)[^\d:]{0,6}$",
    re.IGNORECASE,
)
#: `通报:` or a bracketed header (`【通知】`, `【紧急通报】`): a notice even when it speaks of 未报送.
_BULLETIN = re.compile(
    r"^\s*(?:【[^】\n]{0,4}(?:通报|公告|通知)】|(?:紧急|重要|特别)?(?:通报|公告|通知)\s*:"
    r"|(?=请各(?:单位|镇|乡|部门|位|联络员)|各(?:单位|镇|乡|部门|联络员)\s*[:,]))\s*"
)
#: A record number and a withdrawal anywhere in a short message (`#53那条报错了，撤回`).
_REF_ANY = re.compile(r"(?:#|第|编号)\s*(?P<ref>\d{1,9})\s*(?:条|号)?")
_RETRACT_ANY = re.compile(r"撤回|撤销|删除|删掉|删了|撤了|作废")
#: A record pointed at without its number (刚才那条, 上一条).
_THAT_ONE = re.compile(r"刚才|刚刚|上一条|那条|这条|前一条|发错|报错")
#: Talk about reporting, not a report: a promise to send it later, a reminder, a task noted.
_ABOUT_REPORTING = re.compile(
    r"补上|补一下|补报|再发|再报|回头|一起报|(?<!汇)报一下|报上来|报过来|发上来|发过来|记下了|记住了|稍后|晚点|抓紧|"
    r"整理一下|整理好|统一报|"
    r"(?:今晚|明天|后天|晚上|下午|明早|月底|过两天|周[一二三四五六日]|下周)[^,;。\n]{0,4}?(?:报|发|交|上报|报送|提交)(?:上来|过来|给你|一下)?[!.。]?$"
)
#: A question about how to report something (`签约的格式是啥？`, `拜访的模板发一个`).
_HOW_TO = re.compile(
    r"怎么填|如何填|填哪些|要填|填什么|模板|例子|样例|范例|示例|格式是|什么格式|怎么写|如何写|怎么发|啥格式|什么内容|"
    r"哪些内容|要报|报哪些|报什么|需要填|需要报"
)
_HELP = re.compile(
    r"^[?\s]+$|^/?(?:帮助|help|菜单|指令|格式|说明)\s*[?!]*$|帮助|使用说明|使用方法|"
    # how do I use / report / fill in, plain or colloquial (咋用, 怎么使, 咋操作, 咋报, 咋填)
    r"(?:咋|怎么|怎样|如何)个?(?:用|使用|使(?=[啊呀呢吗?!\s]|$)|操作|报|填|写|撤回|撤销|更正|修改|删除)|"
    r"什么格式|报送格式|哪些格式|能做什么|有什么功能|不会用|求教程|教程|能干[啥嘛什]|能做[啥嘛]|会干[啥嘛什]|都?能识别|识别哪些|求助|功能有哪些",
    re.IGNORECASE,
)
_QUERY_MISSING = re.compile(r"未报送|未报|没报|没有报|未上报|没上报|未提交|没提交|没交|未交|莫得报|没得报")
_QUERY_RANK = re.compile(r"排名|排第几|排多少|第几名|名次|排行|排位|排在(?:什么|哪|第几)")
#: The ranking as a picture: 排名图, 排行图, 排名的图表/图片.
_QUERY_RANK_CHART = re.compile(r"(?:排名|排行|名次).{0,2}(?:图|图表|图片)")
_QUERY_SUMMARY = re.compile(
    r"我的上报|我们的上报|上报记录|报送记录|上报数据|上报的(?:记录|数据)|报的记录|上报情况|报送情况|本月情况|台账|汇总|我的记录|报[了过](?:哪些|什么|啥|几条|几个|多少)|报过的|报了的|记录调出|调出来|"
    r"报[了过]些|查一下|查询|看一下"
)
#: A question about figures, not a report of one: `签约多少`, `本季度开工率是多少`, `哪些项目签约未开工`,
#: `履约率`, `项目进展怎么样` (without a figure; asking how to report is `_HOW_TO`). Not 几家/几个:
#: `拜访了几家企业` is "a few", a report.
_FIGURE_QUESTION = re.compile(r"多少|哪些|哪几|[开履转]\S{0,3}率|到位率|(?:情况|进展|进度)(?:怎么样|如何)")
#: A figure or a registered name makes a message a report, never talk about one.
_HAS_FIGURE = re.compile(r"\d|[万亿]元?|有限公司|集团")
#: A visit or reception that has not happened yet (`下周来考察`, `拟于…来访`, `计划下月去…`).
_PLAN = re.compile(
    r"(?:下周|下个?月|下旬|月底|月初|近期|近日将|明天|后天|拟于|计划于|准备于|将于|计划|准备|打算|拟|要(?=过来|来)|"
    r"^(?:国庆|春节|元旦|五一|中秋|端午)(?:节)?(?:后|前|期间)|^(?=[^,;。\n]{0,20}?来[^,;。\n]*[,;]\s*(?:到时候|届时)))"
    r"[^,;。\n]{0,20}?(?:来|去|赴|过来|拜访|考察|来访|对接|带队|招商|接待|陪|查看|察看|参观|踏勘)"
)
_PAST = re.compile(r"了|过(?![来去])|已经|今天|昨天|前天|上周|(?<![明后]天)(?:上午|下午)")


#: What marks a clause as done: a perfective particle or a past day.
_DONE = re.compile(r"了|过(?![来去])|已经|今天|昨天|前天|今日|昨日|上周|上个?月")


def _reports_event(clauses: str) -> bool:
    """Whether clauses report a visit or reception that happened (今天去X走访了Y, 昨天接待了…)."""
    return (
        keyword_intent(clauses) in (Intent.VISIT, Intent.RECEPTION)
        and bool(_DONE.search(clauses))
        and not _PLAN.search(clauses)
    )


#: A notice asking units to get ready (`请相关单位做好准备`, `请准时参加`): what it announces is still to come.
_GET_READY = re.compile(r"请[^,;。\n]{0,10}?(?:做好[^,;。\n]{0,6}?准备|准时参加|准时出席|提前对接|做好接待|做好对接)")


def is_plan(key: str) -> bool:
    """True when the visit or reception the text speaks of is still to come.

    A plan clause after one that reports what happened (`今天去X走访了Y，对方计划下半年来考察`) is the
    investor's plan, not the liaison's: the event reported first is the record.
    """
    if _GET_READY.search(key) and not _DONE.search(key):
        return True
    m = _PLAN.search(key)
    if not m or _PAST.search(key[m.start() : m.end() + 2]):
        return False
    # Phone-typed clauses are often parted by a space only (`拜访了天合储能 对方…下一步准备来考察`).
    clause = max(key.rfind(ch, 0, m.start()) for ch in ",;。\n ")
    return not (clause > 0 and _reports_event(key[:clause]))


_OWN_UNIT = re.compile(r"我单位|本单位|我们|我镇|我乡|我局|我的|我区|咱们|本镇|本乡|我县")
_TARGET_UNIT = re.compile(
    r"([\u4e00-\u9fff]{2,6}?(?:镇|乡|街道|局|办事处)|[\u4e00-\u9fff]{0,6}?(?:开发区|高新区|经开区|园区))"
)
_REPORT_HEADER = re.compile(
    r"^[^\n:,。;]{0,20}?(?:报送|汇报|工作情况|工作报告|情况汇报|工作总结|总结|小结|情况|工作|汇总)[^\n:,。;]{0,6}?(?::|\n|$)"
    r"|^\s*(?:20\d\d年)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月份?\s*(?::|\n)"
)
_FIELD_LINE = re.compile(r"^\s*([^\s:]{1,8})\s*:")


def _target_unit(text: Text) -> str | None:
    """A unit other than the sender's named in a query (`卫庄镇排名`), as written."""
    unit = _TARGET_UNIT.search(text.key)
    if not unit:
        return None
    start = breaker_cut(text.key, unit.start(1), unit.end(1) - 1)
    name = text.key[start : unit.end(1)]
    if len(name) < 3 or name[0] in "我本哪这各那咱每全该":
        return None
    return text.orig[start : unit.end(1)]


_THIS_PERIOD = re.compile(r"^\s*(?:本月|本期|当月|这个月|本周)")
#: A label's value that reports nothing (`资金到位：无`, `签约：暂无`, `开工：0`): no record at all.
_NOTHING = re.compile(r"\s*(?:本月|本期|当月)?\s*(?:无|暂无|没有|暂时没有|尚无|0|零|/|-{1,2})\s*(?:个|次|条|家|项)?\s*[。.!]?\s*$")


def says_nothing(key: str) -> bool:
    """Whether `key` is a label with an empty value (`3、资金到位：无`, `本月外出招商：无`): nothing of that kind."""
    key = _THIS_PERIOD.sub(lambda m: " " * len(m.group(0)), key, count=1)
    labelled = label_of(key)
    return labelled is not None and bool(_NOTHING.fullmatch(key, labelled[1]))


def label_of(key: str) -> tuple[Intent, int] | None:
    """The intent of a leading `label:` and where its value starts."""
    m = _LABEL_RE.match(key)
    if not m:
        return None
    return _LABEL_INTENT[m.group("label")], m.end()


def written_label(key: str) -> Intent | None:
    """The kind a label with its colon opens the message with (`线索：`, `2、签约:`, `新增线索 :`); a label
    parted by a space only (`拜访 苏州`, `拟 6月签约`) is none: the message may be an answer or a plain sentence."""
    m = _LABEL_RE.match(key)
    if m is None or not key[m.end("label"):m.end()].lstrip().startswith(":"):
        return None
    return _LABEL_INTENT[m.group("label")]


#: A message that is only a pipeline question, perhaps after a unit or a period (卫庄镇签约未开工, 一季度开工率).
_ASK_PIPELINE = re.compile(
    r"^\s*[^\s:,。;!?]{0,16}?(?:开工率|履约率|资金到位率|到位率|线索转化率|转化率|签约未开工|开工未投产)"
    r"(?:项目|名单|清单|情况)?\s*[?。]?\s*$")
#: Question words, a rate, or a question mark.
_QUESTION = re.compile(r"多少|哪些|哪几|几个|几家|几项|[率?吗]|怎么样|情况如何|有没有")


def asks(key: str, amount_wan: float | None) -> bool:
    """`本季度开工率是多少`, `签约多少`, `哪些项目签约未开工`, `卫庄镇签约未开工`: asked, not reported (no
    amount and a question word before any label, or a message that is only a pipeline word after a unit
    or period). Read on the matching copy: `？` and `?` are one, and so are 開工率 and 开工率."""
    if _ASK_PIPELINE.search(key):
        return True
    return amount_wan is None and bool(_QUESTION.search(key)) and ":" not in key[:6]


def keyword_intent(key: str) -> Intent | None:
    for intent, pattern in _KEYWORDS:
        if pattern.search(key):
            return intent
    return None


def record_intent(key: str) -> Intent | None:
    """Intent of one record-like text (label first, then keywords)."""
    labelled = label_of(key)
    if labelled:
        return labelled[0]
    return keyword_intent(key)


@dataclass(frozen=True, slots=True)
class Command:
    """A non-record message: command, bulletin, help or query."""

    intent: Intent
    ref: int | None = None
    body: Text | None = None
    target_unit: str | None = None
    own_unit: bool = False
    #: `#15 归入 P2`: the project named.
    project_ref: int | None = None
    #: The office's verdict: True for 确认, False for 驳回.
    confirm: bool | None = None


#: 包干制 commands: `包干 P5 王副县长` (assign), `取消包干 P5` (unassign), `我的包干项目` / `包干项目` (list).
_OWNERS = re.compile(
    r"^\s*(?:(?P<undo>取消|解除|撤销)\s*包干|包干)\s*(?:p|项目)?\s*#?\s*(?P<ref>\d{1,9})\s*(?:号)?\s*(?P<who>.*)$"
    r"|^\s*(?:我的|我)?包干(?:的)?(?:项目)?(?:清单|列表|情况|有哪些)?\s*[?]?\s*$",
    re.IGNORECASE | re.S,
)


#: A ranking mentioned in passing, not asked for (`上个月排名第二，继续努力`, `我们签约额排第三`).
_RANK_REMARK = re.compile(
    r"排[名行位]?\s*(?:又|还|也|都|就)?\s*(?:是|在|了)?\s*(?:第[一二三四五六七八九十\d]+|倒数|垫底|靠前|靠后|前[三五十]|末位|后[三五])"
    r"|(?:排名|排行)[^,;。\n?]{0,8}(?:加油|努力|压力|出来再|出来后|研究|掉|落到|下滑|上升|进步|退步|加把劲)|等[^,;。\n]{0,6}排名"
)
#: A question asked, not a remark (几, 多少, 怎么样, 吗, ?).
_ASKS = re.compile(r"几|多少|怎么样|如何|吗|\?|哪|啥|什么")
#: The office's verdict: `确认 #26`, `驳回 #41 城投项目不计` — the reason is free text, never a report.
_REVIEW = re.compile(
    r"^\s*(?P<cmd>确认|驳回|退回)\s*(?:(?:#|第|编号)\s*(?P<ref>\d{1,9})\s*(?:号|条)?|(?P<bare>\d{1,9})\s*(?:号|条)?(?=[\s,:。.;!]|$))"
    r"\s*[,:。.\s]*"
)
#: A record put on a project: `P2`, `归入P2`, `#15 归入 P2`, `第15条归P2`, `#15 新项目`.
_ATTACH_VERB = r"(?:归入|归到|归属|归于|并入|属于|挂到|挂在|关联到?|放到|放入|移到|改到|改归|调整到|调到|归|是|为|→|->|=)"
_ATTACH = re.compile(
    rf"^\s*(?:(?:把|将)\s*)?(?:(?:#|第|编号|记录)\s*(?P<ref>\d{{1,9}})\s*(?:号|条)?\s*(?:记录)?\s*)?"
    rf"(?:{_ATTACH_VERB}\s*)?(?:(?:项目|[Pp])\s*(?P<project>\d{{1,7}})|(?P<new>新项目|新建项目|新建档案))"
    r"\s*(?:项目)?\s*[。.!]?\s*$"
)
#: A correction that only moves a record to another project: `更正 #15 项目P2`, `修改 #15 归入P2`.
_ONTO_PROJECT = re.compile(r"\s*(?:所属)?(?:项目号?|归入|归属|属于)?\s*(?:改为|应为|应是|是|为|:)?\s*[Pp]\s*(\d{1,7})\s*[。.!]?\s*$")
#: `解决 问题3`, `问题3已解决`, `办结问题#3`.
_SOLVE = re.compile(
    r"^\s*(?:(?:已|已经)?(?:解决|办结|销号|关闭)了?\s*问题\s*#?\s*(?P<a>\d{1,7})"
    r"|问题\s*#?\s*(?P<b>\d{1,7})\s*(?:已经?|已)?(?:协调)?(?:解决|办结|销号|关闭)了?)\s*[。.!]?\s*$"
)
#: A correction that names no record (`携程温泉项目 更正一下 投资额是1.8个亿`): it is never a new report.
#: A correction that names no record: a correcting verb (`更正一下`, `更正为`) …
_CORRECTION_ANY = re.compile(r"更正一下|更正下|需要更正|要更正|更正:|更正为|更正成|修正为|纠正一下|修正一下|更正\s*,?\s*#\s*\d")
#: … or a slip (`写错了`, `有误`) together with the right value (`应该是三百万`, `是2000W不是200W`). A slip
#: alone is news, not a correction (`环评报告有误，需修改后重新提交`).
_SLIP = re.compile(r"[写报填搞弄打记输]错了|错了|多打了|少打了|多写了|少写了|有误|不对|修改一下|改一下|修改\s*:")
_CORRECTED_VALUE = re.compile(
    r"是[^;。\n]{1,12}?不是|不是[^;。\n]{1,12}?是|应该?是|应为|应改为|改为|改成|更正为|更正成|修正为|正确的是")


#: The sender's latest 佐证 hung on another record: `归入 #15`, `改挂到第15条` (a record, not a project `P2`).
_EVIDENCE_TO = re.compile(r"^\s*(?:佐证|附件|文件|图片|照片)?\s*(?:归入|归到|改挂到?|挂到|移到|放到)\s*"
                          r"(?:#|第|编号)\s*(?P<ref>\d{1,9})\s*(?:号|条)?\s*(?:记录)?\s*[。.!]?\s*$")


def command_of(text: Text) -> Command | None:
    key = text.key
    evidence = _EVIDENCE_TO.match(key)
    if evidence:
        return Command(Intent.EVIDENCE, ref=int(evidence.group("ref")))
    review = _REVIEW.match(key)
    if review:
        return Command(Intent.REVIEW, ref=int(review.group("ref") or review.group("bare")),
                       body=text.sub(review.end(), len(key)).strip(), confirm=review.group("cmd") == "确认")
    attach = _ATTACH.match(key)
    if attach and (attach.group("ref") or attach.group("project") and not attach.group("new")
                   or attach.group("new") and attach.group("ref")):
        project = attach.group("project")
        return Command(Intent.ATTACH, ref=int(attach.group("ref")) if attach.group("ref") else None,
                       project_ref=int(project) if project else None,
                       body=text.sub(attach.start("new"), attach.end("new")) if attach.group("new") else None)
    solve = _SOLVE.match(key)
    if solve:
        return Command(Intent.SOLVE, ref=int(solve.group("a") or solve.group("b")))
    owners = _OWNERS.match(key)
    if owners:
        if owners.group("ref") is None:
            return Command(Intent.OWNERS)
        # Assign: the leader's name is the body (maybe empty: the handler asks); unassign: no body.
        who = owners.group("who") or ""
        body = None if owners.group("undo") else text.sub(len(key) - len(who), len(key)).strip()
        return Command(Intent.OWNERS, ref=int(owners.group("ref")), body=body)
    if (len(key) <= 30 and not _REF_ANY.search(key) and not _HAS_FIGURE.search(key) and not _BULLETIN.match(key)
            and (_HOW_TO.search(key) or _HELP.search(key))):
        return Command(Intent.HELP)  # `更正要怎么写？`, `怎么撤回啊`: how to, not the command itself
    m = _COMMAND.match(key) or _REF_FIRST.match(key)
    if m and (m.group("ref") or m.group("cmd") in ("更正", "撤回")):
        ref = int(m.group("ref")) if m.group("ref") else None
        intent = Intent.CORRECTION if m.group("cmd") in ("更正", "更改", "修改", "修正") else Intent.RETRACT
        onto = _ONTO_PROJECT.match(key, m.end())
        if intent is Intent.CORRECTION and ref is not None and onto:
            # `更正 #15 项目P2`: the record belongs to project P2 (not a project named "P2").
            return Command(Intent.ATTACH, ref=ref, project_ref=int(onto.group(1)))
        return Command(intent, ref=ref, body=text.sub(m.end(), len(key)).strip())
    m = _BULLETIN.match(key)
    if m:
        return Command(Intent.BULLETIN, body=text.sub(m.end(), len(key)).strip())
    if label_of(key):
        return None
    fix = _CORRECTION_ANY.search(key) or (_SLIP.search(key) if _CORRECTED_VALUE.search(key) else None)
    if fix is None and _REF_ANY.search(key):
        fix = _CORRECTED_VALUE.search(key)  # `#31 日期改成10月8日`, `#36 那条的投资额应该是叁仟万元`
    if len(key) <= 80 and fix is not None:
        ref_match = _REF_ANY.search(key)
        # What the message says around the verb: the record it means and the new values.
        body = Text(text.orig[: fix.start()] + " " + text.orig[fix.end():], key[: fix.start()] + " " + key[fix.end():])
        return Command(Intent.CORRECTION, ref=int(ref_match.group("ref")) if ref_match else None, body=body.strip())
    if len(key) <= 40:
        ref_match = _REF_ANY.search(key)
        if ref_match and _RETRACT_ANY.search(key):
            return Command(Intent.RETRACT, ref=int(ref_match.group("ref")))
        if _RETRACT_ANY.search(key) and _THAT_ONE.search(key):
            return Command(Intent.RETRACT)  # `刚才那条线索发错了 麻烦撤回`: the bot asks for the number
    if _PROMISE.match(key):
        return Command(Intent.UNKNOWN)
    if len(key) <= 40 and not _HAS_FIGURE.search(key) and not PROBLEM.search(key):
        if _HOW_TO.search(key):
            return Command(Intent.HELP)
        if _ABOUT_REPORTING.search(key) and not _reports_event(key):
            return Command(Intent.UNKNOWN)  # `回头细说` after `今天去拜访了一个老板` still reports the visit
    if len(key) <= 60 and _HELP.search(key):
        return Command(Intent.HELP)
    if _RANK_REMARK.search(key) and not _ASKS.search(key):
        return Command(Intent.UNKNOWN)  # `这个月我们镇排名又倒数了`: a ranking mentioned in passing
    if len(key) <= 30:
        for intent, pattern in (
            (Intent.QUERY_MISSING, _QUERY_MISSING),
            (Intent.QUERY_RANK_CHART, _QUERY_RANK_CHART),
            (Intent.QUERY_RANK, _QUERY_RANK),
            (Intent.QUERY_SUMMARY, _QUERY_SUMMARY),
        ):
            if pattern.search(key):
                target = _target_unit(text)
                return Command(intent, target_unit=target, own_unit=bool(_OWN_UNIT.search(key)))
        if not _HAS_FIGURE.search(key) and _FIGURE_QUESTION.search(key):
            return Command(Intent.QUERY_SUMMARY, target_unit=_target_unit(text), own_unit=bool(_OWN_UNIT.search(key)))
    return None


@dataclass(frozen=True, slots=True)
class Part:
    text: Text
    intent: Intent


#: Where one line holds several records: `;`, ①②, or an item number right before a label (`… 2.开工:`).
_INLINE_CUT = re.compile(
    rf";|(?<=.)[①-⑳]|(?<=.)第[一二三四五六七八九十](?:个|条|项|件)?是|(?<=\s)(?:\d{{1,2}}\s*[.,)]|\(\d{{1,2}}\))\s*(?:{'|'.join(LABELS.values())})\s*:"
)


#: A summary clause: an activity and how many times (`外出招商2次`, `接待客商3批`, `新增线索1条`).
_SUMMARY_CLAUSE = re.compile(
    r"(?:本月|本周|本季度|今年|上月|当月|本期)?(?:共|累计|共计)?\s*"
    r"(?:外出招商|外出拜访|招商外出|外出|拜访(?:企业|客商)?|走访(?:企业|客商)?|接待(?:客商|考察团|来访客商)?|"
    r"新增线索|新线索|报送线索|收集线索|获得线索|签约(?:项目)?|开工(?:项目)?|竣工(?:项目)?|投产(?:项目)?)\s*"
    r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:次|批次|批|家|条|个|项)"
)
#: A comma that opens a summary clause or a labelled part: where a one-line summary splits.
_SUMMARY_CUT = re.compile(rf",(?=\s*(?:{_SUMMARY_CLAUSE.pattern}|(?:{'|'.join(LABELS.values())})\s*:))")


def _is_summary(key: str) -> bool:
    """Two or more summary clauses in one line: every one of them is a record of its own."""
    clauses = 0
    for piece in re.split(r"[,;:\n]", key):
        if _SUMMARY_CLAUSE.match(piece.strip()) or _SUMMARY_CLAUSE.search(piece.strip()[:12]):
            clauses += 1
    return clauses >= 2


def _segments(text: Text, commas: bool = False) -> list[tuple[Text, bool]]:
    """Lines, then `;` pieces, then ①② pieces (and summary commas), each with whether it came from a split."""
    out: list[tuple[Text, bool]] = []
    pos = 0
    for line in text.key.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        cuts = [line_start] + [line_start + m.start() for m in _INLINE_CUT.finditer(line)]
        if commas and not label_of(line):  # `外出招商：赴宁波…，走访企业5家`: a labelled line is one record
            cuts = sorted(set(cuts) | {line_start + m.start() for m in _SUMMARY_CUT.finditer(line)})
        cuts.append(line_start + len(line))
        for i in range(len(cuts) - 1):
            seg = text.sub(cuts[i], cuts[i + 1]).strip()
            if seg.key:
                out.append((seg, len(cuts) > 2))
        if len(out) > 200:
            break
    return out


#: Where a spoken month's account goes on to the next thing (`…拜访了四家企业，然后接待了两批客商，还有…签约了`).
_SPOKEN_CUT = re.compile(r",\s*(?:然后|还有|另外|再就是|再有|其次|此外|同时)(?:就是|呢|啊)?\s*,?")


def _spoken_parts(text: Text) -> list[Part]:
    """A one-line spoken report: the pieces after `然后/还有/另外…`, when every piece reports an event of its own."""
    key = text.key
    cuts = list(_SPOKEN_CUT.finditer(key))
    if not cuts or label_of(key):
        return []
    bounds = [(0, cuts[0].start())] + [(c.end(), n.start()) for c, n in zip(cuts, cuts[1:], strict=False)]
    bounds.append((cuts[-1].end(), len(key)))
    parts = [Part(text.sub(s, e).strip(), keyword_intent(key[s:e]) or Intent.UNKNOWN) for s, e in bounds]
    if len(parts) < 2 or any(p.intent is Intent.UNKNOWN or not _DONE.search(p.text.key) for p in parts):
        return []
    return parts


#: A table pasted from Excel: cells parted by tabs (or by two or more spaces).
_CELLS = re.compile(r"\t+|\s{2,}")
#: What a table's header names, by column: the record's kind and its fields.
_COLUMNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kind", re.compile(r"类型|事项|类别|事件|工作内容|内容")),
    ("count", re.compile(r"企业数|家数|数量|批次|个数")),
    ("amount", re.compile(r"投资|金额|资金|额")),
    ("company", re.compile(r"企业|公司|客商|投资方")),
    ("project", re.compile(r"项目|建设")),
    ("place", re.compile(r"地点|目的地|地区|去向|城市")),
    ("date", re.compile(r"日期|时间")),
)


def table_parts(raw: str) -> list[Part]:
    """The rows of a pasted table, each read as the labelled record its cells say
    (`日期  事项  地点  企业数` / `4月8日  外出招商  厦门  3` reads as `外出招商：4月8日赴厦门，拜访企业3家`).
    Read from the raw message: the clean-up folds the tabs that part the cells."""
    lines = [line for line in raw.split("\n") if line.strip()]
    if len(lines) < 3 or not _CELLS.search(lines[0].strip()):
        return []
    header = _CELLS.split(to_key(lines[0]).strip())
    roles: list[str | None] = []
    for cell in header:
        roles.append(next((role for role, pattern in _COLUMNS if pattern.search(cell)), None))
    if "kind" not in roles or len(set(roles) - {None}) < 2:
        return []
    yi = any(role == "amount" and "亿" in cell for role, cell in zip(roles, header, strict=True))
    parts: list[Part] = []
    for line in lines[1:]:
        cells = _CELLS.split(line.strip(" \r\n"))
        if len(cells) > len(header):
            return []  # not a table after all
        cells += [""] * (len(header) - len(cells))  # empty cells at the row's end
        row = {role: cell.strip() for role, cell in zip(roles, cells, strict=True) if role and cell.strip()}
        labelled = label_of(to_key(row.get("kind", "")) + ":")
        if labelled is None:
            return []
        intent = labelled[0]
        words = [row.get("date", "")]
        if row.get("place"):
            words.append(("赴" if intent is Intent.VISIT else "来自") + row["place"])
        words += [row.get("company", ""), row.get("project", "")]
        if row.get("amount"):
            verb = "到位" if intent is Intent.FUNDS else "投资"
            words.append(f"{verb}{row['amount']}{'亿元' if yi else '万元'}")
        if row.get("count"):
            words.append(f"{'拜访' if intent is Intent.VISIT else '接待'}企业{row['count']}家")
        said = f"{row['kind']}：" + "，".join(w for w in words if w)
        parts.append(Part(Text(said, to_key(said)), intent))
    return parts


def report_parts(text: Text) -> list[Part]:
    """The records of a multi-part report; fewer than two means the message is one record."""
    labelled = label_of(text.key)
    if labelled and "\n" not in text.key and text.key[: labelled[1]].rstrip().endswith((";", "|")):
        return []  # `问题反馈；项目编号：P12；问题：…；诉求：…`: a form whose label ends in ；, one record
    summary = "," in text.key and _is_summary(text.key)
    if "\n" not in text.key and not _INLINE_CUT.search(text.key) and not summary:
        return _spoken_parts(text)
    header = _REPORT_HEADER.match(text.key)
    has_header = bool(header) and not label_of(text.key)
    body = text.sub(header.end(), len(text.key)) if has_header and header else text
    parts: list[Part] = []
    open_label = False
    form = False  # `线索：企业名称：X；拟投资…；联系人：…`: a form's fields and clauses are one record
    for seg, split in _segments(body, commas=summary):
        key = seg.key
        labelled = label_of(key)
        intent: Intent | None = None
        if labelled and not open_label:
            intent = labelled[0]
            open_label = labelled[1] >= len(key)
            field = _FIELD_LINE.match(key[labelled[1]:])
            form = field is not None and not label_of(field.group(0).lstrip())
        elif form:
            pass
        elif not open_label and (has_header or split or _NUMBERED.match(key)):
            field = _FIELD_LINE.match(key)
            if field and "线索" in field.group(1):
                intent = Intent.LEAD  # `新增线索1条: …` opens a lead, like `线索:`
            elif not field or not label_of(field.group(0)):
                intent = None if field else keyword_intent(key)
        else:
            open_label = False
        if intent is not None:
            parts.append(Part(seg, intent))
        elif parts:
            prev = parts[-1]
            joined = Text(prev.text.orig + "\n" + seg.orig, prev.text.key + "\n" + seg.key)
            parts[-1] = Part(joined, prev.intent)
    return parts


#: A reply that quotes a message, as WeCom writes it in text: 「sender：quoted」, a line of dashes, the reply.
_QUOTE = re.compile(r"^\s*「(?P<q>[^」]{0,500})」\s*\n\s*(?:-\s*){3,}\n?")


@dataclass(frozen=True, slots=True)
class Quoted:
    """What a quoting reply says: the record its quote names (the bot's receipt `#58 已记录 …`), and the reply."""

    ref: int | None
    reply: Text


def quoted_reply(text: Text) -> Quoted | None:
    """The reply under a quote, and the record number the quote names, if any."""
    m = _QUOTE.match(text.key)
    if m is None:
        return None
    ref = _REF_ANY.search(m.group("q"))
    return Quoted(int(ref.group("ref")) if ref else None, text.sub(m.end(), len(text.key)).strip())


def receipt_refs(quoted: str) -> tuple[int, ...]:
    """The record numbers a quoted message names (`✅ 已登记 #15 …`), each once, in order."""
    refs = [int(m.group("ref")) for m in _REF_ANY.finditer(quoted)]
    return tuple(dict.fromkeys(refs))


def withdraws(key: str) -> bool:
    """`这条撤回`, `删掉吧`: a withdrawal of the record meant."""
    return bool(_RETRACT_ANY.search(key))


def fixes(key: str) -> bool:
    """`金额不对，是5500万`, `改为3月8日`: a correction of the record meant."""
    return bool(_CORRECTION_ANY.search(key) or _SLIP.search(key) or _CORRECTED_VALUE.search(key))
