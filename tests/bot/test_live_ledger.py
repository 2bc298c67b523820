"""The live ledger (智能表格, issue 22) as the office uses it: `zsbot sheet sync` creates the smart sheet once and
fills it, later runs send only what changed, a member's edit in the sheet waits in 审核 as a correction, and
without document API authority the 台账 goes through the sheet's webhook. WeCom is the stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.runtime import Runtime
from bot.settings import SheetSettings
from bot.web import create_app
from storage.models import Record
from storage.store import unit_of_work
from tests.conftest import TZ, Chat
from tests.fakes.wecom import AES_KEY, CORP_ID, CORP_SECRET, TOKEN, CallbackSigner, WecomStandIn

from .conftest import app_section, configured

ADD, UPDATE = "wedoc/smartsheet/add_records", "wedoc/smartsheet/update_records"


@pytest.fixture
def office_year(chat: Chat) -> Chat:
    """Three records of March 2026: a lead (P1), a visit (no project), a signing (P2)."""
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00")
    chat.send("nf_wang", "外出招商：赴苏州拜访江苏恒润新材料有限公司洽谈项目", at="2026-03-11 10:00")
    chat.send("hs_li", "签约：与山西美锦能源有限公司签约氢能重卡项目，投资额2亿元", at="2026-03-12 10:00")
    return chat


@pytest.fixture
def sheet_cli(office_year: Chat, standin: WecomStandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> CliRunner:
    """`zsbot` configured as an office would: the self-built app (with its secret) at the stand-in, [sheet] on."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    env = {"DATABASE__URL": office_year.runtime.settings.database.url, "WECOM__CORP_ID": CORP_ID,
           "WECOM__TOKEN": TOKEN, "WECOM__ENCODING_AES_KEY": AES_KEY, "WECOM__AGENT_ID": "1000002",
           "WECOM__SECRET": CORP_SECRET, "WECOM__API_BASE": standin.base_url, "SHEET__ENABLED": "true",
           "SHEET__ADMIN_USERS": '["office"]'}
    for key, value in env.items():
        monkeypatch.setenv(f"ZSBOT_{key}", value)
    return CliRunner()


def sync(runner: CliRunner) -> str:
    result = runner.invoke(cli, ["sheet", "sync", "--period", "2026"])
    assert result.exit_code == 0, result.output
    return result.output


def rows_sent(standin: WecomStandIn, path: str, title: str) -> list[dict[str, Any]]:
    """Every row sent by `path` calls to the sheet titled `title`."""
    _, sheet_id, _ = standin.sheet_named(title)
    return [r for body in standin.sheet_calls(path) if body["sheet_id"] == sheet_id for r in body["records"]]


def text(values: dict[str, Any], title: str) -> Any:
    value = values[title]
    return "".join(seg["text"] for seg in value) if isinstance(value, list) else value


def test_the_first_sync_creates_the_sheet_and_fills_it_and_a_second_creates_nothing_again(
    sheet_cli: CliRunner, standin: WecomStandIn
) -> None:
    out = sync(sheet_cli)
    assert "项目：新增 2 行" in out and "台账：新增 3 行" in out
    [created] = standin.sheet_calls("wedoc/create_doc")
    assert created["doc_type"] == 10 and created["doc_name"] == "招商台账" and created["admin_users"] == ["office"]
    assert sorted(b["properties"]["title"] for b in standin.sheet_calls("wedoc/smartsheet/add_sheet")) == ["台账", "项目"]
    records = rows_sent(standin, ADD, "台账")
    assert len(records) == 3 and len(rows_sent(standin, ADD, "项目")) == 2
    first = records[0]["values"]
    assert [text(first, t) for t in ("编号", "单位", "类型", "企业", "计入期间", "计分")] == [
        "#1", "卫庄镇", "线索", "江苏恒润新材料有限公司", "2026年3月", "是"]
    assert first["金额(万)"] == 8000
    signing = rows_sent(standin, ADD, "项目")[1]["values"]
    assert (text(signing, "项目号"), signing["签约额(万元)"], text(signing, "签约日期")) == ("P2", 20000, "2026-03-12")

    calls = len(standin.record.sheet_calls)
    again = sync(sheet_cli)
    assert "台账：新增 0 行，更新 0 行，未变 3 行" in again and "项目：新增 0 行，更新 0 行，未变 2 行" in again
    assert len(standin.record.sheet_calls) == calls, "an unchanged ledger sends nothing, and the document is reused"


def test_a_second_sync_after_one_record_changed_sends_exactly_that_row_as_an_update(
    sheet_cli: CliRunner, office_year: Chat, standin: WecomStandIn
) -> None:
    sync(sheet_cli)
    added = len(standin.sheet_calls(ADD))
    assert "已驳回" in office_year.send("office", "驳回 #2 重复报送", at="2026-03-13 10:00").text
    out = sync(sheet_cli)
    assert "台账：新增 0 行，更新 1 行，未变 2 行" in out and "项目：新增 0 行，更新 0 行，未变 2 行" in out
    [update] = standin.sheet_calls(UPDATE)
    [row] = update["records"]
    _, _, sheet = standin.sheet_named("台账")
    assert text(sheet["records"][row["record_id"]], "编号") == "#2"
    assert (text(row["values"], "计分"), text(row["values"], "审核")) == ("否", "已驳回：重复报送")
    assert len(standin.sheet_calls(ADD)) == added, "nothing added"


def record(runtime: Runtime, record_id: int) -> Record:
    with unit_of_work(runtime.engine) as store:
        found = store.records.get(record_id)
        assert found is not None
        store.session.expunge(found)
        return found


@pytest.fixture
def callbacks(office_year: Chat, standin: WecomStandIn) -> Iterator[TestClient]:
    runtime = configured(office_year.runtime, wecom=app_section(standin, secret=True),
                         sheet=SheetSettings(enabled=True))
    with TestClient(create_app(runtime)) as client:
        yield client


def test_a_member_edit_in_the_sheet_waits_in_review_and_changes_no_figure_until_the_office_takes_it(
    sheet_cli: CliRunner, office_year: Chat, standin: WecomStandIn, callbacks: TestClient, app_signer: CallbackSigner
) -> None:
    sync(sheet_cli)
    docid, sheet_id, sheet = standin.sheet_named("台账")
    [rid] = [r for r, values in sheet["records"].items() if text(values, "编号") == "#1"]
    standin.edit_cell("台账", rid, "金额(万)", "9000")
    event = standin.sheet_change_xml("wz_zhao", docid, sheet_id, [rid],
                                     int(datetime(2026, 3, 14, 9, 0, tzinfo=TZ).timestamp()))
    for nonce in ("301", "302"):  # WeCom delivers it again: one proposal
        params, body = app_signer.app_callback(event, nonce)
        assert callbacks.post("/wecom/callback", params=params, content=body).status_code == 200
    assert record(office_year.runtime, 1).amount_wan == 8000, "an edit in the sheet never changes the figures"
    listed = office_year.send("office", "审核", at="2026-03-14 10:00").text
    assert "智能表格修改 1 条" in listed and "#1 金额(万) 8000 → 9000｜赵镇长在表格中修改" in listed

    taken = office_year.send("office", "确认 #1 表格", at="2026-03-14 10:05").text
    assert "已采纳智能表格中对 #1 的修改" in taken and "9,000万元" in taken
    assert record(office_year.runtime, 1).amount_wan == 9000
    assert "智能表格修改" not in office_year.send("office", "审核", at="2026-03-14 10:10").text
    assert "台账：新增 0 行，更新 1 行" in sync(sheet_cli)


def test_an_edit_the_office_turns_down_leaves_the_ledger_and_the_next_sync_writes_it_back(
    sheet_cli: CliRunner, office_year: Chat, standin: WecomStandIn, callbacks: TestClient, app_signer: CallbackSigner
) -> None:
    sync(sheet_cli)
    docid, sheet_id, sheet = standin.sheet_named("台账")
    [rid] = [r for r, values in sheet["records"].items() if text(values, "编号") == "#3"]
    standin.edit_cell("台账", rid, "企业", "美锦集团")
    params, body = app_signer.app_callback(standin.sheet_change_xml("hs_li", docid, sheet_id, [rid], 1773450000))
    assert callbacks.post("/wecom/callback", params=params, content=body).status_code == 200
    assert "未采纳" in office_year.send("office", "驳回 #3 表格", at="2026-03-14 10:00").text
    assert record(office_year.runtime, 3).company == "山西美锦能源有限公司"
    assert record(office_year.runtime, 3).review == "", "turning the edit down is not a verdict on the record"
    assert "台账：新增 0 行，更新 1 行" in sync(sheet_cli)
    assert text(sheet["records"][rid], "企业") == "山西美锦能源有限公司"


def test_without_document_api_authority_the_ledger_goes_through_the_webhook_and_the_command_says_so(
    sheet_cli: CliRunner, standin: WecomStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin.sheet_no_authority = True
    refused = sheet_cli.invoke(cli, ["sheet", "sync", "--period", "2026"])
    assert refused.exit_code == 1 and "可调用应用" in refused.output and "webhook_key" in refused.output
    monkeypatch.setenv("ZSBOT_SHEET__WEBHOOK_KEY", standin.webhook_key)
    out = sync(sheet_cli)
    assert out.splitlines()[0] == "无智能表格接口权限（errcode 851003），已改用智能表格 webhook 写入台账（只能新增行）"
    assert [text(v, "编号") for v in standin.record.sheet_webhook_rows] == ["#1", "#2", "#3"]
    assert "台账（webhook）：新增 0 行" in sync(sheet_cli)
    assert len(standin.record.sheet_webhook_rows) == 3
    assert standin.docs == {}, "nothing was created without authority"


def test_a_year_of_records_goes_in_calls_of_at_most_500_rows(
    sheet_cli: CliRunner, standin: WecomStandIn, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """A demo year (a fresh database of its own): 1,200 reports are three add_records calls (500, 500, 200 or so)."""
    monkeypatch.setenv("ZSBOT_DATABASE__URL", db_url.replace("zsbot.db", "year.db") if "sqlite" in db_url else db_url)
    if "sqlite" not in db_url:
        pytest.skip("one store is enough for the batch size; the office_year stories run on both")
    assert sheet_cli.invoke(cli, ["demo", "--units", "5", "--records", "1200", "--year", "2025"]).exit_code == 0
    out = sheet_cli.invoke(cli, ["sheet", "sync", "--period", "2025"])
    assert out.exit_code == 0, out.output
    _, sheet_id, sheet = standin.sheet_named("台账")
    sizes = [len(b["records"]) for b in standin.sheet_calls(ADD) if b["sheet_id"] == sheet_id]
    assert max(sizes) == 500 and len(sizes) == 3 and sum(sizes) == len(sheet["records"]) >= 1100
    assert f"台账：新增 {sum(sizes)} 行" in out.output
