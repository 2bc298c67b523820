"""更正 and 撤回: change or withdraw an earlier record of one's own unit; the audit keeps the old one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.periods import Month, deadline_of, period_label
from handlers.core.receipts import describe, format_amount, one_line
from handlers.core.registry import router
from handlers.project_base.intake import cny_wan, parsed_to_json
from nlp import Intent, Parsed
from storage.fields import BY_COLUMN, BY_PARSED
from storage.models import Record, RecordStatus, Role
from storage.projects import similarity

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


def own_record(parsed: Parsed, ctx: Context, verb: str) -> Record | str:
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
    """更正本单位已登记的记录（金额、日期、企业、地点等），原记录留痕备查；没写编号时我会问是哪一条。"""
    if parsed.ref is None:
        return _ask_which(parsed, ctx)
    found = own_record(parsed, ctx, "更正")
    if isinstance(found, str):
        return Reply(found)
    return apply_correction(found, parsed, ctx)


def _changes(parsed: Parsed, found: Record, ctx: Context) -> dict[str, Any]:
    stated = parsed.stated or frozenset(k for k in _COLUMNS if getattr(parsed, k) is not None)
    changes: dict[str, Any] = {
        _COLUMNS[k]: getattr(parsed, k) for k in stated if k in _COLUMNS and getattr(parsed, k) is not None
    }
    for key in _TEXT_FIELDS:
        if isinstance(changes.get(key), str):
            changes[key] = unlabelled(changes[key])
    if "amount_wan" in changes:
        changes.setdefault("currency", parsed.currency or found.currency or "CNY")
        changes["amount_cny_wan"] = cny_wan(changes["amount_wan"], changes["currency"], ctx)
    return changes


def apply_correction(found: Record, parsed: Parsed, ctx: Context) -> Reply:
    """Change `found` as `parsed` states; its project is derived again (the amount it carries, its stage)."""
    changes = _changes(parsed, found, ctx)
    if not changes:
        return Reply(f"没看出要把 #{found.id} 改成什么。例如「更正 #{found.id} 投资8000万元」或「更正 #{found.id} 日期3月8日」。")
    before = one_line(found)
    old_name = (found.company, found.project_name)
    record = ctx.store.records.correct(found, changes, ctx.member.userid)
    project = ctx.store.projects.get(record.project_id) if record.project_id else None
    if project is not None:
        if project.company == old_name[0] and project.name == old_name[1] and old_name != (record.company, record.project_name):
            project.company, project.name = record.company, record.project_name
            ctx.store.projects.index(project)
        ctx.store.projects.refresh(project, ctx.member.userid)
    return Reply("\n".join([f"✏️ 已更正 #{record.id}（原：{before}）", *describe(record)]), stored=True)


def _ask_which(parsed: Parsed, ctx: Context) -> Reply:
    """A correction naming no record (`携程温泉项目 更正一下 投资额是1.8个亿`) is never a new report: find the
    record it most likely means among the sender's unit's recent ones and ask; `是` applies it."""
    if ctx.unit is None or ctx.unit.id is None:
        return Reply("请写明编号，例如「更正 #12 …」。编号见登记回执。")
    if not _changes(parsed, Record(unit_id=0, reporter="", kind="", period="", reported_at=ctx.at, text=""), ctx):
        return Reply("请写明要更正的编号和正确的内容，例如「更正 #12 投资8000万元」。编号见登记回执或发送「我的上报」。")
    meant = _on_project(parsed, ctx) or _best(
        parsed, ctx.store.records.correctable(ctx.unit.id, ctx.at - _LOOK_BACK), ctx.member.userid)
    if meant is None:
        return Reply("没找到要更正的是哪一条。请写明编号，例如「更正 #12 投资8000万元」（编号见登记回执或发送「我的上报」）。")
    ctx.store.drafts.open(ctx.member.userid, {"ask": "correction", "record_id": meant.id, "parsed": parsed_to_json(parsed)},
                          ctx.at, ctx.rules.reporting.draft_minutes, ctx.message_id)
    wanted = "、".join(f"{BY_COLUMN[c].label or c}改为{_shown(c, v)}" for c, v in _changes(parsed, meant, ctx).items()
                      if c in _SHOWN)
    return Reply(f"❓ 是更正 #{meant.id}（{one_line(meant)}）吗？{wanted}。回复「是」确认更正；"
                 f"不是这条请回复「更正 #编号 …」。本条未登记为新的报送。")


#: How far back a correction without #N looks for the record it means.
_LOOK_BACK = timedelta(days=90)
_SHOWN = ("company", "project_name", "amount_wan", "place", "industry", "contact_name", "contact_phone", "event_date",
          "count")


def _shown(column: str, value: Any) -> str:
    if column == "amount_wan" and isinstance(value, int | float):
        return format_amount(value)
    return str(value)


#: Which record of a project a corrected amount means: what the words say it is.
_FUNDS_WORDS = re.compile(r"到位|到账")
_SIGNED_WORDS = re.compile(r"签约额|签约金额|合同额|合同金额")


def _on_project(parsed: Parsed, ctx: Context) -> Record | None:
    """The record a correction means when it names a project of the unit (`携程温泉项目 …投资额是1.8个亿`):
    that project's newest live record carrying what the correction changes (到位 → the funds, 签约额 → the
    signing, else the lead, intention or signing that states the investment)."""
    if ctx.unit is None or ctx.unit.id is None or not (parsed.company or parsed.project):
        return None
    found = ctx.store.projects.matches(ctx.unit.id, parsed.company, parsed.project,
                                       ctx.rules.reporting.project_match_threshold)
    if not found or found[0].guess or (len(found) > 1 and found[1].named and not found[0].named):
        return None
    fields = {_COLUMNS[k] for k in parsed.stated if k in _COLUMNS} - {"currency"}
    body = parsed.body or ""
    kinds = (("funds",) if _FUNDS_WORDS.search(body) else ("signing",) if _SIGNED_WORDS.search(body)
             else ("signing", "intention", "lead") if "amount_wan" in fields else None)
    records = [r for r in ctx.store.records.of_project(found[0].project.id or 0)
               if all(getattr(r, f, None) is not None for f in fields) and (kinds is None or r.kind in kinds)]
    return records[-1] if records else None


def _best(parsed: Parsed, candidates: Sequence[Record], sender: str) -> Record | None:
    """The record a correction most likely means: the one its names fit best (the sender's own and the
    newest first among equals); without names, the sender's newest record that has the field it changes."""
    said = f"{parsed.company or ''}{parsed.project or ''}"
    fields = {_COLUMNS[k] for k in parsed.stated if k in _COLUMNS}
    best: tuple[float, int, int] | None = None
    chosen: Record | None = None
    for record in candidates:
        theirs = f"{record.company or ''}{record.project_name or ''}"
        if said:
            core = record.company_key or ""
            score = 1.0 if len(core) >= 2 and core in said else similarity(said, theirs)
            if score < 0.5:
                continue
        else:
            if not all(getattr(record, f, None) is not None for f in fields - {"currency"}):
                continue
            score = 0.5
        key = (score, int(record.reporter == sender), record.id or 0)
        if best is None or key > best:
            best, chosen = key, record
    return chosen


@router.on(Intent.RETRACT, title="撤回", examples=("撤回 #12",))
def retract_record(parsed: Parsed, ctx: Context) -> Reply:
    """撤回本单位误报或重复报送的记录（不计分，留痕备查）。"""
    found = own_record(parsed, ctx, "撤回")
    if isinstance(found, str):
        return Reply(found)
    record = ctx.store.records.retract(found, ctx.member.userid, parsed.body or "")
    return Reply(f"↩️ 已撤回 {one_line(record)}，不再计入考核。", stored=True)
