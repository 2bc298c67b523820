"""更正 and 撤回: change or withdraw an earlier record of one's own unit; the audit keeps the old one."""

from __future__ import annotations

import re
from typing import Any

from handlers.context import Context
from handlers.intake import cny_wan
from handlers.messages import Reply
from handlers.periods import Month, deadline_of, period_label
from handlers.receipts import describe, one_line
from handlers.registry import router
from nlp import Intent, Parsed
from storage.fields import BY_PARSED
from storage.models import Record, RecordStatus, Role

#: Parse-result field -> record column, for what a correction may state (the field table's).
_COLUMNS = {name: f.column for name, f in BY_PARSED.items() if f.correctable}


#: Field labels a correction may still carry in front of its value (`企业陕西秦川果业集团有限公司`).
_LABEL = re.compile(
    r"^\s*(?:企业名称|企业|公司名称|公司|投资方|投资主体|项目名称|项目|建设内容|地点|地址|行业|联系人|联系电话|电话|名称)"
    r"\s*(?:应为|应是|改为|改成|更正为|更改为|是|为)?\s*[：:]?\s*"
)
_TEXT_FIELDS = ("company", "project_name", "place", "industry", "contact_name")


def unlabelled(value: str) -> str:
    """The value without a leading field label, if anything is left after it."""
    stripped = _LABEL.sub("", value, count=1).strip()
    return stripped if len(stripped) >= 2 else value


def _own_record(parsed: Parsed, ctx: Context, verb: str) -> Record | str:
    """The record #N if the sender may change it, else the polite refusal."""
    if parsed.ref is None:
        return f"请写明编号，例如「{verb} #12 …」。编号见登记回执或发送「我的上报」。"
    record = ctx.store.records.get(parsed.ref)
    if record is None:
        return f"没有找到记录 #{parsed.ref}，请核对编号（发送「我的上报」可查看本单位记录）。"
    if not ctx.is_admin and (ctx.unit is None or record.unit_id != ctx.unit.id):
        return f"#{parsed.ref} 不是本单位的记录，只能{verb}本单位报送的内容。"
    if not ctx.is_admin and ctx.role is not Role.LIAISON:
        return f"{verb}由本单位联络员操作（或联系招商办），以免与联络员的报送不一致。"
    if record.status == RecordStatus.RETRACTED.value:
        return f"#{parsed.ref} 已撤回，无法再{verb}。如需重新报送请直接发送。"
    closed = deadline_of(Month.parse(record.period), ctx.rules.schedule)
    if not ctx.is_admin and ctx.at > closed:
        return (f"#{parsed.ref} 计入{period_label(record.period)}，该期已于{closed.month}月{closed.day}日截止，"
                f"不能再{verb}。确需{verb}请联系招商办。")
    return record


@router.on(Intent.CORRECTION, title="更正", examples=("更正 #12 投资8000万元", "更正 #35 签约日期应为3月8日"))
def correct_record(parsed: Parsed, ctx: Context) -> Reply:
    """更正本单位已登记的记录（金额、日期、企业、地点等），原记录留痕备查。"""
    found = _own_record(parsed, ctx, "更正")
    if isinstance(found, str):
        return Reply(found)
    stated = parsed.stated or frozenset(k for k in _COLUMNS if getattr(parsed, k) is not None)
    changes: dict[str, Any] = {
        _COLUMNS[k]: getattr(parsed, k) for k in stated if k in _COLUMNS and getattr(parsed, k) is not None
    }
    for key in _TEXT_FIELDS:
        if isinstance(changes.get(key), str):
            changes[key] = unlabelled(changes[key])
    if not changes:
        return Reply(f"没看出要把 #{found.id} 改成什么。例如「更正 #{found.id} 投资8000万元」或「更正 #{found.id} 日期3月8日」。")
    if "amount_wan" in changes:
        changes.setdefault("currency", parsed.currency or found.currency or "CNY")
        changes["amount_cny_wan"] = cny_wan(changes["amount_wan"], changes["currency"], ctx)
    before = one_line(found)
    old_values = {"company": found.company, "project_name": found.project_name, "amount_cny_wan": found.amount_cny_wan}
    record = ctx.store.records.correct(found, changes, ctx.member.userid)
    project = ctx.store.projects.get(record.project_id) if record.project_id else None
    if project is not None:
        ctx.store.projects.follow_correction(project, old_values, record, ctx.member.userid)
    return Reply("\n".join([f"✏️ 已更正 #{record.id}（原：{before}）", *describe(record)]), stored=True)


@router.on(Intent.RETRACT, title="撤回", examples=("撤回 #12",))
def retract_record(parsed: Parsed, ctx: Context) -> Reply:
    """撤回本单位误报或重复报送的记录（不计分，留痕备查）。"""
    found = _own_record(parsed, ctx, "撤回")
    if isinstance(found, str):
        return Reply(found)
    record = ctx.store.records.retract(found, ctx.member.userid, parsed.body or "")
    return Reply(f"↩️ 已撤回 {one_line(record)}，不再计入考核。", stored=True)
