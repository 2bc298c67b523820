"""kill -9 of a sending process: nothing is lost, and only a part WeCom took in the instant before
the kill (not yet marked sent) goes twice: the documented at-least-once window."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest

from bot.outbox_sender import OutboxSender
from bot.runtime import Runtime, build_runtime
from bot.wecom.webhook import render_parts
from storage.store import unit_of_work
from tests.fakes import outbox_worker
from tests.fakes.wecom import WecomStandIn

from .conftest import outbox

LINES = [f"{n:03d}. 卫庄镇 江苏恒润新材料有限公司可降解塑料项目 8,000万元 已签约" for n in range(150)]


def parts_sent(runtime: Runtime) -> int:
    [item] = outbox(runtime)
    return item.parts_sent


def resume(runtime: Runtime, standin: WecomStandIn) -> None:
    """Start again after the kill (on PostgreSQL the dead process's lock goes with its connection)."""
    restarted = build_runtime(runtime.settings)

    async def once() -> int:
        sender = OutboxSender(restarted)
        try:
            return await sender.drain_once()
        finally:
            await sender.aclose()

    try:
        standin.wait_for(lambda: asyncio.run(once()) == 1, timeout_s=30)
    finally:
        restarted.engine.dispose()


@pytest.mark.parametrize("after_accept", [False, True], ids=["killed-before-wecom-took-part-2",
                                                              "killed-after-wecom-took-part-2"])
def test_kill_9_in_the_middle_of_a_split_bulletin(wecom: Runtime, standin: WecomStandIn, tmp_path: Path,
                                                  after_accept: bool) -> None:
    with unit_of_work(wecom.engine) as store:
        store.outbox.push("bulletin:2026-03:2026-03-16", "\n".join(LINES))
    gate = standin.gate(after_accept=after_accept, nth=2)
    worker = outbox_worker.start(wecom.settings.database.url, standin.base_url, standin.webhook_url, tmp_path,
                                 poll_s=0.05)
    try:
        assert gate.reached.wait(60), (tmp_path / "outbox_worker.log").read_text()
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        gate.release(deliver=False)
    assert parts_sent(wecom) == 1, "part 1 was marked, committed, as soon as WeCom took it"

    resume(wecom, standin)
    parts = standin.group_texts()
    split = [p["markdown"]["content"] for p in render_parts("markdown", "\n".join(LINES), ())]
    assert len(split) == 4 and list(dict.fromkeys(parts)) == split, "nothing lost, in order"
    doubled = [part for part, n in Counter(parts).items() if n > 1]
    if after_accept:
        assert doubled == [parts[1]], "only the part WeCom took just before the kill goes twice"
    else:
        assert doubled == [], "every part exactly once"
