"""The simulator's office hour over HTTP: the page's own clock, jobs run now, history, demo data."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.runtime import Runtime
from bot.web import create_app

from .conftest import LEAD, records
from .test_simulator import simulating


def test_the_page_opens_as_the_first_liaison_of_the_roster(roster: Runtime) -> None:
    with TestClient(create_app(simulating(roster))) as client:
        listed = client.get("/simulator/members").json()
    # The roster is listed by userid: county_boss (no unit) comes first, hs_li is the first liaison.
    assert listed["members"][0]["userid"] == "county_boss"
    assert listed["default"] == "hs_li"


def test_a_message_is_handled_at_the_pages_clock_not_the_servers(roster: Runtime) -> None:
    with TestClient(create_app(simulating(roster))) as client:
        answer = client.post("/simulator/messages",
                             json={"user_id": "wz_liu", "text": LEAD, "at": "2026-03-10T10:00"}).json()
    assert answer["at"] == "2026-03-10T10:00:00+08:00"
    assert "2026年3月" in answer["reply"] and "逾期" not in answer["reply"]


def test_a_clock_outside_the_years_the_calendar_knows_is_refused_politely(roster: Runtime) -> None:
    with TestClient(create_app(simulating(roster))) as client:
        for at in ("0001-01-01T00:00", "9999-12-31T23:59"):
            sent = client.post("/simulator/messages", json={"user_id": "wz_liu", "text": LEAD, "at": at})
            ran = client.post("/simulator/jobs/monthly-nag/run", json={"at": at})
            for answer in (sent, ran):
                assert answer.status_code == 422 and answer.text == "模拟时间应在2000年到2100年之间"
        garbled = client.post("/simulator/messages", json={"user_id": "wz_liu", "text": LEAD, "at": "2026-02-30T10:00"})
    assert garbled.status_code == 422 and "Traceback" not in garbled.text
    assert records(roster) == []


def test_a_job_runs_now_for_the_pages_clock_and_names_who_has_not_reported(roster: Runtime) -> None:
    with TestClient(create_app(simulating(roster))) as client:
        client.post("/simulator/messages", json={"user_id": "wz_liu", "text": LEAD, "at": "2026-03-10T10:00"})
        names = {job["name"] for job in client.get("/simulator/jobs").json()["jobs"]}
        assert "monthly-nag" in names
        ran = client.post("/simulator/jobs/monthly-nag/run", json={"at": "2026-03-18T09:00"}).json()
        again = client.post("/simulator/jobs/monthly-nag/run", json={"at": "2026-03-18T09:00"}).json()
        unknown = client.post("/simulator/jobs/no-such-job/run", json={})
        history = client.get("/simulator/history").json()["events"]
    assert "2026-03" in ran["outcomes"][0] and "已推送 1 条" in ran["outcomes"][0]
    assert "本轮已执行过" in again["outcomes"][0]
    assert unknown.status_code == 404 and "没有这个任务" in unknown.text
    message, push = history
    assert message["type"] == "message" and message["user_id"] == "wz_liu" and message["name"] == "刘伟"
    assert message["at"].startswith("2026-03-10T10:00") and "8,000万元" in message["reply"]
    assert push["type"] == "push" and push["key"].startswith("monthly-nag:2026-03")
    # Every unit but 卫庄镇, which reported on the 10th, is named.
    assert all(unit in push["text"] for unit in ("南樊镇", "横水镇", "开发区", "商务局"))
    assert "卫庄镇" not in push["text"]


def test_demo_data_fills_an_empty_database_once(runtime: Runtime) -> None:
    with TestClient(create_app(simulating(runtime))) as client:
        filled = client.post("/simulator/demo-data", json={"at": "2026-06-30T18:00"})
        again = client.post("/simulator/demo-data", json={})
    assert filled.status_code == 200 and "已生成2026年演示数据：12个单位" in filled.json()["summary"]
    assert "2000条报送" in filled.json()["summary"] and filled.json()["default"]
    assert again.status_code == 409 and "未做任何改动" in again.text
