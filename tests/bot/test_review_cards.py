"""The office reviews by buttons in its 1:1 chat with the AI bot: `审核` brings the first item as a card
(确认计入 / 驳回; for another unit's repeat 计入先报单位 / 两家都计), a click does what the typed command does,
once, only for an admin, and the card is updated in the click's own answer to say who decided and when.
Through the AI-bot callback and the long connection, with WeCom's payload shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.runtime import Runtime
from bot.settings import InboxSettings
from bot.web import create_app
from storage.models import Audit, Project, Record, Review
from storage.store import unit_of_work
from tests.fakes.wecom import BOT_ID, CallbackSigner, WecomStandIn, aibot_text

from .conftest import configured, long_connection_section, records

PUBLIC = "线索：县城投公司拟投资2亿元建设标准化厂房项目"  # government money: stored, flagged, for review
FIRST = "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元"
REPEAT = "签约：赣锋锂业公司锂电池回收项目签约，投资5亿元"


def click(msgid: str, user: str, key: str, task_id: str) -> dict[str, Any]:
    """A click on a button of a template card, as WeCom calls back (1:1 chat)."""
    return {"msgid": msgid, "aibotid": BOT_ID, "chattype": "single", "from": {"userid": user},
            "msgtype": "event", "event": {"eventtype": "template_card_event", "template_card_event": {
                "card_type": "button_interaction", "event_key": key, "task_id": task_id}}}


@pytest.fixture
def client(wecom: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(configured(wecom, inbox=InboxSettings(first_answer_s=4.0)))) as c:
        yield c


def post(client: TestClient, signer: CallbackSigner, payload: dict[str, Any]) -> dict[str, Any] | None:
    nonce = str(payload["msgid"])
    answer = client.post("/wecom/aibot", params=(sent := signer.aibot_callback(payload, nonce))[0], content=sent[1])
    assert answer.status_code == 200
    return signer.open_aibot_reply(answer.json(), nonce) if answer.content else None


def review_of(runtime: Runtime, text: str) -> Record:
    """The record stored from the report `text` (its text is the report without its label)."""
    [record] = [r for r in records(runtime) if r.text in text]
    return record


def verdicts(runtime: Runtime, record_id: int) -> list[Audit]:
    with unit_of_work(runtime.engine) as store:
        return [a for a in store.audit.history("record", record_id) if a.action in ("confirm", "reject")]


def test_a_click_confirms_once_and_the_card_says_who_and_when(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    post(client, aibot_signer, aibot_text("r-1", "hs_li", PUBLIC))
    record = review_of(wecom, PUBLIC)
    assert record.review == Review.PENDING.value
    listed = post(client, aibot_signer, aibot_text("r-2", "office", "审核", chat_id=None))
    assert listed is not None and listed["msgtype"] == "stream_with_template_card"
    card = listed["template_card"]
    assert card["card_type"] == "button_interaction" and card["task_id"]
    assert [b["key"] for b in card["button_list"]] == [f"confirm:{record.id}", f"reject:{record.id}"]
    assert f"#{record.id}" in listed["stream"]["content"]  # the typed list is still there

    update = post(client, aibot_signer, click("c-1", "office", f"confirm:{record.id}", card["task_id"]))
    assert update is not None and update["response_type"] == "update_template_card"
    assert update["template_card"]["task_id"] == card["task_id"]
    assert "已确认计入 · 李主任" in update["template_card"]["sub_title_text"]
    assert update["template_card"]["button_list"] == []
    assert review_of(wecom, PUBLIC).review == Review.CONFIRMED.value

    again = post(client, aibot_signer, click("c-2", "office", f"confirm:{record.id}", card["task_id"]))
    redelivered = post(client, aibot_signer, click("c-1", "office", f"confirm:{record.id}", card["task_id"]))
    assert again is not None and "已确认计入 · 李主任" in again["template_card"]["sub_title_text"]
    assert redelivered is not None and redelivered["template_card"]["task_id"] == card["task_id"]
    assert len(verdicts(wecom, record.id or 0)) == 1


def test_a_liaisons_click_changes_nothing(client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner) -> None:
    post(client, aibot_signer, aibot_text("l-1", "hs_li", PUBLIC))
    record = review_of(wecom, PUBLIC)
    post(client, aibot_signer, click("l-2", "hs_li", f"confirm:{record.id}", f"review-{record.id}-1"))
    assert review_of(wecom, PUBLIC).review == Review.PENDING.value
    assert verdicts(wecom, record.id or 0) == []


def test_reject_asks_for_the_reason_in_one_line_and_decides_nothing_yet(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    post(client, aibot_signer, aibot_text("j-1", "hs_li", PUBLIC))
    record = review_of(wecom, PUBLIC)
    update = post(client, aibot_signer, click("j-2", "office", f"reject:{record.id}", f"review-{record.id}-9"))
    assert update is not None and "待填写驳回原因" in update["template_card"]["sub_title_text"]
    assert review_of(wecom, PUBLIC).review == Review.PENDING.value
    post(client, aibot_signer, aibot_text("j-3", "office", f"驳回 #{record.id} 城投项目不计", chat_id=None))
    assert review_of(wecom, PUBLIC).review == Review.REJECTED.value


def test_another_units_repeat_offers_first_unit_or_both_and_both_counts_both(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    post(client, aibot_signer, aibot_text("p-1", "nf_wang", FIRST))
    post(client, aibot_signer, aibot_text("p-2", "hs_li", REPEAT))
    repeat = review_of(wecom, REPEAT)
    listed = post(client, aibot_signer, aibot_text("p-3", "office", "审核", chat_id=None))
    assert listed is not None
    card = listed["template_card"]
    assert [b["key"] for b in card["button_list"]] == [f"first:{repeat.id}", f"both:{repeat.id}", f"reject:{repeat.id}"]
    assert "南樊镇" in card["button_list"][0]["text"]
    post(client, aibot_signer, click("p-4", "office", f"both:{repeat.id}", card["task_id"]))
    decided = review_of(wecom, REPEAT)
    assert decided.review == Review.CONFIRMED.value and "两家都计" in (decided.review_note or "")


def test_the_group_keeps_text_receipts_without_cards(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    post(client, aibot_signer, aibot_text("g-1", "hs_li", PUBLIC))
    listed = post(client, aibot_signer, aibot_text("g-2", "office", "审核"))
    assert listed is not None and listed["msgtype"] == "stream"


def test_a_click_over_the_long_connection_updates_the_card_on_its_req_id(
    roster: Runtime, standin: WecomStandIn
) -> None:
    runtime = configured(roster, aibot=long_connection_section(standin, heartbeat_s=0.1),
                         inbox=InboxSettings(first_answer_s=4.0))
    with TestClient(create_app(runtime, ws_backoff_s=0.05)):
        standin.wait_for(lambda: standin.connected)
        standin.deliver(aibot_text("w-1", "hs_li", PUBLIC))
        standin.wait_for(lambda: [r for r in records(runtime) if r.text in PUBLIC])
        record = review_of(runtime, PUBLIC)
        req_id = standin.deliver(click("w-2", "office", f"confirm:{record.id}", f"review-{record.id}-5"),
                                 cmd="aibot_event_callback")
        [update] = standin.wait_for(lambda: [f for f in standin.frames("aibot_respond_update_msg")
                                             if f["headers"]["req_id"] == req_id])
        assert update["body"]["response_type"] == "update_template_card"
        assert update["body"]["template_card"]["task_id"] == f"review-{record.id}-5"
        assert review_of(runtime, PUBLIC).review == Review.CONFIRMED.value


def test_which_project_comes_as_buttons_in_1_1_and_a_click_attaches_the_start_once(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    post(client, aibot_signer, aibot_text("k-1", "nf_wang", FIRST, chat_id=None))
    post(client, aibot_signer, aibot_text("k-2", "nf_wang", "签约：湖南邦普循环科技有限公司锂电池回收项目正式签约，总投资3亿元",
                                          chat_id=None))
    asked = post(client, aibot_signer, aibot_text("k-3", "nf_wang", "开工：锂电池回收项目今日开工", chat_id=None))
    assert asked is not None and asked["msgtype"] == "stream_with_template_card"
    start = review_of(wecom, "锂电池回收项目今日开工")
    keys = [b["key"] for b in asked["template_card"]["button_list"]]
    with unit_of_work(wecom.engine) as store:
        signed = sorted(p.id for p in store.session.exec(select(Project)).all())
    assert sorted(keys) == sorted([f"project:{start.id}:{pid}" for pid in signed] + [f"project:{start.id}:new"])
    chosen = signed[1]
    task = asked["template_card"]["task_id"]
    update = post(client, aibot_signer, click("k-4", "nf_wang", f"project:{start.id}:{chosen}", task))
    assert update is not None and update["template_card"]["task_id"] == task
    assert review_of(wecom, "锂电池回收项目今日开工").project_id == chosen
    again = post(client, aibot_signer, click("k-5", "nf_wang", f"project:{start.id}:new", task))
    assert again is not None and f"已归入 P{chosen}" in again["template_card"]["sub_title_text"]
    with unit_of_work(wecom.engine) as store:
        assert sorted(p.id for p in store.session.exec(select(Project)).all()) == signed  # no project opened by the second click
    assert review_of(wecom, "锂电池回收项目今日开工").project_id == chosen


def test_which_project_stays_a_typed_question_in_the_group(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    post(client, aibot_signer, aibot_text("m-1", "nf_wang", FIRST))
    post(client, aibot_signer, aibot_text("m-2", "nf_wang", "签约：湖南邦普循环科技有限公司锂电池回收项目正式签约，总投资3亿元"))
    asked = post(client, aibot_signer, aibot_text("m-3", "nf_wang", "开工：锂电池回收项目今日开工"))
    assert asked is not None and asked["msgtype"] == "stream" and "属于哪个项目" in asked["stream"]["content"]
