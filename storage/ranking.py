"""The ranking of every assessed unit for a period: one SQL aggregate, ranked in the same statement.

Records are never looped over in Python: the database sums them per unit, units with nothing still
appear (outer join), and ties share a rank (`RANK()` over the score rounded to 0.01). Only the months
asked are read, from a covering index (`ix_record_period_unit_kind`): a month costs what it holds.
Weights come in as plain values; what they mean is decided by `handlers.assessment.scoring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Numeric, case, cast, func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import Session, col

from storage.kinds import MONTHLY_KINDS
from storage.models import Record, RecordKind, Unit
from storage.records import counted, how_many


@dataclass(frozen=True, slots=True)
class Weights:
    """Points per counted item; amounts score per 亿元 (10,000万元). Values come from [scoring]."""

    lead: float
    lead_big: float
    lead_big_min_wan: float
    visit: float
    reception: float
    signing: float
    signed_per_yi: float
    start: float
    funds: float
    funds_per_yi: float
    completion: float
    progress: float
    #: Per intention agreement (意向书): a step of a project, never a signing.
    intention: float
    #: Per month of the period in which the unit reported at least once before the deadline.
    on_time: float
    #: (min 万元, bonus) size tiers; a record earns the bonus of the highest tier it reaches.
    tiers: tuple[tuple[float, float], ...]
    #: Record kinds the tier bonus applies to.
    tier_kinds: tuple[str, ...]
    #: Thresholds (万元) whose lead counts are reported (过5000万, 过1亿 …), for bulletins.
    lead_tiers: tuple[float, ...]
    #: Per counted 策划包装 (packaged project); 0 keeps packaging out of the monthly score.
    packaging: float = 0


@dataclass(frozen=True, slots=True)
class RankingRow:
    rank: int
    unit_id: int
    unit: str
    score: float
    leads: int
    big_leads: int
    visits: int
    receptions: int
    signings: int
    signed_wan: float
    starts: int
    #: Funds-arrived reports (资金到位), and their sum.
    funds: int
    funds_wan: float
    completions: int
    progress: int
    #: At least one counted record in the period.
    reported: bool
    records: int
    #: Leads at or above each of Weights.lead_tiers.
    leads_by_tier: tuple[int, ...]
    target_amount_wan: float | None
    target_leads: int | None
    #: Counted 策划包装 records (not a monthly report: they never make `reported` true).
    packaged: int = 0
    #: Intention agreements (意向书).
    intentions: int = 0


_COUNTED_KINDS = [k.value for k in MONTHLY_KINDS]
#: What the ranking reads: the monthly report and 策划包装 (a plan is not an event and is never read).
_RANKED_KINDS = [*_COUNTED_KINDS, RecordKind.PACKAGING.value]
_PACKAGING = RecordKind.PACKAGING.value


def _n(condition: ColumnElement[bool], value: ColumnElement[float] | int = 1) -> ColumnElement[float]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _tier_points(weights: Weights) -> ColumnElement[float]:
    """The size bonus one record earns (the highest tier its amount reaches), whatever its kind."""
    amount = func.coalesce(col(Record.amount_cny_wan), 0)
    tiers = sorted(weights.tiers, reverse=True)
    if not tiers:
        return cast(0, Float)
    return case(*[(amount >= low, cast(points, Float)) for low, points in tiers], else_=cast(0, Float))


def within(since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    """Records reported in [since, until]: a campaign's dates, or what existed at a replayed instant.

    Empty when both are None, so the usual ranking stays an index-only read of the months asked.
    """
    out: list[ColumnElement[bool]] = []
    if since is not None:
        out.append(col(Record.reported_at) >= since)
    if until is not None:
        out.append(col(Record.reported_at) <= until)
    return out


def _per_kind(months: Sequence[str], weights: Weights, since: datetime | None = None,
              until: datetime | None = None) -> Subquery:
    """Counts and sums per (month, unit, kind): the only pass over records.

    Grouped in the order of `ix_record_period_unit_kind`, so the database streams the months asked
    straight out of the index, with a handful of expressions per record; everything per unit is
    then summed from at most months × units × kinds rows.
    """
    amount = func.coalesce(col(Record.amount_cny_wan), 0.0)

    def at_least(low: float) -> ColumnElement[float]:
        return func.sum(case((amount >= low, 1), else_=0))

    return (
        select(
            col(Record.period).label("period"),
            col(Record.unit_id).label("unit_id"),
            col(Record.kind).label("kind"),
            func.count().label("n"),
            func.sum(how_many()).label("events"),
            func.sum(amount).label("amount"),
            at_least(weights.lead_big_min_wan).label("big"),
            func.sum(_tier_points(weights)).label("bonus"),
            *[at_least(low).label(f"tier_{i}") for i, low in enumerate(weights.lead_tiers)],
        )
        .where(
            col(Record.period).in_(list(months)),
            counted(),
            col(Record.kind).in_(_RANKED_KINDS),
            *within(since, until),
        )
        .group_by(col(Record.period), col(Record.unit_id), col(Record.kind))
        .subquery("per_kind")
    )


def ranking(session: Session, months: Sequence[str], weights: Weights, since: datetime | None = None,
            until: datetime | None = None) -> list[RankingRow]:
    """Every unit's figures and rank for the months given (a month, quarter, year or campaign), counting
    only records reported in [since, until] when either is given."""
    pk = _per_kind(months, weights, since, until)

    def of(kind: str, column: ColumnElement[float] | None = None) -> ColumnElement[float]:
        return _n(pk.c.kind == kind, pk.c.n if column is None else column)

    tier_bonus = _n(pk.c.kind.in_(weights.tier_kinds), pk.c.bonus) if weights.tier_kinds else cast(0, Float)
    agg = (
        select(
            pk.c.unit_id.label("unit_id"),
            _n(pk.c.kind != _PACKAGING, pk.c.n).label("records"),
            of("lead").label("leads"),
            of("lead", pk.c.big).label("big_leads"),
            of("visit", pk.c.events).label("visits"),
            of("reception", pk.c.events).label("receptions"),
            of("signing").label("signings"),
            of("signing", pk.c.amount).label("signed_wan"),
            of("start").label("starts"),
            of("funds").label("funds"),
            of("funds", pk.c.amount).label("funds_wan"),
            of("completion").label("completions"),
            of("progress").label("progress"),
            of("intention").label("intentions"),
            func.count(func.distinct(case((pk.c.kind != _PACKAGING, pk.c.period)))).label("months_reported"),
            of(_PACKAGING).label("packaged"),
            tier_bonus.label("tier_bonus"),
            *[of("lead", pk.c[f"tier_{i}"]).label(f"tier_{i}") for i in range(len(weights.lead_tiers))],
        )
        .group_by(pk.c.unit_id)
        .subquery("agg")
    )

    def z(name: str) -> ColumnElement[float]:
        return func.coalesce(agg.c[name], 0)

    score = (
        z("leads") * weights.lead
        + z("big_leads") * weights.lead_big
        + z("visits") * weights.visit
        + z("receptions") * weights.reception
        + z("signings") * weights.signing
        + z("signed_wan") * (weights.signed_per_yi / 10000)
        + z("starts") * weights.start
        + z("funds") * weights.funds
        + z("funds_wan") * (weights.funds_per_yi / 10000)
        + z("completions") * weights.completion
        + z("progress") * weights.progress
        + z("intentions") * weights.intention
        + z("months_reported") * weights.on_time
        + z("tier_bonus")
        + z("packaged") * weights.packaging
    )
    names = ["records", "leads", "big_leads", "visits", "receptions", "signings", "signed_wan", "starts",
             "funds", "funds_wan", "completions", "progress", "intentions", "packaged"] + [f"tier_{i}" for i in range(len(weights.lead_tiers))]
    scored = (
        select(
            col(Unit.id).label("unit_id"),
            col(Unit.name).label("unit"),
            col(Unit.target_amount_wan).label("target_amount_wan"),
            col(Unit.target_leads).label("target_leads"),
            cast(func.round(cast(score, Numeric(18, 4)), 2), Float).label("score"),
            *[z(name).label(name) for name in names],
        )
        .select_from(Unit)
        .outerjoin(agg, agg.c.unit_id == Unit.id)
        .subquery("scored")
    )
    ranked = select(
        scored, func.rank().over(order_by=scored.c.score.desc()).label("rank")
    ).order_by(scored.c.score.desc(), scored.c.unit_id)
    return [_row(r, len(weights.lead_tiers)) for r in session.execute(ranked).mappings()]


def not_reported(session: Session, months: Sequence[str], until: datetime | None = None) -> list[Unit]:
    """The units with no counted report in `months` (reported by `until`, when given), by id: what a
    nag needs, without ranking anyone.

    "Reported" means what the ranking's `reported` means: at least one counted record of a ranked kind.
    """
    reported = select(col(Record.id)).where(
        col(Record.unit_id) == col(Unit.id),
        col(Record.period).in_(list(months)),
        counted(),
        col(Record.kind).in_(_COUNTED_KINDS),
        *within(None, until),
    )
    query = select(Unit).where(~reported.exists()).order_by(col(Unit.id))
    return list(session.scalars(query))


def _row(r: RowMapping, tiers: int) -> RankingRow:
    ints = {k: int(r[k]) for k in ("leads", "big_leads", "visits", "receptions", "signings", "starts",
                                     "funds", "completions", "progress", "intentions", "records", "packaged")}
    return RankingRow(
        rank=int(r["rank"]),
        unit_id=int(r["unit_id"]),
        unit=r["unit"],
        score=float(r["score"] or 0),
        signed_wan=float(r["signed_wan"]),
        funds_wan=float(r["funds_wan"]),
        reported=ints["records"] > 0,
        leads_by_tier=tuple(int(r[f"tier_{i}"]) for i in range(tiers)),
        target_amount_wan=r["target_amount_wan"],
        target_leads=r["target_leads"],
        **ints,
    )


__all__ = ["RankingRow", "Weights", "not_reported", "ranking", "within"]
