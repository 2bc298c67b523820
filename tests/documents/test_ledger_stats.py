"""The ledger's 统计 sheet (county statistics form) and its native Excel ranking chart, read back."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from handlers.assessment.stats_view import parse_stats
from handlers.core.periods import period
from handlers.publishing.ledger import write_ledger
from handlers.publishing.ledger_stats import STATS_HEADER, add_statistics
from tests.conftest import Chat
from tests.documents.contract import unit


def test_the_ledger_has_a_statistics_sheet_and_a_ranking_chart(chat: Chat, tmp_path: Path) -> None:
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-03-10 10:00")
    chat.send("nf_wang", "签约：江苏恒润新材料有限公司可降解塑料项目正式签约，总投资800万美元", at="2026-03-11 10:00")
    # Not among the projects the sheet counts: a lead not signed, government money, a rejected signing.
    chat.send("wz_liu", "线索：浙江华峰新材料有限公司拟投资8000万元建设氨纶项目", at="2026-03-12 10:00")
    chat.send("nf_wang", "签约：县城投公司标准化厂房项目签约，总投资2亿元", at="2026-03-12 11:00")
    rejected = chat.send("hs_li", "签约：浙江正泰电器股份有限公司光伏项目正式签约，总投资3亿元", at="2026-03-12 12:00")
    chat.send("office", f"驳回 #{rejected.records[0]} 重复报送", at="2026-03-13 10:00")
    out = tmp_path / "台账.xlsx"
    with chat.store() as store:
        write_ledger(store, period("2026-03", chat.runtime.rules.schedule), chat.runtime.rules, out)
    book = load_workbook(out)
    assert book.sheetnames[-2:] == ["统计", "排名图"]
    sheet = book["统计"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == STATS_HEADER
    by_unit = {r[0]: r for r in rows[1:]}
    # The projects the rates stand on: counted, signed this year by the period's end.
    # 卫庄镇: one signed project of 1.2亿元 = 12000万元, domestic (its lead, not signed, is not one).
    assert by_unit["卫庄镇"][1:7] == [1, 12000, 1, 12000, 0, 0]
    # 南樊镇: one signing of 800万美元 = 800 × 7.1 = 5680万元, foreign; the 城投 project does not count.
    assert by_unit["南樊镇"][1:7] == [1, 5680, 0, 0, 1, 5680]
    # 横水镇: its only signing was rejected by the office.
    assert by_unit["横水镇"][1:7] == [0, 0, 0, 0, 0, 0]
    assert by_unit["全县"][1:7] == [2, 17680, 1, 12000, 1, 5680]
    # No targets from today's ranking: target, rate and ahead empty; 序时进度 March = 3/12 = 0.25.
    assert by_unit["卫庄镇"][7:] == [None, None, 0.25, None]
    ranked = book["排名图"]
    assert [c.value for c in ranked[1]] == ["排名", "单位", "得分", "等次"]
    assert [c.value for c in ranked[2]][:2] == [1, "卫庄镇"]
    [chart] = ranked._charts
    assert chart.type == "bar" and chart.tagname == "barChart"
    assert chart.series[0].val.numRef.f == "'排名图'!$C$2:$C$6"
    cat = chart.series[0].cat
    assert (cat.numRef or cat.strRef).f == "'排名图'!$B$2:$B$6"


def test_targets_fill_completion_and_ahead_columns(chat: Chat) -> None:
    stats = parse_stats({
        "period": "2026-03", "label": "2026年3月", "schedule_progress": 0.25,
        "county": {"targets": [{"metric": "signed_wan", "target": 100000, "done": 12000, "rate": 0.12,
                                "ahead_pp": -13.0}]},
        "units": [unit(1, "卫庄镇", 51, "优", signed_wan=12000, targets=[
            {"metric": "signed_wan", "target": 5000, "done": 12000, "rate": 2.4, "ahead_pp": 215.0}])],
    })
    book = Workbook()
    with chat.store() as store:
        add_statistics(book, store, period("2026-03", chat.runtime.rules.schedule), chat.runtime.rules, stats)
    rows = [[c.value for c in row] for row in book["统计"].iter_rows(min_row=2)]
    assert rows[0][0] == "卫庄镇" and rows[0][7:] == [5000, 2.4, 0.25, 215.0]
    assert rows[1][0] == "全县" and rows[1][7:] == [100000, 0.12, 0.25, -13.0]
    assert book["统计"]["I2"].number_format == "0.0%"
