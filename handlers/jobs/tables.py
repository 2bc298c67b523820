"""What the bulletins share: a table's lines with grades, top and bottom three, targets against 序时进度.

"对全县排名前三位的单位给予适当奖励，对排名后三位的进行警诫约谈": the bottom three name units that
reported and ranked low; units that did not report are counted as such (ties at 0 would otherwise
name every unit). `target_lines` is where a bulletin reads yearly targets (from `handlers.assessment.stats`).
"""

from __future__ import annotations

from datetime import date

from handlers.assessment.ranking import BOTTOM, TOP, Table, figures, number
from handlers.assessment.stats import COUNTY, Stats, compute_stats
from handlers.core.rules import Rules
from storage.models import saved_id
from storage.store import Store

#: Items listed in one section of a 督查 or a meeting table (the rest are counted).
MAX_ITEMS = 10
_MILESTONE_NAMES = {"signing": "签约", "start": "开工", "completion": "投产"}


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


def target_lines(store: Store, t: Table, rules: Rules) -> tuple[list[str], list[str]]:
    """Lines of each unit's targets against 序时进度 at the end of `t`'s period (a half-year: 50 %,
    the year: 100 %), and the units behind it on any target; from the one stats computation, so
    the bulletin says what `zsbot stats`, 我单位排名 and the ledger say."""
    stats = compute_stats(store, rules, t.period, ranked=t)
    lines, behind = [], []
    if (county := county_line(stats)) is not None:
        lines.append(county)
    for u in stats.units:
        if not u.targets:
            continue
        lagging = [x for x in u.targets if x.ahead_pp is not None and x.ahead_pp < 0]
        lines.append(f"{'⚠️' if lagging else '✅'} {u.name}：{'；'.join(x.text() for x in u.targets)}")
        if lagging:
            behind.append(u.name)
    return lines, behind


def county_line(stats: Stats) -> str | None:
    """全县签约31亿元，完成年度目标的31%，超序时进度6个百分点（目标100亿元）；…: the county's targets in one
    line (the issue's wording), marked ⚠️ when any is behind; None when the county has no target."""
    targets = stats.county.targets
    if not targets:
        return None
    lagging = any(x.ahead_pp is not None and x.ahead_pp < 0 for x in targets)
    return f"{'⚠️' if lagging else '✅'} {COUNTY}{'；'.join(x.text() for x in targets)}"


def pipeline_lines(store: Store, today: date) -> list[str]:
    """Projects past a planned date with no event (逾期) and problems not yet solved (待解决问题), for the
    weekly 督查 and the 调度会 table (seeds 000 and 001: 限期解决)."""
    units = {saved_id(u): u.name for u in store.roster.units()}
    lines: list[str] = []
    late = store.projects.overdue(today)
    if late:
        lines.append(f"**计划逾期项目**（{len(late)}个，已过计划日期仍未实现）")
        lines += [f"P{p.id} {units.get(p.unit_id, '')} {p.company or p.name or ''}：计划{on.month}月{on.day}日前"
                  f"{_MILESTONE_NAMES.get(kind, kind)}，已逾期{(today - on).days}天" for p, kind, on in late[:MAX_ITEMS]]
        if len(late) > MAX_ITEMS:
            lines.append(f"……另有{len(late) - MAX_ITEMS}个，详见台账")
    problems = store.projects.open_problems()
    if problems:
        projects = {p.id: p for p in (store.projects.get(q.project_id) for q in problems[:MAX_ITEMS]) if p is not None}
        lines.append(f"**待解决问题**（{len(problems)}个）")
        for q in problems[:MAX_ITEMS]:
            p = projects.get(q.project_id)
            who = f"需{q.department}协调" if q.department else "待协调"
            due = ""
            if q.due is not None:
                due = f"，{q.due.month}月{q.due.day}日前解决" + ("（已超期）" if q.due < today else "")
            lines.append(f"问题{q.id} P{q.project_id} {units.get(q.unit_id, '')} {(p.company or p.name or '') if p else ''}："
                         f"{q.text[:30]}（{who}{due}）")
        if len(problems) > MAX_ITEMS:
            lines.append(f"……另有{len(problems) - MAX_ITEMS}个，发送「我的包干项目」或导出台账查看")
    return lines
