"""The ranking: one aggregate per period, every unit listed, ties sharing a rank, targets and grades."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime, build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.assessment.ranking import table
from handlers.core.periods import period
from handlers.core.roster import import_roster, read_rows
from handlers.core.rules import ScoringRules, UnitTarget
from storage.store import unit_of_work
from tests.assessment.conftest import add_record
from tests.conftest import FIXTURES, Chat

CONTRACT_KEYS = ["rank", "unit", "score", "leads", "visits", "receptions", "signings", "signed_wan", "starts",
                 "funds_wan", "completions", "reported"]


def ranked(runtime: Runtime, key: str = "2026-03") -> dict[str, tuple[int, float]]:
    with unit_of_work(runtime.engine) as store:
        t = table(store, period(key, runtime.rules.schedule), runtime.rules)
    return {s.row.unit: (s.row.rank, s.row.score) for s in t.standings}


def test_units_with_equal_scores_share_a_rank_and_the_next_rank_is_skipped(roster: Runtime) -> None:
    add_record(roster, "卫庄镇", "signing", amount_wan=5000)
    add_record(roster, "南樊镇", "lead", amount_wan=1000)
    add_record(roster, "横水镇", "lead", amount_wan=1000)
    ranks = {unit: rank for unit, (rank, _) in ranked(roster).items()}
    assert ranks == {"卫庄镇": 1, "南樊镇": 2, "横水镇": 2, "开发区": 4, "商务局": 4}


def test_default_weights_put_signing_over_lead_over_reception_over_visit(roster: Runtime) -> None:
    for unit, kind in (("卫庄镇", "signing"), ("南樊镇", "lead"), ("横水镇", "reception"), ("开发区", "visit")):
        add_record(roster, unit, kind)
    scores = ranked(roster)
    assert scores["卫庄镇"][1] > scores["南樊镇"][1] >= scores["横水镇"][1] >= scores["开发区"][1] > 0
    assert scores["商务局"] == (5, 0)


def test_retracted_and_government_funded_records_never_count(roster: Runtime) -> None:
    retracted = add_record(roster, "卫庄镇", "signing", amount_wan=90000)
    add_record(roster, "南樊镇", "signing", amount_wan=90000, government_funded=True)
    add_record(roster, "横水镇", "visit")
    with unit_of_work(roster.engine) as store:
        record = store.records.get(retracted)
        assert record is not None
        store.records.retract(record, "wz_liu")
    scores = ranked(roster)
    assert scores["卫庄镇"][1] == scores["南樊镇"][1] == 0 and scores["横水镇"][0] == 1


def test_a_quarter_sums_its_months_and_counts_on_time_reporting_per_month(roster: Runtime) -> None:
    add_record(roster, "卫庄镇", "visit", period="2026-01")
    add_record(roster, "卫庄镇", "visit", period="2026-02")
    add_record(roster, "南樊镇", "visit", period="2026-03")
    add_record(roster, "南樊镇", "visit", period="2026-03")
    add_record(roster, "横水镇", "visit", period="2026-04")
    scores = ranked(roster, "2026-Q1")
    assert scores["卫庄镇"][0] == 1 and scores["南樊镇"][0] == 2 and scores["横水镇"] == (3, 0)


def test_own_unit_reply_shows_rank_of_n_figures_target_completion_and_what_would_lift_it(
    db_url: str, tmp_path: Path
) -> None:
    scoring = ScoringRules(targets={"*": UnitTarget(amount_wan=5000), "开发区": UnitTarget(big_leads=6)})
    runtime = build_runtime(Settings(database=DatabaseSettings(url=db_url), scoring=scoring))
    try:
        with unit_of_work(runtime.engine) as store:
            import_roster(read_rows(FIXTURES / "roster.csv"), store)
        add_record(runtime, "南樊镇", "signing", amount_wan=6000)
        add_record(runtime, "开发区", "lead", amount_wan=3000)
        add_record(runtime, "开发区", "lead", amount_wan=8000, period="2026-01")
        chat = Chat(runtime, clock=None)  # type: ignore[arg-type]
        zone = chat.send("kfq_chen", "我单位排名", at="2026-03-12 10:00").text
        town = chat.send("nf_wang", "我们排第几", at="2026-03-12 10:00").text
        other = chat.send("nf_wang", "开发区排名", at="2026-03-12 10:00").text
        county = chat.send("county_boss", "开发区排名", at="2026-03-12 10:00").text
    finally:
        runtime.engine.dispose()
    # 2 big leads of 6 = 33.3 % against 3/12 = 25 %: +8.3 points; 6,000 of 5,000 = 120 %: +95 points.
    assert "第2名/共5个" in zone and "距南樊镇（第1名）差" in zone
    assert "3,000万元以上线索2个，完成年度目标的33%，超序时进度8.3个百分点（目标6个）" in zone
    assert "第1名/共5个" in town and "排名第一" in town
    assert "签约6,000万元，完成年度目标的120%，超序时进度95个百分点（目标5,000万元）" in town
    assert other.startswith("开发区 2026年3月：第2名") and "目标" not in other
    assert "3,000万元以上线索2个，完成年度目标的33%" in county


def test_rank_json_prints_every_unit_in_rank_order_with_the_contract_keys(
    chat: Chat, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-03-10 10:00")
    chat.send("nf_wang", "拜访：今天赴苏州拜访企业3家", at="2026-03-11 10:00")
    chat.send("hs_li", "拜访：今天赴杭州拜访企业2家", at="2026-03-11 10:00")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", db_url)
    result = CliRunner().invoke(app, ["rank", "--period", "2026-03", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [list(r) for r in rows] == [CONTRACT_KEYS] * 5
    assert [(r["unit"], r["rank"], r["reported"]) for r in rows] == [
        ("卫庄镇", 1, True), ("南樊镇", 2, True), ("横水镇", 3, True), ("开发区", 4, False), ("商务局", 4, False)]
    # 拜访企业3家 is three visits (the record's count), 拜访企业2家 two: 3×4+5 > 2×4+5.
    assert rows[0]["signed_wan"] == 12000 and rows[0]["signings"] == 1 and rows[1]["visits"] == 3
    assert rows[2]["visits"] == 2
    quarter = CliRunner().invoke(app, ["rank", "--period", "2026-Q1"])
    assert quarter.exit_code == 0 and "2026年第1季度" in quarter.output and "🏆1. 卫庄镇" in quarter.output


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", db_url)
    yield CliRunner()


def test_rank_with_an_unknown_period_is_a_clear_error(cli: CliRunner) -> None:
    result = cli.invoke(app, ["rank", "--period", "March"])
    assert result.exit_code == 2 and "无法识别的期间" in result.output


def test_job_run_from_the_command_line_prints_the_push_once(cli: CliRunner) -> None:
    cli.invoke(app, ["roster", "import", str(FIXTURES / "roster.csv")])
    first = cli.invoke(app, ["job", "run", "monthly-nag", "--at", "2026-03-19T09:00"])
    second = cli.invoke(app, ["job", "run", "monthly-nag", "--at", "2026-03-19T09:00"])
    assert first.exit_code == 0 and "群推送 monthly-nag:2026-03:2026-03-19" in first.output
    assert "@wz_zhao" in first.output
    assert "群推送" not in second.output and "未重复推送" in second.output
    assert cli.invoke(app, ["job", "run", "nagging"]).exit_code == 2


def test_a_month_ranking_shows_the_yearly_target_of_the_whole_year_without_retracted_or_public_money(
    db_url: str, tmp_path: Path
) -> None:
    scoring = ScoringRules(targets={"*": UnitTarget(amount_wan=10000)})
    runtime = build_runtime(Settings(database=DatabaseSettings(url=db_url), scoring=scoring))
    try:
        with unit_of_work(runtime.engine) as store:
            import_roster(read_rows(FIXTURES / "roster.csv"), store)
        add_record(runtime, "卫庄镇", "signing", amount_wan=6000, period="2026-01")
        add_record(runtime, "卫庄镇", "signing", amount_wan=3000, period="2026-03")
        add_record(runtime, "卫庄镇", "signing", amount_wan=5000, period="2026-02", status="retracted")
        add_record(runtime, "卫庄镇", "signing", amount_wan=4000, period="2026-02", government_funded=True)
        add_record(runtime, "卫庄镇", "signing", amount_wan=7000, period="2025-12")
        add_record(runtime, "南樊镇", "signing", amount_wan=9000, period="2026-02")
        reply = Chat(runtime, clock=None).send("wz_liu", "我单位排名", at="2026-03-12 10:00").text  # type: ignore[arg-type]
    finally:
        runtime.engine.dispose()
    # The month shows its own signing; the task counts 6,000 + 3,000 of this year, this unit, still standing:
    # 9,000 / 10,000 = 90 %, March's 序时进度 3/12 = 25 %, so 90 − 25 = 65 points ahead.
    assert "签约1个（3,000万元）" in reply, reply
    assert "签约9,000万元，完成年度目标的90%，超序时进度65个百分点（目标1亿元）" in reply, reply
