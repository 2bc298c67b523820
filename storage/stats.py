"""Year-to-date figures and the project pipeline per unit, as SQL aggregates (`zsbot stats`).

Like `storage.ranking`, records are never looped over in Python: one grouped pass over the months
asked (the ranking's covering index) gives every count a target can name, and the pipeline is two
grouped passes over the year's signings and their projects' milestones. What counts is
`storage.records.counted()` (so a 合同 after an agreement, flagged, is not a second signing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CTE, Subquery
from sqlmodel import Session, col

from storage.models import Project, Record, RecordKind
from storage.ranking import within
from storage.records import counted, how_many

#: The record kind of 策划包装 reports (added by the packaging feature; until then nothing has it → 0).
PACKAGED_KIND = RecordKind.PACKAGING.value

_ZERO = 0.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The size thresholds the targets ask about (万元 CNY; 万美元 for USD signings)."""

    leads_over: tuple[float, ...] = ()
    signings_over: tuple[float, ...] = ()
    signings_over_usd: tuple[float, ...] = ()
    #: Whether any target asks for 新开工 amounts (an extra join on projects).
    started_wan: bool = False


@dataclass(slots=True)
class Figures:
    """One unit's counted figures over some months (all zero for a unit with nothing)."""

    leads: int = 0
    visits: int = 0
    receptions: int = 0
    signings: int = 0
    signed_wan: float = _ZERO
    starts: int = 0
    started_wan: float = _ZERO
    funds_wan: float = _ZERO
    completions: int = 0
    packaged: int = 0
    leads_over: dict[float, int] = field(default_factory=dict)
    signings_over: dict[float, int] = field(default_factory=dict)
    signings_over_usd: dict[float, int] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        """Sum `other` into this one (the county is the sum of its units)."""
        for name in ("leads", "visits", "receptions", "signings", "signed_wan", "starts", "started_wan",
                     "funds_wan", "completions", "packaged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("leads_over", "signings_over", "signings_over_usd"):
            mine: dict[float, int] = getattr(self, name)
            for key, value in getattr(other, name).items():
                mine[key] = mine.get(key, 0) + value


def _sum(condition: ColumnElement[bool], value: ColumnElement[float] | ColumnElement[int] | int = 1) -> ColumnElement[float]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _where_unit(unit_id: int | None) -> list[ColumnElement[bool]]:
    return [] if unit_id is None else [col(Record.unit_id) == unit_id]


def figures(
    session: Session, months: Sequence[str], thresholds: Thresholds, unit_id: int | None = None,
    quarter: Sequence[str] = (), counts: bool = True, until: datetime | None = None,
) -> dict[int, Figures]:
    """Counted figures per unit over `months` (and 策划包装 over `quarter`), in as few passes as asked.

    `counts=False` leaves the plain counts at zero and reads only leads and signings for the size
    thresholds: for a caller that has the counts already (the ranking of the same months). With
    `until`, only records reported by then (a job round replayed at its time).
    """
    kind = col(Record.kind)
    amount = func.coalesce(col(Record.amount_cny_wan), 0.0)
    lead, signing = kind == RecordKind.LEAD.value, kind == RecordKind.SIGNING.value
    sizes = [
        *[_sum(and_(lead, amount >= low)).label(f"lo_{i}") for i, low in enumerate(thresholds.leads_over)],
        *[_sum(and_(signing, amount >= low)).label(f"so_{i}") for i, low in enumerate(thresholds.signings_over)],
    ]
    plain = [
        _sum(lead).label("leads"),
        _sum(kind == RecordKind.VISIT.value, how_many()).label("visits"),
        _sum(kind == RecordKind.RECEPTION.value, how_many()).label("receptions"),
        _sum(signing).label("signings"),
        _sum(signing, amount).label("signed_wan"),
        _sum(kind == RecordKind.START.value).label("starts"),
        _sum(kind == RecordKind.FUNDS.value, amount).label("funds_wan"),
        _sum(kind == RecordKind.COMPLETION.value).label("completions"),
    ]
    out: dict[int, Figures] = {}
    if months and (counts or sizes):
        where = [col(Record.period).in_(list(months)), counted(), *_where_unit(unit_id), *within(None, until)]
        if not counts:
            where.append(kind.in_([k.value for k, lows in ((RecordKind.LEAD, thresholds.leads_over),
                                                            (RecordKind.SIGNING, thresholds.signings_over)) if lows]))
        query = (
            select(col(Record.unit_id), *(plain if counts else []), *sizes).where(*where).group_by(col(Record.unit_id))
        )
        for r in session.execute(query).mappings():
            out[int(r["unit_id"])] = Figures(
                leads_over={low: int(r[f"lo_{i}"]) for i, low in enumerate(thresholds.leads_over)},
                signings_over={low: int(r[f"so_{i}"]) for i, low in enumerate(thresholds.signings_over)},
            )
            if counts:
                out[int(r["unit_id"])] = replace(
                    out[int(r["unit_id"])], leads=int(r["leads"]), visits=int(r["visits"]),
                    receptions=int(r["receptions"]), signings=int(r["signings"]), signed_wan=float(r["signed_wan"]),
                    starts=int(r["starts"]), funds_wan=float(r["funds_wan"]), completions=int(r["completions"]))
    if months and thresholds.started_wan:
        _started_wan(session, months, unit_id, out, until)
    if months and thresholds.signings_over_usd:
        _usd_signings(session, months, thresholds.signings_over_usd, unit_id, out, until)
    if quarter:
        packaged = (
            select(col(Record.unit_id), func.count().label("n"))
            .where(col(Record.period).in_(list(quarter)), kind == PACKAGED_KIND, counted(), *_where_unit(unit_id),
                   *within(None, until))
            .group_by(col(Record.unit_id))
        )
        for uid, n in session.execute(packaged).all():
            out.setdefault(int(uid), Figures()).packaged = int(n)
    return out


def started_amount() -> ColumnElement[float]:
    """What one 开工 counts for in 新开工 amounts (万元): the report's own amount, else its project's
    signed (or planned) amount; the record must be outer-joined to its project. Targets and a
    campaign's base task both count `started_wan` with it."""
    return func.coalesce(col(Record.amount_cny_wan), col(Project.signed_wan), col(Project.amount_wan), 0.0)


def _started_wan(session: Session, months: Sequence[str], unit_id: int | None, out: dict[int, Figures],
                 until: datetime | None = None) -> None:
    """新开工 amount per unit (`started_amount`)."""
    value = started_amount()
    query = (
        select(col(Record.unit_id), func.sum(value))
        .select_from(Record)
        .outerjoin(Project, col(Project.id) == col(Record.project_id))
        .where(col(Record.period).in_(list(months)), col(Record.kind) == RecordKind.START.value, counted(),
               *_where_unit(unit_id), *within(None, until))
        .group_by(col(Record.unit_id))
    )
    for uid, total in session.execute(query).all():
        out.setdefault(int(uid), Figures()).started_wan = float(total or 0)


def _usd_signings(
    session: Session, months: Sequence[str], lows: tuple[float, ...], unit_id: int | None, out: dict[int, Figures],
    until: datetime | None = None,
) -> None:
    """Signings agreed in US dollars at or above each threshold (万美元, the amount as reported)."""
    amount = func.coalesce(col(Record.amount_wan), 0.0)
    query = (
        select(col(Record.unit_id), *[_sum(amount >= low).label(f"u_{i}") for i, low in enumerate(lows)])
        .where(col(Record.period).in_(list(months)), col(Record.kind) == RecordKind.SIGNING.value,
               col(Record.currency) == "USD", counted(), *_where_unit(unit_id), *within(None, until))
        .group_by(col(Record.unit_id))
    )
    for r in session.execute(query).mappings():
        out.setdefault(int(r["unit_id"]), Figures()).signings_over_usd = {
            low: int(r[f"u_{i}"]) for i, low in enumerate(lows)}


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A unit's projects signed in the year so far, and how far they have come (by the period's end)."""

    signed: int = 0
    started: int = 0
    #: Started or with funds arrived (履约).
    performing: int = 0
    signed_wan: float = _ZERO
    funds_wan: float = _ZERO
    #: This year's leads, and those whose project was signed.
    leads: int = 0
    leads_signed: int = 0

    def __add__(self, other: Pipeline) -> Pipeline:
        return Pipeline(self.signed + other.signed, self.started + other.started, self.performing + other.performing,
                        self.signed_wan + other.signed_wan, self.funds_wan + other.funds_wan,
                        self.leads + other.leads, self.leads_signed + other.leads_signed)


def _signed(months: Sequence[str], unit_id: int | None, until: datetime | None = None) -> Subquery:
    """Projects with a counted signing in `months`: (project, unit, signed amount)."""
    return _signed_query(months, unit_id, until).subquery("signed")


def _signed_query(months: Sequence[str], unit_id: int | None, until: datetime | None = None) -> Select[*tuple[Any, ...]]:
    return (
        select(
            col(Record.project_id).label("pid"),
            col(Record.unit_id).label("uid"),
            func.sum(func.coalesce(col(Record.amount_cny_wan), 0.0)).label("signed_wan"),
        )
        .where(col(Record.period).in_(list(months)), col(Record.kind) == RecordKind.SIGNING.value,
               col(Record.project_id).is_not(None), counted(), *_where_unit(unit_id), *within(None, until))
        .group_by(col(Record.project_id), col(Record.unit_id))
    )


def _milestones(signed: Subquery | CTE, months: Sequence[str], until: datetime | None = None) -> Subquery:
    """Per signed project: started (开工 or 投产 reported), completed, funds arrived, in `months`.

    The months are the year up to the period's end: a project signed this year starts and gets its
    money this year, so earlier years are not read.
    """
    kind = col(Record.kind)
    started = kind.in_([RecordKind.START.value, RecordKind.COMPLETION.value])
    return (
        select(
            col(Record.project_id).label("pid"),
            func.max(case((started, 1), else_=0)).label("started"),
            func.max(case((kind == RecordKind.COMPLETION.value, 1), else_=0)).label("completed"),
            _sum(kind == RecordKind.FUNDS.value, func.coalesce(col(Record.amount_cny_wan), 0.0)).label("funds"),
        )
        .where(col(Record.project_id).in_(select(signed.c.pid)), col(Record.period).in_(list(months)),
               kind.in_([RecordKind.START.value, RecordKind.COMPLETION.value, RecordKind.FUNDS.value]), counted(),
               *within(None, until))
        .group_by(col(Record.project_id))
        .subquery("milestones")
    )


def pipeline(session: Session, months: Sequence[str], unit_id: int | None = None, until: datetime | None = None
             ) -> dict[int, Pipeline]:
    """Per unit: projects signed in `months` (the year up to the period's end) and their progress.

    A project is started when a 开工 or 投产 report on it counts in `months`; funds are the counted
    资金到位 reports on it in `months`; a lead of `months` converts when its project is among the
    signed ones.
    """
    if not months:
        return {}
    # One statement: the year's signed projects are found once (a CTE, which PostgreSQL materialises as
    # it is read three times) for their milestones, their units' counts and the leads that converted.
    signed = _signed_query(months, unit_id, until).cte("signed")
    done = _milestones(signed, months, until)
    started = func.coalesce(done.c.started, 0)
    funds = func.coalesce(done.c.funds, 0.0)
    projects = (
        select(
            signed.c.uid.label("uid"),
            func.count().label("signed"),
            func.sum(started).label("started"),
            func.sum(case((or_(started == 1, funds > 0), 1), else_=0)).label("performing"),
            func.sum(signed.c.signed_wan).label("signed_wan"),
            func.sum(funds).label("funds_wan"),
            literal(0).label("leads"),
            literal(0).label("converted"),
        )
        .select_from(signed)
        .outerjoin(done, done.c.pid == signed.c.pid)
        .group_by(signed.c.uid)
    )
    converted = col(Record.project_id).in_(select(signed.c.pid))
    leads: Select[*tuple[Any, ...]] = (
        select(col(Record.unit_id).label("uid"), literal(0), literal(0), literal(0), literal(0.0), literal(0.0),
               func.count(), func.count().filter(converted))
        .where(col(Record.period).in_(list(months)), col(Record.kind) == RecordKind.LEAD.value, counted(),
               *_where_unit(unit_id), *within(None, until))
        .group_by(col(Record.unit_id))
    )
    out: dict[int, Pipeline] = {}
    for r in session.execute(union_all(projects, leads)).mappings():
        uid = int(r["uid"])
        out[uid] = out.get(uid, Pipeline()) + Pipeline(
            signed=int(r["signed"] or 0), started=int(r["started"] or 0), performing=int(r["performing"] or 0),
            signed_wan=float(r["signed_wan"] or 0), funds_wan=float(r["funds_wan"] or 0),
            leads=int(r["leads"] or 0), leads_signed=int(r["converted"] or 0))
    return out


def signed_not_started(
    session: Session, months: Sequence[str], unit_id: int | None = None, limit: int = 200,
    until: datetime | None = None,
) -> list[Project]:
    """签约未开工: projects signed in `months` with no counted 开工/投产 up to their end, oldest first."""
    if not months:
        return []
    signed = _signed(months, unit_id, until)
    done = _milestones(signed, months, until)
    query = (
        select(Project)
        .join(signed, signed.c.pid == col(Project.id))
        .outerjoin(done, done.c.pid == col(Project.id))
        .where(func.coalesce(done.c.started, 0) == 0)
        .order_by(col(Project.id))
        .limit(limit)
    )
    return list(session.scalars(query))


def started_not_completed(session: Session, end: str, unit_id: int | None = None, limit: int = 200) -> list[Project]:
    """开工未投产: projects with a counted 开工 up to `end` and no counted 投产 up to then, oldest first."""
    kind = col(Record.kind)
    per = (
        select(
            col(Record.project_id).label("pid"),
            func.max(case((kind == RecordKind.COMPLETION.value, 1), else_=0)).label("completed"),
        )
        .where(col(Record.project_id).is_not(None), col(Record.period) <= end, counted(), *_where_unit(unit_id),
               kind.in_([RecordKind.START.value, RecordKind.COMPLETION.value]))
        .group_by(col(Record.project_id))
        .having(func.max(case((kind == RecordKind.START.value, 1), else_=0)) == 1)
        .subquery("begun")
    )
    query = (select(Project).join(per, per.c.pid == col(Project.id)).where(per.c.completed == 0)
             .order_by(col(Project.id)).limit(limit))
    return list(session.scalars(query))


__all__ = ["PACKAGED_KIND", "Figures", "Pipeline", "Thresholds", "figures", "pipeline", "signed_not_started",
           "started_amount", "started_not_completed"]
