"""What the bulletins share: a table's lines with grades, top and bottom three, targets against 序时进度.

"对全县排名前三位的单位给予适当奖励，对排名后三位的进行警诫约谈": the bottom three name units that
reported and ranked low; units that did not report are counted as such (ties at 0 would otherwise
name every unit). `target_lines` is the one place a bulletin reads yearly targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.ranking import BOTTOM, TOP, Table, figures, number
from handlers.receipts import format_amount
from handlers.rules import Rules
from handlers.scoring import target_of
from storage.store import Store


def standing_lines(t: Table) -> list[str]:
    """🏆1. 卫庄镇 51分 优｜签约1（1.2亿元）: one line per unit, with its grade."""
    return [f"{s.mark}{s.row.rank}. {s.row.unit} {number(s.row.score)}分 {s.grade}｜{figures(s.row)}"
            for s in t.standings]


def top_text(t: Table, note: str = "") -> str | None:
    best = [s.row.unit for s in t.standings if s.mark == TOP]
    return f"**前{t.top}**：{'、'.join(best)}{note}" if best else None


def bottom_text(t: Table, note: str = "请加快进度") -> str | None:
    """后三, without naming units that did not report as a bottom three: "后3：A，请加快进度；另有N个单位
    未报送", or "后3：N个单位未报送" when the bottom is made of them only (ties at 0 would name ten units)."""
    worst = [s.row for s in t.standings if s.mark == BOTTOM]
    reporting = [r.unit for r in worst if r.reported]
    silent = len(t.not_reported)
    if not worst:
        return None
    if not reporting:
        return f"**后{t.bottom}**：{silent}个单位未报送，请抓紧报送"
    more = f"；另有{silent}个单位未报送" if any(not r.reported for r in worst) else ""
    return f"**后{t.bottom}**：{'、'.join(reporting)}，{note}{more}"


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """One unit's yearly targets against 序时进度 (the share of the year gone)."""

    unit: str
    #: 签约 6,000万元/5,000万元（120%） …, one part per target set.
    parts: tuple[str, ...]
    #: The lowest completion rate of its targets, None when it has none.
    rate: float | None

    def behind(self, share: float) -> bool:
        return self.rate is not None and self.rate < share


def target_progress(t: Table, rules: Rules) -> list[TargetProgress]:
    """Each unit's yearly targets (`[scoring].targets`, else the roster's) with what it did in `t`'s
    period: a half-year or a year starts with the year, so its rows are the year to date at its end.

    The one function that reads targets for the half-year and year-end bulletins: on merge with the
    assessment work it becomes `compute_stats(store, rules, period)`'s per-unit `targets`.
    """
    out = []
    for s in t.standings:
        target = target_of(s.row, rules.scoring)
        parts, rates = [], []
        if target.amount_wan:
            rate = target.amount_rate or 0.0
            parts.append(f"签约{format_amount(target.signed_wan)}/{format_amount(target.amount_wan)}（{rate:.0%}）")
            rates.append(rate)
        if target.big_leads:
            rate = target.leads_rate or 0.0
            parts.append(f"大线索{target.big_leads_found}/{target.big_leads}个（{rate:.0%}）")
            rates.append(rate)
        out.append(TargetProgress(s.row.unit, tuple(parts), min(rates) if rates else None))
    return out


def target_lines(store: Store, t: Table, rules: Rules, share: float) -> tuple[list[str], list[str]]:
    """Lines of each unit's targets against `share` (0.5 = 序时进度 50 %), and the units behind it.

    `store` is unused today; `compute_stats` (assessment targets, per metric) will need it.
    """
    lines, behind = [], []
    for p in target_progress(t, rules):
        if p.rate is None:
            continue
        pp = round((p.rate - share) * 100)
        if share >= 1:
            where = "✅ 完成年度任务" if pp >= 0 else f"⚠️ 未完成，差{-pp}个百分点"
        else:
            where = (f"✅ 超序时进度{pp}个百分点" if pp > 0 else "✅ 达到序时进度" if pp == 0
                     else f"⚠️ 落后序时进度{-pp}个百分点")
        lines.append(f"{p.unit}：{'；'.join(p.parts)} {where}")
        if p.behind(share):
            behind.append(p.unit)
    return lines, behind
