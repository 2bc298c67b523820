"""One receipt, many ways back: whichever path claims an owed answer first sends it, and only it.

A handled AI-bot message's receipt is owed. WeCom's stream refresh, the long connection (an update
on the message's req_id) and the sweep's response_url may all try to deliver it at the same moment,
from different requests and tasks (and, with worker processes, different processes). The claim is
one conditional UPDATE of the inbox row (`InboxRows.take_delivery`). These tests race the paths for
real, on SQLite and PostgreSQL, against the WeCom stand-in, and count what reached the chat.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from bot.channels.aibot import AibotChannel, StreamAnswer
from bot.channels.app import AppChannel
from bot.runtime import Runtime
from bot.settings import InboxSettings
from bot.web import create_app
from storage.inbox import Envelope, InboxRow, Settled
from storage.states import Delivery, InboxState
from storage.store import unit_of_work
from tests.fakes.wecom import WecomStandIn

from .conftest import app_section, configured, long_connection_section, outbox

TZ_NOW = datetime.now().astimezone()
RACES = 12


def owed_row(runtime: Runtime, channel: str, n: int, standin: WecomStandIn, **envelope: Any) -> InboxRow:
    """A message handled a moment ago whose receipt (naming `n`) nobody has sent yet."""
    with unit_of_work(runtime.engine) as store:
        row, _ = store.inbox.accept(Envelope(channel=channel, msg_id=f"race-{n}", user_id="wz_liu",
                                             text="拜访：赴杭州拜访企业2家", at=TZ_NOW, **envelope))
        item = store.inbox.get(row.id)
        assert item is not None
        store.inbox.finish(item, f"✅ 回执 R{n:03d}", InboxState.DONE, Settled.owed())
        store.session.flush()
        return InboxRow.of(item)


def test_a_stream_refresh_the_long_connection_and_the_response_url_sweep_race_and_one_sends(
    roster: Runtime, standin: WecomStandIn
) -> None:
    runtime = configured(roster, aibot=long_connection_section(standin, heartbeat_s=5.0),
                         inbox=InboxSettings(response_url_after_s=0.0))
    app = create_app(runtime, ws_backoff_s=0.05)
    aibot: AibotChannel = app.state.aibot
    refreshed: dict[int, list[str]] = {}

    async def race(row: InboxRow) -> None:
        async def refresh() -> None:
            answer = await aibot.refresh(row.stream_id or "")
            if isinstance(answer, StreamAnswer) and answer.finish:
                refreshed.setdefault(row.id, []).append(answer.text)

        # Each path starts from the row as it read it (unclaimed), as it would in its own request.
        await asyncio.gather(refresh(), aibot.over_long_connection(row), aibot.by_response_url(row),
                             aibot.sweep_once(0.0))

    with TestClient(app) as client:
        standin.wait_for(lambda: standin.connected)
        rows = [owed_row(runtime, "aibot", n, standin, stream_id=f"stream-{n}", req_id=f"req-{n}",
                         response_url=standin.response_url(f"code-{n}")) for n in range(RACES)]
        for row in rows:
            client.portal.call(race, row)  # type: ignore[union-attr]

    pushed = {item.key for item in outbox(runtime)}
    for n, row in enumerate(rows):
        receipt = f"R{n:03d}"
        # One chat bubble per stream id: a refresh and a long-connection update finishing the same
        # stream show one message (the content replaces); a response_url post or a push is another.
        on_stream = any(receipt in text for text in refreshed.get(row.id, [])) or any(
            receipt in str(frame["body"]["stream"]["content"]) for frame in standin.frames("aibot_respond_msg")
            if frame["body"].get("msgtype") == "stream" and frame["body"]["stream"].get("finish"))
        by_url = sum(receipt in str(payload) for _, payload in standin.record.responses)
        by_push = f"reply:aibot:race-{n}" in pushed
        assert (on_stream, by_url, by_push) in ((True, 0, False), (False, 1, False)), (
            f"receipt {receipt}: stream {on_stream}, response_url {by_url}, push {by_push}")
    with unit_of_work(runtime.engine) as store:
        assert {InboxRow.of(store.inbox.get(row.id)).delivery for row in rows} == {Delivery.SENT}  # type: ignore[arg-type]


def test_an_app_request_that_waited_and_the_late_push_race_and_one_sends(roster: Runtime, standin: WecomStandIn) -> None:
    """With the app's secret, an answer the waiting request did not carry in time is pushed by the
    sweep; when the request's last look and the sweep meet, one of them has it."""
    runtime = configured(roster, wecom=app_section(standin, secret=True))
    app = create_app(runtime)
    channel: AppChannel = app.state.app_channel
    carried: dict[int, str | None] = {}

    async def race(row: InboxRow) -> None:
        async def request() -> None:
            carried[row.id] = await channel.reply_for(row)

        await asyncio.gather(request(), channel.inbox.rows.run(channel.push_late, row))

    rows = [owed_row(runtime, "wecom_app", n, standin) for n in range(RACES)]
    asyncio.run(_each(race, rows))
    pushed = {item.key for item in outbox(runtime)}
    for n, row in enumerate(rows):
        sent = [carried.get(row.id) is not None, f"reply:wecom_app:race-{n}" in pushed]
        assert sent.count(True) == 1, f"receipt R{n:03d}: in the response {sent[0]}, pushed {sent[1]}"


async def _each(race: Any, rows: list[InboxRow]) -> None:
    for row in rows:
        await race(row)
