"""Projects a unit follows: find the one a milestone speaks of, open new ones, move them along."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from difflib import SequenceMatcher

from sqlmodel import Session, col, select

from storage.audit import AuditTrail
from storage.models import Project, ProjectStage, Record

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


class Projects:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditTrail(session)

    def get(self, project_id: int) -> Project | None:
        return self.session.get(Project, project_id)

    def of_unit(self, unit_id: int) -> Sequence[Project]:
        return self.session.exec(select(Project).where(Project.unit_id == unit_id).order_by(col(Project.id))).all()

    def find(self, unit_id: int, company: str | None, name: str | None, threshold: float) -> Project | None:
        """The unit's project most like (company, name), if any is at least `threshold` alike.

        When both sides name a company, the companies must match: two investors with the same
        kind of project (羽绒加工项目) are two projects. The project name then only breaks ties.
        """
        best, best_score = None, 0.0
        for project in self.of_unit(unit_id):
            if company and project.company:
                by_company = similarity(company, project.company)
                if by_company < threshold:
                    continue
                score = by_company + 0.01 * similarity(name, project.name)
            else:
                score = similarity(name, project.name) if name and project.name else 0.0
            if score > best_score:
                best, best_score = project, score
        return best if best_score >= threshold else None

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

    def follow_correction(self, project: Project, before: dict[str, object], record: Record, actor: str) -> None:
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
            delta = (record.amount_cny_wan or 0) - float(before.get("amount_cny_wan") or 0)  # type: ignore[arg-type]
            project.funds_cny_wan = (project.funds_cny_wan or 0) + delta
        self.session.add(project)
        self.session.flush()
        self.audit.log(actor, "follow-correction", "project", project.id, old, project.model_dump(mode="json"))
