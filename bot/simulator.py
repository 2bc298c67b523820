"""The web simulator: a page that looks like the WeCom work group, for trying zsbot without WeCom.

Mounted only when asked for ([simulator] enabled or `zsbot serve --simulator`): it lets anyone
speak as any roster member.
Messages go through the same core as every transport (channel "simulator"); replies come back
in the POST's answer, and everything pushed to the group arrives over the live feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import uuid
from collections import deque
from datetime import datetime
from importlib import resources
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bot.runtime import Runtime
from handlers.messages import Incoming
from handlers.roster import import_roster
from storage.store import unit_of_work

CHANNEL = "simulator"
ROLE_NAMES = {"liaison": "联络员", "leader": "领导", "admin": "管理员"}
DEMO_ROSTER = """userid,name,unit,role,mobile
wz_liu,刘伟,卫庄镇,联络员,13800000001
wz_zhao,赵镇长,卫庄镇,领导,13800000011
nf_wang,王芳,南樊镇,联络员,13800000002
hs_li,李明,横水镇,联络员,13800000003
kfq_chen,陈静,开发区,联络员,13800000004
sw_sun,孙强,商务局,联络员,13800000005
county_boss,张县长,,领导,13800000090
office,李主任,,管理员,13800000099
"""


class Feed:
    """The group's live events (pushes, messages) fanned out to every open page."""

    def __init__(self, history: int = 200) -> None:
        self._history: deque[dict[str, Any]] = deque(maxlen=history)
        self._queues: set[asyncio.Queue[dict[str, Any] | None]] = set()

    def publish(self, event: dict[str, Any]) -> None:
        event = {"id": uuid.uuid4().hex, **event}
        self._history.append(event)
        for queue in list(self._queues):
            queue.put_nowait(event)

    def history(self) -> list[dict[str, Any]]:
        return list(self._history)

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._queues.discard(queue)

    def close(self) -> None:
        """Ends every live subscription (server shutdown)."""
        for queue in list(self._queues):
            queue.put_nowait(None)


class SimulatedMessage(BaseModel):
    user_id: str = Field(min_length=1, max_length=64)
    text: str = Field(max_length=20000)


def page_html() -> str:
    return resources.files("bot").joinpath("static/simulator.html").read_text(encoding="utf-8")


def simulator_router(runtime: Runtime, feed: Feed) -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(page_html())

    @router.get("/simulator/members")
    async def members() -> dict[str, Any]:
        """Roster members with their unit and role, for the 'speak as' picker."""
        return await run_in_threadpool(_members, runtime)

    @router.post("/simulator/demo-roster")
    async def demo_roster() -> dict[str, Any]:
        """Load the demo roster into an empty roster only: never re-point real people."""

        def load() -> str:
            rows = csv.DictReader(io.StringIO(DEMO_ROSTER))
            with unit_of_work(runtime.engine) as store:
                if store.roster.members():
                    return "名册已有成员，未加载示例名册。"
                return import_roster(((n + 2, row) for n, row in enumerate(rows)), store).summary()

        summary = await run_in_threadpool(load)
        return {"summary": summary, **(await run_in_threadpool(_members, runtime))}

    @router.post("/simulator/messages")
    async def send(message: SimulatedMessage) -> dict[str, Any]:
        at = datetime.now(runtime.settings.schedule.tz)
        incoming = Incoming(channel=CHANNEL, msg_id=uuid.uuid4().hex, user_id=message.user_id,
                            text=message.text, at=at)
        reply = await run_in_threadpool(runtime.bot.handle, incoming)
        return {"msg_id": incoming.msg_id, "reply": reply.text, "mentions": list(reply.mentions),
                "stored": reply.stored, "at": at.isoformat()}

    @router.websocket("/simulator/live")
    async def live(websocket: WebSocket) -> None:
        await websocket.accept()
        queue = feed.subscribe()

        async def until_closed() -> None:
            """The page closing, or the server shutting down, ends the feed."""
            with contextlib.suppress(Exception):
                while (await websocket.receive())["type"] != "websocket.disconnect":
                    pass
            queue.put_nowait(None)

        watcher = asyncio.create_task(until_closed())
        try:
            for event in feed.history():
                await websocket.send_json(event)
            while (event := await queue.get()) is not None:
                await websocket.send_json(event)
        except WebSocketDisconnect:
            pass
        finally:
            watcher.cancel()
            feed.unsubscribe(queue)
            with contextlib.suppress(Exception):
                await websocket.close()

    return router


def _members(runtime: Runtime) -> dict[str, Any]:
    with unit_of_work(runtime.engine) as store:
        units = {unit.id: unit.name for unit in store.roster.units()}
        people = [
            {"userid": m.userid, "name": m.name, "unit": units.get(m.unit_id) if m.unit_id else None,
             "role": m.role, "role_name": ROLE_NAMES.get(m.role, m.role)}
            for m in store.roster.members()
        ]
    return {"members": people, "units": sorted(set(units.values()))}
