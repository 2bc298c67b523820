"""The office's side of the record: review (审核, 确认 #N, 驳回 #N 原因) and drafts never completed (草稿).

The parser reads these as unknown or as review words; the lists are recognised by their own shape
(`handlers.core.commands`), so an office command is never refused as a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, timedelta

from handlers.core.commands import LIST_DRAFTS, LIST_REVIEW
from handlers.core.context import Context
from handlers.core.messages import Button, Card, Choice, Reply
from handlers.core.receipts import kind_name, one_line
from handlers.core.registry import action_of, router
from handlers.publishing.live_ledger import describe_change
from handlers.reporting.corrections import apply_correction
from nlp import Intent, Parsed
from storage.fields import BY_COLUMN
from storage.kinds import MILESTONE_VALUES, RecordKind
from storage.models import Record, Review, Role, SheetProposal
from storage.outbox import Target
from storage.records import counts
from storage.states import DraftState

_OFFICE_ROLES = (Role.ADMIN, Role.LEADER)


def office_command(parsed: Parsed, ctx: Context) -> Reply | None:
    """确认/驳回/审核/草稿 in chat; None when the message is none of them."""
    text = ctx.incoming.text
    if LIST_REVIEW.match(text):
        return _review_list(ctx)
    if LIST_DRAFTS.match(text):
        return _draft_list(ctx)
    return None


def _office_only(ctx: Context) -> Reply | None:
    if ctx.is_admin:
        return None
    return Reply("审核由县招商办（管理员）操作。如对某条记录有疑问，请联系招商办。")


@router.on(Intent.REVIEW, title="审核", examples=("确认 #26", "驳回 #41 城投项目不计"), allow=Role.ADMIN,
           refusal="审核由县招商办（管理员）操作。如对某条记录有疑问，请联系招商办。")
def review(parsed: Parsed, ctx: Context) -> Reply:
    """招商办审核：「确认 #编号」计入，「驳回 #编号 原因」不计；跨单位重复的，确认时选择「两家都计」或「转计本单位」。"""
    return _decide(ctx, bool(parsed.confirm), parsed.ref or 0, (parsed.body or "").strip())


#: How the office settles a cross-unit repeat (第一引资人): both units count, or the credit moves.
_BOTH = re.compile(r"两家都计|两个?单位都计|都计|均计|重复计|都算")
_MOVE = re.compile(r"转计|改计|转给|改为本单位|计入本单位|归本单位|移交|改由|转到")
_KEEP_FIRST = re.compile(r"计入先报|先报单位|维持|第一引资人")
#: The records that name an investor (a project counts when one of them does).
_FOUNDING = frozenset({RecordKind.LEAD.value, RecordKind.INTENTION.value, RecordKind.SIGNING.value})


def _decide(ctx: Context, confirmed: bool, record_id: int, note: str) -> Reply:
    store = ctx.store
    record = store.records.get(record_id)
    if record is None:
        return Reply(f"没有找到记录 #{record_id}，请核对编号（发送「审核」查看待审核记录）。")
    edits = store.sheet.pending_for(record_id)
    if edits and _SHEET.search(note):
        return _decide_sheet_edit(ctx, record, edits, confirmed)
    if not confirmed and not note:
        return Reply(f"请写明驳回原因，例如「驳回 #{record_id} 与南樊镇 #12 为同一项目」。")
    first = store.records.get(record.repeat_of) if record.repeat_of else None
    moved_from: Record | None = None
    if confirmed and first is not None and first.unit_id != record.unit_id:
        units = {u.id: u.name for u in store.roster.units()}
        mine, theirs = units.get(record.unit_id, ""), units.get(first.unit_id, "")
        if _MOVE.search(note):
            moved_from = store.records.move_credit(record, first, ctx.member.userid)
            note = f"第一引资人改为{mine}（原{theirs} #{first.id}）"
            # The investor is no longer the first unit's: neither is its project (its milestones follow).
            for other in store.records.of_project(moved_from.project_id or 0):
                if other.kind in _FOUNDING and other.id != moved_from.id and counts(other):
                    store.records.flag(other, f"第一引资人改为{mine} #{record.id}", review=False, actor=ctx.member.userid)
        elif _KEEP_FIRST.search(note):
            confirmed, note = False, f"计入先报单位{theirs} #{first.id}"
        elif not _BOTH.search(note):
            return Reply(
                f"⚠️ #{record.id}（{mine}）与{theirs} #{first.id} 是同一投资方，已按第一引资人计入{theirs}。请选择：\n"
                f"· 回复「确认 #{record.id} 两家都计」：{mine}和{theirs}都计（全县只计一次）；\n"
                f"· 回复「确认 #{record.id} 转计本单位」：改计入{mine}，{theirs} #{first.id} 不再计；\n"
                f"· 回复「驳回 #{record.id} 计入先报单位」：维持计入{theirs}。")
        else:
            note = note or f"与{theirs} #{first.id} 两家都计"
    record = store.records.decide(record, confirmed, note, ctx.member.userid)
    for touched in {record.project_id, moved_from.project_id if moved_from else None} - {None}:
        project = store.projects.get(touched or 0)
        if project is not None:
            store.projects.refresh(project, ctx.member.userid)
    verdict = "确认，计入考核" if confirmed else f"驳回，不计入考核（原因：{note}）"
    if confirmed and note:
        verdict += f"（{note}）"
    store.outbox.push(
        f"review:{record.id}:{record.review}:{ctx.message_id}",
        f"招商办审核：{one_line(record)} 已{verdict}。",
        target=Target.user(record.reporter), kind="text",
    )
    if moved_from is not None:
        store.outbox.push(
            f"review-moved:{moved_from.id}:{ctx.message_id}",
            f"招商办审核：{one_line(moved_from)} 的第一引资人已改为#{record.id}的报送单位，本条不再计入考核。",
            target=Target.user(moved_from.reporter), kind="text",
        )
    return Reply(f"已{verdict}：{one_line(record)}。已通知报送人。", stored=True)


#: The verdicts a review card offers, by button action: (confirmed, the note `_decide` reads).
_VERDICTS = {"confirm": (True, ""), "both": (True, "两家都计"), "first": (False, "计入先报单位")}
_DONE = {Review.CONFIRMED.value: "已确认计入", Review.REJECTED.value: "已驳回，不计入"}


def review_card(record: Record, units: dict[int | None, str], ctx: Context) -> Card:
    """The first item waiting for review as buttons (确认计入 / 驳回; for a repeat of another unit's report
    计入先报单位 / 两家都计). A card id is unique per bot: the record and the message that asked for it."""
    why = record.not_counting or "金额待核"
    buttons: tuple[Button, ...]
    first = ctx.store.records.get(record.repeat_of) if record.repeat_of else None
    if first is not None and first.unit_id != record.unit_id:
        theirs = units.get(first.unit_id, "")
        buttons = (Button(f"first:{record.id}", f"计入先报单位{theirs}"), Button(f"both:{record.id}", "两家都计"),
                   Button(f"reject:{record.id}", "驳回", primary=False))
    else:
        buttons = (Button(f"confirm:{record.id}", "确认计入"), Button(f"reject:{record.id}", "驳回", primary=False))
    return Card(task_id=f"review-{record.id}-{ctx.message_id}", title=f"审核 #{record.id}",
                text=f"{one_line(record)}｜{units.get(record.unit_id, '')}｜{why}", buttons=buttons)


@router.on_click("confirm", "both", "first", "reject", allow=Role.ADMIN,
                 refusal="审核由县招商办（管理员）操作，按钮未生效。如对某条记录有疑问，请联系招商办。")
def review_click(choice: Choice, ctx: Context) -> Reply:
    """A click on a review card does what the typed 确认/驳回 does, once: a record already decided is left as
    it is, and the card then says by whom and when. 驳回 asks for the reason in one line."""
    action, subject = action_of(choice)
    record = ctx.store.records.get(int(subject)) if subject.isdigit() else None
    if record is None:
        return Reply(f"没有找到记录 #{subject}。", card=_decided_card(choice, f"#{subject}", "记录不存在"))
    if record.review != Review.PENDING.value:
        return Reply(f"#{record.id} {_who_decided(record, ctx)}，未重复处理。",
                     card=_decided_card(choice, f"#{record.id}", _who_decided(record, ctx)))
    if action == "reject":
        return Reply(f"请回复驳回原因（一句话），例如「驳回 #{record.id} 与南樊镇 #12 为同一项目」。",
                     card=_decided_card(choice, f"#{record.id}", "待填写驳回原因", keep=choice))
    confirmed, note = _VERDICTS[action]
    reply = _decide(ctx, confirmed, record.id or 0, note)
    return replace(reply, card=_decided_card(choice, f"#{record.id}", _who_decided(record, ctx)))


def _who_decided(record: Record, ctx: Context) -> str:
    """`已确认计入 · 李主任 · 03-10 10:22`, from the audit trail's last verdict on the record."""
    verdicts = [a for a in ctx.store.audit.history("record", record.id or 0) if a.action in ("confirm", "reject")]
    done = _DONE.get(record.review, "已处理")
    if not verdicts:
        return done
    last = verdicts[-1]
    names = {m.userid: m.name for m in ctx.store.roster.members()}
    at = last.at if last.at.tzinfo else last.at.replace(tzinfo=UTC)
    return f"{done} · {names.get(last.actor, last.actor)} · {at.astimezone(ctx.rules.schedule.tz):%m-%d %H:%M}"


def _decided_card(choice: Choice, title: str, state: str, keep: Choice | None = None) -> Card:
    """The clicked card as it now stands: the same task_id (WeCom updates that card), the decision in
    place of the buttons; `keep` leaves a reject card's other buttons (the reason is still to come)."""
    buttons = () if keep is None else (Button(f"confirm:{action_of(keep)[1]}", "改为确认计入"),)
    return Card(task_id=choice.task_id, title=f"审核 {title}", text=state, buttons=buttons)


#: `确认 #12 表格` / `驳回 #12 表格`: the office's verdict on a member's edit of #12 in the live ledger.
_SHEET = re.compile(r"表格")


def _decide_sheet_edit(ctx: Context, record: Record, edits: Sequence[SheetProposal], confirmed: bool) -> Reply:
    """Apply the latest edit of the record made in the smart sheet as a correction (its audit trail, its project
    derived again), or dismiss it; either way every waiting edit of the record is settled, the editor told."""
    store, latest = ctx.store, edits[-1]
    what = "；".join(describe_change(c, v) for c, v in latest.changes.items())
    for edit in edits:
        store.sheet.decide(edit, confirmed and edit is latest, ctx.member.userid)
    if not confirmed:
        verdict = f"未采纳智能表格中对 #{record.id} 的修改（{what}），台账不变，表格下次同步时恢复。"
        reply = Reply(verdict, stored=True)
    else:
        stated = {BY_COLUMN[c].parsed: new for c, (_old, new) in latest.changes.items() if BY_COLUMN[c].parsed}
        parsed = Parsed(intent=Intent.CORRECTION, ref=record.id, stated=frozenset(stated), **stated)  # type: ignore[arg-type]
        applied = apply_correction(record, parsed, ctx)
        verdict = f"已采纳智能表格中对 #{record.id} 的修改（{what}）。"
        reply = Reply(f"{verdict}\n{applied.text}", stored=True)
    store.outbox.push(f"sheet-edit:{latest.id}:{'applied' if confirmed else 'dismissed'}", f"招商办审核：{verdict}",
                      target=Target.user(latest.editor), kind="text")
    return reply


def _review_list(ctx: Context) -> Reply:
    refused = _office_only(ctx)
    if refused:
        return refused
    pending = ctx.store.records.in_review()
    waiting = ctx.store.records.unattached(MILESTONE_VALUES)
    edits = ctx.store.sheet.pending()
    if not pending and not waiting and not edits:
        return Reply("✅ 没有待审核的记录，也没有待归入项目的进展。")
    units = {u.id: u.name for u in ctx.store.roster.units()}
    lines = []
    if pending:
        lines.append(f"**待审核 {len(pending)} 条**（回复「确认 #编号」计入，「驳回 #编号 原因」不计）")
        for r in pending[:30]:
            why = r.not_counting or "金额待核"
            lines.append(f"{one_line(r)}｜{units.get(r.unit_id, '')}｜{why}")
    if edits:
        names = {m.userid: m.name for m in ctx.store.roster.members()}
        lines.append(f"**智能表格修改 {len(edits)} 条**（回复「确认 #编号 表格」采纳为更正，「驳回 #编号 表格」不采纳）")
        for e in edits[:30]:
            what = "；".join(describe_change(c, v) for c, v in e.changes.items())
            lines.append(f"#{e.record_id} {what}｜{names.get(e.editor, e.editor)}在表格中修改")
    if waiting:
        lines.append(_unattached_lines(waiting, units, office=True))
    # In the office's 1:1 chat with the bot the first item comes as buttons too (where the channel shows cards).
    card = review_card(pending[0], units, ctx) if pending and ctx.incoming.chat_id is None else None
    return Reply("\n".join(lines), card=card)


def _unattached_lines(waiting: Sequence[Record], units: dict[int | None, str], office: bool) -> str:
    """The milestones no project has yet: they count in the ranking, not in 开工率 and the other rates."""
    how = "回复「#编号 归入 P编号」或「#编号 新项目」" + ("（招商办可随时归入）" if office else "")
    lines = [f"**待归入项目 {len(waiting)} 条**（未归入的不计入开工率等项目指标，{how}）"]
    lines += [f"{one_line(r)}｜{units.get(r.unit_id, '')}" for r in waiting[:30]]
    return "\n".join(lines)


def _draft_list(ctx: Context) -> Reply:
    """Drafts of the last 30 days that were never completed (expired ones are closed as they are read), and
    the milestones waiting for their project (the sender's unit's, for a liaison)."""
    store = ctx.store
    units = {u.id: u.name for u in store.roster.units()}
    if ctx.role not in _OFFICE_ROLES:
        waiting = store.records.unattached(MILESTONE_VALUES, unit_id=ctx.unit.id) if ctx.unit else []
        if waiting:
            return Reply(_unattached_lines(waiting, units, office=False))
        return Reply("草稿清单供招商办查看。您自己的草稿：直接回复补充内容即可。")
    store.drafts.expire_due(ctx.at)
    drafts = [d for d in store.drafts.never_completed(ctx.at - timedelta(days=30)) if not d.parsed.get("ask")]
    waiting = store.records.unattached(MILESTONE_VALUES)
    if not drafts and not waiting:
        return Reply("近30天没有未补全的草稿，也没有待归入项目的进展。")
    names = {m.userid: m.name for m in store.roster.members()}
    tz = ctx.rules.schedule.tz
    lines = []
    if drafts:
        lines.append(f"**近30天未补全的草稿 {len(drafts)} 条**（未补全不登记、不计分）")
    for d in drafts[-30:]:
        what = d.parsed.get("company") or d.parsed.get("project") or (d.parsed.get("source_text") or "")[:20]
        state = "待补充" if d.state == DraftState.OPEN else "已过期"
        lines.append(f"{d.created_at.astimezone(tz):%m-%d %H:%M} {names.get(d.user_id, d.user_id)} "
                     f"{kind_name(d.parsed.get('intent', ''))} {what}（{state}，缺{'、'.join(d.parsed.get('missing') or [])}）")
    if waiting:
        lines.append(_unattached_lines(waiting, units, office=True))
    return Reply("\n".join(lines))
