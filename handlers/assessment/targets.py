"""`zsbot targets import FILE`: annual (and quarterly) tasks per unit and for the county (全县).

CSV (UTF-8, with or without BOM) or XLSX, header `unit,year,metric,value` or `单位,年度,指标,目标值`.
A bad row is reported by its line number and the rest imported; each year in the file replaces
that year's targets as a whole (what was there stays in the audit trail).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from handlers.assessment.stats import COUNTY
from handlers.core.metrics import Metric
from handlers.core.roster import RosterFileError, read_keyed
from storage.store import Store
from storage.targets import TargetRow

HEADERS = {
    "unit": "unit", "单位": "unit",
    "year": "year", "年度": "year", "年份": "year",
    "metric": "metric", "指标": "metric",
    "value": "value", "目标值": "value", "目标": "value",
}
_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]\s*$")


class TargetFileError(Exception):
    """The file cannot be read as targets at all (type, encoding, header)."""


@dataclass
class TargetImport:
    #: Targets stored per year.
    years: dict[int, int] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        done = "、".join(f"{y}年{n}项" for y, n in sorted(self.years.items())) or "0项"
        lines = [f"目标导入完成：{done}（同一年度的原有目标已整体替换）。"]
        lines += [f"第{line}行：{why}" for line, why in self.errors]
        return "\n".join(lines)


def read_target_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by canonical header); TargetFileError when there is no usable header."""
    try:
        return read_keyed(path, HEADERS, {"unit", "year", "metric", "value"}, "unit,year,metric,value 或 单位,年度,指标,目标值")
    except RosterFileError as exc:
        raise TargetFileError(str(exc)) from None


def _value(text: str, metric: Metric) -> float:
    """A number; a rate as 0.4, 40% or 40 (above 1 it is read as percent)."""
    value = float(m[1]) / 100 if (m := _PERCENT.match(text)) else float(text.replace(",", ""))
    if metric.is_rate and value > 1:
        value /= 100
    if value < 0:
        raise ValueError("目标值不能为负数")
    return value


def import_targets(rows: Iterable[tuple[int, dict[str, str]]], store: Store, actor: str, at: datetime) -> TargetImport:
    """Check every row; store each year's good rows in place of that year's targets."""
    result = TargetImport()
    units = {u.name: u.id for u in store.roster.units()}
    by_year: dict[int, dict[tuple[int | None, str], tuple[int, TargetRow]]] = {}
    for number, row in rows:
        name, year_text = row.get("unit", ""), row.get("year", "")
        if name != COUNTY and name not in units:
            result.errors.append((number, f"单位「{name}」不在名册中（全县目标请写「{COUNTY}」）"))
            continue
        if not re.fullmatch(r"\d{4}", year_text.removesuffix(".0").removesuffix("年")):
            result.errors.append((number, f"年度「{year_text}」无效，应为如 2026"))
            continue
        year = int(year_text.removesuffix(".0").removesuffix("年"))
        try:
            metric = Metric.parse(row.get("metric", ""))
        except ValueError as exc:
            result.errors.append((number, str(exc)))
            continue
        try:
            value = _value(row.get("value", ""), metric)
        except ValueError:
            result.errors.append((number, f"目标值「{row.get('value', '')}」不是有效数字"))
            continue
        unit_id = None if name == COUNTY else units[name]
        seen = by_year.setdefault(year, {})
        if (unit_id, metric.key) in seen:
            result.errors.append((number, f"与第{seen[(unit_id, metric.key)][0]}行重复（{name} {metric.key}）"))
            continue
        seen[(unit_id, metric.key)] = (number, TargetRow(unit_id, metric.key, value))
    for year, found in sorted(by_year.items()):
        result.years[year] = store.targets.replace_year(year, [r for _, r in found.values()], actor, at)
    return result


__all__ = ["TargetFileError", "TargetImport", "import_targets", "read_target_rows"]
