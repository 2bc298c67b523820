"""The live ledger (智能表格): the 项目 and 台账 tables as rows keyed by P3 / #12, and a member's edit of a
台账 row read back as a correction proposal for the office (审核), never a change to the figures.

The rows come from the Excel ledger's own builders (`ledger_data`, `projects_sheet`, `records_sheet`), so
the sheet and the workbook show the same figures. Nothing here knows WeCom's field names: a table is titles,
which columns are numbers, and plain cell values; `bot/sheet_sync.py` speaks the smart sheet API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from storage.fields import FIELDS
from storage.models import SheetProposal
from storage.store import Store

if TYPE_CHECKING:
    from handlers.core.periods import Period
    from handlers.core.rules import Rules
    from handlers.publishing.ledger import Sheet

PROJECTS, RECORDS = "项目", "台账"
Cell = str | float | None

#: The project base (项目库), as the workbook's 项目 sheet shows it.
_PROJECT_COLUMNS = ("项目号", "单位", "企业", "项目", "阶段", "投资额(万元)", "签约额(万元)", "累计到位(万元)",
                    "签约日期", "开工日期", "投产日期", "包干领导")
#: The records (台账): #N, unit, kind, investor, amount, period, counted or not (and why).
_RECORD_COLUMNS = ("编号", "单位", "类型", "企业", "项目", "金额(万)", "计入期间", "状态", "计分", "不计原因", "审核")
_NUMERIC = frozenset({"投资额(万元)", "签约额(万元)", "累计到位(万元)", "金额(万)"})
#: What a member may propose to change in a 台账 row: the record's own fields a correction may state.
EDITABLE = {f.header: f for f in FIELDS if f.header in _RECORD_COLUMNS and f.correctable}


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One row: its key (P3, #12) and its cells by column title."""

    key: str
    cells: dict[str, Cell]

    @property
    def digest(self) -> str:
        return digest(self.cells)


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: list[Row]


def digest(cells: Mapping[str, Cell]) -> str:
    """A row's content hash: what decides whether a sync sends it again."""
    return hashlib.sha256(json.dumps(cells, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def live_tables(store: Store, period: Period, rules: Rules) -> list[Table]:
    """The 项目 and 台账 tables of `period`, from the same queries as the Excel ledger (imported here: the
    workbook's libraries are not what 审核 in chat, which reads the proposals, should load)."""
    from handlers.publishing.ledger import ledger_data, projects_sheet, records_sheet

    data = ledger_data(store, period, rules)
    return [
        _pick(projects_sheet(data), PROJECTS, _PROJECT_COLUMNS, lambda first: str(first)),
        _pick(records_sheet(data), RECORDS, _RECORD_COLUMNS, lambda first: f"#{first}"),
    ]


def _pick(sheet: Sheet, title: str, wanted: Sequence[str], key: Callable[[object], str]) -> Table:
    index = {name: i for i, name in enumerate(sheet.header)}
    columns = tuple(Column(name, name in _NUMERIC) for name in wanted)
    rows = []
    for values in sheet.rows:
        cells = {c.title: cell(values[index[c.title]], c.numeric) for c in columns}
        row_key = key(values[0])
        cells[wanted[0]] = row_key
        rows.append(Row(row_key, cells))
    return Table(title, columns, rows)


def cell(value: Any, numeric: bool) -> Cell:
    """A value as the sheet holds it: a number (or empty) in a numeric column, else text."""
    if numeric:
        if value is None or value == "":
            return None
        try:
            return round(float(value), 4)
        except (TypeError, ValueError):
            return None
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


@dataclass(frozen=True, slots=True)
class SheetEdit:
    """What a member's edit of one 台账 row became: a proposal (None when nothing proposable changed or the
    same one waits already) and the columns changed that a correction cannot change (restored at the next sync)."""

    proposal: SheetProposal | None
    ignored: tuple[str, ...]


def propose_from_sheet(store: Store, key: str, was: Mapping[str, Cell], now: Mapping[str, Any], editor: str,
                       at: datetime) -> SheetEdit:
    """The edit of 台账 row `key` (what we wrote: `was`; what the sheet reads now: `now`) as a correction
    proposal for the office. The record itself is not touched."""
    record = store.records.get(int(key.lstrip("#"))) if key.startswith("#") and key[1:].isdigit() else None
    if record is None:
        return SheetEdit(None, ())
    changes: dict[str, Any] = {}
    ignored: list[str] = []
    for title in _RECORD_COLUMNS:
        if title not in now:
            continue
        new = cell(now[title], title in _NUMERIC)
        if new == cell(was.get(title), title in _NUMERIC):
            continue
        field = EDITABLE.get(title)
        if field is None or (new is None or new == ""):
            ignored.append(title)
            continue
        changes[field.column] = [getattr(record, field.column), new]
    proposal = store.sheet.propose(record.id or 0, editor, at, changes) if changes else None
    return SheetEdit(proposal, tuple(ignored))


def describe_change(column: str, change: Sequence[Any]) -> str:
    """`金额(万) 8000 → 9000`."""
    header = next((f.header for f in FIELDS if f.column == column), column)
    old, new = change
    return f"{header} {_plain(old)} → {_plain(new)}"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "（空）" if value in (None, "") else str(value)
