"""The command line a county office uses: say, roster import, parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", db_url)
    return CliRunner()


def test_say_stores_a_lead_and_prints_the_receipt(cli_env: CliRunner) -> None:
    assert cli_env.invoke(app, ["roster", "import", str(FIXTURES / "roster.csv")]).exit_code == 0
    result = cli_env.invoke(
        app, ["say", "--as", "wz_liu", "--at", "2026-03-10T10:00", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"]
    )
    assert result.exit_code == 0, result.output
    assert "#1" in result.output and "8,000万元" in result.output and "卫庄镇" in result.output


def test_admin_broadcast_is_printed_when_no_wecom_is_configured(cli_env: CliRunner) -> None:
    cli_env.invoke(app, ["roster", "import", str(FIXTURES / "roster.csv")])
    result = cli_env.invoke(app, ["say", "--as", "office", "通报：请各单位20日前完成报送"])
    assert "请各单位20日前完成报送" in result.output and "群推送" in result.output


def test_roster_import_reports_bad_rows_and_exits_nonzero(cli_env: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("userid,name,unit,role\nok,好人,卫庄镇,联络员\nbad,坏行,,联络员\n", encoding="utf-8")
    result = cli_env.invoke(app, ["roster", "import", str(path)])
    assert result.exit_code == 1 and "第3行" in result.output and "新增 1 人" in result.output


def test_bad_at_is_a_clear_error(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["say", "--as", "wz_liu", "--at", "next tuesday", "hi"])
    assert result.exit_code == 2 and "时间格式" in result.output


def test_parse_prints_the_contract_object() -> None:
    result = CliRunner().invoke(app, ["parse", "--today", "2026-03-10", "线索：某某公司拟投资5000万元建设食品加工项目"])
    out = json.loads(result.output)
    assert out["intent"] == "lead" and out["amount_wan"] == 5000 and out["missing"] == []


def test_export_writes_the_ledger_workbook(cli_env: CliRunner, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    cli_env.invoke(app, ["roster", "import", str(FIXTURES / "roster.csv")])
    cli_env.invoke(app, ["say", "--as", "wz_liu", "--at", "2026-03-10T10:00",
                         "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"])
    out = tmp_path / "台账.xlsx"
    result = cli_env.invoke(app, ["export", "--out", str(out), "--period", "2026-03"])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["台账", "项目", "汇总", "指标", "审计", "统计", "排名图"]
    rows = list(book["台账"].iter_rows(values_only=True))
    assert rows[1][1] == "卫庄镇" and rows[1][3] == "江苏恒润新材料有限公司" and rows[1][5] == 8000
    summary = {row[0]: row[-1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["卫庄镇"] == "是" and summary["南樊镇"] == "否"


def test_chat_at_a_set_time_counts_reports_for_that_month(cli_env: CliRunner) -> None:
    cli_env.invoke(app, ["roster", "import", str(FIXTURES / "roster.csv")])
    result = cli_env.invoke(app, ["chat", "--as", "wz_liu", "--at", "2026-03-10T10:00"],
                            input="线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目\n\n")
    assert result.exit_code == 0, result.output
    assert "#1" in result.output and "2026年3月" in result.output and "逾期" not in result.output
