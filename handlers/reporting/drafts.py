"""The draft dialogue: a report lacking a field waits for the sender's answer.

Rules (issue 8): the newest open draft is the one being answered; a message that supplies a missing
field completes it whatever it would parse as alone (`建设肉鸡养殖项目` reads as 项目进展 on its own);
a message that is plainly a new report (a `线索：` label, a multi-line report, a whole report about
another company) or a command goes its own way and the draft stays open. Expired drafts close when
read, so a draft from weeks ago never takes today's answer.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from handlers.core.commands import is_command
from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.receipts import kind_name, missing_question
from handlers.project_base.intake import (
    parsed_from_json,
    parsed_to_json,
    receipt,
    store_record,
    with_answer,
)
from handlers.project_base.owners import copy_to_owner
from handlers.project_base.projects import attached_reply, open_for
from handlers.reporting.corrections import apply_correction, own_record
from nlp import RECORD_INTENTS, Intent, Parsed, parse_answer
from storage.keys import core_company_name
from storage.models import Draft
from storage.states import DraftState

_YES = re.compile(r"^\s*(?:是|是的|对|对的|没错|就是|确认|嗯|好)\s*[。.!！]?\s*$")
_NEW = re.compile(r"^\s*(?:新项目|新建项目|新建档案|新建)\s*[。.!！]?\s*$")
#: A no to the project the bot suggested: which one then (it never opens a project on a no).
_NO = re.compile(r"^\s*(?:不是|不是的|否|不对)\s*[。.!！]?\s*$")
_PNUM = re.compile(r"^\s*[Pp]\s*(\d+)\s*$")
#: How long after a draft lapsed a bare answer is told so (rather than silently ignored).
_TELL_LAPSED = timedelta(hours=24)


def answer_draft(parsed: Parsed, ctx: Context) -> Reply | None:
    """Complete the sender's newest open draft with this message, if it is an answer; else None."""
    text = ctx.incoming.text
    if is_command(parsed, text):
        return None
    drafts = ctx.store.drafts
    draft = drafts.newest_open(ctx.member.userid, ctx.at)
    if draft is not None and draft.parsed.get("ask") == "project":
        answered = _answer_project(draft, ctx)
        if answered is not None:
            return answered
        # A question about a project stays open for days: what is not its answer may still answer the
        # report that waits for a missing field.
        draft = drafts.newest_open(ctx.member.userid, ctx.at, asking=False)
    if draft is None:
        return _lapsed(parsed, ctx)
    if draft.parsed.get("ask") == "correction":
        return _answer_correction(draft, ctx)
    pending = parsed_from_json(draft.parsed)
    if _plainly_new(parsed, pending, text):
        return None
    if ctx.unit is None:
        drafts.close(draft, DraftState.ABANDONED)
        return None
    # The bare answer ("8000万元", "苏州") is read as the value of the draft's own label.
    completed = with_answer(pending, parse_answer(text, ctx.today, expecting=pending.intent, missing=pending.missing))
    if completed.missing == pending.missing and completed == pending:
        ask = missing_question(pending.missing, pending.intent, ctx.rules.reporting.draft_minutes)
        return Reply(f"没看懂这条补充。{kind_name(pending.intent)}{ask}")
    if completed.missing:
        drafts.update(draft, parsed_to_json(completed), ctx.at, ctx.rules.reporting.draft_minutes)
        ask = missing_question(completed.missing, completed.intent, ctx.rules.reporting.draft_minutes)
        return Reply(f"已补充。{ask}", stored=True)
    drafts.close(draft, DraftState.COMPLETED)
    stored = store_record(
        replace(completed, source_text=f"{pending.source_text} {text}".strip()), ctx, reported_at=draft.created_at,
    )
    said = receipt(stored, ctx)
    if not stored.resent:
        copy_to_owner(stored.record, said, ctx)
    return Reply(said, stored=not stored.resent, records=() if stored.resent else (stored.record.id or 0,),
                 card=stored.choices)


#: A milestone, a plan or a problem is news of its own, never the missing 建设内容 of a lead.
_NEWS = frozenset({Intent.SIGNING, Intent.START, Intent.FUNDS, Intent.COMPLETION, Intent.INTENTION, Intent.PLAN,
                   Intent.PROBLEM})


def _plainly_new(parsed: Parsed, pending: Parsed, text: str) -> bool:
    """A message that is a report of its own, not an answer to the draft."""
    if parsed.intent is Intent.REPORT or parsed.label is not None:
        return True
    if parsed.intent in _NEWS and parsed.intent is not pending.intent:
        return True
    if parsed.intent in RECORD_INTENTS and not parsed.missing and parsed.company and parsed.amount_wan is not None:
        mine, theirs = core_company_name(parsed.company), core_company_name(pending.company)
        return not (mine and theirs and (mine.startswith(theirs) or theirs.startswith(mine)))
    return False


def _lapsed(parsed: Parsed, ctx: Context) -> Reply | None:
    """An answer just after the sender's draft lapsed (it would have filled a missing field): say so
    once, instead of storing `建设精密零部件加工项目` as a 项目进展 of its own."""
    if parsed.intent in RECORD_INTENTS and parsed.label is not None:
        return None
    drafts = ctx.store.drafts
    lapsed = drafts.recently_expired(ctx.member.userid, ctx.at - _TELL_LAPSED)
    if lapsed is None or lapsed.parsed.get("ask"):
        return None
    pending = parsed_from_json(lapsed.parsed)
    text = ctx.incoming.text
    if _plainly_new(parsed, pending, text):
        return None
    answer = parse_answer(text, ctx.today, expecting=pending.intent, missing=pending.missing)
    if with_answer(pending, answer).missing == pending.missing:
        return None
    drafts.close(lapsed, DraftState.LAPSED)
    minutes = ctx.rules.reporting.draft_minutes
    return Reply(
        f"⌛ 您之前报送的{kind_name(pending.intent)}草稿超过{minutes}分钟未补充，已作废。"
        "请把完整内容重新发送一次（含金额、建设内容等）。"
    )


def _answer_project(draft: Draft, ctx: Context) -> Reply | None:
    """`是` / `新项目` / `P5` after the bot asked which project a milestone belongs to."""
    text = ctx.incoming.text
    store = ctx.store
    record = store.records.get(int(draft.parsed["record_id"]))
    if record is None or ctx.unit is None:
        store.drafts.close(draft, DraftState.ABANDONED)
        return None
    numbered = _PNUM.match(text)
    if _YES.match(text) and draft.parsed.get("project_id"):
        project = store.projects.get(int(draft.parsed["project_id"]))
    elif numbered:
        project = store.projects.get(int(numbered.group(1)))
        if project is None or project.unit_id != ctx.unit.id:
            return Reply(f"P{numbered.group(1)} 不是本单位的项目。请回复本单位的项目号，或「新项目」。")
    elif _NEW.match(text):
        project = open_for(record, ctx)
    elif _NO.match(text):
        return Reply(f"好的。#{record.id} 属于哪个项目？请回复「P编号」，或「新项目」建档（发送「草稿」可查看待归入的记录）。")
    else:
        return None
    if project is None:
        raise LookupError(f"draft {draft.id} names project {draft.parsed.get('project_id')}, which is not stored")
    store.drafts.close(draft, DraftState.COMPLETED)
    return attached_reply(record, project, ctx)


def _answer_correction(draft: Draft, ctx: Context) -> Reply | None:
    """`是` after the bot asked which record a correction without #N means: correct that one."""
    if not _YES.match(ctx.incoming.text):
        if _NO.match(ctx.incoming.text):
            ctx.store.drafts.close(draft, DraftState.ABANDONED)
            return Reply("好的，没有更正。请回复「更正 #编号 …」写明要更正的记录。")
        return None
    ctx.store.drafts.close(draft, DraftState.COMPLETED)
    parsed = parsed_from_json(draft.parsed["parsed"])
    found = own_record(replace(parsed, ref=int(draft.parsed["record_id"])), ctx, "更正")
    if isinstance(found, str):
        return Reply(found)
    return apply_correction(found, parsed, ctx)
