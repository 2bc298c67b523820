"""Campaigns (百日竞赛, 冬季攻坚): phases, the campaign's own ranking, and the base task every unit owes.

"基本任务为每个乡（镇）和县直有关单位必须引进一个投资过亿元的项目": `base_task = {"signings_over:10000" = 1}`
is checked per unit over the campaign's dates, and the ranking, the phase notices and the closing
bulletin say who has met it. The campaign's dates and weights are `[schedule].campaigns` (handlers.core.rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handlers.assessment.ranking import Table
from handlers.core.metrics import Metric, MetricKind
from handlers.core.periods import Period, campaign_period
from handlers.core.rules import Campaign, Phase, Rules
from storage.store import Store
from storage.tallies import per_unit

#: What each metric counts over a campaign's dates: (record kind, measure). Names, thresholds and
#: labels are the target metrics' (handlers.core.metrics), so a base task reads like a target.
_TALLY: dict[MetricKind, tuple[str, str]] = {
    MetricKind.LEADS: ("lead", "count"), MetricKind.LEADS_OVER: ("lead", "count"),
    MetricKind.VISITS: ("visit", "events"), MetricKind.RECEPTIONS: ("reception", "events"),
    MetricKind.SIGNINGS: ("signing", "count"), MetricKind.SIGNINGS_OVER: ("signing", "count"),
    MetricKind.SIGNINGS_OVER_USD: ("signing", "count"), MetricKind.SIGNED_WAN: ("signing", "amount"),
    MetricKind.STARTS: ("start", "count"), MetricKind.STARTED_WAN: ("start", "started_amount"),
    MetricKind.FUNDS_WAN: ("funds", "amount"), MetricKind.COMPLETIONS: ("completion", "count"),
}


def metric_text(key: str, value: float) -> str:
    """`signings_over:10000`, 1 -> 1亿元以上签约项目1个; `signed_wan`, 5000 -> 签约5,000万元."""
    metric = Metric.parse(key)
    return f"{metric.label}{metric.show(value)}"


def task_text(campaign: Campaign) -> str:
    return "、".join(metric_text(m, v) for m, v in campaign.base_task.items())


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """One unit against the campaign's base task: met when every metric reached its figure."""

    unit_id: int
    unit: str
    done: dict[str, float]
    met: bool


def base_task(store: Store, campaign: Campaign, t: Table, rules: Rules, as_of: datetime | None = None
              ) -> list[TaskStatus]:
    """Every unit of the table against the base task, over the campaign's dates (up to `as_of`)."""
    if not campaign.base_task:
        return []
    chosen = t.period
    until = min(chosen.ends_at, as_of) if as_of is not None else chosen.ends_at
    figures: dict[str, dict[int, float]] = {}
    for key in campaign.base_task:
        metric = Metric.parse(key)
        kind, measure = _TALLY[metric.kind]
        # As the targets count it: a 外资 signing is one agreed in US dollars, its threshold in 万美元.
        usd = metric.kind is MetricKind.SIGNINGS_OVER_USD
        figures[key] = per_unit(store.session, kind, chosen.keys, measure=measure, at_least_wan=metric.threshold,
                                currency="USD" if usd else None, since=chosen.starts_at, until=until)
    out = []
    for row in sorted(t.rows, key=lambda r: r.unit_id):
        done = {m: figures[m].get(row.unit_id, 0.0) for m in campaign.base_task}
        out.append(TaskStatus(row.unit_id, row.unit, done,
                              all(done[m] >= need for m, need in campaign.base_task.items())))
    return out


def task_lines(campaign: Campaign, statuses: list[TaskStatus]) -> list[str]:
    """基本任务（签约1亿元以上项目1个）：已完成2个单位：A、B；未完成3个：C、D、E."""
    if not statuses:
        return []
    met = [s.unit for s in statuses if s.met]
    short = [s.unit for s in statuses if not s.met]
    line = f"**基本任务**（每个单位{task_text(campaign)}）：已完成{len(met)}/{len(statuses)}个单位"
    if met:
        line += f"（{'、'.join(met)}）"
    lines = [line]
    if short:
        lines.append(f"尚未完成：{'、'.join(short)}")
    return lines


def campaign_span(campaign: Campaign | Phase) -> str:
    """4月13日—7月31日."""
    return f"{campaign.start.month}月{campaign.start.day}日—{campaign.end.month}月{campaign.end.day}日"


def campaign_named(name: str, rules: Rules) -> Campaign | None:
    return next((c for c in rules.schedule.campaigns if c.name == name), None)


def phase_on(campaign: Campaign, day: date) -> Phase | None:
    return next((p for p in campaign.phases if p.start <= day <= p.end), None)


def period_of(campaign: Campaign, rules: Rules) -> Period:
    return campaign_period(campaign, rules.schedule)
