"""帮助: what the bot understands, built from the registered handlers' docstrings and examples."""

from __future__ import annotations

from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.receipts import format_amount, kind_name
from handlers.core.registry import router
from handlers.office.review import office_command
from handlers.project_base.questions import office_question
from nlp import Intent, Parsed


@router.on(Intent.HELP, title="帮助", examples=("帮助",))
def show_help(parsed: Parsed, ctx: Context) -> Reply:
    """列出机器人能听懂的内容和示例。"""
    deadline = ctx.rules.schedule.deadline_day
    lines = [f"我是招商助手，请在每月{deadline}日前报送（逾期不报，视为没有）。可以这样说："]
    order = list(Intent)
    routes = sorted(router.routes(), key=lambda route: min(order.index(i) for i in route.intents))
    for route in routes:
        if route.fn is show_help or not route.title or not route.allows(ctx.role):
            continue
        lines.append(f"• {route.title}：{route.summary}")
        for example in route.examples[:2]:
            lines.append("    例：" + example.replace("\n", "\n    "))
    minutes = ctx.rules.reporting.draft_minutes
    lines.append(f"缺少金额、建设内容或地点时我会追问，{minutes}分钟内直接回复即可补全。")
    lines.append("• 县领导/招商办还可问：开工率、履约率、资金到位率、线索转化率、签约多少、签约未开工、开工未投产。")
    lines.append("• 项目库：每个签约、开工、到位、投产、进展都归入本单位的一个项目（认不准时我会问，回复「P编号」即可）；"
                 "计划和意向书只记日期、不计分。项目库和各项比率的算法见 docs/projects.md（招商办可用 zsbot projects 查看）。")
    if ctx.is_admin:
        lines.append("• 审核：「审核」看待审核记录，「确认 #编号」计入，「驳回 #编号 原因」不计；「草稿」看未补全的草稿。")
        lines.append("• 包干：「包干 P5 张县长」把项目交给县领导包干（按名册姓名或账号），「取消包干 P5」取消；"
                     "也可 zsbot owners import 批量导入。包干领导会收到项目的签约/开工/到位/投产回执和久无进展提醒。")
    lines.extend(rules_text(ctx))
    return Reply("\n".join(lines))


def rules_text(ctx: Context) -> list[str]:
    """The counting rules in two short paragraphs (what is a repeat, what is flagged)."""
    c = ctx.rules.counting
    once = "、".join(kind_name(k) for k in c.once_kinds)
    public = "、".join(c.government_words[:5])
    local = "、".join(c.in_county_words[:2])
    return [
        f"【重复】同一单位{c.resend_hours}小时内重发相同内容，回复「重复 #编号」，不再登记；"
        f"同一企业（去掉省市和“有限公司”等后缀的企业名，如“美的暖通”即“广东美的暖通设备有限公司”）"
        f"或同一项目的{once}只计一次：其他单位已先报的，登记但计入先报单位（第一引资人），回执写明先报单位和编号；"
        "先签协议后签合同算一次签约，金额不重复计。",
        f"【不计分/审核】政府平台和财政资金（{public}等）、县内企业投资（{local}等）登记备查但不计分；"
        f"“下周来考察”等计划不算接待/外出。跨单位重复、不计分资金、超过{format_amount(c.review_above_wan)}或本单位通常金额{c.review_factor:g}倍以上的金额"
        "转招商办审核，确认后计入、驳回后不计，报送人会收到通知，改动全程留痕。",
    ]


@router.on(Intent.UNKNOWN)
def small_talk(parsed: Parsed, ctx: Context) -> Reply:
    """Chit-chat: nothing stored, a short hint at most (the office's 审核/确认/驳回/草稿 are commands)."""
    command = office_command(parsed, ctx)
    if command is not None:
        return command
    asked = office_question(parsed, ctx)
    if asked is not None:
        return asked
    return Reply("🙂 报送请以「线索：」「拜访：」「签约：」等开头，发送「帮助」查看格式。")
