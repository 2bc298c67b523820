"""佐证 (evidence): a contract, a photo of a site visit, sent to the bot in 1:1 chat, kept on its record.

The edge has fetched and stored the files before the message reaches here (`Incoming.attachments`); this
decides which record each proves and says so in the receipt: the record a report sent with it (a caption)
stored, else the record a quoted receipt names, else the sender's latest record of their unit. When that
guess is wrong, `归入 #N` right after moves the files (the sender to their own unit's records; the office
to any). A file that could not be received gets a short reply saying why (an expired link: send it again).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from handlers.core.context import Context
from handlers.core.messages import Attachment, Reply
from handlers.core.registry import router
from nlp import RECORD_INTENTS, Intent, Parsed, receipt_refs
from storage.models import Evidence, Record, RecordStatus

MOVE_HINT = "如需改挂，请回复「归入 #编号」"


def size_text(n: int) -> str:
    """1.2MB, 340KB: as a person reads a file size."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f}MB"
    return f"{max(1, round(n / 1024))}KB"


def _listed(files: Sequence[Attachment | Evidence]) -> str:
    return "；".join(f"{f.name}，{size_text(f.size if isinstance(f, Attachment) else f.bytes)}" for f in files)


def may_hang_on(record: Record, ctx: Context) -> str | None:
    """Why the sender may not hang a file on `record`, or None: own unit's standing records; the office any."""
    if record.status == RecordStatus.RETRACTED.value:
        return f"#{record.id} 已撤回，不能作为佐证所属的记录。"
    if ctx.is_admin or (ctx.unit is not None and record.unit_id == ctx.unit.id):
        return None
    return f"#{record.id} 不是本单位的记录，佐证只能挂在本单位的记录上。"


def _record_for(ctx: Context, answered: Reply | None) -> tuple[Record | None, str]:
    """The record the files prove, or None with the reason to tell the sender."""
    store = ctx.store
    if answered is not None and answered.stored and answered.records:
        return store.records.get(answered.records[0]), ""
    named: tuple[int, ...] = ()
    if ctx.incoming.quote is not None and ctx.incoming.quote.text:
        named = receipt_refs(ctx.incoming.quote.text)
    if not named and ctx.incoming.text:
        named = receipt_refs(ctx.incoming.text)  # a caption naming its record: `#15 的合同`
    if len(named) == 1:
        record = store.records.get(named[0])
        if record is None:
            return None, f"没有找到记录 #{named[0]}"
        refused = may_hang_on(record, ctx)
        return (None, refused.rstrip("。")) if refused else (record, "")
    if len(named) > 1:
        return None, "引用的消息里有多条记录"
    if ctx.unit is None:
        return None, "您没有所属单位的记录"
    latest = store.records.latest_by(ctx.member.userid, ctx.unit.id or 0)
    return (latest, "") if latest is not None else (None, "您还没有报送过记录")


def receive_attachments(parsed: Parsed, ctx: Context, answer: Callable[[Parsed], Reply]) -> Reply:
    """Keep the message's files on their record and say where; a caption that is a report is handled
    first (`answer`), so the files prove the record it stored. Other captions are only captions."""
    answered = answer(parsed) if parsed.intent in RECORD_INTENTS else None
    kept = [a for a in ctx.incoming.attachments if not a.problem]
    lines = [answered.text] if answered is not None and answered.text else []
    if kept:
        record, why = _record_for(ctx, answered)
        for a in kept:
            ctx.store.evidence.add(Evidence(
                record_id=record.id if record is not None else None, kind=a.kind, name=a.name, bytes=a.size,
                sha256=a.sha256, path=a.path, sender=ctx.member.userid, at=ctx.at, message_id=ctx.message_id))
        if record is not None:
            lines.append(f"📎 已存为 #{record.id} 的佐证（{_listed(kept)}）；{MOVE_HINT}")
        else:
            lines.append(f"📎 已收到佐证（{_listed(kept)}），{why}，暂未关联记录；请回复「归入 #编号」指明是哪条记录的佐证。")
    for a in ctx.incoming.attachments:
        if a.problem:
            what = a.name or ("图片" if a.kind == "image" else "文件")
            lines.append(f"⚠️ {what}未接收：{a.problem}")
    return Reply("\n".join(lines), stored=bool(kept) or (answered is not None and answered.stored),
                 records=answered.records if answered is not None else ())


@router.on(Intent.EVIDENCE, title="佐证改挂", examples=("归入 #15",))
def move_evidence(parsed: Parsed, ctx: Context) -> Reply:
    """把刚发送的图片或文件（佐证）改挂到另一条记录：回复「归入 #编号」（本单位的记录；招商办可改挂任何记录）。"""
    files = ctx.store.evidence.latest_of(ctx.member.userid)
    if not files:
        return Reply("您还没有发送过佐证。请在与我的单聊中发送图片或文件（如合同扫描件），再按需回复「归入 #编号」。")
    if parsed.ref is None:
        return Reply("请写明记录编号，例如「归入 #15」。")
    record = ctx.store.records.get(parsed.ref)
    if record is None:
        return Reply(f"没有找到记录 #{parsed.ref}，请核对编号。")
    refused = may_hang_on(record, ctx)
    if refused:
        return Reply(refused)
    if all(f.record_id == record.id for f in files):
        return Reply(f"这些佐证已是 #{record.id} 的佐证（{_listed(files)}）。")
    ctx.store.evidence.move_to(files, record.id or 0, ctx.member.userid)
    return Reply(f"📎 已改挂为 #{record.id} 的佐证（{_listed(files)}）。", stored=True)
