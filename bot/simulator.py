"""The web simulator: a page that looks like the WeCom work group, for trying zsbot without WeCom.

Mounted only when asked for ([simulator] enabled or `zsbot serve --simulator`): it lets anyone
speak as any roster member.
Messages go through the same core as every transport (channel "simulator"); replies come back
in the POST's answer, with their buttons (cards) when they have some, and everything pushed to the group
arrives over the live feed. A click on a button and a reply quoting a bubble are sent as WeCom sends them
(a card click, a quote), so a new user can try both without WeCom.
Each page keeps its own simulated clock and sends it with every message and job run (`at`), so
trying March on one page never moves the server's time or another page's.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bot.channels.http import read_body
from bot.outbox_sender import push_event
from bot.runtime import Runtime
from bot.wecom.media import MediaFetcher
from handlers.core.messages import Card, Choice, Incoming, Quote
from handlers.core.roster import import_roster
from handlers.demo import DemoRefused, fill_demo
from handlers.jobs import job_named, jobs, run_job
from storage.models import Role
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


#: "Load demo data" on an empty database: enough to rank and nag, generated in seconds.
DEMO_UNITS, DEMO_RECORDS = 12, 2000
#: The years the page's clock may be set to (as `zsbot demo --year`).
CLOCK_YEARS = (2000, 2100)
#: How much of the conversation a reloaded page gets back.
HISTORY = 100


class Clocked(BaseModel):
    #: The page's simulated clock; without a zone it is read in the configured zone; None: now.
    at: datetime | None = None


class SimulatedChoice(BaseModel):
    """A click on a card's button, as WeCom's template_card_event carries it."""

    key: str = Field(min_length=1, max_length=200)
    task_id: str = Field(min_length=1, max_length=200)


class SimulatedMessage(Clocked):
    user_id: str = Field(min_length=1, max_length=64)
    text: str = Field(default="", max_length=20000)
    #: The text of the message this one quotes (WeCom's 引用), if any.
    quote: str | None = Field(default=None, max_length=20000)
    choice: SimulatedChoice | None = None


def card_json(card: Card | None) -> dict[str, Any] | None:
    """A card for the page to draw (title, text, buttons with the keys their clicks send back)."""
    if card is None:
        return None
    return {"task_id": card.task_id, "title": card.title, "text": card.text,
            "buttons": [{"key": b.key, "text": b.text, "primary": b.primary} for b in card.buttons]}


def page_html() -> str:
    return resources.files("bot").joinpath("static/simulator.html").read_text(encoding="utf-8")


class Simulator:
    """The simulator's page and API, like a channel: what it needs is given at construction, and
    `router()` lists its routes; each route is one method below. `wake` tells the outbox sender that a
    job queued pushes."""

    def __init__(self, runtime: Runtime, feed: Feed, wake: Callable[[], None] = lambda: None) -> None:
        self.runtime, self.feed, self.wake = runtime, feed, wake
        self.tz = runtime.settings.schedule.tz

    def router(self) -> APIRouter:
        router = APIRouter()
        router.add_api_route("/", self.page, methods=["GET"], response_class=HTMLResponse, include_in_schema=False)
        router.add_api_route("/simulator/members", self.members, methods=["GET"])
        router.add_api_route("/simulator/demo-roster", self.demo_roster, methods=["POST"])
        router.add_api_route("/simulator/messages", self.send, methods=["POST"])
        router.add_api_route("/simulator/files", self.upload, methods=["POST"])
        router.add_api_route("/simulator/history", self.history, methods=["GET"])
        router.add_api_route("/simulator/jobs", self.job_list, methods=["GET"])
        router.add_api_route("/simulator/jobs/{name}/run", self.job_run, methods=["POST"])
        router.add_api_route("/simulator/demo-data", self.demo_data, methods=["POST"])
        router.add_api_websocket_route("/simulator/live", self.live)
        return router

    def clock(self, asked: Clocked) -> datetime:
        """The page's clock (each page keeps its own), or now."""
        if asked.at is None:
            return datetime.now(self.tz)
        if not CLOCK_YEARS[0] <= asked.at.year <= CLOCK_YEARS[1]:
            # The workday calendar, periods and the demo's year are meant for these years only.
            raise HTTPException(422, f"模拟时间应在{CLOCK_YEARS[0]}年到{CLOCK_YEARS[1]}年之间")
        return asked.at if asked.at.tzinfo else asked.at.replace(tzinfo=self.tz)

    async def page(self) -> HTMLResponse:
        return HTMLResponse(page_html())

    async def members(self) -> dict[str, Any]:
        """Roster members with their unit and role, for the 'speak as' picker."""
        return await run_in_threadpool(_members, self.runtime)

    async def demo_roster(self) -> dict[str, Any]:
        """Load the demo roster into an empty roster only: never re-point real people."""

        def load() -> str:
            rows = csv.DictReader(io.StringIO(DEMO_ROSTER))
            with unit_of_work(self.runtime.engine) as store:
                if store.roster.members():
                    return "名册已有成员，未加载示例名册。"
                return import_roster(((n + 2, row) for n, row in enumerate(rows)), store).summary()

        summary = await run_in_threadpool(load)
        return {"summary": summary, **(await run_in_threadpool(_members, self.runtime))}

    async def send(self, message: SimulatedMessage) -> dict[str, Any]:
        """A message typed on the page goes through the same core as every channel; the reply comes back here."""
        at = self.clock(message)
        choice = Choice(key=message.choice.key, task_id=message.choice.task_id) if message.choice else None
        incoming = Incoming(channel=CHANNEL, msg_id=uuid.uuid4().hex, user_id=message.user_id,
                            text=message.text, at=at, quote=Quote("text", message.quote) if message.quote else None,
                            choice=choice)
        reply = await run_in_threadpool(self.runtime.bot.handle, incoming)
        return {"msg_id": incoming.msg_id, "reply": reply.text, "mentions": list(reply.mentions),
                "stored": reply.stored, "at": at.isoformat(), "card": card_json(reply.card)}

    async def upload(self, request: Request, user_id: str = Query(min_length=1, max_length=64),
                     name: str = Query(min_length=1, max_length=200), at: datetime | None = None,
                     quote: str | None = Query(default=None, max_length=20000)) -> dict[str, Any]:
        """A photo or file sent in the 1:1 chat (the body is its bytes): kept as WeCom's would be after its
        download (checked, stored by its hash under `[evidence] folder`), then handled as 佐证."""
        limit = self.runtime.settings.evidence.max_bytes
        body = await read_body(request, limit + 1)  # bounded: past the limit it is refused, never held whole
        kind = "image" if (request.headers.get("content-type") or "").startswith("image/") else "file"
        fetcher = MediaFetcher.from_settings(self.runtime.settings)
        attachment = await run_in_threadpool(fetcher.keep, [body], kind, name)
        clocked = self.clock(Clocked(at=at))
        incoming = Incoming(channel=CHANNEL, msg_id=uuid.uuid4().hex, user_id=user_id, text="", at=clocked,
                            quote=Quote("text", quote) if quote else None, attachments=(attachment,))
        reply = await run_in_threadpool(self.runtime.bot.handle, incoming)
        return {"msg_id": incoming.msg_id, "reply": reply.text, "mentions": list(reply.mentions),
                "stored": reply.stored, "at": clocked.isoformat(), "card": card_json(reply.card)}

    async def history(self) -> dict[str, Any]:
        """The recent conversation (messages, replies, pushes) in the order it happened, for a reload."""
        return {"events": await run_in_threadpool(_history, self.runtime)}

    async def job_list(self) -> dict[str, Any]:
        return {"jobs": [{"name": job.name, "summary": job.summary} for job in jobs()]}

    async def job_run(self, name: str, asked: Clocked) -> dict[str, Any]:
        """Run a job now for the page's clock, as `zsbot job run NAME --at T` does; a round runs once."""
        job = job_named(name)
        if job is None:
            raise HTTPException(404, f"没有这个任务：{name}")
        at = self.clock(asked)
        outcomes = await run_in_threadpool(run_job, self.runtime.engine, job, at, self.runtime.rules, True)
        self.wake()
        return {"at": at.isoformat(), "outcomes": [o.describe() for o in outcomes]}

    async def demo_data(self, asked: Clocked) -> dict[str, Any]:
        """`zsbot demo` with a modest size, up to the page's clock; a database with data is refused."""
        at = self.clock(asked)
        runtime = self.runtime
        try:
            result = await run_in_threadpool(
                lambda: fill_demo(runtime.engine, runtime.rules, units=DEMO_UNITS, records=DEMO_RECORDS,
                                  year=at.year, now=at))
        except DemoRefused as exc:
            raise HTTPException(409, str(exc)) from None
        return {"summary": result.summary(), **(await run_in_threadpool(_members, runtime))}

    async def live(self, websocket: WebSocket) -> None:
        """The group's pushes as they happen (after the recent history), until the page or the server closes."""
        await websocket.accept()
        queue = self.feed.subscribe()

        async def until_closed() -> None:
            """The page closing, or the server shutting down, ends the feed."""
            with contextlib.suppress(Exception):
                while (await websocket.receive())["type"] != "websocket.disconnect":
                    pass
            queue.put_nowait(None)

        watcher = asyncio.create_task(until_closed())
        try:
            for past in self.feed.history():
                await websocket.send_json(past)
            while (event := await queue.get()) is not None:
                await websocket.send_json(event)
        except WebSocketDisconnect:
            pass
        finally:
            watcher.cancel()
            self.feed.unsubscribe(queue)
            with contextlib.suppress(Exception):
                await websocket.close()


def _members(runtime: Runtime) -> dict[str, Any]:
    with unit_of_work(runtime.engine) as store:
        units = {unit.id: unit.name for unit in store.roster.units()}
        people = [
            {"userid": m.userid, "name": m.name, "unit": units.get(m.unit_id) if m.unit_id else None,
             "role": m.role, "role_name": ROLE_NAMES.get(m.role, m.role)}
            for m in store.roster.members()
        ]
    # The page opens as a liaison: the placeholder example is a report, which a leader without a
    # unit could not make.
    liaison = next((p["userid"] for p in people if p["role"] == Role.LIAISON), None)
    return {"members": people, "units": sorted(set(units.values())),
            "default": liaison or (people[0]["userid"] if people else None)}


def _history(runtime: Runtime) -> list[dict[str, Any]]:
    """Messages with their replies and the pushes, newest HISTORY of each, merged by when they happened."""
    tz = runtime.settings.schedule.tz
    with unit_of_work(runtime.engine) as store:
        names = {m.userid: m.name for m in store.roster.members()}
        events: list[tuple[datetime, dict[str, Any]]] = []
        for message in store.messages.recent(CHANNEL, HISTORY):
            events.append((message.received_at, {
                "type": "message", "user_id": message.user_id, "name": names.get(message.user_id, message.user_id),
                "text": message.text, "reply": message.reply, "at": _utc(message.at).astimezone(tz).isoformat()}))
        for push in store.outbox.listed(limit=HISTORY):
            events.append((push.sent_at or push.created_at, push_event(
                push.key, push.target, push.kind, push.body, push.mentions, push.created_at)))
    events.sort(key=lambda pair: _utc(pair[0]))
    return [event for _, event in events]


def _utc(at: datetime) -> datetime:
    """Stored times come back naive on SQLite (UTC by convention) and aware on PostgreSQL."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
