"""The ranking as people see it: a table with the top three and bottom three marked, grades, targets.

"对全县排名前三位的单位给予适当奖励，对排名后三位的进行警诫约谈": the marks are the point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.assessment.scoring import campaign_scoring, grades, top_and_bottom, weights
from handlers.core.periods import Period, campaign_of
from handlers.core.receipts import format_amount
from handlers.core.rules import Rules, ScoringRules
from storage.ranking import RankingRow, ranking
from storage.store import Store

TOP, BOTTOM = "🏆", "⚠️"


@dataclass(frozen=True, slots=True)
class Standing:
    row: RankingRow
    grade: str
    #: TOP, BOTTOM or "".
    mark: str


@dataclass(frozen=True, slots=True)
class Table:
    period: Period
    standings: tuple[Standing, ...]
    #: How many places the top and bottom marks cover (grade_top / grade_bottom).
    top: int = 3
    bottom: int = 3
    #: The weights it was scored with ([scoring], or a campaign's own).
    scoring: ScoringRules | None = None
    #: Only records reported by then count (a job round replayed at its time, the period still open);
    #: None: everything reported. `handlers.assessment.stats.compute_stats` reads the year and the pipeline alike.
    as_of: datetime | None = None

    @property
    def rows(self) -> list[RankingRow]:
        return [s.row for s in self.standings]

    def of_unit(self, unit_id: int | None) -> Standing | None:
        return next((s for s in self.standings if s.row.unit_id == unit_id), None)

    def named(self, name: str) -> Standing | None:
        """The unit called `name`, or the one unit whose name contains it (卫庄 → 卫庄镇)."""
        exact = next((s for s in self.standings if s.row.unit == name), None)
        if exact is not None:
            return exact
        found = [s for s in self.standings if name and (name in s.row.unit or s.row.unit in name)]
        return found[0] if len(found) == 1 else None

    @property
    def not_reported(self) -> list[RankingRow]:
        return [r for r in self.rows if not r.reported]


def scoring_of(chosen: Period, rules: Rules) -> ScoringRules:
    """A campaign's own weights when `chosen` is a campaign that has them, else [scoring]."""
    campaign = campaign_of(chosen, rules.schedule)
    return campaign_scoring(campaign, rules.scoring) if campaign is not None else rules.scoring


def seen_as_of(chosen: Period, as_of: datetime | None) -> datetime | None:
    """`as_of` when it falls before the period's end (the period was still open then), else None."""
    return as_of if as_of is not None and as_of < chosen.ends_at else None


def rows_of(store: Store, chosen: Period, rules: Rules, as_of: datetime | None = None) -> list[RankingRow]:
    """The ranking rows of `chosen`; with `as_of`, only what had been reported by then (a replayed job
    sees what existed at its time). A campaign counts reports by their time within its dates."""
    until = seen_as_of(chosen, as_of)
    since = chosen.starts_at if chosen.by_dates else None
    if chosen.by_dates and until is None:
        until = chosen.ends_at
    return ranking(store.session, chosen.keys, weights(scoring_of(chosen, rules)), since, until)


def table(store: Store, chosen: Period, rules: Rules, as_of: datetime | None = None) -> Table:
    """Rank every unit for `chosen`: one aggregate over the months asked and nothing else.

    Yearly targets are not part of the table: a month's ranking that summed the whole year for
    them would cost what the year holds (see `handlers.assessment.stats.compute_stats`).
    """
    scoring = scoring_of(chosen, rules)
    rows = rows_of(store, chosen, rules, as_of)
    graded = grades(rows, scoring)
    best, worst = top_and_bottom(rows, scoring.grade_top, scoring.grade_bottom)
    standings = tuple(
        Standing(
            row=r,
            grade=graded[r.unit_id],
            mark=TOP if r.unit_id in best else BOTTOM if r.unit_id in worst else "",
        )
        for r in rows
    )
    return Table(chosen, standings, scoring.grade_top, scoring.grade_bottom, scoring, seen_as_of(chosen, as_of))


def number(value: float) -> int | float:
    """85.0 -> 85, 85.5 -> 85.5 (for JSON and text)."""
    return int(value) if float(value).is_integer() else round(value, 2)


def contract_json(t: Table) -> list[dict[str, Any]]:
    """What `zsbot rank --json` prints (service contract): one object per unit, by rank."""
    return [row_json(r) for r in t.rows]


def row_json(r: RankingRow) -> dict[str, Any]:
    """One unit's object in `zsbot rank --json` (and the counts `zsbot stats --json` repeats)."""
    return {
        "rank": r.rank,
        "unit": r.unit,
        "score": number(r.score),
        "leads": r.leads,
        "visits": r.visits,
        "receptions": r.receptions,
        "signings": r.signings,
        "signed_wan": number(r.signed_wan),
        "starts": r.starts,
        "funds_wan": number(r.funds_wan),
        "completions": r.completions,
        "reported": r.reported,
    }


def figures(r: RankingRow) -> str:
    """线索2（大项目1）·外出1·签约1（1.2亿元）…, only what is non-zero."""
    parts = []
    if r.leads:
        parts.append(f"线索{r.leads}" + (f"（含大线索{r.big_leads}）" if r.big_leads else ""))
    if r.visits:
        parts.append(f"外出{r.visits}")
    if r.receptions:
        parts.append(f"接待{r.receptions}")
    if r.signings:
        parts.append(f"签约{r.signings}（{format_amount(r.signed_wan)}）")
    if r.starts:
        parts.append(f"开工{r.starts}")
    if r.funds:
        parts.append(f"到位{format_amount(r.funds_wan)}")
    if r.completions:
        parts.append(f"投产{r.completions}")
    if r.progress:
        parts.append(f"进展{r.progress}")
    return "·".join(parts) if parts else "未报送"


def table_text(t: Table, title: str = "招商引资排名") -> str:
    """The whole table, one line per unit, top three and bottom three marked."""
    n = len(t.standings)
    lines = [f"**{t.period.label}{title}**（共{n}个单位，{TOP}前{t.top} {BOTTOM}后{t.bottom}）"]
    for s in t.standings:
        r = s.row
        lines.append(f"{s.mark or '　'}{r.rank}. {r.unit} {number(r.score)}分 {s.grade}｜{figures(r)}")
    if not t.standings:
        lines.append("名册中还没有单位。")
    return "\n".join(lines)


def lift_hint(t: Table, s: Standing, rules: Rules) -> str:
    """What would lift the unit one place: the points to the next unit up, in reports of each kind."""
    w = t.scoring or rules.scoring
    if not s.row.reported:
        return f"本期还没有报送：报送任意一条即可得分，{rules.schedule.deadline_day}日前报送才算数。"
    above = [x.row for x in t.standings if x.row.score > s.row.score]
    if not above:
        return "目前排名第一，保持住！"
    nxt = above[-1]
    gap = nxt.score - s.row.score + 0.01
    options = [f"{math.ceil(gap / weight)}个{name}" for name, weight in (("签约", w.signing), ("线索", w.lead),
               ("接待", w.reception), ("外出招商", w.visit)) if weight > 0]
    return f"距{nxt.unit}（第{nxt.rank}名）差{number(round(gap - 0.01, 2))}分：再报{'或'.join(options[:3])}即可超过。"


def unit_text(t: Table, s: Standing, rules: Rules, targets: list[str]) -> str:
    """One unit in detail: rank of N, score, each figure, its targets against 序时进度, what would lift it."""
    r = s.row
    lines = [
        f"**{r.unit} {t.period.label}排名：第{r.rank}名/共{len(t.standings)}个**（{number(r.score)}分，{s.grade}）"
        + (f" {s.mark}" if s.mark else ""),
        f"线索{r.leads}个（{format_amount(rules.scoring.lead_big_min_wan)}以上{r.big_leads}个）、外出招商{r.visits}次、接待洽谈{r.receptions}批",
        f"签约{r.signings}个（{format_amount(r.signed_wan)}）、开工{r.starts}个、资金到位{format_amount(r.funds_wan)}、"
        f"竣工投产{r.completions}个、项目进展{r.progress}条",
        *targets,
        lift_hint(t, s, rules),
    ]
    return "\n".join(lines)
