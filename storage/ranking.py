"""The ranking of every assessed unit for a period: one SQL aggregate, ranked in the same statement.

Records are never looped over in Python: the database sums them per unit, units with nothing still
appear (outer join), and ties share a rank (`RANK()` over the score rounded to 0.01).
Weights come in as plain values; what they mean is decided by `handlers.scoring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Float, Numeric, and_, case, cast, func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

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
    #: Per month of the period in which the unit reported at least once before the deadline.
    on_time: float
    #: (min 万元, bonus) size tiers; a record earns the bonus of the highest tier it reaches.
    tiers: tuple[tuple[float, float], ...]
    #: Record kinds the tier bonus applies to.
    tier_kinds: tuple[str, ...]
    #: Thresholds (万元) whose lead counts are reported (过5000万, 过1亿 …), for bulletins.
    lead_tiers: tuple[float, ...]


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


_COUNTED_KINDS = [k.value for k in RecordKind]


def _n(condition: ColumnElement[bool], value: ColumnElement[float] | int = 1) -> ColumnElement[float]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _tier_bonus(weights: Weights) -> ColumnElement[float]:
    amount = func.coalesce(col(Record.amount_cny_wan), 0)
    tiers = sorted(weights.tiers, reverse=True)
    if not tiers or not weights.tier_kinds:
        return cast(0, Float)
    bonus = case(*[(amount >= low, cast(points, Float)) for low, points in tiers], else_=cast(0, Float))
    return _n(col(Record.kind).in_(weights.tier_kinds), bonus)


def ranking(session: Session, months: Sequence[str], weights: Weights) -> list[RankingRow]:
    """Every unit's figures and rank for the months given (a month, quarter, year or campaign)."""
    kind = col(Record.kind)
    amount = func.coalesce(col(Record.amount_cny_wan), 0.0)
    per_kind = {k: _n(kind == k, how_many() if k in ("visit", "reception") else 1)
                for k in ("lead", "visit", "reception", "signing", "start", "funds", "completion", "progress")}
    agg = (
        select(
            col(Record.unit_id).label("unit_id"),
            func.count().label("records"),
            per_kind["lead"].label("leads"),
            _n(and_(kind == "lead", amount >= weights.lead_big_min_wan)).label("big_leads"),
            per_kind["visit"].label("visits"),
            per_kind["reception"].label("receptions"),
            per_kind["signing"].label("signings"),
            _n(kind == "signing", amount).label("signed_wan"),
            per_kind["start"].label("starts"),
            per_kind["funds"].label("funds"),
            _n(kind == "funds", amount).label("funds_wan"),
            per_kind["completion"].label("completions"),
            per_kind["progress"].label("progress"),
            func.count(func.distinct(col(Record.period))).label("months_reported"),
            _tier_bonus(weights).label("tier_bonus"),
            *[
                _n(and_(kind == "lead", amount >= low)).label(f"tier_{i}")
                for i, low in enumerate(weights.lead_tiers)
            ],
        )
        .where(
            col(Record.period).in_(list(months)),
            counted(),
            kind.in_(_COUNTED_KINDS),
        )
        .group_by(col(Record.unit_id))
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
        + z("months_reported") * weights.on_time
        + z("tier_bonus")
    )
    names = ["records", "leads", "big_leads", "visits", "receptions", "signings", "signed_wan", "starts",
             "funds", "funds_wan", "completions", "progress"] + [f"tier_{i}" for i in range(len(weights.lead_tiers))]
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


def _row(r: RowMapping, tiers: int) -> RankingRow:
    ints = {k: int(r[k]) for k in ("leads", "big_leads", "visits", "receptions", "signings", "starts",
                                     "funds", "completions", "progress", "records")}
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


__all__ = ["RankingRow", "Weights", "ranking"]
