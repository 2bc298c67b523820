"""The web simulator: what a new user runs first, with no WeCom at all."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.runtime import Runtime
from bot.settings import EvidenceSettings, SimulatorSettings
from bot.web import create_app
from storage.models import Evidence
from storage.store import unit_of_work
from tests.fakes.wecom import WecomStandIn

from .conftest import LEAD, app_section, configured, messages, records, served

CHROMIUM = "/usr/bin/chromium"


def simulating(runtime: Runtime) -> Runtime:
    """The simulator is served only when asked for."""
    return configured(runtime, simulator=SimulatorSettings(enabled=True))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_the_simulator_lists_the_roster_and_answers_as_the_bot(roster: Runtime) -> None:
    with TestClient(create_app(simulating(roster))) as client:
        page = client.get("/")
        assert page.status_code == 200 and "招商工作群" in page.text
        members = {m["userid"]: m for m in client.get("/simulator/members").json()["members"]}
        assert members["wz_liu"]["unit"] == "卫庄镇" and members["office"]["role_name"] == "管理员"
        answer = client.post("/simulator/messages", json={"user_id": "wz_liu", "text": LEAD}).json()
    assert "8,000万元" in answer["reply"]
    [message] = messages(roster)
    assert message.channel == "simulator" and message.user_id == "wz_liu"
    assert len(records(roster)) == 1


PUBLIC = "线索：县城投公司拟投资2亿元建设标准化厂房项目"  # stored for the office's review


def test_the_simulator_sends_cards_clicks_and_quotes_as_wecom_does(roster: Runtime) -> None:
    with TestClient(create_app(simulating(roster))) as client:
        said = client.post("/simulator/messages", json={"user_id": "hs_li", "text": PUBLIC}).json()
        listed = client.post("/simulator/messages", json={"user_id": "office", "text": "审核"}).json()
        card = listed["card"]
        [confirm] = [b for b in card["buttons"] if b["key"].startswith("confirm:")]
        clicked = client.post("/simulator/messages", json={
            "user_id": "office", "choice": {"key": confirm["key"], "task_id": card["task_id"]}}).json()
        assert clicked["card"]["task_id"] == card["task_id"] and "已确认计入" in clicked["card"]["text"]
        quoted = client.post("/simulator/messages", json={"user_id": "hs_li", "text": "金额改为3亿", "quote": said["reply"]})
        assert quoted.status_code == 200 and "已更正" in quoted.json()["reply"]
    [record] = records(roster)
    assert record.amount_cny_wan == 30000 and record.review == "confirmed"


#: The smallest PNG there is (a 1×1 pixel): the simulator checks an upload's kind as it checks a download's.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_an_upload_in_the_simulator_is_kept_as_evidence_of_the_quoted_receipt(roster: Runtime, tmp_path: Path) -> None:
    runtime = configured(simulating(roster), evidence=EvidenceSettings(folder=str(tmp_path / "evidence")))
    with TestClient(create_app(runtime)) as client:
        said = client.post("/simulator/messages", json={"user_id": "wz_liu", "text": LEAD}).json()
        client.post("/simulator/messages", json={"user_id": "wz_liu", "text": "线索：苏州某电池公司拟投资1亿元建设储能电池项目"})
        sent = client.post("/simulator/files", params={"user_id": "wz_liu", "name": "合同.png", "quote": said["reply"]},
                           content=PIXEL, headers={"content-type": "image/png"})
        assert sent.status_code == 200 and "佐证" in sent.json()["reply"]
        huge = client.post("/simulator/files", params={"user_id": "wz_liu", "name": "大.pdf"},
                           content=b"%PDF-" + bytes(runtime.settings.evidence.max_bytes + 1))
        assert huge.status_code == 413
    with unit_of_work(roster.engine) as store:
        [kept] = store.session.exec(select(Evidence)).all()
    first = min(r.id for r in records(roster))
    assert kept.record_id == first and kept.sha256 == hashlib.sha256(PIXEL).hexdigest()
    assert (tmp_path / "evidence" / kept.path).read_bytes() == PIXEL


def test_a_broadcast_in_the_simulator_is_pushed_to_the_live_feed(roster: Runtime) -> None:
    with TestClient(create_app(simulating(roster))) as client, client.websocket_connect("/simulator/live") as live:
        answer = client.post("/simulator/messages", json={"user_id": "office", "text": "通报：本周五前完成报送"})
        assert answer.status_code == 200
        event = live.receive_json()
    assert event["type"] == "push" and "通报：本周五前完成报送" in event["text"]


def test_an_empty_roster_can_load_the_demo_roster(runtime: Runtime) -> None:
    with TestClient(create_app(simulating(runtime))) as client:
        assert client.get("/simulator/members").json()["members"] == []
        assert "zsbot roster import" in client.get("/").text
        loaded = client.post("/simulator/demo-roster").json()
    assert {"wz_liu", "office", "county_boss"} <= {m["userid"] for m in loaded["members"]}


def test_unless_asked_for_the_simulator_is_not_served(roster: Runtime, standin: WecomStandIn) -> None:
    """Closed by default: with no WeCom configured, and with part of it configured."""
    for runtime in (roster, configured(roster, wecom=app_section(standin, webhook=True))):
        with TestClient(create_app(runtime)) as client:
            answer = client.post("/simulator/messages", json={"user_id": "office", "text": "通报：x"})
            assert answer.status_code in (404, 405)
            assert "招商工作群" not in client.get("/").text
    assert messages(roster) == []


@pytest.fixture
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        print(f"\n[zsbot tests] skipping the browser test: {CHROMIUM} is absent (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.browser
def test_in_chromium_a_liaison_reports_and_the_office_broadcasts(roster: Runtime, browser) -> None:  # type: ignore[no-untyped-def]
    if "sqlite" not in roster.settings.database.url:
        pytest.skip("one database is enough for the browser")
    with served(create_app(simulating(roster))) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector("text=· 实时推送已连接")
        page.select_option("#member", "wz_liu")
        page.fill("#text", "@招商助手 " + LEAD)
        page.click("#send")
        page.wait_for_selector(".msg.bot >> text=8,000万元")
        page.select_option("#member", "office")
        page.fill("#text", "通报：请各单位于20日前完成本月报送")
        page.keyboard.press("Enter")
        push = page.wait_for_selector(".msg.push")
        assert "请各单位于20日前完成本月报送" in push.inner_text()
        assert page.locator(".msg.mine").count() == 2
    assert len(records(roster)) == 1


@pytest.mark.browser
def test_in_chromium_an_empty_roster_explains_the_import_and_loads_the_demo(runtime: Runtime, browser) -> None:  # type: ignore[no-untyped-def]
    if "sqlite" not in runtime.settings.database.url:
        pytest.skip("one database is enough for the browser")
    with served(create_app(simulating(runtime))) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector("text=zsbot roster import 名册.csv")
        page.click("#demo")
        page.wait_for_selector(".person >> text=刘伟")
        assert page.locator("#member option").count() >= 8


@pytest.mark.browser
def test_in_chromium_the_offices_first_hour(roster: Runtime, browser) -> None:  # type: ignore[no-untyped-def]
    """Open as the first liaison, report in March, nag on the 18th at 09:00, reload: all still there."""
    if "sqlite" not in roster.settings.database.url:
        pytest.skip("one database is enough for the browser")
    with served(create_app(simulating(roster))) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector("text=· 实时推送已连接")
        assert page.input_value("#member") == "hs_li"  # 李明, 横水镇's liaison: the first liaison listed
        page.fill("#clock", "2026-03-10T10:00")
        page.fill("#text", "@招商助手 " + LEAD)
        page.click("#send")
        page.wait_for_selector(".msg.bot >> text=已登记线索 #1（横水镇，计入2026年3月）")
        page.fill("#clock", "2026-03-18T09:00")
        page.click("button[data-job=monthly-nag]")
        page.wait_for_selector(".msg.push >> text=【报送提醒】2026年3月")
        assert "还有4个单位未报送：卫庄镇、南樊镇、开发区、商务局" in page.locator(".msg.push").inner_text()
        page.reload()
        page.wait_for_selector("text=—— 以上是历史消息 ——")
        assert page.input_value("#clock") == "2026-03-18T09:00"  # the page's clock survives its reload
        assert "2026-03-10 10:00" in page.locator(".msg.mine").inner_text()
        assert "计入2026年3月" in page.locator(".msg.bot:not(.push)").inner_text()
        assert "卫庄镇、南樊镇、开发区、商务局" in page.locator(".msg.push").inner_text()
    with served(create_app(simulating(roster))) as url:  # restarted: nothing left in the live feed's memory
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector("text=—— 以上是历史消息 ——")
        assert "卫庄镇、南樊镇、开发区、商务局" in page.locator(".msg.push").inner_text()
        assert page.locator(".msg").count() == 3


@pytest.mark.browser
def test_in_chromium_an_empty_database_loads_demo_data_in_one_click(runtime: Runtime, browser) -> None:  # type: ignore[no-untyped-def]
    if "sqlite" not in runtime.settings.database.url:
        pytest.skip("one database is enough for the browser")
    with served(create_app(simulating(runtime))) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.fill("#clock", "2025-06-30T18:00")  # not the wall-clock year
        page.click("#demo-data")
        page.wait_for_selector(".system >> text=已生成2025年演示数据：12个单位")
        assert page.locator("#empty").is_hidden()
        chosen = page.input_value("#member")
        assert "联络员" in page.locator(f".person[data-userid='{chosen}']").inner_text()
    assert len(records(runtime)) == 2000


@pytest.mark.browser
def test_in_chromium_the_office_clicks_a_review_card_and_a_liaison_quotes_a_receipt(roster: Runtime, browser) -> None:  # type: ignore[no-untyped-def]
    if "sqlite" not in roster.settings.database.url:
        pytest.skip("one database is enough for the browser")
    with served(create_app(simulating(roster))) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector("text=· 实时推送已连接")
        page.select_option("#member", "hs_li")
        page.fill("#text", PUBLIC)
        page.click("#send")
        page.wait_for_selector(".msg.bot >> text=城投")
        page.select_option("#member", "office")
        page.fill("#text", "审核")
        page.click("#send")
        page.wait_for_selector(".card >> text=确认计入")
        page.click(".card button:has-text('确认计入')")
        page.wait_for_selector(".card >> text=已确认计入")
        assert page.locator(".card button").count() == 0  # decided: the buttons are gone
        page.select_option("#member", "hs_li")
        page.locator(".msg.bot").first.locator(".quote-link").click()
        assert page.locator("#quote-bar").is_visible()
        page.fill("#text", "金额改为3亿")
        page.click("#send")
        page.wait_for_selector(".msg.bot >> text=已更正")
        assert page.locator(".msg.mine .quoted").count() == 1
    [record] = records(roster)
    assert record.amount_cny_wan == 30000 and record.review == "confirmed"


@pytest.mark.browser
def test_in_chromium_a_liaison_sends_a_photo_as_evidence(roster: Runtime, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if "sqlite" not in roster.settings.database.url:
        pytest.skip("one database is enough for the browser")
    picture = tmp_path / "营业执照.png"
    picture.write_bytes(PIXEL)
    runtime = configured(simulating(roster), evidence=EvidenceSettings(folder=str(tmp_path / "evidence")))
    with served(create_app(runtime)) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector("text=· 实时推送已连接")
        page.select_option("#member", "wz_liu")
        page.fill("#text", LEAD)
        page.click("#send")
        page.wait_for_selector(".msg.bot >> text=8,000万元")
        page.set_input_files("#file", str(picture))
        page.wait_for_selector(".msg.bot >> text=佐证")
        assert "营业执照.png" in page.locator(".msg.mine").last.inner_text()
    with unit_of_work(roster.engine) as store:
        [kept] = store.session.exec(select(Evidence)).all()
    assert kept.name == "营业执照.png" and kept.record_id == records(roster)[0].id
