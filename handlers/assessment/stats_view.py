"""The figures the charts, the 通报 .docx and the 统计 sheet are drawn from, in the shape of `zsbot stats --json`.

Every document takes the contract's shape (service-contract.md, `zsbot stats`), parsed once into a small
typed view, so what the office prints is what `zsbot stats --json` says, never a second computation.
`contract_stats` gives that shape from `handlers.assessment.stats.compute_stats`, the one computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from handlers.assessment.ranking import table
from handlers.assessment.stats import compute_stats
from handlers.core.metrics import Metric
from handlers.core.periods import Period
from handlers.core.rules import Rules
from storage.models import Project, ProjectStage
from storage.pipeline import project_amount, reached_by
from storage.store import Store

#: The counts of `zsbot rank --json`, with their Chinese names, in the order tables show them.
COUNTS: tuple[tuple[str, str], ...] = (
    ("leads", "线索"), ("visits", "外出招商"), ("receptions", "接待洽谈"), ("signings", "签约"),
    ("signed_wan", "签约额(万元)"), ("starts", "开工"), ("funds_wan", "到位资金(万元)"), ("completions", "投产"),
)
def money(amount_wan: float) -> str:
    """An amount as a document prints it: 1,234万元, 8.54亿元, 215.78亿元 (no receipt-level decimals)."""
    if abs(amount_wan) >= 10000:
        return f"{amount_wan / 10000:,.2f}".rstrip("0").rstrip(".") + "亿元"
    return f"{amount_wan:,.0f}万元"


def metric_name(metric: str) -> str:
    """signed_wan → 签约; signings_over:10000 → 签约1亿元以上项目; rate:履约率 → 履约率 (handlers.core.metrics)."""
    try:
        return Metric.parse(metric).label
    except ValueError:
        return metric


@dataclass(frozen=True, slots=True)
class TargetLine:
    metric: str
    target: float
    done: float
    #: done / target, a fraction; None when the target is 0.
    rate: float | None
    #: rate − 序时进度 in percentage points (+6.0 = 超序时进度6个百分点).
    ahead_pp: float | None

    @property
    def name(self) -> str:
        return metric_name(self.metric)


@dataclass(frozen=True, slots=True)
class Figures:
    """The county's or one unit's counts, rates and targets."""

    counts: Mapping[str, float]
    rates: Mapping[str, float | None]
    targets: tuple[TargetLine, ...]
    #: What the rates divide: this year's signed projects, started, 履约, their amounts (`Rates.basis_json`).
    pipeline: Mapping[str, float] = field(default_factory=dict)

    def count(self, key: str) -> float:
        return float(self.counts.get(key, 0) or 0)

    @property
    def main_target(self) -> TargetLine | None:
        """The target a chart marks: the signed amount's if set, else the first."""
        return next((t for t in self.targets if t.metric == "signed_wan"), self.targets[0] if self.targets else None)


@dataclass(frozen=True, slots=True)
class UnitLine:
    rank: int
    unit: str
    score: float
    grade: str
    reported: bool
    figures: Figures


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the pipeline 签约 → 合同 → 开工 → 投产: projects that reached it, and their amount."""

    label: str
    count: int
    amount_wan: float


@dataclass(frozen=True, slots=True)
class ProjectLine:
    unit: str
    name: str
    amount_wan: float
    stage: str
    last_progress: datetime


@dataclass(frozen=True, slots=True)
class Stats:
    period: str
    label: str
    #: 序时进度 as a fraction (0.25 = 25 %), or None.
    schedule_progress: float | None
    county: Figures
    units: tuple[UnitLine, ...]

    @property
    def reported(self) -> list[UnitLine]:
        return [u for u in self.units if u.reported]

    @property
    def silent(self) -> list[UnitLine]:
        return [u for u in self.units if not u.reported]

    @property
    def has_targets(self) -> bool:
        return any(u.figures.targets for u in self.units)


def _figures(data: Mapping[str, Any]) -> Figures:
    counts = {key: float(data.get(key) or 0) for key, _ in COUNTS}
    counts.update({k: float(v) for k, v in data.items()
                   if isinstance(v, int | float) and not isinstance(v, bool) and k not in ("rank", "score")})
    rates = {str(k): (None if v is None else float(v)) for k, v in (data.get("rates") or {}).items()}
    targets = tuple(
        TargetLine(metric=str(t["metric"]), target=float(t.get("target") or 0), done=float(t.get("done") or 0),
                   rate=None if t.get("rate") is None else float(t["rate"]),
                   ahead_pp=None if t.get("ahead_pp") is None else float(t["ahead_pp"]))
        for t in data.get("targets") or ()
    )
    basis = {str(k): float(v) for k, v in (data.get("pipeline") or {}).items() if isinstance(v, int | float)}
    return Figures(counts, rates, targets, basis)


def parse_stats(data: Mapping[str, Any]) -> Stats:
    """The typed view of a `zsbot stats --json` object; KeyError/ValueError when it is not one."""
    progress = data.get("schedule_progress")
    units = tuple(
        UnitLine(rank=int(u["rank"]), unit=str(u["unit"]), score=float(u.get("score") or 0),
                 grade=str(u.get("grade") or ""), reported=bool(u.get("reported", True)), figures=_figures(u))
        for u in data["units"]
    )
    return Stats(period=str(data["period"]), label=str(data.get("label") or data["period"]),
                 schedule_progress=None if progress is None else float(progress),
                 county=_figures(data.get("county") or {}), units=units)


def contract_stats(store: Store, chosen: Period, rules: Rules, as_of: datetime | None = None) -> dict[str, Any]:
    """`zsbot stats --json` for `chosen` (`handlers.assessment.stats.compute_stats`), the ranking as of `as_of` (a
    bulletin's round time: replaying a date draws that day's chart)."""
    return compute_stats(store, rules, chosen, ranked=table(store, chosen, rules, as_of=as_of)).to_json()


_STEPS = (("signed", ProjectStage.SIGNED), ("contract", ProjectStage.CONTRACT), ("started", ProjectStage.STARTED),
          ("completed", ProjectStage.COMPLETED))


def pipeline(store: Store, end: str) -> list[Stage]:
    """签约 → 合同 → 开工 → 投产: the county's counted projects that had reached each step by the period
    `end` (a started project has passed signing and contract), with their amount (signed, else planned)."""
    reached = reached_by(store.session, end)
    return [Stage(stage.label, *reached[key]) for key, stage in _STEPS]


def waiting_lines(waiting: Iterable[Project], units: Mapping[int, str], at: datetime, stale_days: int,
                  last_news: Mapping[int, datetime] | None = None) -> tuple[list[ProjectLine], list[ProjectLine]]:
    """(签约未开工 projects as the documents list them, those of them with no progress for `stale_days` at
    `at`); `last_news` is each project's latest news as it stood then (default: its latest now)."""
    news = last_news or {}
    lines = [
        ProjectLine(units.get(p.unit_id, ""), p.company or p.name or f"P{p.id}", project_amount(p),
                    ProjectStage(p.stage).label, news.get(p.id or 0) or min(_aware(p.last_progress_at), at))
        for p in waiting
    ]
    before = at - timedelta(days=stale_days)
    return lines, [p for p in lines if _aware(p.last_progress) < before]


def _aware(at: datetime) -> datetime:
    """Stored times come back naive on SQLite (UTC by convention) and aware on PostgreSQL."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Extras:
    """What a 通报 shows beyond the stats: the pipeline and the projects waiting to start."""

    pipeline: Sequence[Stage] = ()
    waiting: Sequence[ProjectLine] = ()
    stale: Sequence[ProjectLine] = ()
    stale_days: int = 60
    notes: tuple[str, ...] = field(default=())
