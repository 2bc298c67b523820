"""The ledger's 统计 sheet (the form county statistics tables use) and a native Excel ranking chart.

统计: unit | projects | total investment | domestic / foreign (count, amount) | annual target | completion
| 序时进度 | ahead/behind, with a 全县 line; 排名图: rank, unit, score, grade and a bar chart Excel draws
itself, so the office can restyle it. Figures come from the stats view, like the 通报's.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from handlers.assessment.stats import year_to_date
from handlers.assessment.stats_view import Figures, Stats, contract_stats, parse_stats
from handlers.core.periods import Period
from handlers.core.rules import Rules
from storage.models import Project, saved_id
from storage.pipeline import project_amount, signed_in
from storage.store import Store

STATS_HEADER = ["单位", "项目数", "总投资(万元)", "内资项目数", "内资金额(万元)", "外资项目数", "外资金额(万元)",
                "年度目标(万元)", "完成率", "序时进度", "超(+)/欠(−)序时进度(百分点)"]
RANKING_HEADER = ["排名", "单位", "得分", "等次"]
_HEAD = Font(bold=True, color="FFFFFF")
_FILL = PatternFill("solid", fgColor="2F6FB2")


def _header(sheet: Worksheet, header: list[str], widths: list[int]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = _HEAD, _FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _projects_row(projects: list[Project], foreign_ids: set[int]) -> list[float]:
    foreign = [p for p in projects if p.id in foreign_ids]
    domestic = [p for p in projects if p.id not in foreign_ids]
    return [len(projects), sum(project_amount(p) for p in projects), len(domestic), sum(project_amount(p) for p in domestic),
            len(foreign), sum(project_amount(p) for p in foreign)]


def _target_cells(figures: Figures, progress: float | None) -> list[float | None]:
    target = figures.main_target
    if target is None:
        return [None, None, progress, None]
    return [target.target, target.rate, progress, target.ahead_pp]


def add_statistics(book: Workbook, store: Store, chosen: Period, rules: Rules, stats: Stats | None = None) -> None:
    """Append the 统计 and 排名图 sheets for `chosen` to the ledger workbook.

    统计 lists the projects the rates stand on: counted projects signed in the year up to the period's end
    (not government money, not the county's own, not another unit's investor, not rejected), each unit its
    own; the county line counts an investor two units both count once."""
    stats = stats or parse_stats(contract_stats(store, chosen, rules))
    ids = {u.name: saved_id(u) for u in store.roster.units()}
    sheet = book.create_sheet("统计")
    _header(sheet, STATS_HEADER, [16, 8, 14, 10, 14, 10, 14, 14, 10, 10, 16])
    signed = signed_in(store.session, [m.key for m in year_to_date(chosen)])
    foreign = store.records.foreign_projects()
    for unit in stats.units:
        projects = [p for p in signed if p.unit_id == ids.get(unit.unit)]
        sheet.append([unit.unit, *_projects_row(projects, foreign), *_target_cells(unit.figures, stats.schedule_progress)])
    county = [p for p in signed if not p.shared]
    sheet.append(["全县", *_projects_row(county, foreign), *_target_cells(stats.county, stats.schedule_progress)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell, fmt in zip(row[1:], ["0", "#,##0.00", "0", "#,##0.00", "0", "#,##0.00", "#,##0.00", "0.0%",
                                       "0.0%", "+0.0;-0.0;0.0"], strict=True):
            cell.number_format = fmt
    sheet.auto_filter.ref = sheet.dimensions  # as on every ledger sheet: the office sorts and filters

    ranked = book.create_sheet("排名图")
    _header(ranked, RANKING_HEADER, [6, 16, 10, 8])
    for unit in stats.units:
        ranked.append([unit.rank, unit.unit, unit.score, unit.grade if unit.reported else "未报送"])
    ranked.auto_filter.ref = ranked.dimensions
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = f"{stats.label}招商引资排名"
    chart.y_axis.title = "得分"
    chart.x_axis.scaling.orientation = "maxMin"  # rank 1 on top, as in the table
    chart.legend = None
    rows = max(len(stats.units), 1)
    chart.add_data(Reference(ranked, min_col=3, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(ranked, min_col=2, min_row=2, max_row=rows + 1))
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.height = max(8.0, 0.6 * rows)
    chart.width = 18
    ranked.add_chart(chart, "F2")
