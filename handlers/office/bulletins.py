"""通报/公告/通知: the office broadcasts to the group through the outbox; only admins may."""

from __future__ import annotations

from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.registry import router
from nlp import Intent, Parsed
from storage.models import Role
from storage.outbox import Target


@router.on(
    Intent.BULLETIN, title="群发通报（管理员）", examples=("通报：截至目前已有8个单位完成本月报送…",),
    allow=Role.ADMIN, refusal="群发通报仅限招商办管理员使用，本条未转发。如需发布请联系招商办。",
)
def broadcast(parsed: Parsed, ctx: Context) -> Reply:
    """管理员发送「通报：」「公告：」「通知：」开头的消息，由机器人转发到工作群。"""
    text = ctx.incoming.text.strip()
    if not (parsed.body or "").strip():
        return Reply("通报内容是空的，请在「通报：」后写上要发给大家的内容。本条未转发。")
    key = f"broadcast:{ctx.incoming.channel}:{ctx.incoming.msg_id}"
    ctx.store.outbox.push(key, f"**【招商办通报】**\n{text}", target=Target.group(), kind="markdown")
    return Reply("📣 已提交群发，稍后发送到工作群。", stored=True)
