"""WeCom calls our URLs: URL verification, app and AI-bot callbacks, and everything that is refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from bot.runtime import Runtime
from bot.settings import InboxSettings
from bot.web import create_app
from tests.conftest import TZ, Clock
from tests.fakes.wecom import CallbackSigner, aibot_text, app_text_xml

from .conftest import LEAD, configured, messages, records


@pytest.fixture
def client(wecom: Runtime) -> Iterator[TestClient]:
    """An idle bot: the AI bot's first answer may wait as long as the app's for the receipt."""
    with TestClient(create_app(configured(wecom, inbox=InboxSettings(first_answer_s=4.0)))) as c:
        yield c


def post_app(client: TestClient, signer: CallbackSigner, xml: str, nonce: str = "1372623149"):  # type: ignore[no-untyped-def]
    params, body = signer.app_callback(xml, nonce)
    return client.post("/wecom/callback", params=params, content=body)


def post_aibot(client: TestClient, signer: CallbackSigner, payload: dict, nonce: str = "55501"):  # type: ignore[no-untyped-def]
    params, body = signer.aibot_callback(payload, nonce)
    return client.post("/wecom/aibot", params=params, content=body)


def test_health_answers_when_the_database_does(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_wecom_verifies_the_app_url_and_gets_the_echo_as_plain_text(client: TestClient,
                                                                     app_signer: CallbackSigner) -> None:
    answer = client.get("/wecom/callback", params=app_signer.url_verification("1616140317555161061"))
    assert answer.status_code == 200
    assert answer.text == "1616140317555161061"
    assert answer.headers["content-type"].startswith("text/plain")


def test_wecom_verifies_the_aibot_url_with_empty_receive_id(client: TestClient, aibot_signer: CallbackSigner) -> None:
    answer = client.get("/wecom/aibot", params=aibot_signer.url_verification("5927782489442352469"))
    assert (answer.status_code, answer.text) == (200, "5927782489442352469")
    assert answer.headers["content-type"].startswith("text/plain")


def test_a_wire_url_with_percent_encoded_plus_verifies_and_a_raw_plus_is_refused(client: TestClient,
                                                                                app_signer: CallbackSigner) -> None:
    params = app_signer.url_verification("echo")
    while "+" not in params["echostr"]:
        params = app_signer.url_verification("echo")
    head = f"/wecom/callback?msg_signature={params['msg_signature']}&timestamp={params['timestamp']}&nonce={params['nonce']}"
    assert client.get(f"{head}&echostr={quote(params['echostr'], safe='')}").text == "echo"
    assert client.get(f"{head}&echostr={params['echostr']}").status_code == 403


def test_bad_signatures_get_403_on_get_and_post_and_nothing_is_stored(
    client: TestClient, wecom: Runtime, app_signer: CallbackSigner, aibot_signer: CallbackSigner
) -> None:
    for route, signer in (("/wecom/callback", app_signer), ("/wecom/aibot", aibot_signer)):
        params = signer.url_verification("echo")
        assert client.get(route, params={**params, "msg_signature": "0" * 40}).status_code == 403
    params, body = app_signer.app_callback(app_text_xml("wz_liu", LEAD, "1001", int(time.time())))
    assert client.post("/wecom/callback", params={**params, "nonce": "1"}, content=body).status_code == 403
    params, body = aibot_signer.aibot_callback(aibot_text("m-1", "wz_liu", LEAD))
    assert client.post("/wecom/aibot", params={**params, "msg_signature": "f" * 40}, content=body).status_code == 403
    assert messages(wecom) == []


def test_malformed_bodies_get_400_and_nothing_is_stored(client: TestClient, wecom: Runtime,
                                                       app_signer: CallbackSigner, aibot_signer: CallbackSigner) -> None:
    params = app_signer.params("x")
    assert client.post("/wecom/callback", params=params, content=b"<xml><Encrypt>").status_code == 400
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<xml><Encrypt>&b;</Encrypt></xml>")
    assert client.post("/wecom/callback", params=params, content=bomb).status_code == 400
    assert client.post("/wecom/aibot", params=params, content=b"not json").status_code == 400
    encrypt = app_signer.encrypt("<xml><oops")
    answer = client.post("/wecom/callback", params=app_signer.params(encrypt),
                         content=f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode())
    assert answer.status_code == 400
    garbage = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
    answer = client.post("/wecom/aibot", params=aibot_signer.params(garbage), content=f'{{"encrypt":"{garbage}"}}')
    assert answer.status_code == 400
    assert client.post("/wecom/aibot", params={"nonce": "1"}, content=b"{}").status_code == 400
    assert messages(wecom) == []


def test_an_oversized_body_gets_413(client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner) -> None:
    params, _ = aibot_signer.aibot_callback({"msgid": "big"})
    huge = b'{"encrypt":"' + b"A" * (wecom.settings.wecom.max_body_bytes + 1) + b'"}'
    assert client.post("/wecom/aibot", params=params, content=huge).status_code == 413
    assert client.post("/wecom/callback", params=params, content=huge).status_code == 413


def test_a_liaison_reports_through_the_app_and_a_redelivery_is_stored_once(
    client: TestClient, wecom: Runtime, app_signer: CallbackSigner, clock: Clock
) -> None:
    """(Needs the parser for the record; the single message row is the core's dedupe either way.)"""
    clock.set("2026-03-10 10:00")
    sent = int(datetime(2026, 3, 10, 9, 59, tzinfo=TZ).timestamp())
    xml = app_text_xml("wz_liu", LEAD, "4561255354251345929", sent)
    first = post_app(client, app_signer, xml, nonce="111")
    again = post_app(client, app_signer, xml, nonce="222")
    assert first.status_code == again.status_code == 200
    reply = app_signer.open_app_reply(first.text, "111")
    assert reply.findtext("ToUserName") == "wz_liu" and reply.findtext("MsgType") == "text"
    assert app_signer.open_app_reply(again.text, "222").findtext("Content") == reply.findtext("Content")
    [message] = messages(wecom)
    assert (message.channel, message.msg_id, message.user_id) == ("wecom_app", "4561255354251345929", "wz_liu")
    assert message.at == datetime(2026, 3, 10, 9, 59, tzinfo=TZ)
    assert len(records(wecom)) == 1
    assert "8,000万元" in (reply.findtext("Content") or "")


def test_the_app_reports_time_is_create_time_so_a_late_message_counts_for_next_month(
    client: TestClient, wecom: Runtime, app_signer: CallbackSigner, clock: Clock
) -> None:
    """Sent on March 20 23:59, delivered (retried) after midnight: it still counts for March."""
    clock.set("2026-03-21 00:03")
    sent = int(datetime(2026, 3, 20, 23, 59, tzinfo=TZ).timestamp())
    post_app(client, app_signer, app_text_xml("wz_liu", LEAD, "777", sent))
    [record] = records(wecom)
    assert record.period == "2026-03"


def test_a_liaison_reports_through_the_aibot_callback_stored_once_with_the_mention_stripped(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    payload = aibot_text("CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", "wz_liu", LEAD)
    first = post_aibot(client, aibot_signer, payload, nonce="n1")
    again = post_aibot(client, aibot_signer, payload, nonce="n2")
    reply = aibot_signer.open_aibot_reply(first.json(), "n1")
    assert reply["msgtype"] == "stream" and reply["stream"]["finish"] is True
    assert aibot_signer.open_aibot_reply(again.json(), "n2")["stream"]["content"] == reply["stream"]["content"]
    [message] = messages(wecom)
    assert (message.channel, message.text, message.chat_id) == ("aibot", LEAD, "wrkSFfCgAAgroupchat")
    assert len(records(wecom)) == 1
    assert "8,000万元" in reply["stream"]["content"]


def test_a_slow_answer_goes_out_on_stream_refresh(roster: Runtime, standin, aibot_signer: CallbackSigner) -> None:  # type: ignore[no-untyped-def]
    from .conftest import app_section, callback_section

    runtime = configured(roster, wecom=app_section(standin), aibot=callback_section(),
                         inbox=InboxSettings(reply_within_s=0.0, first_answer_s=0.0))
    with TestClient(create_app(runtime)) as client:
        first = aibot_signer.open_aibot_reply(post_aibot(client, aibot_signer, aibot_text("slow-1", "wz_liu", "帮助"),
                                                         nonce="r0").json(), "r0")
        stream_id = first["stream"]["id"]
        assert first["stream"]["finish"] is False and stream_id
        for n in range(50):
            refresh = {"msgid": f"refresh-{n}", "aibotid": "x", "chattype": "group", "from": {"userid": "wz_liu"},
                       "msgtype": "stream", "stream": {"id": stream_id}}
            answer = aibot_signer.open_aibot_reply(post_aibot(client, aibot_signer, refresh, nonce=f"r{n + 1}").json(),
                                                   f"r{n + 1}")
            assert answer["stream"]["id"] == stream_id
            if answer["stream"]["finish"]:
                break
        assert answer["stream"]["finish"] is True
        assert answer["stream"]["content"] and answer["stream"]["content"] != first["stream"]["content"]
    assert len(messages(runtime)) == 1


def test_a_stranger_is_told_how_to_register_and_nothing_is_stored(
    client: TestClient, wecom: Runtime, app_signer: CallbackSigner, aibot_signer: CallbackSigner
) -> None:
    answer = post_app(client, app_signer, app_text_xml("passer_by", LEAD, "9001", int(time.time())), nonce="7")
    assert "名册" in (app_signer.open_app_reply(answer.text, "7").findtext("Content") or "")
    answer = post_aibot(client, aibot_signer, aibot_text("stranger-1", "passer_by", LEAD), nonce="8")
    assert "名册" in aibot_signer.open_aibot_reply(answer.json(), "8")["stream"]["content"]
    assert messages(wecom) == [] and records(wecom) == []


def test_routes_of_a_channel_not_configured_say_so(roster: Runtime, app_signer: CallbackSigner) -> None:
    with TestClient(create_app(roster)) as client:
        assert client.get("/wecom/callback", params=app_signer.url_verification("x")).status_code == 404
        assert client.post("/wecom/aibot", params=app_signer.params("x"), content=b"{}").status_code == 404


def test_enter_chat_gets_a_welcome_and_other_events_an_empty_answer(client: TestClient,
                                                                    aibot_signer: CallbackSigner) -> None:
    enter = {"msgid": "e1", "msgtype": "event", "from": {"userid": "wz_liu"}, "event": {"eventtype": "enter_chat"}}
    welcome = aibot_signer.open_aibot_reply(post_aibot(client, aibot_signer, enter, nonce="w").json(), "w")
    assert welcome["msgtype"] == "text" and "招商助手" in welcome["text"]["content"]
    feedback = {**enter, "msgid": "e2", "event": {"eventtype": "feedback_event"}}
    answer = post_aibot(client, aibot_signer, feedback)
    assert (answer.status_code, answer.text) == (200, "")


def test_odd_but_signed_bodies_get_an_answer_not_a_server_error(
    client: TestClient, wecom: Runtime, app_signer: CallbackSigner, aibot_signer: CallbackSigner
) -> None:
    answer = post_app(client, app_signer, app_text_xml("wz_liu", "帮助", "555", 99999999999999), nonce="31")
    assert answer.status_code == 200
    odd = {"msgid": "odd-1", "aibotid": "b", "chattype": "group", "from": {"userid": "wz_liu"},
           "msgtype": "text", "text": "线索"}
    assert post_aibot(client, aibot_signer, odd, nonce="32").status_code == 200


def test_an_app_receipt_that_misses_the_passive_reply_arrives_through_the_message_api(
    wecom: Runtime, standin, app_signer: CallbackSigner, clock: Clock  # type: ignore[no-untyped-def]
) -> None:
    clock.set("2026-03-10 10:00")
    with TestClient(create_app(configured(wecom, inbox=InboxSettings(reply_within_s=0.0)))) as client:
        sent = int(datetime(2026, 3, 10, 9, 59, tzinfo=TZ).timestamp())
        answer = post_app(client, app_signer, app_text_xml("wz_liu", LEAD, "8800", sent), nonce="41")
        assert answer.status_code == 200 and answer.text == ""
        standin.wait_for(lambda: standin.record.app_messages)
    [message] = standin.record.app_messages
    assert message["touser"] == "wz_liu" and "8,000万元" in message["text"]["content"]
    assert len(records(wecom)) == 1
