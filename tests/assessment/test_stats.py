"""Targets against 序时进度, pipeline rates, `zsbot stats --json`, the ledger and `排名` telling one story.

Every expected figure is worked out by hand in the comments (default [scoring] weights).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime
from handlers.assessment.stats import compute_stats
from handlers.core.metrics import Metric
from handlers.core.periods import period
from storage.models import ProjectStage
from storage.store import unit_of_work
from storage.targets import TargetRow
from tests.assessment.conftest import add_record
from tests.conftest import Chat, local

TARGETS = """单位,年度,指标,目标值
全县,2026,signed_wan,150000
全县,2026,rate:履约率,40%
卫庄镇,2026,signed_wan,10000
南樊镇,2026,signed_wan,100000
南樊镇,2026,signings_over:50000,1
"""


@pytest.fixture
def cli(chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", chat.runtime.settings.database.url)
    yield CliRunner()


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def a_quarter(chat: Chat) -> None:
    """Q1 2026: 卫庄镇 turns a lead into a signing (1.2亿), starts it, gets 3,000万 in; 南樊镇 signs 5亿
    and finds an 8,000万 lead; 横水镇 visits two firms."""
    chat.send("wz_liu", "线索：深圳澄峰新能源科技有限公司拟投资1.2亿元建设储能项目", at="2026-01-10 10:00")
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-01-15 10:00")
    chat.send("wz_liu", "开工：深圳澄峰新能源科技有限公司储能项目今日开工", at="2026-02-10 10:00")
    chat.send("wz_liu", "到位：深圳澄峰新能源科技有限公司储能项目本月到位资金3000万元", at="2026-03-10 10:00")
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", at="2026-02-12 10:00")
    chat.send("nf_wang", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-05 10:00")
    chat.send("hs_li", "拜访：今天赴杭州拜访企业2家", at="2026-03-11 10:00")


def stats_json(cli: CliRunner, period: str) -> dict[str, Any]:
    result = cli.invoke(app, ["stats", "--period", period, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_a_quarter_agrees_between_stats_json_the_ledger_and_the_chat_ranking(
    chat: Chat, cli: CliRunner, tmp_path: Path
) -> None:
    a_quarter(chat)
    imported = cli.invoke(app, ["targets", "import", str(write(tmp_path / "t.csv", TARGETS, bom=True))])
    assert imported.exit_code == 0 and "2026年5项" in imported.output, imported.output
    out = stats_json(cli, "2026-Q1")
    assert list(out) == ["period", "label", "schedule_progress", "county", "units"]
    # Q1 ends in March: 3 of 12 months gone.
    assert (out["period"], out["label"], out["schedule_progress"]) == ("2026-Q1", "2026年第1季度", 0.25)
    units = {u["unit"]: u for u in out["units"]}
    assert [u["unit"] for u in out["units"]] == ["南樊镇", "卫庄镇", "横水镇", "开发区", "商务局"]
    nf, wz, hs = units["南樊镇"], units["卫庄镇"], units["横水镇"]
    assert list(wz)[:4] == ["rank", "unit", "score", "grade"] and list(wz)[-2:] == ["rates", "targets"]
    # 南樊镇: lead 10 + big lead 10 + signing 30 + 5亿×5 = 25 + size bonus (≥5亿) 40 + 2 months on time ×5 = 125.
    # 卫庄镇: 10 + 10 + 30 + 1.2亿×5 = 6 + bonus (≥1亿) 10 + start 20 + funds 5 + 0.3亿×5 = 1.5 + 3 months ×5 = 107.5.
    # 横水镇: 2 visits ×4 + 1 month ×5 = 13.
    assert (nf["rank"], nf["score"], nf["grade"]) == (1, 125, "优")
    assert (wz["rank"], wz["score"], wz["signed_wan"], wz["funds_wan"], wz["starts"]) == (2, 107.5, 12000, 3000, 1)
    assert (hs["rank"], hs["score"], hs["visits"]) == (3, 13, 2)
    # 卫庄镇: its one signed project started (1/1) and got funds (履约 1/1); 3,000 of 12,000 arrived = 0.25;
    # its one lead was signed (1/1).
    assert wz["rates"] == {"开工率": 1.0, "履约率": 1.0, "资金到位率": 0.25, "线索转化率": 1.0}
    # 南樊镇: one signed project, not started, no funds: 0/1, 0/1, 0/50,000; its lead (恒润) not signed: 0/1.
    assert nf["rates"] == {"开工率": 0.0, "履约率": 0.0, "资金到位率": 0.0, "线索转化率": 0.0}
    assert hs["rates"] == {"开工率": None, "履约率": None, "资金到位率": None, "线索转化率": None}
    # 卫庄镇 12,000 of 10,000 = 1.2 → (1.2 − 0.25) × 100 = +95.0 points.
    assert wz["targets"] == [{"metric": "signed_wan", "target": 10000, "done": 12000, "rate": 1.2, "ahead_pp": 95.0}]
    # 南樊镇 50,000 of 100,000 = 0.5 → +25.0; one project ≥ 5亿 of one = 1.0 → +75.0.
    assert nf["targets"] == [
        {"metric": "signed_wan", "target": 100000, "done": 50000, "rate": 0.5, "ahead_pp": 25.0},
        {"metric": "signings_over:50000", "target": 1, "done": 1, "rate": 1.0, "ahead_pp": 75.0},
    ]
    county = out["county"]
    assert (county["unit"], county["signings"], county["signed_wan"], county["leads"]) == ("全县", 2, 62000, 2)
    # County: 2 signed, 1 started, 1 performing; 3,000 / 62,000 = 0.04838… → 0.0484; leads 1 of 2 signed.
    assert county["rates"] == {"开工率": 0.5, "履约率": 0.5, "资金到位率": 0.0484, "线索转化率": 0.5}
    # 62,000 / 150,000 = 0.41333… → (0.41333 − 0.25) × 100 = 16.33 → +16.3; 履约率 0.5 against 0.4: +10.0.
    assert county["targets"] == [
        {"metric": "signed_wan", "target": 150000, "done": 62000, "rate": 0.4133, "ahead_pp": 16.3},
        {"metric": "rate:履约率", "target": 0.4, "done": 0.5, "rate": 1.25, "ahead_pp": 10.0},
    ]

    # The chat's 一季度排名 (asked in March) shows the same ranks and scores.
    text = chat.send("county_boss", "一季度排名", at="2026-03-15 10:00").text
    for u in out["units"]:
        assert f"{u['rank']}. {u['unit']} {u['score']}分 {u['grade']}" in text, text

    # The ledger of the quarter: 汇总 and 指标 carry the same figures.
    book = tmp_path / "台账.xlsx"
    assert cli.invoke(app, ["export", "--out", str(book), "--period", "2026-Q1"]).exit_code == 0
    wb = load_workbook(book)
    summary = {r["单位"]: r for r in _rows(wb["汇总"])}
    for u in out["units"]:
        row = summary[u["unit"]]
        assert (row["排名"], row["得分"], row["等级"], row["签约"], row["签约额(万元)"], row["到位资金(万元)"]) == (
            u["rank"], u["score"], u["grade"], u["signings"], u["signed_wan"], u["funds_wan"])
    assert summary["卫庄镇"]["联络员"] == "刘伟" and summary["卫庄镇"]["目标完成(序时进度25%)"] == "签约120%"
    indicators = [r for r in _rows(wb["指标"])]
    wz_signed = next(r for r in indicators if r["单位"] == "卫庄镇" and r["指标代码"] == "signed_wan")
    assert (wz_signed["完成值"], wz_signed["完成率"], wz_signed["序时进度"], wz_signed["超序时进度(百分点)"]) == (
        12000, 1.2, 0.25, 95)
    county_rate = next(r for r in indicators if r["单位"] == "全县" and r["指标代码"] == "rate:资金到位率")
    assert county_rate["完成值"] == 0.0484
    ledger = list(_rows(wb["台账"]))
    assert {r["报送人"] for r in ledger} == {"刘伟", "王芳", "李明"}
    assert all(wb[name].auto_filter.ref for name in wb.sheetnames)


def _rows(sheet: Any) -> Iterator[dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        yield dict(zip(header, row, strict=True))


def test_a_month_before_the_start_sees_no_start_and_rates_follow_the_period_asked(chat: Chat, cli: CliRunner) -> None:
    a_quarter(chat)
    january = {u["unit"]: u for u in stats_json(cli, "2026-01")["units"]}
    # In January 卫庄镇's project is signed but its start (February) and funds (March) are not yet reported.
    assert january["卫庄镇"]["rates"] == {"开工率": 0.0, "履约率": 0.0, "资金到位率": 0.0, "线索转化率": 1.0}
    february = {u["unit"]: u for u in stats_json(cli, "2026-02")["units"]}
    # February: started (1/1, so 履约 too), still no funds: 0 / 12,000.
    assert february["卫庄镇"]["rates"] == {"开工率": 1.0, "履约率": 1.0, "资金到位率": 0.0, "线索转化率": 1.0}


def test_a_retracted_start_does_not_count_and_shows_in_the_not_started_list(chat: Chat, cli: CliRunner) -> None:
    a_quarter(chat)
    with chat.store() as store:
        start = next(r for r in store.records.in_periods(["2026-02"]) if r.kind == "start")
        store.records.retract(start, "wz_liu")
    wz = next(u for u in stats_json(cli, "2026-03")["units"] if u["unit"] == "卫庄镇")
    # No start any more; the 3,000万 funds still make the project 履约 (1/1).
    assert wz["rates"]["开工率"] == 0.0 and wz["rates"]["履约率"] == 1.0
    waiting = chat.send("office", "签约未开工", at="2026-03-15 10:00").text
    # Both signed projects are now waiting: 卫庄镇's (retracted start) and 南樊镇's.
    assert "2 个" in waiting and "深圳澄峰" in waiting and "赣锋锂业" in waiting, waiting
    rate = chat.send("county_boss", "履约率", at="2026-03-15 10:00").text
    # 履约: 卫庄镇's (funds) of the two signed projects = 50%.
    assert "履约率" in rate and "50%" in rate and "签约项目2个" in rate, rate
    funds = chat.send("office", "资金到位率", at="2026-03-15 10:00").text
    # 3,000 / 62,000 = 4.8%, to one decimal as the 通报 prints it.
    assert "4.8%" in funds and "6.2亿元" in funds, funds
    begun = chat.send("office", "开工未投产", at="2026-03-15 10:00").text
    assert "没有开工未投产" in begun, begun


def test_own_unit_ranking_shows_behind_schedule_in_june_and_ahead_in_march(chat: Chat, cli: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "t.csv", "unit,year,metric,value\n卫庄镇,2026,signed_wan,10000\n卫庄镇,2026,packaged,3\n")
    assert cli.invoke(app, ["targets", "import", str(tmp_path / "t.csv")]).exit_code == 0
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资4000万元", at="2026-03-10 10:00")
    march = chat.send("wz_liu", "我单位排名", at="2026-03-12 10:00").text
    # March: 4,000 / 10,000 = 40 % against 3/12 = 25 %: 15 points ahead.
    assert "签约4,000万元，完成年度目标的40%，超序时进度15个百分点（目标1亿元）" in march, march
    # 策划包装 is per quarter: none yet of 3, and March closes the quarter (3/3 = 100 %): 100 points behind.
    assert "策划包装项目0个，完成季度目标的0%，落后序时进度100个百分点（目标3个）" in march, march
    june = chat.send("wz_liu", "我单位排名", at="2026-06-12 10:00").text
    # June: still 40 % against 6/12 = 50 %: 10 points behind.
    assert "完成年度目标的40%，落后序时进度10个百分点" in june, june
    assert "序时进度50%" in june


def test_targets_import_reports_bad_rows_by_line_and_a_reimport_replaces_the_year(
    chat: Chat, cli: CliRunner, tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.csv", "\n".join([
        "单位,年度,指标,目标值",
        "卫庄镇,2026,signed_wan,10000",          # line 2: fine
        "火星镇,2026,leads,3",                    # line 3: no such unit
        "南樊镇,二〇二六,leads,3",                # line 4: bad year
        "南樊镇,2026,big_deals,3",                # line 5: unknown metric
        "南樊镇,2026,signings_over,2",            # line 6: a threshold is needed
        "南樊镇,2026,leads,很多",                 # line 7: not a number
        "全县,2026,rate:履约率,40%",              # line 8: fine (0.4)
        "卫庄镇,2026,signed_wan,20000",           # line 9: repeats line 2
        "全县,2025,signed_wan,90000",             # line 10: fine, another year
    ]) + "\n", bom=True)
    result = cli.invoke(app, ["targets", "import", str(bad)])
    assert result.exit_code == 1
    reported = [line.split("：")[0] for line in result.output.splitlines()[1:]]
    assert reported == ["第3行", "第4行", "第5行", "第6行", "第7行", "第9行"], result.output
    assert "2025年1项" in result.output and "2026年2项" in result.output

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["unit", "year", "metric", "value"], ["南樊镇", 2026, "leads_over", None], ["南樊镇", 2026, "leads_over:3000", 6]):
        sheet.append(row)
    book.save(tmp_path / "again.xlsx")
    again = cli.invoke(app, ["targets", "import", str(tmp_path / "again.xlsx")])
    assert again.exit_code == 1 and "第2行" in again.output and "2026年1项" in again.output
    with chat.store() as store:
        y2026 = [(t.unit_id, t.metric, t.value) for t in store.targets.of_year(2026)]
        y2025 = [(t.unit_id, t.metric, t.value) for t in store.targets.of_year(2025)]
        nf = store.roster.unit_named("南樊镇")
    # 2026 is replaced as a whole (卫庄镇's and the county's rows are gone); 2025 stays.
    assert nf is not None and y2026 == [(nf.id, "leads_over:3000", 6.0)] and y2025 == [(None, "signed_wan", 90000.0)]
    assert cli.invoke(app, ["targets", "import", str(tmp_path / "none.csv")]).exit_code == 2
    header = cli.invoke(app, ["targets", "import", str(write(tmp_path / "h.csv", "a,b\n1,2\n"))])
    assert header.exit_code == 2 and "表头" in header.output


def test_config_targets_keep_working_and_an_imported_one_wins_for_the_same_metric(
    chat: Chat, cli: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text('[scoring.targets."卫庄镇"]\namount_wan = 5000\nbig_leads = 2\n', "utf-8")
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资4000万元", at="2026-03-10 10:00")
    before = next(u for u in stats_json(cli, "2026-03")["units"] if u["unit"] == "卫庄镇")
    # 4,000 / 5,000 = 0.8 → (0.8 − 0.25) × 100 = +55.0; no lead ≥ 3,000万 of 2 → 0 → −25.0.
    assert before["targets"] == [
        {"metric": "signed_wan", "target": 5000, "done": 4000, "rate": 0.8, "ahead_pp": 55.0},
        {"metric": "leads_over:3000", "target": 2, "done": 0, "rate": 0.0, "ahead_pp": -25.0},
    ]
    write(tmp_path / "t.csv", "unit,year,metric,value\n卫庄镇,2026,signed_wan,8000\n")
    cli.invoke(app, ["targets", "import", str(tmp_path / "t.csv")])
    after = next(u for u in stats_json(cli, "2026-03")["units"] if u["unit"] == "卫庄镇")
    # The imported 8,000 replaces the configured 5,000: 4,000 / 8,000 = 0.5 → +25.0; the lead task stays.
    assert after["targets"] == [
        {"metric": "signed_wan", "target": 8000, "done": 4000, "rate": 0.5, "ahead_pp": 25.0},
        {"metric": "leads_over:3000", "target": 2, "done": 0, "rate": 0.0, "ahead_pp": -25.0},
    ]


def test_every_metric_counts_what_the_ranking_counts_over_the_year_so_far(roster: Runtime) -> None:
    with unit_of_work(roster.engine) as store:
        wz = store.roster.unit_named("卫庄镇")
        assert wz is not None and wz.id is not None
        project = store.projects.open(wz.id, "深圳澄峰新能源科技有限公司", "储能项目", ProjectStage.SIGNED,
                                      local("2026-03-02 10:00"), "wz_liu", amount_wan=20000)
        project.signed_wan = 20000
        store.targets.replace_year(2026, [TargetRow(wz.id, key, value) for key, value in (
            ("leads", 4), ("leads_over:3000", 2), ("visits", 12), ("receptions", 4), ("signings", 4),
            ("signed_wan", 100000), ("signings_over:10000", 1), ("signings_over_usd:1000", 1), ("starts", 2),
            ("started_wan", 40000), ("funds_wan", 2000), ("completions", 1), ("packaged", 3))], "office",
            local("2026-01-05 10:00"))
        pid = project.id
    add_record(roster, "卫庄镇", "lead", period="2026-01", amount_wan=5000)
    add_record(roster, "卫庄镇", "lead", period="2026-03", amount_wan=2000)
    add_record(roster, "卫庄镇", "visit", period="2026-02", count=3)
    add_record(roster, "卫庄镇", "reception", period="2026-03")
    for usd, cny in ((1200, 8640), (900, 6480)):  # 万美元 and 万元 at 7.2
        signed = add_record(roster, "卫庄镇", "signing", period="2026-02", amount_wan=cny, currency="USD")
        with unit_of_work(roster.engine) as store:
            record = store.records.get(signed)
            assert record is not None
            record.amount_wan = usd
    add_record(roster, "卫庄镇", "signing", period="2026-03", amount_wan=20000, project_id=pid)
    add_record(roster, "卫庄镇", "signing", period="2026-03", amount_wan=90000, government_funded=True)
    add_record(roster, "卫庄镇", "start", period="2026-03", project_id=pid)
    add_record(roster, "卫庄镇", "funds", period="2026-03", amount_wan=500, project_id=pid)
    add_record(roster, "卫庄镇", "completion", period="2025-12")
    add_record(roster, "卫庄镇", "packaging", period="2026-02")
    with unit_of_work(roster.engine) as store:
        stats = compute_stats(store, roster.rules, period("2026-03", roster.rules.schedule))
    mine = stats.unit(wz.id)
    assert mine is not None
    done = {t.metric.key: (t.done, t.ahead_pp) for t in mine.targets}
    # Year so far (Jan–Mar). Leads 2, one of them ≥ 3,000万; visits 3 (one report of 3); receptions 1;
    # signings 3 (the public one does not count): 8,640 + 6,480 + 20,000 = 35,120万, one ≥ 1亿, one ≥ 1,000万美元
    # (1,200万美元; the 900万美元 one is 6,480万元 but under the dollar threshold);
    # the start has no amount, so its project's 20,000万 counts; funds 500万; the completion was in 2025;
    # one 策划包装 in Q1.
    assert {k: d for k, (d, _) in done.items()} == {
        "leads": 2, "leads_over:3000": 1, "visits": 3, "receptions": 1, "signings": 3, "signed_wan": 35120,
        "signings_over:10000": 1, "signings_over_usd:1000": 1, "starts": 1, "started_wan": 20000, "funds_wan": 500,
        "completions": 0, "packaged": 1}
    # 35,120 / 100,000 = 0.3512 → (0.3512 − 0.25) × 100 = +10.1; 1 of 3 packaged against the quarter's 3/3:
    # (0.3333 − 1) × 100 = −66.7; 500 / 2,000 = 0.25 → ±0.
    assert (done["signed_wan"][1], done["packaged"][1], done["funds_wan"][1]) == (10.1, -66.7, 0.0)
    assert "与序时进度持平" in next(t.text() for t in mine.targets if t.metric.key == "funds_wan")
    with unit_of_work(roster.engine) as store:
        april = compute_stats(store, roster.rules, period("2026-04", roster.rules.schedule)).unit(wz.id)
    assert april is not None
    # April opens Q2: its 策划包装 count starts again at 0, with 1/3 of the quarter gone: −33.3.
    packaged = next(t for t in april.targets if t.metric.key == "packaged")
    assert (packaged.done, packaged.schedule, packaged.ahead_pp) == (0, 0.3333, -33.3)


@pytest.mark.parametrize(("text", "key"), [
    ("signed_wan", "signed_wan"), (" signings_over : 10000 ", "signings_over:10000"), ("leads_over:3000.0", "leads_over:3000"),
    ("rate:履约率", "rate:履约率"), ("packaged", "packaged"),
])
def test_metric_keys_parse_to_one_spelling(text: str, key: str) -> None:
    assert Metric.parse(text).key == key


@pytest.mark.parametrize("text", ["", "signed", "signings_over", "signings_over:0", "leads:5", "rate:签约率", "rate"])
def test_a_bad_metric_key_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="指标|比率"):
        Metric.parse(text)


def test_a_rate_target_keeps_the_rate_done_to_four_places_in_the_json() -> None:
    """1 of 9 signed projects performing is 11.11 %, not 11 %: a rate is a fraction, not a count."""
    from handlers.assessment.stats import TargetProgress
    from handlers.core.metrics import Metric

    done = TargetProgress(Metric.parse("rate:履约率"), 0.4, 1 / 9, 0.25).to_json()
    # rate = (1/9) / 0.4 = 0.27778; ahead = (0.1111 − 0.4) × 100 = −28.9 points below the bar
    assert done == {"metric": "rate:履约率", "target": 0.4, "done": 0.1111, "rate": 0.2778, "ahead_pp": -28.9}
    count = TargetProgress(Metric.parse("signed_wan"), 10000, 2500.5, 0.25).to_json()
    assert count["done"] == 2500.5 and count["ahead_pp"] == 0.0  # 25.005 % against 25 %
