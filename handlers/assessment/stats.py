"""Targets against 序时进度, pipeline rates, and the period's ranking together: `zsbot stats`.

`compute_stats(store, rules, period)` is the one computation: the JSON (`Stats.to_json`, service
contract), `我单位排名`, the office's 开工率/履约率 questions and the ledger's 指标 sheet read it, so
they cannot disagree. Definitions (README "Assessment"):

- 序时进度 (schedule): the share of the year gone at the end of the period's last month (March →
  0.25, 2026-Q2 → 0.5, 2026 → 1.0); a quarterly target (策划包装) against its quarter.
- done: counted records of the year up to the period's end (the quarter's, for a quarterly target);
  rate = done ÷ target; ahead_pp = (rate − schedule) × 100, rounded to 0.1. For a rate target
  (`rate:履约率` 0.4), done is the rate and ahead_pp = (done − target) × 100.
- rates over projects signed in the year up to the period's end (see `storage.stats.pipeline`):
  开工率 = started ÷ signed; 履约率 = (started or funds arrived) ÷ signed; 资金到位率 = funds arrived
  on them ÷ their signed amount; 线索转化率 = the year's leads whose project was signed ÷ those leads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from handlers.assessment.ranking import Standing, Table, number, row_json, seen_as_of, table
from handlers.assessment.scoring import weights
from handlers.core.metrics import RATE_NAMES, Metric, MetricKind
from handlers.core.periods import Month, Period
from handlers.core.rules import Rules
from storage.models import Project
from storage.pipeline import (
    ALL_PARTS,
    Pipeline,
    count_signed_not_started,
    pipeline,
    signed_not_started,
    started_not_completed,
)
from storage.ranking import RankingRow
from storage.stats import Figures, Thresholds, figures
from storage.store import Store

COUNTY = "全县"


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """One target and how far it has come by the end of the period."""

    metric: Metric
    target: float
    done: float | None
    #: The share of the target's span gone (序时进度): of the year, or of the quarter.
    schedule: float

    @property
    def rate(self) -> float | None:
        if self.done is None or not self.target:
            return None
        return self.done / self.target

    @property
    def ahead_pp(self) -> float | None:
        """Percentage points ahead of 序时进度 (negative: behind); a rate target against its bar."""
        if self.done is None:
            return None
        if self.metric.is_rate:
            return round((self.done - self.target) * 100, 1)
        rate = self.rate
        return None if rate is None else round((rate - self.schedule) * 100, 1)

    def to_json(self) -> dict[str, Any]:
        rate = self.rate
        return {"metric": self.metric.key, "target": number(self.target),
                "done": None if self.done is None else round(self.done, 4) if self.metric.is_rate else number(self.done),
                "rate": None if rate is None else round(rate, 4), "ahead_pp": self.ahead_pp}

    def text(self) -> str:
        """签约3.1亿元，完成年度目标的31%，超序时进度6个百分点（目标10亿元）."""
        m, span = self.metric, "季度" if self.metric.per_quarter else "年度"
        if self.done is None:
            return f"{m.label}：目标{m.show(self.target)}，暂无法统计"
        if m.is_rate:
            pp = self.ahead_pp or 0
            verdict = "达到目标" if pp >= 0 else f"低于目标{number(abs(pp))}个百分点"
            return f"{m.label}{m.show(self.done)}（目标≥{m.show(self.target)}），{verdict}"
        return (f"{m.label}{m.show(self.done)}，完成{span}目标的{(self.rate or 0):.0%}，"
                f"{schedule_words(self.ahead_pp or 0)}（目标{m.show(self.target)}）")


def schedule_words(pp: float) -> str:
    """超序时进度6个百分点 / 落后序时进度3.5个百分点 / 与序时进度持平."""
    if pp > 0:
        return f"超序时进度{number(pp)}个百分点"
    if pp < 0:
        return f"落后序时进度{number(-pp)}个百分点"
    return "与序时进度持平"


@dataclass(frozen=True, slots=True)
class Rates:
    """The pipeline of one unit (or the county) and its four rates (fractions, None when undefined)."""

    pipe: Pipeline

    @property
    def values(self) -> dict[str, float | None]:
        p = self.pipe
        return {
            "开工率": p.started / p.signed if p.signed else None,
            "履约率": p.performing / p.signed if p.signed else None,
            "资金到位率": p.funds_wan / p.signed_wan if p.signed_wan else None,
            "线索转化率": p.leads_signed / p.leads if p.leads else None,
        }

    def to_json(self) -> dict[str, float | None]:
        return {k: None if v is None else round(v, 4) for k, v in self.values.items()}

    def basis_json(self) -> dict[str, float]:
        """What the rates divide (this year's signed projects, started, 履约, amounts, leads): the 通报 states
        them beside the rates, so a reader can check the division."""
        p = self.pipe
        return {"signed": p.signed, "started": p.started, "performing": p.performing, "signed_wan": round(p.signed_wan, 4),
                "funds_wan": round(p.funds_wan, 4), "leads": p.leads, "leads_signed": p.leads_signed}


@dataclass(frozen=True, slots=True)
class UnitStats:
    """A unit (or the county: `standing` None) for the period: its row, year so far, rates, targets."""

    name: str
    unit_id: int | None
    #: The period's figures (the ranking's row); the county's is the sum, rank 0.
    row: RankingRow
    standing: Standing | None
    year: Figures
    rates: Rates
    targets: tuple[TargetProgress, ...]

    def to_json(self) -> dict[str, Any]:
        counts = row_json(self.row)
        if self.standing is None:
            head: dict[str, Any] = {"unit": self.name}
            counts.pop("rank"), counts.pop("unit"), counts.pop("score")
        else:
            head = {"rank": self.row.rank, "unit": self.name, "score": number(self.row.score),
                    "grade": self.standing.grade}
        return head | counts | {"pipeline": self.rates.basis_json(), "rates": self.rates.to_json(),
                                "targets": [t.to_json() for t in self.targets]}


@dataclass(frozen=True, slots=True)
class Stats:
    period: Period
    #: 序时进度 of annual targets at the end of the period.
    schedule_progress: float
    table: Table
    county: UnitStats
    units: tuple[UnitStats, ...]

    def unit(self, unit_id: int | None) -> UnitStats | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def to_json(self) -> dict[str, Any]:
        """What `zsbot stats --json` prints (service contract)."""
        return {"period": self.period.key, "label": self.period.label, "schedule_progress": self.schedule_progress,
                "county": self.county.to_json(), "units": [u.to_json() for u in self.units]}


def year_to_date(period: Period) -> tuple[Month, ...]:
    """January of the period's last month's year through that month."""
    end = period.months[-1]
    return tuple(Month(end.year, m) for m in range(1, end.month + 1))


def quarter_to_date(period: Period) -> tuple[Month, ...]:
    end = period.months[-1]
    first = (end.quarter - 1) * 3 + 1
    return tuple(Month(end.year, m) for m in range(first, end.month + 1))


def schedule_of(period: Period) -> float:
    """序时进度 of a yearly target: March → 0.25, June → 0.5, December → 1.0."""
    return round(period.months[-1].month / 12, 4)


def quarter_schedule_of(period: Period) -> float:
    return round(len(quarter_to_date(period)) / 3, 4)


def targets_of_year(store: Store, rules: Rules, year: int, rows: list[RankingRow]) -> dict[int | None, dict[str, tuple[Metric, float]]]:
    """Targets by unit id (None = county) and metric key: `[scoring].targets` / the roster first,
    then the imported ones, which win for the same unit, year and metric."""
    scoring = rules.scoring
    out: dict[int | None, dict[str, tuple[Metric, float]]] = {None: {}}
    for r in rows:
        legacy = scoring.targets.get(r.unit)
        amount, big = (legacy.amount_wan, legacy.big_leads) if legacy else (None, None)
        if legacy is None and (r.target_amount_wan or r.target_leads):
            amount, big = r.target_amount_wan, r.target_leads
        elif legacy is None and (every := scoring.targets.get("*")) is not None:
            amount, big = every.amount_wan, every.big_leads
        mine: dict[str, tuple[Metric, float]] = {}
        if amount:
            mine["signed_wan"] = (Metric(MetricKind.SIGNED_WAN), float(amount))
        if big:
            metric = Metric(MetricKind.LEADS_OVER, threshold=scoring.lead_big_min_wan)
            mine[metric.key] = (metric, float(big))
        out[r.unit_id] = mine
    for unit_id, key, value in store.targets.values_of_year(year):
        parsed = _parsed(key)
        if parsed is not None:
            out.setdefault(unit_id, {})[parsed.key] = (parsed, value)
    return out


@lru_cache(maxsize=256)
def _parsed(key: str) -> Metric | None:
    """A stored metric key parsed once (500 units carry the same few keys); None if no longer valid."""
    try:
        return Metric.parse(key)
    except ValueError:
        return None


def _done(metric: Metric, year: Figures, rates: Rates) -> float | None:
    k = metric.kind
    if k is MetricKind.RATE:
        return rates.values.get(metric.rate or "")
    if k is MetricKind.LEADS_OVER:
        return year.leads_over.get(metric.threshold or 0, 0)
    if k is MetricKind.SIGNINGS_OVER:
        return year.signings_over.get(metric.threshold or 0, 0)
    if k is MetricKind.SIGNINGS_OVER_USD:
        return year.signings_over_usd.get(metric.threshold or 0, 0)
    return float(getattr(year, k.value))


def _thresholds(wanted: dict[int | None, dict[str, tuple[Metric, float]]]) -> Thresholds:
    metrics = [m for per in wanted.values() for m, _ in per.values()]

    def of(kind: MetricKind) -> tuple[float, ...]:
        return tuple(sorted({m.threshold for m in metrics if m.kind is kind and m.threshold is not None}))

    return Thresholds(leads_over=of(MetricKind.LEADS_OVER), signings_over=of(MetricKind.SIGNINGS_OVER),
                      signings_over_usd=of(MetricKind.SIGNINGS_OVER_USD),
                      started_wan=any(m.kind is MetricKind.STARTED_WAN for m in metrics))


def _lead_sizes_in(t: Table) -> dict[float, Callable[[RankingRow], int]]:
    """The lead-size counts a ranking row holds, by threshold (万元): its big leads and its tiers."""
    if t.scoring is None:
        return {}
    w = weights(t.scoring)
    out = {low: _tier_count(i) for i, low in enumerate(w.lead_tiers)}
    out[w.lead_big_min_wan] = _big_leads
    return out


def _tier_count(i: int) -> Callable[[RankingRow], int]:
    def count(r: RankingRow) -> int:
        return r.leads_by_tier[i] if i < len(r.leads_by_tier) else 0
    return count


def _big_leads(r: RankingRow) -> int:
    return r.big_leads


def _take_counts(into: Figures, r: RankingRow) -> None:
    """The ranking row's counts (the same counted records, summed the same way) into year figures."""
    into.leads, into.visits, into.receptions, into.signings = r.leads, r.visits, r.receptions, r.signings
    into.signed_wan, into.starts, into.funds_wan, into.completions = r.signed_wan, r.starts, r.funds_wan, r.completions


def _county_row(rows: list[RankingRow]) -> RankingRow:
    def total(name: str) -> Any:
        return sum(getattr(r, name) for r in rows)

    return RankingRow(
        rank=0, unit_id=0, unit=COUNTY, score=0.0, leads=total("leads"), big_leads=total("big_leads"),
        visits=total("visits"), receptions=total("receptions"), signings=total("signings"),
        signed_wan=total("signed_wan"), starts=total("starts"), funds=total("funds"), funds_wan=total("funds_wan"),
        completions=total("completions"), progress=total("progress"), reported=any(r.reported for r in rows),
        records=total("records"), leads_by_tier=(), target_amount_wan=None, target_leads=None,
    )


def compute_stats(
    store: Store, rules: Rules, period: Period, unit_id: int | None = None, ranked: Table | None = None
) -> Stats:
    """The period's ranking, every unit's year so far against its targets and 序时进度, and the rates.

    `unit_id` limits the year and pipeline sums to one unit (what `我单位排名` needs); the county
    then holds that unit only, so ask without it for county figures. `ranked` is the period's table
    when the caller has it already; if it was ranked as of a time (`table(..., as_of=)`), everything
    here counts only what had been reported by then.
    """
    t = ranked if ranked is not None else table(store, period, rules)
    year_months = [m.key for m in year_to_date(period)]
    quarter = [m.key for m in quarter_to_date(period)]
    wanted = targets_of_year(store, rules, period.months[-1].year, t.rows)
    # A period that is the year so far (2026, 2026-Q1, January) has its counts in the ranking already,
    # and the leads at the ranking's own size thresholds (big leads, the tiers).
    same = tuple(year_months) == period.keys
    thresholds = _thresholds(wanted)
    from_rows = _lead_sizes_in(t) if same else {}
    if from_rows:
        thresholds = replace(thresholds, leads_over=tuple(x for x in thresholds.leads_over if x not in from_rows))
    # A job round replayed at its time (`ranked` as of then) sees the year and the pipeline as of then too.
    until = t.as_of
    year = figures(store.session, year_months, thresholds, unit_id, quarter, counts=not same, until=until)
    if same:
        for r in t.rows:
            if unit_id is None or r.unit_id == unit_id:
                mine = year.setdefault(r.unit_id, Figures())
                _take_counts(mine, r)
                mine.leads_over.update({low: size(r) for low, size in from_rows.items()})
    pipes = pipeline(store.session, year_months, unit_id, until)
    schedule, q_schedule = schedule_of(period), quarter_schedule_of(period)

    def progress_of(who: int | None, done_year: Figures, rates: Rates) -> tuple[TargetProgress, ...]:
        return tuple(
            TargetProgress(metric, value, _done(metric, done_year, rates), q_schedule if metric.per_quarter else schedule)
            for metric, value in wanted.get(who, {}).values()
        )

    units = []
    county_year = Figures()
    for s in t.standings:
        uid = s.row.unit_id
        if unit_id is not None and uid != unit_id:
            continue
        mine = year.get(uid, Figures())
        pipe = pipes.units.get(uid, Pipeline())
        county_year.add(mine)
        rates = Rates(pipe)
        units.append(UnitStats(s.row.unit, uid, s.row, s, mine, rates, progress_of(uid, mine, rates)))
    # The county counts each investor once (a project two units both count is the first unit's).
    county_rates = Rates(pipes.county if unit_id is None else pipes.units.get(unit_id, Pipeline()))
    county = UnitStats(COUNTY, None, _county_row([u.row for u in units]), None, county_year, county_rates,
                       progress_of(None, county_year, county_rates))
    return Stats(period, schedule, t, county, tuple(units))


#: What each rate divides: the parts of the pipeline it reads (storage.pipeline.pipeline `parts`).
RATE_PARTS = {"开工率": frozenset({"signed"}), "履约率": frozenset({"signed"}),
              "资金到位率": frozenset({"signed", "funds"}), "线索转化率": frozenset({"leads"})}


def rates_of(store: Store, period: Period, unit_id: int | None = None, rate: str | None = None) -> Rates:
    """A unit's (or the county's) pipeline rates as of the period's end: what `compute_stats` holds for it,
    without the ranking and the targets; with `rate`, only what that rate divides (the others read 0)."""
    parts = RATE_PARTS.get(rate or "", ALL_PARTS)
    pipes = pipeline(store.session, [m.key for m in year_to_date(period)], unit_id, parts=parts,
                     county_only=unit_id is None)
    return Rates(pipes.county if unit_id is None else pipes.units.get(unit_id, Pipeline()))


def not_started(store: Store, period: Period, unit_id: int | None = None, as_of: datetime | None = None,
                limit: int = 200) -> list[Project]:
    """签约未开工: this year's signed projects with no 开工 by the period's end (the 开工率 denominator's rest);
    with `as_of`, as they stood then (a replayed job round)."""
    return signed_not_started(store.session, [m.key for m in year_to_date(period)], unit_id, limit=limit,
                              until=seen_as_of(period, as_of))


def count_not_started(store: Store, period: Period, unit_id: int | None = None) -> int:
    """How many projects `not_started` lists (as of the period's end)."""
    return count_signed_not_started(store.session, [m.key for m in year_to_date(period)], unit_id)


def not_completed(store: Store, period: Period, unit_id: int | None = None) -> list[Project]:
    """开工未投产: projects started by the period's end and not yet reported 投产."""
    return started_not_completed(store.session, period.months[-1].key, unit_id)


def percent(value: float | None) -> str:
    """0.5 -> 50%, 1/3 -> 33.3% (as the 通报 prints it, without a trailing .0), None -> —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def rates_line(r: Rates) -> str:
    """开工率50%（签约4个、已开工2个）、履约率75%、资金到位率12%、线索转化率20%."""
    v, p = r.values, r.pipe
    return (f"开工率{percent(v['开工率'])}（今年签约{p.signed}个、已开工{p.started}个）、履约率{percent(v['履约率'])}、"
            f"资金到位率{percent(v['资金到位率'])}、线索转化率{percent(v['线索转化率'])}")


def targets_lines(u: UnitStats, schedule: float) -> list[str]:
    """The unit's targets, one line each, under a head naming 序时进度."""
    if not u.targets:
        return ["年度目标：未设定"]
    return [f"目标完成（序时进度{schedule:.0%}）："] + [f"· {t.text()}" for t in u.targets]


def stats_text(s: Stats) -> str:
    """`zsbot stats` without --json: the county, then each unit, in rank order."""
    lines = [f"**{s.period.label}考核统计**（序时进度{s.schedule_progress:.0%}）", f"【{COUNTY}】{rates_line(s.county.rates)}"]
    lines += [f"  {t.text()}" for t in s.county.targets]
    for u in s.units:
        grade = u.standing.grade if u.standing else ""
        lines.append(f"{u.row.rank}. {u.name} {number(u.row.score)}分 {grade}｜{rates_line(u.rates)}")
        lines += [f"  {t.text()}" for t in u.targets]
    return "\n".join(lines)


__all__ = ["COUNTY", "RATE_NAMES", "Rates", "Stats", "TargetProgress", "UnitStats", "compute_stats", "count_not_started", "not_completed",
           "not_started", "percent", "rates_line", "rates_of", "schedule_words", "stats_text", "targets_lines"]
