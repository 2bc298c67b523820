"""The office's ledger (台账) as an Excel workbook: records, projects, the ranking summary, indicators, audit.

Each sheet is a builder in `SHEETS` reading one `LedgerData`; the 汇总 and 指标 sheets come from
`handlers.assessment.stats.compute_stats`, so the workbook agrees with `zsbot stats --json` and `排名` in chat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from handlers.assessment.ranking import number
from handlers.assessment.stats import Stats, compute_stats, percent
from handlers.assessment.stats_view import parse_stats
from handlers.core.periods import Period, period_label
from handlers.core.receipts import kind_name
from handlers.core.rules import Rules
from handlers.publishing.ledger_stats import add_statistics
from storage.fields import FIELDS
from storage.models import ProjectStage, Record, Role, saved_id
from storage.records import counts
from storage.store import Store

_STATUS = {"active": "有效", "corrected": "已更正", "retracted": "已撤回"}
_REVIEW = {"pending": "待审核", "confirmed": "已确认", "rejected": "已驳回"}
_ACTIONS = {"create": "登记", "correct": "更正", "retract": "撤回", "flag": "标记", "confirm": "审核确认",
            "reject": "审核驳回", "link": "归入项目"}
#: What the audit sheet shows changing: what a correction may state, and the office's decisions.
_SHOWN = (*(f.column for f in FIELDS if f.correctable), "status", "not_counting", "review", "review_note", "project_id")


def _review(record: Record) -> str:
    text = _REVIEW.get(record.review, "")
    return f"{text}：{record.review_note}" if record.review_note else text


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """`金额 8000 → 9000` lines for the fields a person reads."""
    after = after or {}
    if before is None:
        return "新建"
    diffs = [f"{k}: {before.get(k)} → {after.get(k)}" for k in _SHOWN if before.get(k) != after.get(k)]
    return "；".join(diffs)


_HEAD = Font(bold=True, color="FFFFFF")
_FILL = PatternFill("solid", fgColor="2F6FB2")


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet: its title, header row and rows."""

    title: str
    header: list[str]
    rows: list[list[object]]


@dataclass(frozen=True, slots=True)
class LedgerData:
    """What every sheet is built from, read once: a sheet builder never queries on its own."""

    store: Store
    period: Period
    rules: Rules
    units: dict[int, str]
    #: userid -> name (报送人 by name, not by account).
    names: dict[str, str]
    records: list[Record]
    stats: Stats
    #: record id -> names of its 佐证 files (contracts, photos).
    evidence: dict[int, list[str]]


def _write(book: Workbook, sheet: Sheet, first: bool) -> None:
    ws = book.active if first else book.create_sheet()
    if ws is None:
        raise RuntimeError("openpyxl returned no active sheet for a new workbook")
    ws.title = sheet.title
    ws.append(sheet.header)
    for cell in ws[1]:
        cell.font, cell.fill = _HEAD, _FILL
        cell.alignment = Alignment(horizontal="center")
    for row in sheet.rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for index, name in enumerate(sheet.header, start=1):
        width = max([len(str(name)) * 2] + [min(len(str(r[index - 1] or "")) * 2, 60) for r in sheet.rows[:200]])
        ws.column_dimensions[get_column_letter(index)].width = max(8, width)


def records_sheet(d: LedgerData) -> Sheet:
    """台账: every record of the period, retracted ones too, with whether and why it counts, and its 佐证 files."""
    tz = d.rules.schedule.tz
    return Sheet(
        "台账",
        ["编号", "单位", "类型", *[f.header for f in _COLUMNS if f.header], "报送时间", "计入期间", "逾期", "状态",
         "政府投资(不计分)", "计分", "不计原因", "审核", "报送人", "原文", "佐证"],
        [
            [r.id, d.units.get(r.unit_id, ""), kind_name(r.kind), *[_cell(getattr(r, f.column)) for f in _COLUMNS],
             r.reported_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), period_label(r.period),
             "是" if r.late else "", _STATUS.get(r.status, r.status), "是" if r.government_funded else "",
             "是" if counts(r) else "否", r.not_counting or "", _review(r), d.names.get(r.reporter, r.reporter), r.text,
             "、".join(d.evidence.get(r.id or 0, []))]
            for r in d.records
        ],
    )


def projects_sheet(d: LedgerData) -> Sheet:
    tz = d.rules.schedule.tz
    projects = [p for uid in d.units for p in d.store.projects.of_unit(uid)]
    names = d.names
    return Sheet(
        "项目",
        ["项目号", "单位", "企业", "项目", "阶段", "投资额(万元)", "签约额(万元)", "累计到位(万元)", "签约日期",
         "开工日期", "投产日期", "最近进展", "包干领导"],
        [
            [f"P{p.id}", d.units.get(p.unit_id, ""), p.company, p.name, _stage_name(p.stage), p.amount_wan,
             p.signed_wan, p.funds_cny_wan, p.signed_on, p.started_on, p.completed_on,
             p.last_progress_at.astimezone(tz).strftime("%Y-%m-%d"), names.get(p.owner, p.owner) if p.owner else ""]
            for p in projects
        ],
    )


def summary_sheet(d: LedgerData) -> Sheet:
    """汇总: per unit, in rank order, the ranking's figures (what `排名` and `zsbot stats` show)."""
    liaisons: dict[int, list[str]] = {}
    for m in d.store.roster.members():
        if m.unit_id is not None and m.role == Role.LIAISON.value:
            liaisons.setdefault(m.unit_id, []).append(m.name)
    rows: list[list[object]] = []
    for u in d.stats.units:
        r = u.row
        done = "；".join(f"{t.metric.label}{percent(t.rate)}" for t in u.targets if not t.metric.is_rate)
        rows.append([u.name, r.rank, number(r.score), u.standing.grade if u.standing else "", r.leads, r.visits,
                     r.receptions, r.signings, number(r.signed_wan), r.starts, number(r.funds_wan), r.completions,
                     r.progress, done, "、".join(liaisons.get(r.unit_id, [])), "是" if r.reported else "否"])
    return Sheet(
        "汇总",
        ["单位", "排名", "得分", "等级", "线索", "外出招商", "接待洽谈", "签约", "签约额(万元)", "开工", "到位资金(万元)",
         "竣工投产", "项目进展", f"目标完成(序时进度{d.stats.schedule_progress:.0%})", "联络员", "已报送"],
        rows,
    )


def indicators_sheet(d: LedgerData) -> Sheet:
    """指标: the county and each unit, its pipeline rates and its targets against 序时进度."""
    rows: list[list[object]] = []
    for u in (d.stats.county, *d.stats.units):
        # A rate the unit has a target for is listed once, on its target's row.
        with_target = {t.metric.rate for t in u.targets if t.metric.is_rate}
        for name, value in u.rates.values.items():
            if name not in with_target:
                rows.append([u.name, name, f"rate:{name}", None, _round(value), None, None, None])
        for t in u.targets:
            rows.append([u.name, t.metric.label, t.metric.key, number(t.target),
                         None if t.done is None else _round(t.done), _round(t.rate),
                         # A rate target (履约率 ≥ 40%) is held against its bar, not against 序时进度.
                         None if t.metric.is_rate else t.schedule, t.ahead_pp])
    return Sheet(
        "指标",
        ["单位", "指标", "指标代码", "目标值", "完成值", "完成率", "序时进度", "超序时进度(百分点)"],
        rows,
    )


def audit_sheet(d: LedgerData) -> Sheet:
    tz = d.rules.schedule.tz
    trail = d.store.audit.of_records([r.id or 0 for r in d.records])
    return Sheet(
        "审计",
        ["时间", "操作人", "操作", "对象", "编号", "改动"],
        [[a.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), d.names.get(a.actor, a.actor),
          _ACTIONS.get(a.action, a.action), "记录" if a.entity == "record" else a.entity, a.entity_id,
          _changes(a.before, a.after)] for a in trail],
    )


#: The workbook's sheets, in order; a feature adds its sheet by adding a builder here.
SHEETS: list[Callable[[LedgerData], Sheet]] = [records_sheet, projects_sheet, summary_sheet, indicators_sheet,
                                               audit_sheet]


def ledger_data(store: Store, period: Period, rules: Rules) -> LedgerData:
    """What the ledger of `period` is built from (the workbook and the live smart sheet alike)."""
    records = list(store.records.in_periods(period.keys, include_retracted=True))
    return LedgerData(
        store=store, period=period, rules=rules,
        units={saved_id(u): u.name for u in store.roster.units()},
        names={m.userid: m.name for m in store.roster.members()},
        records=records,
        stats=compute_stats(store, rules, period),
        evidence=store.evidence.names_by_record(saved_id(r) for r in records),
    )


def write_ledger(store: Store, period: Period, rules: Rules, out: Path) -> int:
    """Write the ledger for `period` to `out`; returns how many records it lists."""
    data = ledger_data(store, period, rules)
    book = Workbook()
    for index, build in enumerate(SHEETS):
        _write(book, build(data), first=index == 0)
    # 统计 and 排名图 (with a native chart) are written straight into the book: a chart is not rows.
    add_statistics(book, store, period, rules, parse_stats(data.stats.to_json()))
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return len(data.records)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


#: The record's own fields in the ledger, in the field table's order.
_COLUMNS = [f for f in FIELDS if f.header]


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _stage_name(stage: str) -> str:
    try:
        return ProjectStage(stage).label
    except ValueError:
        return stage
