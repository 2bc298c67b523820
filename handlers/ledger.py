"""The office's ledger (台账) as an Excel workbook: every record, every project, a per-unit summary."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from handlers.ledger_stats import add_statistics
from handlers.periods import Period, period_label
from handlers.receipts import kind_name
from handlers.rules import Rules
from storage.fields import FIELDS
from storage.models import ProjectStage, Record, RecordKind, saved_id
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


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[object]], first: bool = False) -> None:
    sheet = book.active if first else book.create_sheet()
    if sheet is None:
        raise RuntimeError("openpyxl returned no active sheet for a new workbook")
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = _HEAD, _FILL
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = max([len(str(name)) * 2] + [min(len(str(r[index - 1] or "")) * 2, 60) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = max(8, width)


def write_ledger(store: Store, period: Period, rules: Rules, out: Path) -> int:
    """Write the ledger for `period` to `out`; returns how many records it lists."""
    tz = rules.schedule.tz
    units = {saved_id(u): u.name for u in store.roster.units()}
    records: list[Record] = list(store.records.in_periods(period.keys, include_retracted=True))
    book = Workbook()
    _sheet(
        book,
        "台账",
        ["编号", "单位", "类型", *[f.header for f in _COLUMNS if f.header], "报送时间", "计入期间", "逾期", "状态",
         "政府投资(不计分)", "计分", "不计原因", "审核", "报送人", "原文"],
        [
            [r.id, units.get(r.unit_id, ""), kind_name(r.kind), *[_cell(getattr(r, f.column)) for f in _COLUMNS],
             r.reported_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), period_label(r.period),
             "是" if r.late else "", _STATUS.get(r.status, r.status), "是" if r.government_funded else "",
             "是" if counts(r) else "否", r.not_counting or "", _review(r), r.reporter, r.text]
            for r in records
        ],
        first=True,
    )
    projects = [p for uid in units for p in store.projects.of_unit(uid)]
    _sheet(
        book,
        "项目",
        ["项目号", "单位", "企业", "项目", "阶段", "投资额(万元)", "签约额(万元)", "累计到位(万元)", "签约日期",
         "开工日期", "投产日期", "最近进展"],
        [
            [f"P{p.id}", units.get(p.unit_id, ""), p.company, p.name, _stage_name(p.stage), p.amount_wan,
             p.signed_wan, p.funds_cny_wan, p.signed_on, p.started_on, p.completed_on,
             p.last_progress_at.astimezone(tz).strftime("%Y-%m-%d")]
            for p in projects
        ],
    )
    counted = [r for r in records if counts(r)]
    by_unit: dict[int, Counter[str]] = {uid: Counter() for uid in units}
    for r in counted:
        by_unit.setdefault(r.unit_id, Counter())[r.kind] += (r.count or 1) if r.kind in (RecordKind.VISIT, RecordKind.RECEPTION) else 1
    kinds = list(RecordKind)
    _sheet(
        book,
        "汇总",
        ["单位", *[kind_name(k) for k in kinds], "已报送"],
        [[units[uid], *[c[k] for k in kinds], "是" if sum(c.values()) else "否"] for uid, c in by_unit.items()],
    )
    ids = [r.id or 0 for r in records]
    trail = store.audit.of_records(ids)
    _sheet(
        book,
        "审计",
        ["时间", "操作人", "操作", "对象", "编号", "改动"],
        [[a.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), a.actor, _ACTIONS.get(a.action, a.action),
          "记录" if a.entity == "record" else a.entity, a.entity_id, _changes(a.before, a.after)] for a in trail],
    )
    add_statistics(book, store, period, rules)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return len(records)


#: The record's own fields in the ledger, in the field table's order.
_COLUMNS = [f for f in FIELDS if f.header]


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _stage_name(stage: str) -> str:
    try:
        return ProjectStage(stage).label
    except ValueError:
        return stage
