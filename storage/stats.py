"""Year-to-date figures per unit, as SQL aggregates (`zsbot stats`; the pipeline is `storage.pipeline`).

Like `storage.ranking`, records are never looped over in Python: one grouped pass over the months
asked (the ranking's covering index) gives every count a target can name. What counts is
`storage.records.counted()` (so a 合同 after an agreement, flagged, is not a second signing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement
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


__all__ = ["PACKAGED_KIND", "Figures", "Thresholds", "figures", "started_amount"]
