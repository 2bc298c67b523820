"""A project's state, derived from its records (and what the imported ledger said): the one computation.

Stage, dates, signed amount, funds, planned dates, whether the project counts, and the period in which it
first reached each step all follow from the records attached to it, by `derive`. The project row keeps the
result (so rates read an index, not the history), and is derived again whenever one of its records
changes: stored, attached, corrected, retracted, confirmed or rejected. A replay "as of" a time derives
from the records reported by then, with the same function.

Facts and money are told apart: a record the office rejected, or one retracted, says nothing; any other
record says what happened (a 开工 flagged as a repeat still means the project started); only counted
records add money (a repeat's amount is not added twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from storage.kinds import ProjectStage, RecordKind

#: Bump when `derive` changes meaning: projects derived by an older version are derived again at start.
DERIVATION = 1

_ORDER = list(ProjectStage)
_STAGE_OF = {
    RecordKind.LEAD.value: ProjectStage.LEAD,
    RecordKind.INTENTION.value: ProjectStage.INTENTION,
    RecordKind.SIGNING.value: ProjectStage.SIGNED,
    RecordKind.START.value: ProjectStage.STARTED,
    RecordKind.COMPLETION.value: ProjectStage.COMPLETED,
}
#: The records that say who the investor is: the project counts when one of them counts.
_FOUNDING = frozenset({RecordKind.LEAD.value, RecordKind.INTENTION.value, RecordKind.SIGNING.value})
#: Plan kinds as the project's planned-date columns name them.
PLANNED_COLUMNS = {
    RecordKind.SIGNING.value: "planned_signing",
    RecordKind.START.value: "planned_start",
    RecordKind.FUNDS.value: "planned_funds",
    RecordKind.COMPLETION.value: "planned_completion",
}


def month_key(day: date) -> str:
    """The period key of a ledger date (an imported 签约日期): its calendar month."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, slots=True)
class Fact:
    """One record as the derivation reads it."""

    id: int
    kind: str
    period: str
    reported_at: datetime
    event_date: date | None
    amount_cny_wan: float | None
    #: Not retracted and not rejected by the office: it says what happened.
    live: bool
    #: Counted in the assessment (storage.records.counts): its money adds up.
    counts: bool
    #: The formal contract of a signing made earlier by agreement (框架协议 → 合同).
    contract: bool = False
    #: A plan's milestone (signing, start, funds, completion).
    plan_of: str | None = None
    not_counting: str | None = None
    review_note: str | None = None
    rejected: bool = False
    #: It repeats another unit's record (第一引资人 elsewhere); counted only if the office said both count.
    repeat: bool = False


@dataclass(frozen=True, slots=True)
class Baseline:
    """What the office's ledger said of a project when it was imported (`zsbot projects import`)."""

    stage: ProjectStage = ProjectStage.LEAD
    signed_wan: float | None = None
    signed_on: date | None = None
    started_on: date | None = None
    completed_on: date | None = None
    funds_wan: float = 0.0
    planned_start: date | None = None
    #: Why the ledger's project does not count (government money, the county's own), judged at import.
    not_counted: str | None = None
    #: The reporting periods its dates fall in (a date after the 20th belongs to the next month's period).
    signed_period: str | None = None
    started_period: str | None = None
    completed_period: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Baseline | None:
        if not data:
            return None

        def day(key: str) -> date | None:
            value = data.get(key)
            return date.fromisoformat(value) if isinstance(value, str) and value else None

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        signed = data.get("signed_wan")
        return cls(stage=ProjectStage(data.get("stage") or ProjectStage.LEAD.value),
                   signed_wan=float(signed) if isinstance(signed, int | float) else None,
                   signed_on=day("signed_on"), started_on=day("started_on"), completed_on=day("completed_on"),
                   funds_wan=float(data.get("funds_wan") or 0), planned_start=day("planned_start"),
                   not_counted=text("not_counted"), signed_period=text("signed_period"),
                   started_period=text("started_period"), completed_period=text("completed_period"))

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.stage.value, "signed_wan": self.signed_wan,
                "signed_on": self.signed_on.isoformat() if self.signed_on else None,
                "started_on": self.started_on.isoformat() if self.started_on else None,
                "completed_on": self.completed_on.isoformat() if self.completed_on else None,
                "funds_wan": self.funds_wan,
                "planned_start": self.planned_start.isoformat() if self.planned_start else None,
                "not_counted": self.not_counted, "signed_period": self.signed_period,
                "started_period": self.started_period, "completed_period": self.completed_period}

    def period_of(self, step: str) -> str | None:
        """The period a ledger date falls in: as judged at import, else the date's calendar month."""
        stored: str | None = getattr(self, f"{step}_period")
        on: date | None = getattr(self, f"{step}_on")
        return stored or (month_key(on) if on else None)


@dataclass(slots=True)
class State:
    """Everything derived about one project (the columns `Projects.refresh` writes)."""

    stage: ProjectStage = ProjectStage.LEAD
    signed_on: date | None = None
    contract_on: date | None = None
    started_on: date | None = None
    completed_on: date | None = None
    signed_wan: float | None = None
    amount_wan: float | None = None
    funds_cny_wan: float = 0.0
    base_funds_wan: float = 0.0
    last_progress_at: datetime | None = None
    planned: dict[str, date | None] = field(default_factory=dict)
    counted: bool = True
    not_counted_reason: str | None = None
    #: Counted for its unit, but the investor is another unit's first (the office counted both): the
    #: county counts the investor once, at the first unit.
    shared: bool = False
    lead_period: str | None = None
    signed_period: str | None = None
    contract_period: str | None = None
    started_period: str | None = None
    completed_period: str | None = None
    performing_period: str | None = None

    def reached(self, stage: ProjectStage) -> bool:
        return _ORDER.index(self.stage) >= _ORDER.index(stage)


def _earliest(values: Iterable[str | None]) -> str | None:
    present = [v for v in values if v]
    return min(present) if present else None


def _on(fact: Fact) -> date:
    return fact.event_date or fact.reported_at.date()


def derive(facts: Sequence[Fact], baseline: Baseline | None = None, created_at: datetime | None = None) -> State:
    """The project's state from its records (any order) and the imported ledger, if any."""
    ordered = sorted(facts, key=lambda f: (f.reported_at, f.id))
    live = [f for f in ordered if f.live]
    state = State()
    stage = baseline.stage if baseline else ProjectStage.LEAD
    for f in live:
        step = ProjectStage.CONTRACT if f.kind == RecordKind.SIGNING.value and f.contract else _STAGE_OF.get(f.kind)
        if step is not None and _ORDER.index(step) > _ORDER.index(stage):
            stage = step
    state.stage = stage

    def of(*kinds: str) -> list[Fact]:
        return [f for f in live if f.kind in kinds]

    signings, starts = of(RecordKind.SIGNING.value), of(RecordKind.START.value, RecordKind.COMPLETION.value)
    completions = of(RecordKind.COMPLETION.value)
    contracts = [f for f in signings if f.contract]
    base = baseline or Baseline()
    state.signed_on = base.signed_on or (min(_on(f) for f in signings) if signings else None)
    state.contract_on = min(_on(f) for f in contracts) if contracts else None
    state.started_on = base.started_on or (min(_on(f) for f in starts) if starts else None)
    state.completed_on = base.completed_on or (min(_on(f) for f in completions) if completions else None)
    if state.completed_on is None and stage is ProjectStage.COMPLETED and state.started_on:
        state.completed_on = state.started_on
    # The signed amount: the latest signing that counts (a contract supersedes its agreement).
    priced = [f for f in signings if (f.counts or f.contract) and f.amount_cny_wan is not None] or [
        f for f in signings if f.amount_cny_wan is not None]
    state.signed_wan = priced[-1].amount_cny_wan if priced else base.signed_wan
    sized = [f for f in live if f.kind in _FOUNDING and f.amount_cny_wan is not None]
    state.amount_wan = sized[-1].amount_cny_wan if sized else (base.signed_wan if baseline else None)
    funds = [f for f in of(RecordKind.FUNDS.value) if f.counts and f.amount_cny_wan]
    state.base_funds_wan = base.funds_wan
    state.funds_cny_wan = base.funds_wan + sum(f.amount_cny_wan or 0 for f in funds)
    progress = [f.reported_at for f in live if f.kind != RecordKind.PLAN.value]
    state.last_progress_at = max(progress) if progress else created_at
    for f in of(RecordKind.PLAN.value):
        if f.plan_of in PLANNED_COLUMNS:
            state.planned[f.plan_of] = f.event_date
    if baseline and baseline.planned_start and RecordKind.START.value not in state.planned:
        state.planned[RecordKind.START.value] = baseline.planned_start
    _counted(state, ordered, live, baseline)
    state.lead_period = _earliest(f.period for f in live if f.kind == RecordKind.LEAD.value and f.counts)
    state.signed_period = _earliest([*(f.period for f in signings), base.period_of("signed")])
    if baseline and state.signed_period is None and base.stage in _SIGNED_STAGES:
        state.signed_period = "0000-00"  # signed before the ledger kept dates: an earlier year
    state.contract_period = _earliest(f.period for f in contracts)
    state.started_period = _earliest([*(f.period for f in starts), base.period_of("started")])
    if baseline and state.started_period is None and base.stage in _STARTED_STAGES:
        state.started_period = state.signed_period or "0000-00"
    state.completed_period = _earliest([*(f.period for f in completions), base.period_of("completed")])
    base_funds_period = (state.signed_period or "0000-00") if base.funds_wan > 0 else None
    state.performing_period = _earliest([state.started_period, base_funds_period, *(f.period for f in funds)])
    return state


_SIGNED_STAGES = frozenset({ProjectStage.SIGNED, ProjectStage.CONTRACT, ProjectStage.STARTED, ProjectStage.COMPLETED})
_STARTED_STAGES = frozenset({ProjectStage.STARTED, ProjectStage.COMPLETED})


def _counted(state: State, ordered: Sequence[Fact], live: Sequence[Fact], baseline: Baseline | None) -> None:
    """A project counts when a record that names its investor counts (or the office's ledger brought it);
    otherwise it says why not: the first reason one of its records gave (城投, 县内投资, another unit's)."""
    if baseline is not None:
        state.counted, state.not_counted_reason = baseline.not_counted is None, baseline.not_counted
        return
    founding = [f for f in live if f.kind in _FOUNDING] or [f for f in live if f.kind != RecordKind.PLAN.value]
    if any(f.counts for f in founding):
        state.counted, state.not_counted_reason = True, None
        state.shared = all(f.repeat for f in founding if f.counts)
        return
    state.counted = False
    rejected = next((f for f in ordered if f.rejected), None)
    reason = next((f.not_counting for f in founding if f.not_counting), None)
    if reason is None and rejected is not None:
        reason = f"招商办驳回：{rejected.review_note}" if rejected.review_note else "招商办驳回"
    state.not_counted_reason = reason or ("记录均已撤回" if not live else "不计入考核")
