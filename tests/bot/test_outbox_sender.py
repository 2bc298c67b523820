"""Pushes reach the group exactly once, within WeCom's limits, through failures and restarts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bot.outbox_sender import OutboxSender
from bot.runtime import Runtime, build_runtime
from bot.settings import OutboxSettings
from bot.web import create_app
from storage.store import unit_of_work
from tests.conftest import Clock
from tests.fakes.wecom import CallbackSigner, WecomStandIn, app_text_xml

from .conftest import app_section, configured, outbox


def push(runtime: Runtime, key: str, body: str, target: str = "group", kind: str = "markdown",
         mentions: Sequence[str] = ()) -> None:
    with unit_of_work(runtime.engine) as store:
        store.outbox.push(key, body, target=target, kind=kind, mentions=mentions)


def drain(sender: OutboxSender) -> int:
    async def once() -> int:
        try:
            return await sender.drain_once()
        finally:
            await sender.aclose()

    return asyncio.run(once())


def states(runtime: Runtime) -> list[str]:
    return [item.state for item in outbox(runtime)]


def test_an_admins_broadcast_reaches_the_group_verbatim(wecom: Runtime, standin: WecomStandIn,
                                                        app_signer: CallbackSigner) -> None:
    text = "通报：截至3月15日，已有4个单位完成本月报送，请其余单位抓紧。"
    with TestClient(create_app(wecom)) as client:
        params, body = app_signer.app_callback(app_text_xml("office", text, "5001", int(time.time())), "1")
        reply = app_signer.open_app_reply(client.post("/wecom/callback", params=params, content=body).text, "1")
        assert "群发" in (reply.findtext("Content") or "")
        standin.wait_for(lambda: states(wecom) == ["sent"])
    [sent] = standin.group_texts()
    assert text in sent
    assert states(wecom) == ["sent"]


def test_a_liaisons_broadcast_is_refused_and_never_pushed(wecom: Runtime, standin: WecomStandIn,
                                                          app_signer: CallbackSigner) -> None:
    with TestClient(create_app(wecom)) as client:
        params, body = app_signer.app_callback(app_text_xml("wz_liu", "通报：大家好", "5002", int(time.time())), "2")
        reply = app_signer.open_app_reply(client.post("/wecom/callback", params=params, content=body).text, "2")
        assert "仅限" in (reply.findtext("Content") or "")
    assert outbox(wecom) == []
    assert standin.record.webhook_attempts == []


def test_rate_limited_45009_waits_a_minute_then_goes_once(wecom: Runtime, standin: WecomStandIn,
                                                          clock: Clock) -> None:
    clock.set("2026-03-15 09:00")
    push(wecom, "nag:2026-03:15", "**请尽快报送**", mentions=["wz_liu"])
    standin.webhook_script.append(45009)
    sender = OutboxSender(wecom)
    assert drain(sender) == 0
    assert drain(sender) == 0
    assert len(standin.record.webhook_attempts) == 1, "no hammering while rate limited"
    clock.set(clock.now + timedelta(seconds=61))
    assert drain(sender) == 1
    assert drain(sender) == 0
    assert standin.group_texts() == ["**请尽快报送**\n<@wz_liu>"]
    assert states(wecom) == ["sent"]


def test_a_5xx_backs_off_and_the_push_goes_later(wecom: Runtime, standin: WecomStandIn, clock: Clock) -> None:
    clock.set("2026-03-15 09:00")
    push(wecom, "bulletin:2026-03:16", "半月通报")
    standin.webhook_script.append(("http", 502))
    sender = OutboxSender(wecom)
    assert drain(sender) == 0
    assert drain(sender) == 0
    assert len(standin.record.webhook_attempts) == 1
    clock.set(clock.now + timedelta(seconds=6))
    assert drain(sender) == 1
    assert standin.group_texts() == ["半月通报"]


def test_pushes_survive_an_outage_and_a_restart_without_doubles(wecom: Runtime, standin: WecomStandIn,
                                                               clock: Clock) -> None:
    clock.set("2026-03-18 09:00")
    for n in range(3):
        push(wecom, f"nag:2026-03:18:{n}", f"第{n}条提醒")
    standin.outage = True
    assert drain(OutboxSender(wecom)) == 0
    assert states(wecom) == ["pending"] * 3
    standin.outage = False
    restarted = build_runtime(wecom.settings)
    try:
        clock.set(clock.now + timedelta(minutes=1))
        assert drain(OutboxSender(restarted)) == 3
        assert drain(OutboxSender(restarted)) == 0
        push(restarted, "nag:2026-03:18:0", "第0条提醒")  # the job runs again: same key, no new push
        assert drain(OutboxSender(restarted)) == 0
    finally:
        restarted.engine.dispose()
    assert sorted(standin.group_texts()) == ["第0条提醒", "第1条提醒", "第2条提醒"]


def test_a_bad_webhook_key_93000_stops_group_pushes_and_keeps_them(wecom: Runtime, standin: WecomStandIn,
                                                                   clock: Clock, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    clock.set("2026-03-15 09:00")
    for n in range(3):
        push(wecom, f"k{n}", f"消息{n}")
    standin.bad_key = True
    sender = OutboxSender(wecom)
    assert drain(sender) == 0
    clock.set(clock.now + timedelta(minutes=5))
    assert drain(sender) == 0
    assert len(standin.record.webhook_attempts) == 1
    assert sender.halted == "93000"
    assert states(wecom) == ["pending"] * 3
    assert "93000" in caplog.text and "webhook_url" in caplog.text
    assert standin.webhook_key not in caplog.text, "the webhook key is a secret"


def test_no_more_than_20_a_minute_even_across_a_restart(wecom: Runtime, standin: WecomStandIn, clock: Clock) -> None:
    clock.set("2026-03-19 09:00")
    for n in range(45):
        push(wecom, f"m{n:02d}", f"消息{n:02d}")
    assert drain(OutboxSender(wecom)) == 20
    clock.set(clock.now + timedelta(seconds=30))
    assert drain(OutboxSender(wecom)) == 0, "a new sender remembers the last minute from the database"
    clock.set(clock.now + timedelta(seconds=31))
    sender = OutboxSender(wecom)
    assert drain(sender) == 20
    assert drain(sender) == 0
    clock.set(clock.now + timedelta(seconds=61))
    assert drain(sender) == 5
    assert len(standin.record.webhook_attempts) == len(standin.record.webhooks) == 45
    assert standin.group_texts() == [f"消息{n:02d}" for n in range(45)]


def test_a_long_push_is_split_on_lines_within_the_limits_keeping_mentions(wecom: Runtime, standin: WecomStandIn,
                                                                          clock: Clock) -> None:
    clock.set("2026-03-16 09:30")
    lines = [f"{n:03d}. 卫庄镇 江苏恒润新材料有限公司可降解塑料项目 8,000万元 已签约" for n in range(150)]
    push(wecom, "bulletin-long", "\n".join(lines), mentions=["wz_liu", "nf_wang"])
    push(wecom, "text-long", "\n".join(lines), kind="text", mentions=["hs_li"])
    assert drain(OutboxSender(wecom)) == 2
    markdown = [p["markdown"]["content"] for p in standin.record.webhooks if p["msgtype"] == "markdown"]
    texts = [p["text"] for p in standin.record.webhooks if p["msgtype"] == "text"]
    assert len(markdown) > 1 and all(len(part.encode()) <= 4096 for part in markdown)
    assert "\n".join(markdown) == "\n".join(lines) + "\n<@wz_liu> <@nf_wang>"
    assert len(texts) > 1 and all(len(t["content"].encode()) <= 2048 for t in texts)
    assert "\n".join(t["content"] for t in texts) == "\n".join(lines)
    assert [t.get("mentioned_list") for t in texts][-1] == ["hs_li"]


def test_a_private_push_goes_through_the_app_message_api(wecom: Runtime, standin: WecomStandIn, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    push(wecom, "dm:wz_liu:1", "您的单位本月尚未报送。", target="user:wz_liu", kind="text")
    assert drain(OutboxSender(wecom)) == 1
    [message] = standin.record.app_messages
    assert message["touser"] == "wz_liu" and message["agentid"] == 1000002
    assert message["text"]["content"] == "您的单位本月尚未报送。"
    assert standin.record.token_requests == 1
    assert "standin-token" not in caplog.text, "access tokens stay out of the logs"


def test_without_wecom_pushes_go_to_the_console_feed(roster: Runtime) -> None:
    events: list[dict] = []
    push(roster, "console-1", "本月报送提醒", mentions=["wz_liu"])
    runtime = configured(roster, wecom=app_section().model_copy(update={"corp_id": ""}))
    assert drain(OutboxSender(runtime, publish=events.append)) == 1
    assert [(e["type"], e["text"], e["mentions"]) for e in events] == [("push", "本月报送提醒", ["wz_liu"])]
    assert states(runtime) == ["sent"]


def test_a_split_push_interrupted_by_an_outage_resumes_after_a_restart_without_resending_parts(
    wecom: Runtime, standin: WecomStandIn, clock: Clock
) -> None:
    clock.set("2026-03-16 09:30")
    lines = [f"{n:03d}. 卫庄镇 江苏恒润新材料有限公司可降解塑料项目 8,000万元 已签约" for n in range(150)]
    push(wecom, "bulletin-split", "\n".join(lines))
    standin.webhook_script.extend([0, ("http", 502)])
    assert drain(OutboxSender(wecom)) == 0
    assert len(standin.record.webhooks) == 1 and states(wecom) == ["pending"]
    restarted = build_runtime(wecom.settings)
    try:
        clock.set(clock.now + timedelta(minutes=10))
        assert drain(OutboxSender(restarted)) == 1
    finally:
        restarted.engine.dispose()
    parts = [p["markdown"]["content"] for p in standin.record.webhooks]
    assert len(parts) == len(set(parts)) > 2, "every part went out exactly once"
    assert "\n".join(parts) == "\n".join(lines)


# --- temporary failures never use up a push; a round stops at the first one -----------------------

FIVE = ["monthly-nag:2026-03:2026-03-18", "bulletin:2026-03:2026-03-16", "overdue-list:2026-02:2026-03-11",
        "broadcast:5001", "stale-projects:2026-W12:2026-03-16"]


def five_pushes(runtime: Runtime) -> list[str]:
    texts = [f"第{n}条：{key}" for n, key in enumerate(FIVE)]
    for key, text in zip(FIVE, texts, strict=True):
        push(runtime, key, text)
    return texts


def attempts_spent(runtime: Runtime) -> list[int]:
    return [item.attempts for item in outbox(runtime)]


@pytest.mark.parametrize("answer", [("gateway", 429), ("gateway", 404), ("http", 429), ("gateway", 502)],
                         ids=["gateway-429-page", "gateway-404-page", "429-json-without-errcode", "gateway-502-page"])
def test_a_burst_of_gateway_answers_pauses_the_round_and_uses_up_nothing(
    wecom: Runtime, standin: WecomStandIn, clock: Clock, answer: tuple[str, int]
) -> None:
    clock.set("2026-03-18 09:00")
    runtime = configured(wecom, outbox=OutboxSettings(max_attempts=2, backoff_s=5))
    texts = five_pushes(runtime)
    standin.webhook_script.extend([answer] * 3)
    sender = OutboxSender(runtime)
    assert drain(sender) == 0
    assert len(standin.record.webhook_attempts) == 1, "the round stopped at the first temporary failure"
    assert drain(sender) == 0 and len(standin.record.webhook_attempts) == 1, "paused: no hammering"
    # Backing off 5 s, then 10 s, then 20 s.
    for wait_s, tried in ((5, 2), (10, 3), (19, 3)):
        clock.set(clock.now + timedelta(seconds=wait_s))
        assert drain(sender) == 0
        assert len(standin.record.webhook_attempts) == tried
    clock.set(clock.now + timedelta(seconds=1))
    assert drain(sender) == 5
    assert standin.group_texts() == texts
    assert states(runtime) == ["sent"] * 5 and attempts_spent(runtime) == [0] * 5


def test_a_burst_of_rate_limits_45009_uses_up_nothing_and_waits_a_minute_each(
    wecom: Runtime, standin: WecomStandIn, clock: Clock
) -> None:
    clock.set("2026-03-18 09:00")
    runtime = configured(wecom, outbox=OutboxSettings(max_attempts=2))
    texts = five_pushes(runtime)
    standin.webhook_script.extend([45009] * 3)
    sender = OutboxSender(runtime)
    for tried in (1, 2, 3):
        assert drain(sender) == 0
        assert len(standin.record.webhook_attempts) == tried
        clock.set(clock.now + timedelta(seconds=59))
        assert drain(sender) == 0 and len(standin.record.webhook_attempts) == tried
        clock.set(clock.now + timedelta(seconds=1))
    assert drain(sender) == 5
    assert standin.group_texts() == texts
    assert states(runtime) == ["sent"] * 5 and attempts_spent(runtime) == [0] * 5


def test_the_webhook_and_the_app_back_off_separately_through_5xx_bursts(
    wecom: Runtime, standin: WecomStandIn, clock: Clock
) -> None:
    clock.set("2026-03-18 09:00")
    push(wecom, "g1", "群消息一")
    push(wecom, "p1", "私信一", target="user:wz_liu", kind="text")
    push(wecom, "g2", "群消息二")
    push(wecom, "p2", "私信二", target="user:nf_wang", kind="text")
    standin.webhook_script.append(("http", 502))
    standin.app_script.extend([("gateway", 503), ("gateway", 504)])
    sender = OutboxSender(wecom)
    assert drain(sender) == 0
    assert (len(standin.record.webhook_attempts), len(standin.record.app_attempts)) == (1, 1)
    clock.set(clock.now + timedelta(seconds=5))
    assert drain(sender) == 2, "the webhook healed after 5 s; the app failed again and waits 10 s"
    assert standin.group_texts() == ["群消息一", "群消息二"] and standin.record.app_messages == []
    clock.set(clock.now + timedelta(seconds=9))
    assert drain(sender) == 0 and len(standin.record.app_attempts) == 2
    clock.set(clock.now + timedelta(seconds=1))
    assert drain(sender) == 2
    assert [m["text"]["content"] for m in standin.record.app_messages] == ["私信一", "私信二"]
    assert states(wecom) == ["sent"] * 4 and attempts_spent(wecom) == [0] * 4


def test_a_rejection_spends_an_attempt_without_holding_up_the_others(
    wecom: Runtime, standin: WecomStandIn, clock: Clock
) -> None:
    clock.set("2026-03-18 09:00")
    push(wecom, "bad", "这条被拒")
    push(wecom, "good", "这条照发")
    standin.webhook_script.append(40008)
    assert drain(OutboxSender(wecom)) == 1
    assert standin.group_texts() == ["这条照发"]
    [bad, good] = outbox(wecom)
    assert (bad.state, bad.attempts, bad.last_error) == ("pending", 1, "40008 scripted")
    assert (good.state, good.attempts) == ("sent", 0)


# --- slow answers --------------------------------------------------------------------------------

def test_wecom_may_take_its_time_to_answer(wecom: Runtime, standin: WecomStandIn) -> None:
    assert OutboxSettings().timeout_s >= 15, "WeCom answers can take over 10 s; wait for them"
    runtime = configured(wecom, outbox=OutboxSettings(timeout_s=2.0))
    push(runtime, "slow", "慢回答")
    standin.webhook_script.append(("slow", 0.5))
    assert drain(OutboxSender(runtime)) == 1
    assert [a.content for a in standin.record.accepted] == ["慢回答"]
    assert states(runtime) == ["sent"]


def test_an_answer_later_than_the_timeout_is_the_documented_double(
    wecom: Runtime, standin: WecomStandIn, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.set("2026-03-18 09:00")
    runtime = configured(wecom, outbox=OutboxSettings(timeout_s=1.0))  # leaves room on a busy machine
    push(runtime, "late", "迟到的回答")
    standin.webhook_script.append(("slow", 2.5))
    sender = OutboxSender(runtime)
    assert drain(sender) == 0
    [item] = outbox(runtime)
    assert (item.state, item.attempts) == ("pending", 0) and "ReadTimeout" in (item.last_error or "")
    assert "may then appear twice" in caplog.text
    clock.set(clock.now + timedelta(seconds=5))
    assert drain(sender) == 1
    assert standin.group_texts() == ["迟到的回答", "迟到的回答"], "WeCom took both: at least once, doubled here"


# --- one sender per PostgreSQL database ----------------------------------------------------------

def test_two_serve_processes_on_postgresql_never_send_the_same_push(wecom: Runtime, standin: WecomStandIn) -> None:
    if wecom.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one serve process; the sender lock is PostgreSQL's")
    for n in range(3):
        push(wecom, f"k{n}", f"消息{n}")
    standin.webhook_script.extend([("slow", 0.2)] * 3)
    other = build_runtime(wecom.settings)
    senders = [OutboxSender(wecom), OutboxSender(other)]

    async def both() -> list[int]:
        try:
            return list(await asyncio.gather(*(s.drain_once() for s in senders)))
        finally:
            for s in senders:
                await s.aclose()

    try:
        assert sorted(asyncio.run(both())) == [0, 3]
    finally:
        other.engine.dispose()
    assert sorted(standin.group_texts()) == ["消息0", "消息1", "消息2"]


def test_a_row_naming_no_valid_target_is_failed_and_does_not_hold_up_the_others(
    wecom: Runtime, standin: WecomStandIn
) -> None:
    push(wecom, "ok-before", "照发一")
    with unit_of_work(wecom.engine) as store:
        store.outbox.push("hand-written", "无效对象")
        item = store.outbox.by_key("hand-written")
        assert item is not None
        item.target = "wz_liu"  # as if written by hand, without the "user:" prefix
    push(wecom, "ok-after", "照发二")
    assert drain(OutboxSender(wecom)) == 2
    assert standin.group_texts() == ["照发一", "照发二"]
    assert states(wecom) == ["sent", "failed", "sent"]


def test_private_pushes_share_one_access_token(wecom: Runtime, standin: WecomStandIn) -> None:
    for n, user in enumerate(["wz_liu", "nf_wang", "hs_li"]):
        push(wecom, f"dm:{n}", "很长的提醒" * 200, target=f"user:{user}", kind="text")
    assert drain(OutboxSender(wecom)) == 3
    assert len(standin.record.app_messages) == 6, "each push went in two parts"
    assert standin.record.token_requests == 1
