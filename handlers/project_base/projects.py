"""The project base (项目库): every milestone on its project, problems on their project, the office's ledger.

A milestone the bot could not place waits, unattached, on the office's lists until someone says which
project it belongs to: the reporter's `P2` (the answer to the bot's question, whenever it comes) or
`#15 归入 P2` (the reporter before the record's deadline, the office at any time). A problem
(`问题：P8用地手续卡住，需自然资源局协调，月底前解决`) is kept on its project with the department asked to act
and the date it is due, until `解决 问题3`. `zsbot projects` lists the base; `zsbot projects import` brings
the office's existing ledger, so this year's milestones attach from the first day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from handlers.core.context import Context
from handlers.core.messages import Card, Choice, Reply
from handlers.core.periods import Month, deadline_of, month_of, period_label
from handlers.core.receipts import one_line
from handlers.core.registry import action_of, router
from handlers.core.roster import read_keyed
from handlers.core.rules import Rules
from handlers.project_base.intake import attach, link_project, public_or_local
from handlers.project_base.owners import copy_to_owner, find_owner
from nlp import Intent, Parsed
from storage.kinds import MILESTONE_VALUES, ProjectStage, stage_named
from storage.models import Problem, ProblemStatus, Project, Record, saved_id
from storage.outbox import Target
from storage.project_state import Baseline
from storage.store import Store


@router.on(Intent.ATTACH, title="归入项目", examples=("P2", "#15 归入 P2", "#15 新项目"))
def attach_record(parsed: Parsed, ctx: Context) -> Reply:
    """把未归入项目的进展归入本单位的项目：回复「P编号」，或「#编号 归入 P编号」（联络员在报送截止前，招商办随时）。"""
    record = _record_meant(parsed, ctx)
    if isinstance(record, str):
        return Reply(record)
    refused = _may_change(record, ctx)
    if refused:
        return Reply(refused)
    if parsed.project_ref is None:
        project = open_for(record, ctx)
    else:
        found = ctx.store.projects.get(parsed.project_ref)
        if found is None:
            return Reply(f"没有找到项目 P{parsed.project_ref}，请核对项目号（发送「我的上报」或导出台账的「项目」表可查）。")
        if found.unit_id != record.unit_id:
            return Reply(f"P{found.id} 不是 #{record.id} 所属单位的项目，只能归入同一单位的项目。")
        project = found
    if record.project_id == project.id:
        return Reply(f"#{record.id} 已在项目 P{project.id} 中。")
    open_draft = ctx.store.drafts.newest_open(record.reporter, ctx.at)
    if open_draft is not None and open_draft.parsed.get("record_id") == record.id:
        from storage.states import DraftState

        ctx.store.drafts.close(open_draft, DraftState.COMPLETED)
    return attached_reply(record, project, ctx)


@router.on_click("project")
def project_click(choice: Choice, ctx: Context) -> Reply:
    """A click on 「属于哪个项目？」 does what `#N 归入 P2` or `#N 新项目` does, once: a record already on a
    project stays there, and the card says where."""
    record_ref, _, project_ref = action_of(choice)[1].partition(":")
    record = ctx.store.records.get(int(record_ref)) if record_ref.isdigit() else None
    if record is None:
        return Reply(f"没有找到记录 #{record_ref}。", card=Card(choice.task_id, f"#{record_ref}", "记录不存在"))
    title = f"#{record.id} 属于哪个项目？"
    if record.project_id is not None:
        return Reply(f"#{record.id} 已在项目 P{record.project_id} 中。",
                     card=Card(choice.task_id, title, f"已归入 P{record.project_id}"))
    parsed = Parsed(intent=Intent.ATTACH, ref=record.id,
                    project_ref=int(project_ref) if project_ref.isdigit() else None)
    reply = attach_record(parsed, ctx)
    return replace(reply, card=Card(choice.task_id, title, reply.text.splitlines()[0] if reply.text else ""))


def _record_meant(parsed: Parsed, ctx: Context) -> Record | str:
    """#N, or for a bare `P2` the sender's own record the bot last asked about (or the newest unattached)."""
    store = ctx.store
    if parsed.ref is not None:
        record = store.records.get(parsed.ref)
        return record if record is not None else f"没有找到记录 #{parsed.ref}，请核对编号。"
    asked = store.drafts.newest_open(ctx.member.userid, ctx.at)
    if asked is not None and asked.parsed.get("ask") == "project":
        record = store.records.get(int(asked.parsed["record_id"]))
        if record is not None and record.project_id is None:
            return record
    waiting = store.records.unattached(MILESTONE_VALUES, reporter=ctx.member.userid)
    if not waiting:
        return ("您没有待归入项目的记录。要把某条记录归入项目，请回复「#编号 归入 P编号」。"
                if parsed.project_ref is not None else "请写明要归入的记录，例如「#15 新项目」。")
    return waiting[-1]


def _may_change(record: Record, ctx: Context) -> str | None:
    """The reporter until the record's period closes (the contract); the office at any time."""
    if ctx.is_admin:
        return None
    if record.reporter != ctx.member.userid:
        return f"#{record.id} 不是您报送的记录，由报送人或招商办归入项目。"
    closed = deadline_of(Month.parse(record.period), ctx.rules.schedule)
    if ctx.at > closed:
        return (f"#{record.id} 计入{period_label(record.period)}，该期已于{closed.month}月{closed.day}日截止，"
                f"请联系招商办归入（「#{record.id} 归入 P编号」）。")
    return None


@router.on(Intent.PROBLEM, title="项目问题",
           examples=("问题：P8用地手续卡住，需自然资源局协调，月底前解决", "解决 问题3"))
def record_problem(parsed: Parsed, ctx: Context) -> Reply:
    """报送项目推进中需要协调解决的问题（全程代办、一事一议、限期解决），写明项目号、需协调的部门和期限；解决后回复「解决 问题N」。"""
    if ctx.unit is None:
        return Reply("问题由项目所在单位的联络员报送（写明项目号，如「问题：P8用地手续卡住…」）。")
    problem, said = store_problem(parsed, ctx)
    if problem is None:
        return Reply(said)
    return Reply(f"{said}\n将在「我的包干项目」、每周督查和调度会上列出，直到解决；解决后请回复「解决 问题{problem.id}」。",
                 stored=True)


def store_problem(parsed: Parsed, ctx: Context) -> tuple[Problem | None, str]:
    """Keep a problem on its project (the 包干领导 is told), or say why not: (the problem, the line to answer)."""
    link = link_project(parsed, ctx, ctx.at)
    project = link.project
    if project is None:
        options = "；".join(f"P{c.id} {c.company or c.name or ''}" for c in link.candidates)
        return None, ("没有认出是哪个项目的问题，本条未登记。请写明项目号重发，例如「问题：P8用地手续卡住，需自然资源局协调，"
                      "月底前解决」" + (f"（可能是：{options}）" if options else "（发送「我的上报」可查看项目号）") + "。")
    text = parsed.source_text or ctx.incoming.text
    problem = ctx.store.projects.add_problem(Problem(
        project_id=saved_id(project), unit_id=project.unit_id, text=text, department=parsed.department, due=parsed.due,
        reporter=ctx.member.userid, message_id=ctx.message_id, reported_at=ctx.at,
    ))
    line = problem_line(problem, project)
    if project.owner and project.owner != ctx.member.userid:
        ctx.store.outbox.push(f"problem:{problem.id}", f"【包干项目问题】{line}\n请协调解决，解决后回复「解决 问题{problem.id}」。",
                              target=Target.user(project.owner), kind="text")
    return problem, f"🆘 已登记问题{problem.id}：{line}"


@router.on(Intent.SOLVE)
def solve_problem(parsed: Parsed, ctx: Context) -> Reply:
    """解决 问题N: the problem is closed (its unit's liaison, the project's 包干领导, or the office)."""
    problem = ctx.store.projects.problem(parsed.ref or 0)
    if problem is None:
        return Reply(f"没有找到问题{parsed.ref}，请核对编号（登记回执和「我的包干项目」里有问题编号）。")
    project = ctx.store.projects.get(problem.project_id)
    own_unit = ctx.unit is not None and ctx.unit.id == problem.unit_id
    owner = project is not None and project.owner == ctx.member.userid
    if not (ctx.is_admin or owner or own_unit):
        return Reply(f"问题{problem.id}由项目所在单位、包干领导或招商办销号。")
    if problem.status == ProblemStatus.SOLVED.value:
        return Reply(f"问题{problem.id}已于此前销号。")
    ctx.store.projects.solve_problem(problem, ctx.member.userid, ctx.at)
    return Reply(f"✅ 问题{problem.id}已解决销号：{problem_line(problem, project)}", stored=True)


def problem_line(problem: Problem, project: Project | None) -> str:
    """P8 恒润新材料 可降解塑料项目：用地手续卡住，需自然资源局协调（3月31日前解决）."""
    what = " ".join(x for x in ((project.company if project else None), (project.name if project else None)) if x)
    text = _problem_text(problem.text)
    if problem.department and problem.department not in text:
        text += f"（需{problem.department}协调）"
    said_due = re.search(r"前(?:解决|办结|完成|落实)", text)
    due = f"（{problem.due.month}月{problem.due.day}日前解决）" if problem.due and not said_due else ""
    return f"P{problem.project_id} {what}：{text}{due}"


def _problem_text(text: str) -> str:
    """The problem as the liaison put it, without its label and project number."""
    return _PROBLEM_HEAD.sub("", text).strip()[:60]


_PROBLEM_HEAD = re.compile(r"^\s*(?:问题|困难|难题|诉求|需协调事项)?\s*[:：]?\s*(?:[Pp]\s*\d+\s*[,，:：]?\s*)?")


# --- the project base as data: `zsbot projects [--json]` ------------------------------------------------


def project_json(project: Project, units: dict[int, str], problems: Sequence[Problem], records: Sequence[int],
                 owners: dict[str, str]) -> dict[str, Any]:
    """One project as `zsbot projects --json` prints it (service contract)."""
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    planned = {kind: day(getattr(project, f"planned_{kind}")) for kind in ("signing", "start", "funds", "completion")
               if getattr(project, f"planned_{kind}")}
    return {
        "id": f"P{project.id}", "unit": units.get(project.unit_id, ""), "company": project.company,
        "name": project.name, "stage": ProjectStage(project.stage).label, "signed_wan": project.signed_wan,
        "funds_wan": round(project.funds_cny_wan or 0, 4), "signed_on": day(project.signed_on),
        "started_on": day(project.started_on), "completed_on": day(project.completed_on), "planned": planned,
        "owner": owners.get(project.owner, project.owner) if project.owner else None,
        "problems": [{"id": f"问题{p.id}", "text": _problem_text(p.text), "department": p.department, "due": day(p.due),
                      "status": p.status} for p in problems],
        "records": [f"#{r}" for r in records], "counted": project.counted,
        "not_counted_reason": project.not_counted_reason,
    }


def project_base(store: Store, unit_id: int | None = None) -> list[dict[str, Any]]:
    """The project base (of a unit, or the county) as the contract's JSON list."""
    units = {saved_id(u): u.name for u in store.roster.units()}
    owners = {m.userid: m.name for m in store.roster.members()}
    projects = list(store.projects.of_base(unit_id))
    ids = [saved_id(p) for p in projects]
    problems = store.projects.problems_of(ids)
    records = store.projects.record_ids(ids)
    return [project_json(p, units, problems.get(saved_id(p), []), records.get(saved_id(p), []), owners)
            for p in projects]


# --- the office's ledger: `zsbot projects import FILE` --------------------------------------------------

HEADERS = {
    "unit": "unit", "单位": "unit", "所属单位": "unit", "责任单位": "unit",
    "company": "company", "投资方": "company", "企业": "company", "企业名称": "company", "投资主体": "company",
    "name": "name", "项目名称": "name", "项目": "name",
    "stage": "stage", "阶段": "stage", "项目阶段": "stage", "进展阶段": "stage",
    "signed_wan": "signed_wan", "签约额": "signed_wan", "签约金额": "signed_wan", "签约额(万元)": "signed_wan",
    "signed_on": "signed_on", "签约日期": "signed_on", "签约时间": "signed_on",
    "started_on": "started_on", "开工日期": "started_on", "开工时间": "started_on",
    "funds_wan": "funds_wan", "累计到位": "funds_wan", "到位资金": "funds_wan", "累计到位(万元)": "funds_wan",
    "owner": "owner", "包干领导": "owner",
    "planned_start": "planned_start", "计划开工": "planned_start", "计划开工日期": "planned_start",
}
_REQUIRED = {"unit", "name"}


@dataclass
class ProjectsImport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"导入完成：新增项目 {self.added} 个，更新 {self.updated} 个（往期项目，不计入任何一期的得分）。"]
        lines += [f"第{line}行：{why}" for line, why in self.errors]
        return "\n".join(lines)


def read_project_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) from the office's ledger, CSV or XLSX (header in the contract, English or Chinese)."""
    return read_keyed(path, HEADERS, _REQUIRED,
                      "unit,company,name,stage,signed_wan,signed_on,started_on,funds_wan,owner,planned_start "
                      "或 单位,投资方,项目名称,阶段,签约额,签约日期,开工日期,累计到位,包干领导,计划开工")


class _Bad(ValueError):
    """A ledger cell that cannot be read; its message is the reply."""


def _day(text: str, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for sep in ("/", ".", "年"):
        text = text.replace(sep, "-")
    text = text.replace("月", "-").replace("日", "").strip("-")
    try:
        parts = [int(p) for p in text.split("-")[:3]]
        return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        raise _Bad(f"{what}「{text}」不是日期（如 2025-06-18）") from None


def _wan(text: str, what: str) -> float | None:
    text = text.strip().replace(",", "").replace("，", "").removesuffix("万元").removesuffix("万")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _Bad(f"{what}「{text}」不是金额（万元，如 8000）") from None
    if value < 0:
        raise _Bad(f"{what}不能为负数")
    return value


def import_projects(rows: Iterable[tuple[int, dict[str, str]]], store: Store, at: datetime, rules: Rules,
                    actor: str = "import") -> ProjectsImport:
    """Add or update (by unit + company + name) each row's project; a bad row is reported and skipped.

    An imported project is the office's earlier work: it adds no score to any period, but a milestone
    reported now attaches to it, and one signed this year is in this year's rates; government money and
    the county's own money are judged as a report's would be (the project is kept, not counted). Its dates
    fall in the reporting periods a report of that day would (after the 20th: the next month's)."""
    result = ProjectsImport()
    units = {u.name: saved_id(u) for u in store.roster.units()}
    for number, row in rows:
        try:
            unit_id = units.get(row.get("unit", "").strip())
            if unit_id is None:
                raise _Bad(f"单位「{row.get('unit', '')}」不在名册中")
            name = row.get("name", "").strip() or None
            company = row.get("company", "").strip() or None
            if not (name or company):
                raise _Bad("缺少项目名称")
            stage = stage_named(row.get("stage", "") or "签约") if row.get("stage", "").strip() else None
            if row.get("stage", "").strip() and stage is None:
                raise _Bad(f"阶段「{row['stage']}」应为 线索/意向/签约/合同/开工/投产 之一")
            signed_on = _day(row.get("signed_on", ""), "签约日期")
            started_on = _day(row.get("started_on", ""), "开工日期")
            baseline = Baseline(
                stage=stage or (ProjectStage.STARTED if started_on else ProjectStage.SIGNED
                                if signed_on or row.get("signed_wan", "").strip() else ProjectStage.LEAD),
                signed_wan=_wan(row.get("signed_wan", ""), "签约额"), signed_on=signed_on, started_on=started_on,
                funds_wan=_wan(row.get("funds_wan", ""), "累计到位") or 0.0,
                planned_start=_day(row.get("planned_start", ""), "计划开工"),
                not_counted=public_or_local(company, f"{company or ''}{name or ''}", rules, store),
                signed_period=_period(signed_on, rules), started_period=_period(started_on, rules),
            )
            owner_name = row.get("owner", "").strip()
            owner = None
            if owner_name:
                member, why = find_owner(store, owner_name)
                if member is None:
                    raise _Bad(why or f"没有「{owner_name}」")
                owner = member.userid
        except _Bad as bad:
            result.errors.append((number, str(bad)))
            continue
        project = store.projects.imported(unit_id, company, name) or store.projects.opened_as(unit_id, company, name)
        if project is None:
            project = store.projects.open(unit_id, company, name, baseline.stage, at, actor,
                                          amount_wan=baseline.signed_wan, currency="CNY", baseline=baseline, owner=owner)
            result.added += 1
        else:
            project.baseline = baseline.to_json()
            if owner:
                project.owner = owner
            result.updated += 1
        store.projects.refresh(project, actor)
    return result


def _period(on: date | None, rules: Rules) -> str | None:
    """The reporting period a ledger date falls in, as a report sent that day (at noon) would."""
    if on is None:
        return None
    return month_of(datetime.combine(on, time(12), tzinfo=rules.schedule.tz), rules.schedule).key


__all__ = ["attach_record", "store_problem", "import_projects", "problem_line", "project_base", "read_project_rows",
           "record_problem", "solve_problem"]


def open_for(record: Record, ctx: Context) -> Project:
    """A new project for a record the sender says is about one the unit does not follow yet (`新项目`)."""
    stage = ProjectStage.LEAD
    return ctx.store.projects.open(
        record.unit_id, record.company, record.project_name, stage, ctx.at, ctx.member.userid,
        amount_wan=record.amount_cny_wan if record.kind in ("lead", "signing", "intention") else None,
        currency="CNY", industry=record.industry,
    )


def attached_reply(record: Record, project: Project, ctx: Context) -> Reply:
    """Attach and say so (to the sender, and to the project's 包干领导)."""
    attach(record, project, ctx)
    said = f"✅ #{record.id} 已归入项目 P{project.id}（{project.company or project.name or ''}）。"
    waiting = [r for r in ctx.store.records.unattached(MILESTONE_VALUES, reporter=record.reporter) if r.id != record.id]
    if waiting:
        said += f"\n还有 {len(waiting)} 条未归入项目：" + "、".join(f"#{r.id}" for r in waiting[:10]) + \
            "，请回复「#编号 归入 P编号」。"
    copy_to_owner(record, f"{one_line(record)}\n{said}", ctx)
    return Reply(said, stored=True, records=(record.id or 0,))
