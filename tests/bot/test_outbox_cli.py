"""An office admin sees what the outbox holds and sends a failed push again from the command line."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.outbox_sender import OutboxSender
from bot.runtime import Runtime
from bot.settings import OutboxSettings
from storage.store import unit_of_work
from tests.conftest import Clock
from tests.fakes.wecom import WecomStandIn

from .conftest import configured, outbox


def drain(sender: OutboxSender) -> int:
    async def once() -> int:
        try:
            return await sender.drain_once()
        finally:
            await sender.aclose()

    return asyncio.run(once())


@pytest.fixture
def zsbot(wecom: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", wecom.settings.database.url)
    return CliRunner()


def exhaust(runtime: Runtime, standin: WecomStandIn, clock: Clock, key: str) -> None:
    """WeCom refuses the push three times (max_attempts = 3), 5 s and 10 s apart: it is failed."""
    with unit_of_work(runtime.engine) as store:
        store.outbox.push(key, f"{key} 的内容")
    standin.webhook_script.extend([40008] * 3)
    sender = OutboxSender(runtime)
    for wait_s in (0, 5, 10):
        clock.set(clock.now + timedelta(seconds=wait_s))
        assert drain(sender) == 0
    clock.set(clock.now + timedelta(hours=1))
    assert drain(sender) == 0


def test_a_push_refused_max_attempts_times_is_failed_until_an_admin_retries_it(
    wecom: Runtime, standin: WecomStandIn, clock: Clock, zsbot: CliRunner
) -> None:
    clock.set("2026-03-18 09:00")
    runtime = configured(wecom, outbox=OutboxSettings(max_attempts=3, backoff_s=5))
    exhaust(runtime, standin, clock, "monthly-nag:2026-03:2026-03-18")
    [item] = outbox(runtime)
    assert (item.state, item.attempts) == ("failed", 3)
    assert len(standin.record.webhook_attempts) == 3 and standin.group_texts() == []

    listed = zsbot.invoke(app, ["outbox", "list", "--status", "failed"])
    assert listed.exit_code == 0, listed.output
    assert "等待 0 · 已发送 0 · 失败 1" in listed.output
    assert f"#{item.id}  失败" in listed.output and "被拒 3 次" in listed.output and "40008" in listed.output

    retried = zsbot.invoke(app, ["outbox", "retry", str(item.id)])
    assert retried.exit_code == 0 and "已重新排队" in retried.output
    assert drain(OutboxSender(runtime)) == 1
    assert standin.group_texts() == ["monthly-nag:2026-03:2026-03-18 的内容"]
    [item] = outbox(runtime)
    assert (item.state, item.attempts) == ("sent", 0)

    again = zsbot.invoke(app, ["outbox", "retry", str(item.id)])
    assert again.exit_code == 1 and "不再重发" in again.output
    assert drain(OutboxSender(runtime)) == 0 and len(standin.group_texts()) == 1


def test_retry_failed_requeues_every_failed_push_and_only_those(
    wecom: Runtime, standin: WecomStandIn, clock: Clock, zsbot: CliRunner
) -> None:
    clock.set("2026-03-18 09:00")
    runtime = configured(wecom, outbox=OutboxSettings(max_attempts=3, backoff_s=5))
    exhaust(runtime, standin, clock, "a")
    exhaust(runtime, standin, clock, "b")
    with unit_of_work(runtime.engine) as store:
        store.outbox.push("c", "c 的内容")
    assert drain(OutboxSender(runtime)) == 1
    assert [i.state for i in outbox(runtime)] == ["failed", "failed", "sent"]

    result = zsbot.invoke(app, ["outbox", "retry", "--failed"])
    assert result.exit_code == 0 and "已重新排队 2 条" in result.output
    assert drain(OutboxSender(runtime)) == 2
    assert standin.group_texts() == ["c 的内容", "a 的内容", "b 的内容"]
    assert zsbot.invoke(app, ["outbox", "retry", "--failed"]).output.strip() == "没有失败的推送。"


def test_outbox_list_shows_waiting_sent_and_failed_pushes_and_why_they_wait(
    wecom: Runtime, standin: WecomStandIn, clock: Clock, zsbot: CliRunner
) -> None:
    clock.set("2026-03-18 09:00")
    with unit_of_work(wecom.engine) as store:
        store.outbox.push("sent-one", "已发的通报")
        store.outbox.push("waiting-one", "等待的提醒\n第二行")
    standin.webhook_script.extend([0, ("gateway", 429)])
    assert drain(OutboxSender(wecom)) == 1
    out = zsbot.invoke(app, ["outbox", "list"]).output
    assert "等待 1 · 已发送 1 · 失败 0" in out
    assert "已发送  发送于 2026-03-18 09:00:00  group  sent-one" in out
    assert "等待  2026-03-18 09:00:00 起发送  group  waiting-one" in out
    assert "原因：network: HTTP 429 from a gateway" in out and "等待的提醒" in out and "第二行" not in out
    only_sent = zsbot.invoke(app, ["outbox", "list", "--status", "sent"]).output
    assert "sent-one" in only_sent and "waiting-one" not in only_sent


def test_retry_needs_an_id_or_failed_and_names_a_missing_push(zsbot: CliRunner) -> None:
    assert zsbot.invoke(app, ["outbox", "retry"]).exit_code == 2
    missing = zsbot.invoke(app, ["outbox", "retry", "99"])
    assert missing.exit_code == 2 and "没有编号为 99 的推送" in missing.output
