"""Projects a unit follows: find the one a milestone speaks of, open new ones, move them along."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from difflib import SequenceMatcher

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from storage.audit import AuditTrail
from storage.keys import company_words, core_company_name, pairs, project_core, project_keys, same_investor
from storage.models import Project, ProjectKey, ProjectStage, Record, saved_id

#: At most this many candidates (those sharing the most keys) are compared in Python.
_CANDIDATES = 8

_ORDER = [s.value for s in ProjectStage]
_NOISE = re.compile(r"(有限责任公司|股份有限公司|有限公司|集团|公司|项目|項目|[\s，,。:：])")


def _core(name: str | None) -> str:
    return _NOISE.sub("", name or "")


def similarity(a: str | None, b: str | None) -> float:
    """0–1 likeness of two company or project names, ignoring suffixes like 有限公司 and 项目."""
    ca, cb = _core(a), _core(b)
    if not ca or not cb:
        return 0.0
    if ca in cb or cb in ca:
        return 0.9 + 0.1 * min(len(ca), len(cb)) / max(len(ca), len(cb))
    return SequenceMatcher(None, ca, cb).ratio()


def _overlap(a: str, b: str) -> float:
    """Share of the shorter name's character pairs found in the longer (赣锋锂业回收 vs 赣锋锂业锂电池回收)."""
    pa, pb = pairs(a), pairs(b)
    if not pa or not pb:
        return 0.0
    return len(pa & pb) / min(len(pa), len(pb))


class Projects:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditTrail(session)

    def get(self, project_id: int) -> Project | None:
        return self.session.get(Project, project_id)

    def of_unit(self, unit_id: int) -> Sequence[Project]:
        return self.session.exec(select(Project).where(Project.unit_id == unit_id).order_by(col(Project.id))).all()

    def at_stages(self, stages: Sequence[str], unit_id: int | None = None) -> Sequence[Project]:
        """Projects at one of `stages` (of one unit, or of the county), oldest first."""
        query = select(Project).where(col(Project.stage).in_(list(stages)))
        if unit_id is not None:
            query = query.where(Project.unit_id == unit_id)
        return self.session.exec(query.order_by(col(Project.id))).all()

    def stale(self, before: datetime, unit_id: int | None = None) -> Sequence[Project]:
        """Signed projects (签约 or 合同, not yet started) with no progress since `before`, oldest news
        first: what the weekly follow-up and the 调度会 table both name."""
        query = select(Project).where(col(Project.stage).in_([ProjectStage.SIGNED.value, ProjectStage.CONTRACT.value]),
                                      col(Project.last_progress_at) < before)
        if unit_id is not None:
            query = query.where(Project.unit_id == unit_id)
        return self.session.exec(query.order_by(col(Project.last_progress_at), col(Project.id))).all()

    def owned_by(self, userid: str) -> Sequence[Project]:
        """The projects a leader answers for (包干), oldest first."""
        return self.session.exec(select(Project).where(Project.owner == userid).order_by(col(Project.id))).all()

    def assign_owner(self, project: Project, userid: str | None, actor: str) -> Project:
        """Make `userid` the project's 包干领导 (None: nobody); the change is in the audit trail."""
        before = project.model_dump(mode="json")
        project.owner = userid
        self.session.add(project)
        self.session.flush()
        self.audit.log(actor, "assign-owner" if userid else "unassign-owner", "project", project.id, before,
                       project.model_dump(mode="json"))
        return project

    def candidates(self, unit_id: int, company: str | None, name: str | None) -> list[Project]:
        """The unit's projects the report may mean, through the key index.

        A report naming a company looks up its core name (and the cores it extends or is extended
        by) first; only a report without one, or whose company is new to the unit, falls back to
        the character pairs of its names, ranked by how many pairs they share.
        """
        core = core_company_name(company)
        # A report without a company often starts its project name with one (`赣锋锂业回收项目`).
        ids = self._by_core(unit_id, core or project_core(name), extended=bool(core))
        if ids:
            return [p for p in (self.session.get(Project, pid) for pid in ids) if p is not None]
        if core:
            keys = {f"n:{p}" for p in pairs(project_core(name))}
        else:
            keys = {k for k in project_keys(company, name) if k.startswith("w:")}
        if not keys:
            return []
        hits = func.count(col(ProjectKey.id))
        rows = self.session.exec(
            select(ProjectKey.project_id, hits)
            .where(ProjectKey.unit_id == unit_id, col(ProjectKey.key).in_(sorted(keys)))
            .group_by(col(ProjectKey.project_id))
            .order_by(hits.desc(), col(ProjectKey.project_id).desc())
            .limit(_CANDIDATES)
        ).all()
        found = [self.session.get(Project, pid) for pid, _ in rows]
        return [p for p in found if p is not None]

    def _by_core(self, unit_id: int, core: str, extended: bool) -> list[int]:
        """Projects whose core company name is a beginning of `core` (or, if `extended`, begins with it).

        Equality on (unit_id, key) only: prefixes are stored as keys, so no collation-dependent ranges."""
        if len(core) < 2:
            return []
        wanted = [f"c:{core[:n]}" for n in range(2, len(core) + 1)] + ([f"p:{core}"] if extended else [])
        return list(self.session.exec(
            select(ProjectKey.project_id).where(ProjectKey.unit_id == unit_id, col(ProjectKey.key).in_(wanted))
            .distinct().order_by(col(ProjectKey.project_id).desc()).limit(_CANDIDATES)
        ).all())

    def matches(self, unit_id: int, company: str | None, name: str | None, threshold: float) -> list[Project]:
        """The unit's projects that (company, name) could mean, best first.

        When both sides name a company, the core names must match: two investors with the same kind
        of project (羽绒加工项目) are two projects. A report naming no company (`赣锋锂业回收项目`)
        matches by the words of the company and project names together.
        """
        core = core_company_name(company)
        scored: list[tuple[float, Project]] = []
        for project in self.candidates(unit_id, company, name):
            if core and project.company_key:
                if same_investor(company, project.company):
                    score = 1.0 + 0.01 * similarity(name, project.name)
                else:
                    continue
            else:
                mine = company_words(company) + project_core(name)
                theirs = company_words(project.company) + project_core(project.name)
                score = max(similarity(name, project.name), _overlap(mine, theirs))
            if score >= threshold:
                scored.append((score, project))
        scored.sort(key=lambda sp: (-sp[0], -(sp[1].id or 0)))
        return [p for _, p in scored]

    def index(self, project: Project) -> None:
        """(Re)write the keys the project is found by."""
        project_id = saved_id(project)
        project.company_key = core_company_name(project.company)
        self.session.exec(delete(ProjectKey).where(col(ProjectKey.project_id) == project_id))
        for key in sorted(project_keys(project.company, project.name)):
            self.session.add(ProjectKey(project_id=project_id, unit_id=project.unit_id, key=key))
        self.session.add(project)
        self.session.flush()

    def open(
        self, unit_id: int, company: str | None, name: str | None, stage: ProjectStage, at: datetime,
        actor: str, amount_wan: float | None = None, currency: str | None = None, industry: str | None = None,
    ) -> Project:
        project = Project(
            unit_id=unit_id, company=company, name=name, stage=stage.value, amount_wan=amount_wan,
            currency=currency, industry=industry, last_progress_at=at, created_at=at,
        )
        self.session.add(project)
        self.session.flush()
        self.index(project)
        self.audit.log(actor, "open", "project", project.id, None, project.model_dump(mode="json"))
        return project

    def advance(
        self, project: Project, stage: ProjectStage | None, at: datetime, on: date | None, actor: str,
        amount_wan: float | None = None, funds_cny_wan: float | None = None,
    ) -> Project:
        """Record a milestone; the stage only moves forward (a late 签约 report never undoes 开工)."""
        before = project.model_dump(mode="json")
        if stage is not None and _ORDER.index(stage.value) > _ORDER.index(project.stage):
            project.stage = stage.value
        if stage is ProjectStage.SIGNED:
            project.signed_on = on or project.signed_on
            if amount_wan is not None:
                project.signed_wan = amount_wan
                project.amount_wan = amount_wan
        elif stage is ProjectStage.CONTRACT:
            project.contract_on = on or project.contract_on
            if amount_wan is not None:
                project.signed_wan = amount_wan
                project.amount_wan = amount_wan
        elif stage is ProjectStage.STARTED:
            project.started_on = on or project.started_on
        elif stage is ProjectStage.COMPLETED:
            project.completed_on = on or project.completed_on
        if funds_cny_wan:
            project.funds_cny_wan = (project.funds_cny_wan or 0) + funds_cny_wan
        if amount_wan is not None and project.amount_wan is None:
            project.amount_wan = amount_wan
        project.last_progress_at = at
        self.session.add(project)
        self.session.flush()
        self.audit.log(actor, "advance", "project", project.id, before, project.model_dump(mode="json"))
        return project

    def follow_correction(self, project: Project, before: Mapping[str, object], record: Record, actor: str) -> None:
        """Carry a corrected record's company, name and amount over to its project where they came from it."""
        old = project.model_dump(mode="json")
        if project.company == before.get("company"):
            project.company = record.company
        if project.name == before.get("project_name"):
            project.name = record.project_name
        if record.kind == "signing" and record.amount_cny_wan is not None:
            project.signed_wan = project.amount_wan = record.amount_cny_wan
        elif project.amount_wan == before.get("amount_cny_wan"):
            project.amount_wan = record.amount_cny_wan
        if record.kind == "funds":
            earlier = before.get("amount_cny_wan")
            delta = (record.amount_cny_wan or 0) - (float(earlier) if isinstance(earlier, int | float) else 0.0)
            project.funds_cny_wan = (project.funds_cny_wan or 0) + delta
        self.session.add(project)
        self.session.flush()
        self.index(project)
        self.audit.log(actor, "follow-correction", "project", project.id, old, project.model_dump(mode="json"))
