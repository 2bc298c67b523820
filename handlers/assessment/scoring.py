"""From `[scoring]` config to what the ranking SQL needs, and what a score means: targets and grades.

The county practice it models: every report earns points by kind (签约 > 线索 ≥ 接待 ≥ 外出拜访),
big projects earn a size bonus (过5000万/1亿/2亿/5亿), each unit carries a yearly task (一个5000万元
招商任务, or 6个3000万元以上线索), and units are sorted into 优/中/差 (前三奖励、后三约谈).
"""

from __future__ import annotations

from bisect import bisect_left

from handlers.core.rules import CAMPAIGN_METRICS, CAMPAIGN_WEIGHTS, Campaign, ScoringRules
from storage.ranking import RankingRow, Weights

EXCELLENT, FAIR, POOR = "优", "中", "差"


def weights(rules: ScoringRules) -> Weights:
    """The plain weights storage.ranking multiplies with."""
    return Weights(
        lead=rules.lead,
        lead_big=rules.lead_big,
        lead_big_min_wan=rules.lead_big_min_wan,
        visit=rules.visit,
        reception=rules.reception,
        signing=rules.signing,
        signed_per_yi=rules.signed_per_yi,
        start=rules.start,
        funds=rules.funds,
        funds_per_yi=rules.funds_per_yi,
        completion=rules.completion,
        progress=rules.progress,
        intention=rules.intention,
        packaging=rules.packaging,
        on_time=rules.on_time,
        tiers=tuple(sorted((float(k), v) for k, v in rules.tier_bonus.items())),
        tier_kinds=tuple(rules.tier_kinds),
        lead_tiers=tuple(sorted(float(k) for k in rules.tier_bonus)) or (5000, 10000, 20000, 50000),
    )


def campaign_scoring(campaign: Campaign, base: ScoringRules) -> ScoringRules:
    """The campaign's own weights over [scoring]: only the metrics it names score (no on-time points,
    no size bonus unless it gives one); grades follow [scoring]. Without weights, [scoring] as it is."""
    if not campaign.weights:
        return base
    chosen = {CAMPAIGN_METRICS.get(k, k): v for k, v in campaign.weights.items()}
    zeroed = {k: 0.0 for k in CAMPAIGN_WEIGHTS} | {"on_time": 0.0}
    return base.model_copy(update=zeroed | chosen | {"tier_bonus": dict(campaign.tier_bonus)})


def top_and_bottom(rows: list[RankingRow], top: int = 3, bottom: int = 3) -> tuple[set[int], set[int]]:
    """Unit ids in the top N (rank ≤ N, score > 0) and bottom N (fewer than N strictly below, not top)."""
    best = {r.unit_id for r in rows if r.rank <= top and r.score > 0}
    scores = sorted(r.score for r in rows)
    # bisect_left counts the scores strictly below: sorted once, not compared pairwise (500 units).
    worst = {r.unit_id for r in rows if r.unit_id not in best and bisect_left(scores, r.score) < bottom}
    return best, worst


def grades(rows: list[RankingRow], rules: ScoringRules) -> dict[int, str]:
    """优/中/差 per unit id, by rank (top/bottom N) or by score bands."""
    if rules.grade_by == "score":
        return {
            r.unit_id: EXCELLENT if r.score >= rules.grade_excellent_min
            else POOR if r.score < rules.grade_poor_below else FAIR
            for r in rows
        }
    best, worst = top_and_bottom(rows, rules.grade_top, rules.grade_bottom)
    return {r.unit_id: EXCELLENT if r.unit_id in best else POOR if r.unit_id in worst else FAIR for r in rows}
