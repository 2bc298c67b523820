"""The project pipeline as of a period's end: this year's signed projects, how far they had come, the lists.

Read from the derived project columns (`storage.project_state`): a project signed in `months` (the
year up to the period's end) is in the rates' base when it counts; it had started by then when its
`started_period` is not after the period's end, and so on. One covering index answers it, so a rate
costs what the year's signed projects are, never the history. A replayed job round ("as of" a time
inside the period) derives the same states from the records reported by then instead: the same
`derive`, the same sums (`tally`), only slower.

The county counts each investor once: a project counted for its unit but shared with the unit that
reported the investor first (the office said both count) is left out of the county's line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from storage.models import Project, Record, RecordKind
from storage.project_state import Baseline, Fact, State, derive
from storage.projects import Projects
from storage.records import counted

_ZERO = 0.0


@dataclass(frozen=True, slots=True)
class Pipeline:
    """Projects signed in the year so far, and how far they had come by the period's end."""

    signed: int = 0
    started: int = 0
    #: Started or with funds arrived (履约).
    performing: int = 0
    signed_wan: float = _ZERO
    funds_wan: float = _ZERO
    #: Projects with a counted lead this year, and those of them signed (线索转化率).
    leads: int = 0
    leads_signed: int = 0

    def __add__(self, other: Pipeline) -> Pipeline:
        return Pipeline(self.signed + other.signed, self.started + other.started, self.performing + other.performing,
                        self.signed_wan + other.signed_wan, self.funds_wan + other.funds_wan,
                        self.leads + other.leads, self.leads_signed + other.leads_signed)


@dataclass(frozen=True, slots=True)
class Pipelines:
    """Per unit, and the county's (each investor once)."""

    units: dict[int, Pipeline] = field(default_factory=dict)
    county: Pipeline = field(default_factory=Pipeline)


def _span(months: Sequence[str]) -> tuple[str, str]:
    return min(months), max(months)


def _in(column: ColumnElement[str | None] | str | None, first: str, end: str) -> ColumnElement[bool]:
    return and_(col(column) >= first, col(column) <= end)


def _by(column: object, end: str) -> ColumnElement[int]:
    return func.sum(case((and_(col(column).is_not(None), col(column) <= end), 1), else_=0))


#: The parts of the pipeline a caller may ask for: the signed projects and their progress, the funds that
#: arrived on them, the leads that converted. A chat question about 开工率 reads the first part only.
ALL_PARTS = frozenset({"signed", "funds", "leads"})


def pipeline(session: Session, months: Sequence[str], unit_id: int | None = None, until: datetime | None = None,
             parts: frozenset[str] = ALL_PARTS, county_only: bool = False) -> Pipelines:
    """Per unit and for the county: projects signed in `months` and their progress by the last month's end.

    With `until` (a round replayed at a time inside the period), only what had been reported by then.
    `parts` limits the work to what the caller reads (the others stay 0); `county_only` leaves `units` empty.
    """
    if not months:
        return Pipelines()
    if until is not None:
        return tally(states_as_of(session, months, unit_id, until), months)
    first, end = _span(months)
    unit = [] if unit_id is None else [col(Project.unit_id) == unit_id]
    rows: list[tuple[int, bool, Pipeline]] = []
    if county_only and unit_id is None and parts <= {"signed"}:
        # The county's line alone (a chat question): one pass, no grouping, each investor once.
        n, started, performing, signed_wan = session.execute(
            select(func.count(), _by(Project.started_period, end), _by(Project.performing_period, end),
                   func.sum(func.coalesce(col(Project.signed_wan), 0.0)))
            .where(_in(Project.signed_period, first, end), col(Project.counted), col(Project.shared).is_(False))
        ).one()
        return Pipelines({}, Pipeline(signed=int(n), started=int(started or 0), performing=int(performing or 0),
                                      signed_wan=float(signed_wan or 0)))
    if "signed" in parts:
        signed = session.execute(
            select(col(Project.unit_id), col(Project.shared), func.count(), _by(Project.started_period, end),
                   _by(Project.performing_period, end), func.sum(func.coalesce(col(Project.signed_wan), 0.0)),
                   func.sum(col(Project.base_funds_wan)))
            .where(*unit, _in(Project.signed_period, first, end), col(Project.counted))
            .group_by(col(Project.unit_id), col(Project.shared))
        ).all()
        rows += [(int(uid), bool(shared), Pipeline(
            signed=int(n), started=int(started or 0), performing=int(performing or 0),
            signed_wan=float(signed_wan or 0), funds_wan=float(base_funds or 0) if "funds" in parts else 0.0))
            for uid, shared, n, started, performing, signed_wan, base_funds in signed]
    if "funds" in parts:
        funds = session.execute(
            select(col(Project.unit_id), col(Project.shared), func.sum(func.coalesce(col(Record.amount_cny_wan), 0.0)))
            .select_from(Record).join(Project, col(Project.id) == col(Record.project_id))
            .where(*([col(Record.unit_id) == unit_id] if unit_id is not None else []),
                   col(Record.kind) == RecordKind.FUNDS.value, _in(Record.period, first, end), counted(),
                   _in(Project.signed_period, first, end), col(Project.counted))
            .group_by(col(Project.unit_id), col(Project.shared))
        ).all()
        rows += [(int(uid), bool(shared), Pipeline(funds_wan=float(total or 0))) for uid, shared, total in funds]
    if "leads" in parts:
        leads = session.execute(
            select(col(Project.unit_id), col(Project.shared), func.count(),
                   func.sum(case((_in(Project.signed_period, first, end), 1), else_=0)))
            .where(*unit, _in(Project.lead_period, first, end), col(Project.counted))
            .group_by(col(Project.unit_id), col(Project.shared))
        ).all()
        rows += [(int(uid), bool(shared), Pipeline(leads=int(n), leads_signed=int(converted or 0)))
                 for uid, shared, n, converted in leads]
    units: dict[int, Pipeline] = {}
    county = Pipeline()
    for uid, shared, mine in rows:
        units[uid] = units.get(uid, Pipeline()) + mine
        if not shared:
            county = county + mine
    return Pipelines(units, county)


@dataclass(frozen=True, slots=True)
class ProjectAsOf:
    """A project's derived state as of a time, with the facts that were known then."""

    project: Project
    state: State
    facts: tuple[Fact, ...]


def states_as_of(session: Session, months: Sequence[str], unit_id: int | None, until: datetime) -> list[ProjectAsOf]:
    """The states of the projects the year's pipeline may hold, derived from the records reported by `until`."""
    first, end = _span(months)
    query = select(Project).where(or_(_in(Project.signed_period, first, end), _in(Project.lead_period, first, end)))
    if unit_id is not None:
        query = query.where(col(Project.unit_id) == unit_id)
    projects = list(session.scalars(query.order_by(col(Project.id))))
    facts = Projects(session).facts_of([p.id or 0 for p in projects], until=until)
    out = []
    for p in projects:
        known = facts.get(p.id or 0, [])
        out.append(ProjectAsOf(p, derive(known, Baseline.of(p.baseline), p.created_at), tuple(known)))
    return out


def tally(states: Iterable[ProjectAsOf], months: Sequence[str]) -> Pipelines:
    """The pipeline sums of derived states: what `pipeline` computes in SQL, in Python (for a replay)."""
    first, end = _span(months)
    units: dict[int, Pipeline] = {}
    county = Pipeline()

    def by(period: str | None) -> bool:
        return period is not None and period <= end

    for item in states:
        s, uid = item.state, item.project.unit_id
        if not s.counted:
            continue
        mine = Pipeline()
        if s.signed_period is not None and first <= s.signed_period <= end:
            arrived = sum(f.amount_cny_wan or 0 for f in item.facts
                          if f.kind == RecordKind.FUNDS.value and f.counts and first <= f.period <= end)
            mine = Pipeline(signed=1, started=int(by(s.started_period)), performing=int(by(s.performing_period)),
                            signed_wan=s.signed_wan or 0.0, funds_wan=s.base_funds_wan + arrived)
        units[uid] = units.get(uid, Pipeline()) + mine
        if not s.shared:
            county = county + mine
        if s.lead_period is not None and first <= s.lead_period <= end:
            lead = Pipeline(leads=1, leads_signed=int(s.signed_period is not None and first <= s.signed_period <= end))
            units[uid] = units[uid] + lead
            if not s.shared:
                county = county + lead
    return Pipelines({u: p for u, p in units.items() if p != Pipeline()}, county)


def signed_not_started(
    session: Session, months: Sequence[str], unit_id: int | None = None, limit: int = 200,
    until: datetime | None = None,
) -> list[Project]:
    """签约未开工: counted projects signed in `months` not started by their end, the earliest signed first; with
    `until`, as they stood then."""
    if not months:
        return []
    first, end = _span(months)
    if until is not None:
        return [item.project for item in states_as_of(session, months, unit_id, until)
                if item.state.counted and item.state.signed_period is not None
                and first <= item.state.signed_period <= end
                and not (item.state.started_period and item.state.started_period <= end)][:limit]
    # Oldest signing first, in the order the pipeline indexes keep (by id, PostgreSQL would walk the whole
    # table's ids to find a unit's few).
    query = (
        select(Project)
        .where(_in(Project.signed_period, first, end), col(Project.counted),
               or_(col(Project.started_period).is_(None), col(Project.started_period) > end))
        .order_by(col(Project.signed_period), col(Project.id)).limit(limit)
    )
    if unit_id is not None:
        query = query.where(col(Project.unit_id) == unit_id)
    return list(session.scalars(query))


def signed_in(session: Session, months: Sequence[str], unit_id: int | None = None) -> list[Project]:
    """Counted projects signed in `months` (the rates' base), by number."""
    if not months:
        return []
    first, end = _span(months)
    query = select(Project).where(_in(Project.signed_period, first, end), col(Project.counted))
    if unit_id is not None:
        query = query.where(col(Project.unit_id) == unit_id)
    return list(session.scalars(query.order_by(col(Project.id))))


def count_signed_not_started(session: Session, months: Sequence[str], unit_id: int | None = None) -> int:
    """How many projects `signed_not_started` would list (without loading them)."""
    if not months:
        return 0
    first, end = _span(months)
    query = select(func.count()).select_from(Project).where(
        *([col(Project.unit_id) == unit_id] if unit_id is not None else []), _in(Project.signed_period, first, end),
        col(Project.counted), or_(col(Project.started_period).is_(None), col(Project.started_period) > end))
    return int(session.execute(query).scalar_one())


def started_not_completed(session: Session, end: str, unit_id: int | None = None, limit: int = 200) -> list[Project]:
    """开工未投产: counted projects started by `end` and not completed by then, oldest first."""
    query = (
        select(Project)
        .where(col(Project.started_period) <= end, col(Project.counted),
               or_(col(Project.completed_period).is_(None), col(Project.completed_period) > end))
        .order_by(col(Project.id)).limit(limit)
    )
    if unit_id is not None:
        query = query.where(col(Project.unit_id) == unit_id)
    return list(session.scalars(query))


def project_amount(project: Project) -> float:
    """What a project is worth in the documents' lists and charts (万元): its signed amount, else its planned one.
    (`_AMOUNT` is the same, in SQL.)"""
    return float(project.signed_wan or project.amount_wan or 0)


_AMOUNT = func.coalesce(col(Project.signed_wan), col(Project.amount_wan), 0.0)


def reached_by(session: Session, end: str) -> dict[str, tuple[int, float]]:
    """How many counted projects had reached 签约, 合同, 开工, 投产 by `end` (a started project has passed signing
    and contract), and their signed amount (else planned): the county's pipeline chart, each investor once."""
    steps = (("signed", (Project.signed_period, Project.contract_period, Project.started_period,
                         Project.completed_period)),
             ("contract", (Project.contract_period, Project.started_period, Project.completed_period)),
             ("started", (Project.started_period, Project.completed_period)),
             ("completed", (Project.completed_period,)))
    out: dict[str, tuple[int, float]] = {}
    for name, columns in steps:
        n, amount = session.execute(
            select(func.count(), func.sum(_AMOUNT))
            .where(or_(*(col(c) <= end for c in columns)), col(Project.counted), col(Project.shared).is_(False))
        ).one()
        out[name] = (int(n), float(amount or 0))
    return out


__all__ = ["ALL_PARTS", "Pipeline", "Pipelines", "ProjectAsOf", "count_signed_not_started", "pipeline", "project_amount", "reached_by", "signed_in", "signed_not_started",
           "started_not_completed", "states_as_of", "tally"]
