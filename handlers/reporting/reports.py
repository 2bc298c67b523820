"""Reports: leads, visits, receptions and project milestones, alone or as a multi-part monthly report."""

from __future__ import annotations

from dataclasses import replace

from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.receipts import kind_name, missing_question, one_line
from handlers.core.registry import router
from handlers.project_base.intake import parsed_to_json, plan_reply, receipt, store_record, template_reply
from handlers.project_base.owners import copy_to_owner
from handlers.project_base.projects import store_problem
from handlers.project_base.questions import office_question
from nlp import RECORD_INTENTS, Intent, Parsed
from storage.models import Record

NO_UNIT = "报送需由单位联络员发送：您在名册中没有所属单位，本条未登记。如需为某单位报送，请联系招商办在名册中登记。"


@router.on(
    *sorted(RECORD_INTENTS - {Intent.PACKAGING}),
    title="报送",
    examples=(
        "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目",
        "拜访：今天带队赴苏州拜访苏州澄岚精密机械有限公司",
        "接待：今天接待浙江客商一行5人考察竹木加工项目",
        "签约：XX公司储能项目正式签约，总投资1.2亿元",
        "开工：/ 到位：/ 竣工：/ 进展：…",
        "意向：与XX公司签订投资意向书，拟投资2亿元（意向不算签约）",
        "计划：XX项目计划6月30日前开工（计划只记日期，不计分）",
    ),
)
def record_report(parsed: Parsed, ctx: Context) -> Reply:
    """报送线索、外出招商、接待洽谈、签约、开工、资金到位、竣工投产、项目进展、意向和计划，每条回执带编号；
    项目的每个进展都归入本单位的一个项目，认不准时会问是哪个项目。"""
    asked = office_question(parsed, ctx)
    if asked is not None:
        return asked
    if ctx.unit is None:
        return Reply(NO_UNIT)
    plan = plan_reply(parsed, ctx) or template_reply(parsed)
    if plan is not None:
        return Reply(plan)
    if parsed.missing:
        ask = missing_question(parsed.missing, parsed.intent, ctx.rules.reporting.draft_minutes)
        waiting = ctx.store.drafts.newest_open(ctx.member.userid, ctx.at)
        if waiting is not None and waiting.parsed.get("source_text") == parsed.source_text:
            return Reply(f"🔁 这条已存为草稿。{ask}")
        ctx.store.drafts.open(
            ctx.member.userid, parsed_to_json(parsed), ctx.at, ctx.rules.reporting.draft_minutes, ctx.message_id
        )
        return Reply(f"📝 收到{kind_name(parsed.intent)}，已存为草稿。{ask}", stored=True)
    stored = store_record(parsed, ctx)
    text = receipt(stored, ctx)
    if not stored.resent:
        copy_to_owner(stored.record, text, ctx)
    return Reply(text, stored=not stored.resent, records=() if stored.resent else (stored.record.id or 0,),
                 card=stored.choices)


@router.on(Intent.PACKAGING, title="策划包装", examples=("策划包装：年产5万吨新型建材项目，拟投资8000万元，面向县外客商招商",))
def record_packaging(parsed: Parsed, ctx: Context) -> Reply:
    """每季度报送策划包装的招商项目，回执写明是否符合要求（金额、不重复、非政府投资、县域外资金、按时）和本季度已报几个。"""
    return record_report(parsed, ctx)


@router.on(Intent.REPORT, title="月度汇总报送", examples=("3月份报送：\n1.线索：…\n2.拜访：…\n3.签约：…",))
def record_monthly_report(parsed: Parsed, ctx: Context) -> Reply:
    """一条消息报送多项（分行或用；隔开），逐项登记。"""
    if ctx.unit is None:
        return Reply(NO_UNIT)
    lines, ids, drafts, skipped, problems = [], [], 0, 0, 0
    for item in parsed.items:
        if item.intent is Intent.PROBLEM:
            problem, said = store_problem(item, ctx)
            if problem is None:
                lines.append(f"❔ 问题未登记：{item.source_text[:40]}（{said}）")
            else:
                problems += 1
                lines.append(said)
            continue
        if item.intent not in RECORD_INTENTS or template_reply(item):
            skipped += 1
            lines.append(f"❔ 没看懂这一项，未登记：{item.source_text[:40]}")
            continue
        if item.count and item.missing == ("place",):
            item = replace(item, missing=())  # 外出招商2次: a monthly count, not one trip to ask about
        plan = plan_reply(item, ctx)
        if plan is not None:
            skipped += 1
            lines.append(f"📅 计划中的{kind_name(item.intent)}，未登记：{item.source_text[:40]}")
            continue
        if item.missing:
            ctx.store.drafts.open(
                ctx.member.userid, parsed_to_json(item), ctx.at, ctx.rules.reporting.draft_minutes, ctx.message_id
            )
            drafts += 1
            ask = missing_question(item.missing, item.intent, ctx.rules.reporting.draft_minutes)
            lines.append(f"📝 {kind_name(item.intent)}（{_brief(item)}）待补充：{ask}")
            continue
        stored = store_record(item, ctx)
        if stored.resent:
            lines.append(f"🔁 重复 #{stored.record.id}，未重复登记：{one_line(stored.record)}")
            continue
        ids.append(stored.record.id or 0)
        lines.append(f"✅ {one_line(stored.record)}{_count_note(stored.record)}")
        copy_to_owner(stored.record, "\n".join([lines[-1], *stored.notes]), ctx)
        lines.extend(f"    {note}" for note in stored.notes)
        if stored.question:
            lines.append(f"    {stored.question}")
    if not ids and not drafts and not problems and not any(line.startswith("🔁") for line in lines):
        return Reply("没有识别出可登记的事项，请按「线索：…」「拜访：…」逐行报送，或发送「帮助」查看格式。")
    head = (f"已登记 {len(ids)} 项" + (f"，问题 {problems} 个" if problems else "")
            + (f"，{drafts} 项待补充（请逐项回复）" if drafts else "")
            + (f"，{skipped} 项未登记（见下）" if skipped else ""))
    record = ctx.store.records.get(ids[0]) if ids else None
    tail = []
    if record is not None and record.late:
        tail.append("⚠️ 已过本月报送截止日，以上计入下一期（逾期不报，视为没有）。")
    if ids:
        tail.append("有误请回复「更正 #编号 …」或「撤回 #编号」。")
    return Reply("\n".join([head, *lines, *tail]), stored=True, records=tuple(ids))


def _brief(item: Parsed) -> str:
    return (item.company or item.project or item.place or item.source_text[:16] or "").strip()


def _count_note(record: Record) -> str:
    """`外出招商2次` is two visits in the ranking: say so on the line."""
    if record.kind in ("visit", "reception") and record.count and record.count > 1:
        return f"（计{record.count}{'次' if record.kind == 'visit' else '批'}）"
    return ""
