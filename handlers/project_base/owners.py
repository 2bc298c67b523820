"""包干制 (seed 004: 一个项目、一名领导 … 一抓到底): the office gives each major project a leader who
answers for it. `包干 P5 张县长` / `取消包干 P5` in chat or `zsbot owners import FILE`; `我的包干项目`
for the leader. The owner also gets the project's milestone receipts and its stale-project alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.core.context import Context
from handlers.core.messages import Reply
from handlers.core.receipts import format_amount
from handlers.core.registry import router
from handlers.core.roster import read_keyed
from nlp import Intent, Parsed
from storage.kinds import ProjectStage, RecordKind
from storage.models import Member, Problem, ProblemStatus, Project, Record, Role
from storage.outbox import Target
from storage.store import Store

#: Roles that may answer for a project.
OWNER_ROLES = (Role.LEADER, Role.ADMIN)
#: Record kinds whose receipt is copied to the project's owner (签约, 开工, 资金到位, 投产).
MILESTONES = frozenset({RecordKind.SIGNING, RecordKind.START, RecordKind.FUNDS, RecordKind.COMPLETION})
#: Close matches named when a leader is not found.
_CLOSE = 3


def find_owner(store: Store, who: str) -> tuple[Member | None, str | None]:
    """The roster member `who` names (userid or name, exactly), or why not: a short reply naming close matches."""
    who = who.strip().lstrip("@").strip()
    members = list(store.roster.members())
    found = next((m for m in members if m.userid == who), None) or next((m for m in members if m.name == who), None)
    if found is not None:
        if Role(found.role) not in OWNER_ROLES:
            return None, f"{found.name}是{Role(found.role).label}，包干领导须是名册中的领导。"
        return found, None
    leaders = [m for m in members if Role(m.role) in OWNER_ROLES]

    def likeness(m: Member) -> float:
        same_surname = 1.0 if who[:1] and m.name.startswith(who[:1]) else 0.0
        return same_surname + SequenceMatcher(None, who, m.name).ratio()

    close = sorted((m for m in leaders if likeness(m) > 0.3), key=lambda m: (-likeness(m), m.userid))[:_CLOSE]
    hint = "、".join(f"{m.name}（{m.userid}）" for m in close)
    return None, (f"名册中没有「{who}」。" + (f"是不是：{hint}？" if hint else "")
                  + "请用名册中的姓名或企业微信账号，如需新增领导请先导入名册。")


def describe(project: Project, units: dict[int, str], tz: ZoneInfo, problems: Sequence[Problem] = (),
             today: date | None = None) -> str:
    """P5 卫庄镇 恒润新材料 可降解塑料项目｜签约｜投资8,000万元 签约8,000万元 到位500万元｜最近进展3月10日, then
    its planned dates (逾期 when past with no event) and its open problems."""
    name = " ".join(x for x in (project.company, project.name) if x)
    amounts = [f"投资{format_amount(project.amount_wan)}" if project.amount_wan else "",
               f"签约{format_amount(project.signed_wan)}" if project.signed_wan else "",
               f"到位{format_amount(project.funds_cny_wan)}" if project.funds_cny_wan else ""]
    last = project.last_progress_at.astimezone(tz)
    line = (f"P{project.id} {units.get(project.unit_id, '')} {name}｜{_stage(project.stage)}｜"
            f"{' '.join(a for a in amounts if a) or '金额未填'}｜最近进展{last.year}年{last.month}月{last.day}日")
    for label, on, done in (("签约", project.planned_signing, project.signed_period),
                            ("开工", project.planned_start, project.started_period),
                            ("投产", project.planned_completion, project.completed_period)):
        if on is not None and not done:
            late = today is not None and on < today
            line += f"｜计划{on.month}月{on.day}日前{label}{'（已逾期）' if late else ''}"
    for problem in problems:
        if problem.status == ProblemStatus.OPEN.value:
            due = f"，{problem.due.month}月{problem.due.day}日前解决" if problem.due else ""
            line += f"\n    🆘 问题{problem.id}：{problem.text[:40]}{'（需' + problem.department + '协调）' if problem.department else ''}{due}"
    return line


def _stage(stage: str) -> str:
    try:
        return ProjectStage(stage).label
    except ValueError:
        return stage


@router.on(
    Intent.OWNERS, title="包干项目", examples=("我的包干项目",),
    allow=OWNER_ROLES, refusal="包干项目由县招商办安排给县领导，联络员照常报送项目进展即可。",
)
def owners(parsed: Parsed, ctx: Context) -> Reply:
    """领导查看自己包干的项目（阶段、金额、最近进展）；招商办用「包干 P编号 领导姓名」安排、「取消包干 P编号」取消。"""
    if parsed.ref is None:
        return _list(ctx)
    if not ctx.is_admin:
        return Reply("包干由县招商办（管理员）安排。发送「我的包干项目」查看您包干的项目。")
    project = ctx.store.projects.get(parsed.ref)
    if project is None:
        return Reply(f"没有找到项目 P{parsed.ref}，请核对项目号（导出台账的「项目」表可查）。")
    units = {u.id or 0: u.name for u in ctx.store.roster.units()}
    tz = ctx.rules.schedule.tz
    earlier = ctx.store.roster.member(project.owner) if project.owner else None
    if parsed.body is None:
        if project.owner is None:
            return Reply(f"P{project.id} 目前没有包干领导。")
        ctx.store.projects.assign_owner(project, None, ctx.member.userid)
        return Reply(f"已取消 P{project.id} 的包干（原包干领导：{earlier.name if earlier else project.owner}）。",
                     stored=True)
    if not parsed.body.strip():
        return Reply(f"请写明包干领导，例如「包干 P{project.id} 张县长」。")
    owner, why = find_owner(ctx.store, parsed.body)
    if owner is None:
        return Reply(f"{why}\n例如「包干 P{project.id} 张县长」。")
    if project.owner == owner.userid:
        return Reply(f"P{project.id} 已由{owner.name}包干。")
    ctx.store.projects.assign_owner(project, owner.userid, ctx.member.userid)
    line = describe(project, units, tz)
    ctx.store.outbox.push(
        f"owner-assign:{project.id}:{owner.userid}:{ctx.message_id}",
        f"【包干项目】招商办将以下项目交由您包干：\n{line}\n发送「我的包干项目」可随时查看。",
        target=Target.user(owner.userid), kind="text",
    )
    moved = f"（原包干领导：{earlier.name}）" if earlier is not None else ""
    return Reply(f"✅ 已将 P{project.id} 交由{owner.name}包干{moved}，已通知本人。\n{line}", stored=True)


def _list(ctx: Context) -> Reply:
    """The sender's projects; the office with none of its own sees every assignment."""
    store = ctx.store
    units = {u.id or 0: u.name for u in store.roster.units()}
    tz = ctx.rules.schedule.tz
    mine = list(store.projects.owned_by(ctx.member.userid))
    if mine:
        problems = store.projects.problems_of([p.id or 0 for p in mine[:30]], open_only=True)
        open_count = sum(len(v) for v in problems.values())
        head = f"**{ctx.member.name}包干项目 {len(mine)} 个**" + (f"，待解决问题{open_count}个" if open_count else "")
        lines = [head] + [describe(p, units, tz, problems.get(p.id or 0, ()), ctx.today) for p in mine[:30]]
        if open_count:
            lines.append("问题解决后请回复「解决 问题编号」。")
        return Reply("\n".join(lines))
    if not ctx.is_admin:
        return Reply("您目前没有包干项目。包干项目由县招商办安排。")
    owned = [p for p in store.projects.at_stages([s.value for s in ProjectStage]) if p.owner]
    if not owned:
        return Reply("还没有安排包干项目。发送「包干 P编号 领导姓名」安排，或用 zsbot owners import 导入。")
    names = {m.userid: m.name for m in store.roster.members()}
    lines = [f"**已包干项目 {len(owned)} 个**"]
    lines += [f"{names.get(p.owner or '', p.owner)}：{describe(p, units, tz)}" for p in owned[:30]]
    return Reply("\n".join(lines))


def copy_to_owner(record: Record, receipt: str, ctx: Context) -> None:
    """A milestone (签约/开工/资金到位/投产) on an owned project: the owner gets the receipt too."""
    if record.kind not in MILESTONES or record.project_id is None:
        return
    project = ctx.store.projects.get(record.project_id)
    if project is None or not project.owner or project.owner == ctx.member.userid:
        return
    unit = ctx.unit.name if ctx.unit else ""
    ctx.store.outbox.push(
        f"owner-copy:{record.id}",
        f"【包干项目动态】P{project.id} {project.company or project.name or ''}（{unit}）\n{receipt}",
        target=Target.user(project.owner), kind="text",
    )


HEADERS = {"project": "project", "项目": "project", "项目号": "project", "项目编号": "project",
           "owner": "owner", "包干领导": "owner", "领导": "owner", "包干人": "owner"}


@dataclass
class OwnersImport:
    assigned: int = 0
    cleared: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"导入完成：安排包干 {self.assigned} 个项目，取消 {self.cleared} 个。"]
        lines += [f"第{line}行：{why}" for line, why in self.errors]
        return "\n".join(lines)


def read_owner_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, {"project", "owner"}) from a CSV or XLSX file with a `project,owner` (项目,包干领导) header."""
    return read_keyed(path, HEADERS, {"project", "owner"}, "project,owner 或 项目,包干领导")


def import_owners(rows: Iterable[tuple[int, dict[str, str]]], store: Store, actor: str = "import") -> OwnersImport:
    """Assign (or, with an empty owner, clear) each row's project; a bad row is reported and skipped."""
    result = OwnersImport()
    for number, row in rows:
        ref = row.get("project", "").upper().lstrip("P#").strip()
        project = store.projects.get(int(ref)) if ref.isdigit() else None
        if project is None:
            result.errors.append((number, f"没有项目「{row.get('project', '')}」（项目号如 P5）"))
            continue
        who = row.get("owner", "")
        if not who:
            if project.owner:
                store.projects.assign_owner(project, None, actor)
                result.cleared += 1
            continue
        owner, why = find_owner(store, who)
        if owner is None:
            result.errors.append((number, why or ""))
            continue
        if project.owner != owner.userid:
            store.projects.assign_owner(project, owner.userid, actor)
        result.assigned += 1
    return result
