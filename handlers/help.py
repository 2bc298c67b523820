"""帮助: what the bot understands, built from the registered handlers' docstrings and examples."""

from __future__ import annotations

from handlers.context import Context
from handlers.messages import Reply
from handlers.office import office_command
from handlers.registry import router
from nlp import Intent, Parsed


@router.on(Intent.HELP, title="帮助", examples=("帮助",))
def show_help(parsed: Parsed, ctx: Context) -> Reply:
    """列出机器人能听懂的内容和示例。"""
    deadline = ctx.rules.schedule.deadline_day
    lines = [f"我是招商助手，请在每月{deadline}日前报送（逾期不报，视为没有）。可以这样说："]
    order = list(Intent)
    routes = sorted(router.routes(), key=lambda route: min(order.index(i) for i in route.intents))
    for route in routes:
        if route.fn is show_help or not route.title or (Intent.BULLETIN in route.intents and not ctx.is_admin):
            continue
        lines.append(f"• {route.title}：{route.summary}")
        for example in route.examples[:2]:
            lines.append("    例：" + example.replace("\n", "\n    "))
    lines.append("缺少金额、建设内容或地点时我会追问，30分钟内直接回复即可补全。")
    return Reply("\n".join(lines))


@router.on(Intent.UNKNOWN)
def small_talk(parsed: Parsed, ctx: Context) -> Reply:
    """Chit-chat: nothing stored, a short hint at most (the office's 审核/确认/驳回/草稿 are commands)."""
    command = office_command(parsed, ctx)
    if command is not None:
        return command
    return Reply("🙂 报送请以「线索：」「拜访：」「签约：」等开头，发送「帮助」查看格式。")
