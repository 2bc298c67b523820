"""The AI bot's long connection: the default way into the group, through drops and takeovers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.runtime import Runtime
from bot.settings import InboxSettings
from bot.web import create_app
from tests.fakes.wecom import WecomStandIn, aibot_text

from .conftest import LEAD, configured, long_connection_section, messages, outbox, records


def responses(standin: WecomStandIn) -> list[dict[str, Any]]:
    return standin.frames("aibot_respond_msg")


@pytest.fixture
def long_connection(roster: Runtime, standin: WecomStandIn) -> Runtime:
    return configured(roster, aibot=long_connection_section(standin, heartbeat_s=0.1),
                      inbox=InboxSettings(first_answer_s=4.0))


@pytest.fixture
def serving(long_connection: Runtime, standin: WecomStandIn) -> Iterator[TestClient]:
    with TestClient(create_app(long_connection, ws_backoff_s=0.05)) as client:
        standin.wait_for(lambda: standin.connected)
        yield client


def test_the_bot_subscribes_with_its_id_and_secret_and_keeps_the_connection_alive(
    serving: TestClient, standin: WecomStandIn
) -> None:
    [subscribe] = standin.frames("aibot_subscribe")
    assert subscribe["body"] == {"bot_id": "aibot-standin", "secret": "aibot-standin-secret"}
    assert subscribe["headers"]["req_id"]
    standin.wait_for(lambda: len(standin.frames("ping")) >= 3)


def test_a_report_over_the_long_connection_is_answered_on_its_req_id_and_stored_once(
    serving: TestClient, long_connection: Runtime, standin: WecomStandIn
) -> None:
    body = aibot_text("CAIQrcjMjQYY/NGagIOAgAMg6K", "wz_liu", LEAD)

    def finished() -> list[dict[str, Any]]:
        # A busy bot may first answer "working" (an unfinished stream) and finish it on the same req_id.
        return [a for a in responses(standin) if a["body"]["msgtype"] == "stream" and a["body"]["stream"]["finish"]]

    first = standin.deliver(body)
    standin.wait_for(lambda: finished())
    second = standin.deliver(body)
    standin.wait_for(lambda: second in [a["headers"]["req_id"] for a in finished()])
    answers = finished()
    req_ids = [a["headers"]["req_id"] for a in answers]
    # Each delivery (ours, and any the stand-in repeats itself under load, as WeCom does) is answered
    # once on its own req_id, always with the same receipt.
    assert first in req_ids and second in req_ids and len(req_ids) == len(set(req_ids))
    assert len({a["body"]["stream"]["content"] for a in answers}) == 1
    [message] = messages(long_connection)
    assert (message.channel, message.text, message.chat_id) == ("aibot", LEAD, "wrkSFfCgAAgroupchat")
    assert len(records(long_connection)) == 1
    assert "8,000万元" in answers[0]["body"]["stream"]["content"]


def test_a_dropped_connection_is_dialled_again_and_the_message_is_neither_lost_nor_doubled(
    serving: TestClient, long_connection: Runtime, standin: WecomStandIn
) -> None:
    standin.drop_on_next_respond = True
    standin.deliver(aibot_text("drop-1", "wz_liu", LEAD))
    standin.wait_for(lambda: standin.record.subscriptions == 2)
    standin.wait_for(lambda: len(responses(standin)) == 1)
    # A later message is answered after anything the reconnect would resend: a barrier, not a sleep.
    standin.deliver(aibot_text("after-1", "wz_liu", "帮助"))
    standin.wait_for(lambda: len(responses(standin)) >= 2)
    assert len(responses(standin)) == 2  # one receipt for the lead, one answer to 帮助
    assert [m.text for m in messages(long_connection)].count(LEAD) == 1
    assert len(records(long_connection)) == 1


def test_a_push_queued_during_an_outage_goes_to_the_group_once_the_bot_is_back(
    serving: TestClient, long_connection: Runtime, standin: WecomStandIn
) -> None:
    standin.deliver(aibot_text("hello-1", "wz_liu", "帮助"))  # the bot learns the group's chat id
    standin.wait_for(lambda: responses(standin))
    standin.outage = True
    standin.drop_connection()
    from storage.store import unit_of_work

    with unit_of_work(long_connection.engine) as store:
        store.outbox.push("nag:2026-03:18", "**请尽快报送本月招商工作**", mentions=["nf_wang"])
    turned_away = standin.record.refused_connections
    standin.wait_for(lambda: standin.record.refused_connections >= turned_away + 2)  # dialled and failed
    assert standin.frames("aibot_send_msg") == []
    standin.outage = False
    standin.wait_for(lambda: standin.frames("aibot_send_msg"))
    standin.wait_for(lambda: [i.state for i in outbox(long_connection)] == ["sent"])
    [sent] = standin.frames("aibot_send_msg")
    assert sent["body"]["chatid"] == "wrkSFfCgAAgroupchat" and sent["body"]["chat_type"] == 2
    assert sent["body"]["markdown"]["content"] == "**请尽快报送本月招商工作**\n<@nf_wang>"


def test_taken_over_by_another_connection_the_bot_does_not_fight_back(
    serving: TestClient, standin: WecomStandIn, caplog
) -> None:  # type: ignore[no-untyped-def]
    standin.kick()
    standin.wait_for(lambda: not standin.connected)
    standin.wait_for(lambda: "disconnected_event" in caplog.text)
    # It dials again only after kicked_backoff_s (minutes), so it has not subscribed a second time.
    assert standin.record.subscriptions == 1


def test_wrong_credentials_are_logged_without_the_secret(roster: Runtime, standin: WecomStandIn, caplog) -> None:  # type: ignore[no-untyped-def]
    runtime = configured(roster, aibot=long_connection_section(standin).model_copy(
        update={"secret": long_connection_section(standin).secret.__class__("wrong-secret-value")}))
    with TestClient(create_app(runtime, ws_backoff_s=0.05)):
        standin.wait_for(lambda: standin.frames("aibot_subscribe"))
        standin.wait_for(lambda: "bot_id and secret" in caplog.text)
    assert "wrong-secret-value" not in caplog.text
