"""Projects a unit follows: find the one a milestone speaks of, open new ones, move them along."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.audit import AuditTrail
from storage.keys import company_words, core_company_name, pairs, project_core, project_keys, same_investor
from storage.kinds import RecordKind
from storage.models import (
    Problem,
    ProblemStatus,
    Project,
    ProjectKey,
    ProjectStage,
    Record,
    RecordStatus,
    Review,
    saved_id,
)
from storage.project_state import DERIVATION, PLANNED_COLUMNS, Baseline, Fact, State, derive
from storage.records import CHANGED_PROJECTS, Records, counts, inherits

#: At most this many candidates (those sharing the most keys) are compared in Python.
_CANDIDATES = 8

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


def _other_trade(company: str | None, project: Project) -> bool:
    """The report's firm goes on from the core with words that are neither the project's firm's nor its
    project's (`恒润电子` for 恒润新材料's 可降解塑料项目): maybe another firm of the same brand."""
    mine, theirs = company_words(company), company_words(project.company)
    if not mine or not theirs or mine.startswith(theirs) or theirs.startswith(mine):
        return False
    core = project.company_key or ""
    extra = mine[mine.find(core) + len(core):] if core and core in mine else mine
    return bool(extra) and _overlap(extra, project_core(project.name)) < 0.5 and extra not in (project.name or "")


#: A report's "company" that is mostly the project's own words is product words the parser took for a name
#: (`分布式光伏` for 隆基's 分布式光伏电站项目); less, and it names another firm.
_OWN_WORDS = 0.7


def _share(a: str, b: str) -> float:
    """Share of `a`'s character pairs found in `b`."""
    pa = pairs(a)
    return len(pa & pairs(b)) / len(pa) if pa else 0.0


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _overlap(a: str, b: str) -> float:
    """Share of the shorter name's character pairs found in the longer (赣锋锂业回收 vs 赣锋锂业锂电池回收)."""
    pa, pb = pairs(a), pairs(b)
    if not pa or not pb:
        return 0.0
    return len(pa & pb) / min(len(pa), len(pb))


#: A registered firm's name (its legal form): two of them with different cores are two investors.
_REGISTERED = re.compile(r"有限公司|有限责任公司|集团|股份|公司$|合作社")


@dataclass(frozen=True, slots=True)
class Match:
    """A project a report may mean: whether the report names its investor, and how many of its words it shares."""

    project: Project
    #: The investor's core name appears in what the report names.
    named: bool
    #: Share (0–1) of the project's own words the report uses (the product: 锂电池模组, 运动鞋服).
    words: float
    #: Only the brand is shared (恒润电子 for 恒润新材料): a project to ask about, never to assume.
    guess: bool = False


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
        brand = core or project_core(name)
        known = self._by_core(unit_id, brand, extended=bool(core)) or self._by_brand(unit_id, brand)
        if known:
            return known
        if company and _REGISTERED.search(company):
            # A registered firm the unit does not follow is a new investor: never another's project by its
            # words; only the projects known by their project name alone may be it.
            keys = {f"n:{p}" for p in pairs(project_core(name))}
        else:
            # The words of both names (`分布式光伏电站项目` may be read as a company `分布式光伏`): the projects
            # sharing most of them, those known by their project name only among them.
            words = pairs(company_words(company) + project_core(name)) | pairs(project_core(name))
            keys = {f"w:{p}" for p in words} | {f"n:{p}" for p in words}
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
        return self._in_order([pid for pid, _ in rows])

    def _in_order(self, ids: Sequence[int]) -> list[Project]:
        """These projects, in this order, read in one query (not one each)."""
        if not ids:
            return []
        by_id = {p.id: p for p in self.session.exec(select(Project).where(col(Project.id).in_(list(ids)))).all()}
        return [by_id[pid] for pid in ids if pid in by_id]

    def _by_core(self, unit_id: int, core: str, extended: bool) -> list[Project]:
        """Projects whose core company name is a beginning of `core` (or, if `extended`, begins with it),
        newest first.

        Equality on (unit_id, key) only: prefixes are stored as keys, so no collation-dependent ranges."""
        if len(core) < 2:
            return []
        wanted = [f"c:{core[:n]}" for n in range(2, len(core) + 1)] + ([f"p:{core}"] if extended else [])
        return self._keyed(select(ProjectKey.project_id).where(
            ProjectKey.unit_id == unit_id, col(ProjectKey.key).in_(wanted)).distinct())

    def _by_brand(self, unit_id: int, core: str) -> list[Project]:
        """Projects whose core begins as this one does (`安踏运动鞋服` for 安踏体育用品集团), longest shared
        beginning first: only when no core matched, as a brand of two characters is shared by many."""
        for n in range(min(len(core) - 1, 4), 1, -1):
            found = self._keyed(select(ProjectKey.project_id).where(
                ProjectKey.unit_id == unit_id, ProjectKey.key == f"p:{core[:n]}"))
            if found:
                return found
        return []

    def _keyed(self, ids: SelectOfScalar[int]) -> list[Project]:
        """The newest _CANDIDATES projects of these keys' ids, keys and projects in one query."""
        newest = ids.order_by(col(ProjectKey.project_id).desc()).limit(_CANDIDATES)
        return list(self.session.exec(
            select(Project).where(col(Project.id).in_(newest)).order_by(col(Project.id).desc())).all())

    def matches(self, unit_id: int, company: str | None, name: str | None, threshold: float,
                text: str | None = None) -> list[Match]:
        """The unit's projects that (company, name) could mean, best first, each with why.

        A project is named when its investor's core name appears in what the report names
        (`欣旺达锂电池模组项目` names 深圳欣旺达电子股份有限公司's project; `安踏项目`, `牧原那个项目` too), or
        when the report's name begins with the same brand and goes on with the project's own words
        (`安踏运动鞋服` for 安踏体育用品集团's 运动鞋服项目); the same brand with other words is only a guess
        to ask about. Naming no investor it knows, a report may share the project's words (`锂电池模组`).
        Two registered names with different cores are two investors: two firms with the same kind of
        project (羽绒加工项目) are two projects. `text`, for a report that names nothing, is searched for
        the cores of the unit's projects.
        """
        said = f"{company or ''}{name or ''}" or (text or "")
        mine = company_words(company) + project_core(name)
        brand = core_company_name(company) or project_core(name)
        registered = bool(company and _REGISTERED.search(company))
        found = self.candidates(unit_id, company, name) if (company or name) else self._in_text(unit_id, text or "")
        scored: list[Match] = []
        for project in found:
            if registered and project.company and _REGISTERED.search(project.company) and not same_investor(
                    company, project.company):
                continue
            core = project.company_key or ""
            named = len(core) >= 2 and core in said and not _other_trade(company, project)
            shared = _common_prefix(brand, core) if not named else 0
            if named or shared >= 2:
                rest = (mine or said).replace(core if named else core[:shared], "", 1)
                words = _overlap(rest, project_core(project.name)) if rest else 0.0
                # The brand alone (安踏项目), or with the project's own words (安踏运动鞋服): its project.
                if named or not rest or words >= 0.5:
                    scored.append(Match(project, True, words))
                else:
                    scored.append(Match(project, False, max(words, 0.5), guess=True))
                continue
            theirs = company_words(project.company) + project_core(project.name)
            if company and core and _share(company_words(company), theirs) < _OWN_WORDS:
                continue  # another brand's product (比亚迪锂电池模组 for 欣旺达's 锂电池模组项目): never by words alone
            words = max(_overlap(mine, theirs), similarity(name, project.name))
            if words >= threshold:
                scored.append(Match(project, False, words))
        scored.sort(key=lambda m: (-m.named, m.guess, -m.words, -(m.project.id or 0)))
        return scored

    def _in_text(self, unit_id: int, text: str) -> list[Project]:
        """The unit's projects whose investor's core name occurs in `text` (`牧原那个项目签了`)."""
        grams = {f"c:{run[i:i + n]}" for run in re.findall(r"[\u4e00-\u9fffA-Za-z0-9]{2,}", text[:200])
                 for n in range(2, 7) for i in range(len(run) - n + 1)}
        if not grams:
            return []
        return self._keyed(select(ProjectKey.project_id).where(
            ProjectKey.unit_id == unit_id, col(ProjectKey.key).in_(sorted(grams))).distinct())

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
        baseline: Baseline | None = None, owner: str | None = None,
    ) -> Project:
        """A new project of the unit (derive it once its records are attached: `refresh`)."""
        project = Project(
            unit_id=unit_id, company=company, name=name, stage=stage.value, amount_wan=amount_wan,
            currency=currency, industry=industry, last_progress_at=at, created_at=at, owner=owner,
            baseline=baseline.to_json() if baseline else None,
        )
        self.session.add(project)
        self.session.flush()
        self.index(project)
        self.audit.log(actor, "open", "project", project.id, None, project.model_dump(mode="json"))
        return project

    def settle(self) -> int:
        """Derive again every project whose records this unit of work changed and that has not been
        derived since (`storage.records.touch`); `unit_of_work` calls it before committing."""
        pending = self.session.info.get(CHANGED_PROJECTS) or set()
        done = 0
        while pending:
            project = self.get(pending.pop())
            if project is not None:
                self.refresh(project)
                done += 1
        return done

    def refresh(self, project: Project, actor: str | None = None) -> Project:
        """Derive the project's state from its records again (`storage.project_state.derive`) and keep it;
        a change is in the audit trail under `actor` (None: a derivation nobody asked for, not logged)."""
        (self.session.info.get(CHANGED_PROJECTS) or set()).discard(project.id)
        before = project.model_dump(mode="json") if actor else None
        rows = self._fact_rows([saved_id(project)])
        state = derive([fact_of(row) for row in rows], Baseline.of(project.baseline), project.created_at)
        if self._keep_in_step(project, state, actor or "system", rows):
            facts = self.facts_of([saved_id(project)]).get(saved_id(project), [])
            state = derive(facts, Baseline.of(project.baseline), project.created_at)
        write_state(project, state)
        self.session.add(project)
        self.session.flush()
        if actor and before is not None:
            after = project.model_dump(mode="json")
            if {k: v for k, v in after.items() if k != "derivation"} != {k: v for k, v in before.items()
                                                                          if k != "derivation"}:
                self.audit.log(actor, "derive", "project", project.id, before, after)
        return project

    def _keep_in_step(self, project: Project, state: State, actor: str, rows: Sequence[Any]) -> bool:
        """Its milestones count as the project does (`Records.inherit`); whether any changed. The
        project's fact rows say which records would change (`inherits`): usually none, and then no
        record is read."""
        pid = saved_id(project)
        ids = [row.id for row in rows if inherits(row, pid, state.counted, state.not_counted_reason)]
        records = Records(self.session)
        changed = False
        if ids:
            for record in self.session.exec(select(Record).where(col(Record.id).in_(ids)).order_by(col(Record.id))).all():
                changed |= records.inherit(record, pid, state.counted, state.not_counted_reason, actor)
        (self.session.info.get(CHANGED_PROJECTS) or set()).discard(pid)
        return changed

    def facts_of(self, project_ids: Sequence[int], until: datetime | None = None) -> dict[int, list[Fact]]:
        """The records of these projects as the derivation reads them (reported by `until`, when given).

        Plain rows of the columns `fact_of` reads, not ORM objects: deriving a whole base at start reads
        every record once."""
        out: dict[int, list[Fact]] = {pid: [] for pid in project_ids}
        for row in self._fact_rows(project_ids, until):
            out.setdefault(row.project_id or 0, []).append(fact_of(row))
        return out

    def _fact_rows(self, project_ids: Sequence[int], until: datetime | None = None) -> list[Any]:
        """The rows of `_FACT_COLUMNS` of these projects' records (reported by `until`, when given)."""
        columns = [col(getattr(Record, name)) for name in _FACT_COLUMNS]
        rows: list[Any] = []
        for chunk in range(0, len(project_ids), 500):
            ids = list(project_ids[chunk: chunk + 500])
            query = select(*columns).where(col(Record.project_id).in_(ids))
            if until is not None:
                query = query.where(col(Record.reported_at) <= until)
            rows.extend(self.session.execute(query))
        return rows

    def refresh_underived(self, batch: int = 2000) -> int:
        """Derive every project derived by an older `DERIVATION` (or never: after an upgrade, a demo fill);
        returns how many. Runs at start; a project's rows are read in batches, not one query each."""
        done = 0
        while True:
            projects = list(self.session.exec(
                select(Project).where(col(Project.derivation) < DERIVATION).order_by(col(Project.id)).limit(batch)
            ).all())
            if not projects:
                return done
            facts = self.facts_of([saved_id(p) for p in projects])
            for project in projects:
                write_state(project, derive(facts.get(saved_id(project), []), Baseline.of(project.baseline),
                                            project.created_at))
                self.session.add(project)
            self.session.flush()
            done += len(projects)

    def problems_of(self, project_ids: Sequence[int], open_only: bool = False) -> dict[int, list[Problem]]:
        """The problems of these projects, oldest first."""
        out: dict[int, list[Problem]] = {}
        if not project_ids:
            return out
        query = select(Problem).where(col(Problem.project_id).in_(list(project_ids)))
        if open_only:
            query = query.where(Problem.status == ProblemStatus.OPEN.value)
        for problem in self.session.exec(query.order_by(col(Problem.id))):
            out.setdefault(problem.project_id, []).append(problem)
        return out

    def open_problems(self, unit_id: int | None = None) -> Sequence[Problem]:
        """Problems not solved yet (of a unit, or of the county), the soonest due first."""
        query = select(Problem).where(Problem.status == ProblemStatus.OPEN.value)
        if unit_id is not None:
            query = query.where(Problem.unit_id == unit_id)
        return self.session.exec(query.order_by(col(Problem.due).is_(None), col(Problem.due), col(Problem.id))).all()

    def add_problem(self, problem: Problem) -> Problem:
        self.session.add(problem)
        self.session.flush()
        self.audit.log(problem.reporter, "problem", "problem", problem.id, None, problem.model_dump(mode="json"))
        return problem

    def problem(self, problem_id: int) -> Problem | None:
        return self.session.get(Problem, problem_id)

    def solve_problem(self, problem: Problem, actor: str, at: datetime, note: str | None = None) -> Problem:
        before = problem.model_dump(mode="json")
        problem.status = ProblemStatus.SOLVED.value
        problem.solved_by, problem.solved_at, problem.note = actor, at, note or problem.note
        self.session.add(problem)
        self.session.flush()
        self.audit.log(actor, "solve", "problem", problem.id, before, problem.model_dump(mode="json"))
        return problem

    def overdue(self, day: date, unit_id: int | None = None) -> list[tuple[Project, str, date]]:
        """Projects past a planned date with no such event yet (逾期): (project, milestone, planned date)."""
        checks = (
            ("signing", col(Project.planned_signing), col(Project.signed_period).is_(None)),
            ("start", col(Project.planned_start), col(Project.started_period).is_(None)),
            ("completion", col(Project.planned_completion), col(Project.completed_period).is_(None)),
        )
        out: list[tuple[Project, str, date]] = []
        for kind, planned, missing in checks:
            query = select(Project).where(planned < day, missing, col(Project.counted))
            if unit_id is not None:
                query = query.where(Project.unit_id == unit_id)
            for project in self.session.exec(query.order_by(planned, col(Project.id))):
                on = getattr(project, f"planned_{kind}")
                out.append((project, kind, on))
        out.sort(key=lambda x: (x[2], x[0].id or 0))
        return out

    def of_base(self, unit_id: int | None = None) -> Sequence[Project]:
        """The project base (项目库): every project, or a unit's, by number."""
        query = select(Project)
        if unit_id is not None:
            query = query.where(Project.unit_id == unit_id)
        return self.session.exec(query.order_by(col(Project.id))).all()

    def imported(self, unit_id: int, company: str | None, name: str | None) -> Project | None:
        """The project a ledger row updates on re-import: the same unit, investor and project name."""
        query = select(Project).where(Project.unit_id == unit_id, col(Project.baseline).is_not(None))
        for project in self.session.exec(query.order_by(col(Project.id))):
            if (project.company or "") == (company or "") and (project.name or "") == (name or ""):
                return project
        return None

    def opened_as(self, unit_id: int, company: str | None, name: str | None) -> Project | None:
        """A project the bot opened for this investor and project name (a ledger row imported after the unit
        reported it takes its place: one project, not two)."""
        query = select(Project).where(Project.unit_id == unit_id, col(Project.baseline).is_(None))
        query = query.where(Project.name == name) if name else query.where(col(Project.name).is_(None))
        for project in self.session.exec(query.order_by(col(Project.id))):
            if (not company and not project.company) or (company and same_investor(company, project.company)):
                return project
        return None

    def record_ids(self, project_ids: Sequence[int]) -> dict[int, list[int]]:
        """The live records of these projects, by number."""
        out: dict[int, list[int]] = {pid: [] for pid in project_ids}
        if not project_ids:
            return out
        rows = self.session.exec(
            select(Record.project_id, Record.id).where(col(Record.project_id).in_(list(project_ids)),
                                                       col(Record.status) != RecordStatus.RETRACTED.value)
            .order_by(col(Record.id))
        ).all()
        for pid, rid in rows:
            if pid is not None and rid is not None:
                out.setdefault(pid, []).append(rid)
        return out

    def last_progress_by(self, project_ids: Sequence[int], end: str) -> dict[int, datetime]:
        """Each project's latest live record reported in a period up to `end`: its last news as it stood then."""
        out: dict[int, datetime] = {}
        if not project_ids:
            return out
        rows = self.session.exec(
            select(Record.project_id, func.max(col(Record.reported_at)))
            .where(col(Record.project_id).in_(list(project_ids)), col(Record.period) <= end,
                   col(Record.status) != RecordStatus.RETRACTED.value, col(Record.kind) != RecordKind.PLAN.value)
            .group_by(col(Record.project_id))
        ).all()
        for pid, at in rows:
            if pid is not None and at is not None:
                out[int(pid)] = at if at.tzinfo else at.replace(tzinfo=UTC)
        return out


#: The record columns a fact is made of.
_FACT_COLUMNS = ("id", "project_id", "kind", "period", "reported_at", "event_date", "amount_cny_wan", "status",
                 "review", "not_counting", "review_note", "repeat_of", "government_funded", "fields")


def fact_of(record: Record | Any) -> Fact:
    """A record (or a row of `_FACT_COLUMNS`) as `derive` reads it."""
    fields = record.fields or {}
    retracted = record.status == RecordStatus.RETRACTED.value
    rejected = record.review == Review.REJECTED.value
    return Fact(
        id=record.id or 0, kind=record.kind, period=record.period, reported_at=record.reported_at,
        event_date=record.event_date, amount_cny_wan=record.amount_cny_wan, live=not retracted and not rejected,
        counts=counts(record),
        contract=bool(fields.get("contract")), plan_of=fields.get("plan_of"),
        not_counting=record.not_counting, review_note=record.review_note, rejected=rejected,
        repeat=record.repeat_of is not None,
    )


def write_state(project: Project, state: State) -> None:
    """Keep a derived state on its project row."""
    project.stage = state.stage.value
    project.signed_on, project.contract_on = state.signed_on, state.contract_on
    project.started_on, project.completed_on = state.started_on, state.completed_on
    project.signed_wan, project.funds_cny_wan, project.base_funds_wan = (
        state.signed_wan, state.funds_cny_wan, state.base_funds_wan)
    if state.amount_wan is not None:
        project.amount_wan = state.amount_wan
    if state.last_progress_at is not None:
        project.last_progress_at = state.last_progress_at
    for kind, column in PLANNED_COLUMNS.items():
        setattr(project, column, state.planned.get(kind))
    project.counted, project.not_counted_reason, project.shared = state.counted, state.not_counted_reason, state.shared
    project.lead_period, project.signed_period = state.lead_period, state.signed_period
    project.contract_period, project.started_period = state.contract_period, state.started_period
    project.completed_period, project.performing_period = state.completed_period, state.performing_period
    project.derivation = DERIVATION
