"""CONTRIBUTING.md's three recipes, followed in code: if a recipe stops being true, this fails.

Each test walks its recipe's steps with the real parts (parser, router, `Bot`, job registry,
outbox, inbox, channels) on SQLite and PostgreSQL; nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

import bot.channels
from bot.cli import app as cli_app
from bot.inbox import Inbox
from bot.inbox.worker import Worker
from bot.runtime import Runtime
from bot.settings import InboxSettings
from bot.web import create_app
from handlers.core.context import Context
from handlers.core.messages import Incoming, Reply
from handlers.core.periods import month_of
from handlers.core.registry import Router
from handlers.core.rules import Rules
from handlers.core.workdays import Workdays
from handlers.dispatch import Bot
from handlers.jobs import JobContext, Push, Round, Trigger, job, job_named, run_job
from handlers.jobs import base as job_base
from nlp import Intent, Parsed
from storage.inbox import Envelope
from storage.models import InboxItem, Role
from storage.states import InboxState, RoundStatus
from storage.store import unit_of_work
from tests.bot.conftest import app_section, callback_section, configured
from tests.conftest import local
from tests.fakes.wecom import AES_KEY, CORP_ID, TOKEN, CallbackSigner, aibot_text, app_text_xml

# --- Recipe 1: add an intent ----------------------------------------------------------------------


def test_recipe_add_an_intent_routes_a_parsed_message_and_refuses_other_roles(roster: Runtime) -> None:
    # Steps 1-2 (an Intent member and its parse rule) cannot happen in a test: Intent is an enum.
    # This uses an intent the parser already knows, exactly as a new one would be used.
    from nlp import parse

    assert parse("本月情况", date(2026, 3, 10)).intent is Intent.QUERY_SUMMARY

    # Step 3: a handler registered on a router, limited to roles, its docstring the 帮助 line.
    router = Router()

    @router.on(Intent.QUERY_SUMMARY, title="本月概况", examples=("本月情况",), allow=[Role.LEADER, Role.ADMIN])
    def month_overview(parsed: Parsed, ctx: Context) -> Reply:
        """领导查看本单位本月报送概况。"""
        unit = ctx.unit.name if ctx.unit is not None else "全县"
        return Reply(f"{ctx.member.name}您好，{unit}{ctx.today.month}月概况如下。")

    route = router.route_for(Intent.QUERY_SUMMARY)
    assert route is not None and route.summary == "领导查看本单位本月报送概况。"

    # Step 4: a real message through the real parser and the dispatcher (roster → drafts → route).
    bot = Bot(roster.engine, roster.rules, router=router)

    def say(user: str, msg_id: str) -> str:
        return bot.handle(Incoming("test", msg_id, user, "本月情况", local("2026-03-10 10:00"))).text

    assert say("wz_zhao", "m1") == "赵镇长您好，卫庄镇3月概况如下。"
    assert say("county_boss", "m2") == "张县长您好，全县3月概况如下。"
    assert say("wz_liu", "m3") == "这项操作仅限领导、管理员使用。"
    with unit_of_work(roster.engine) as store:
        refused = store.messages.seen("test", "m3")
        assert refused is not None and refused.reply == "这项操作仅限领导、管理员使用。"


# --- Recipe 2: add a scheduled job ----------------------------------------------------------------

HELLO = "recipe-hello"


@pytest.fixture
def hello_job() -> Iterator[str]:
    """Declare the recipe's job with `@job`, and take it out of the registry afterwards
    (the registry is module-wide and has no public way to forget a job)."""

    def due(day: date, rules: Rules, workdays: Workdays) -> list[Round]:
        """Every workday: the round is the day, within the month it belongs to."""
        if not workdays.is_workday(day):
            return []
        month = month_of(datetime.combine(day, datetime.min.time(), tzinfo=rules.schedule.tz), rules.schedule)
        return [Round(period=month.key, name=day.isoformat())]

    def forced(at: datetime, rules: Rules, workdays: Workdays) -> Round:
        """`zsbot job run --at T`: the round of T's day, due or not (the same round `due` names)."""
        return Round(period=month_of(at, rules.schedule).key, name=at.astimezone(rules.schedule.tz).date().isoformat())

    @job(HELLO, "每个工作日早上问候各单位", trigger=lambda s: Trigger(s.nag_time), due=due, forced=forced)
    def say_hello(ctx: JobContext, rnd: Round) -> list[Push]:
        units = ctx.store.roster.units()
        return [Push(f"早上好！今天{ctx.today:%m月%d日}，共{len(units)}个单位在册。")]

    try:
        yield HELLO
    finally:
        job_base._REGISTRY.pop(HELLO, None)


def test_recipe_add_a_job_runs_twice_and_pushes_once(
    roster: Runtime, hello_job: str, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    declared = job_named(hello_job)
    assert declared is not None
    at = local("2026-03-10 09:00")  # a Tuesday, a workday
    first = run_job(roster.engine, declared, at, roster.rules)
    again = run_job(roster.engine, declared, at, roster.rules)
    assert [(o.round.name, o.status, o.pushes) for o in first] == [("2026-03-10", RoundStatus.SENT, 1)]
    assert [o.status for o in again] == [RoundStatus.ALREADY]
    assert run_job(roster.engine, declared, local("2026-03-14 09:00"), roster.rules) == []  # a Saturday

    # The recipe's manual check: `zsbot job run NAME --at …` finds the round already claimed.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", db_url)
    result = CliRunner().invoke(cli_app, ["job", "run", hello_job, "--at", "2026-03-10T09:00"])
    assert result.exit_code == 0, result.output
    assert "本轮已执行过，未重复推送" in result.output

    with unit_of_work(roster.engine) as store:
        pushes = store.outbox.all()
        # The roster fixture has five units (卫庄镇, 南樊镇, 横水镇, 开发区, 商务局).
        assert [(p.key, p.body) for p in pushes] == [
            (f"{hello_job}:2026-03:2026-03-10", "早上好！今天03月10日，共5个单位在册。")]


# --- Recipe 3: add a WeCom channel ----------------------------------------------------------------

CHANNEL = "recipe_json"


class JsonChannel:
    """A channel written by the recipe: wire JSON ⇄ Envelope/reply, persisted before the ack."""

    def __init__(self, runtime: Runtime, inbox: Inbox) -> None:
        self.inbox = inbox
        self.tz = runtime.settings.schedule.tz

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/recipe/hook")
        async def hook(request: Request) -> JSONResponse:
            wire: dict[str, Any] = await request.json()
            envelope = Envelope(channel=CHANNEL, msg_id=wire["id"], user_id=wire["from"], text=wire["text"],
                                at=datetime.fromtimestamp(wire["ts"], self.tz))
            submitted = await self.inbox.submit(envelope, wait_s=0.0)  # ack at once; the answer is stored
            return JSONResponse({"ok": True, "reply": submitted.row.stored_reply()})

        return router


class AckWitness:
    """An ASGI wrapper that, the moment a response starts (the ack), notes which inbox rows another
    connection sees. It blocks the event loop while it looks, so nothing can be stored meanwhile."""

    def __init__(self, app: Any, engine: Any) -> None:
        self.app, self.engine = app, engine
        self.seen: list[set[str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def witness(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                with Session(self.engine) as session:
                    self.seen.append(set(session.exec(select(InboxItem.msg_id)).all()))
            await send(message)

        await self.app(scope, receive, witness)


def _row(runtime: Runtime, channel: str, msg_id: str) -> tuple[str, str | None, int] | None:
    """(state, reply, id) of the inbox row as another connection sees it (so only what was committed)."""
    with unit_of_work(runtime.engine) as store:
        item = store.inbox.by_msg(channel, msg_id)
        return None if item is None else (item.state, item.reply, item.id or 0)


def test_recipe_add_a_channel_persists_before_the_ack_and_answers_from_the_stored_row(roster: Runtime) -> None:
    inbox = Inbox(roster.engine)
    # The answer is kept on the row (no `Settle` for this channel): a redelivery's response carries it.
    worker = Worker(roster.engine, roster.bot, roster.settings.schedule.tz, {}, doorbell=inbox.doorbell,
                    on_handled=lambda handled: inbox.handled(handled.row.id, handled.row))
    web = FastAPI()
    web.include_router(JsonChannel(roster, inbox).router())
    witness = AckWitness(web, roster.engine)
    lead = {"id": "j-1", "from": "wz_liu", "ts": int(local("2026-03-10 10:00").timestamp()),
            "text": "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"}

    async def story() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=witness), base_url="http://zsbot") as client:
            ack = await client.post("/recipe/hook", json=lead)
            assert ack.json() == {"ok": True, "reply": None} and witness.seen == [{"j-1"}]
            # No worker yet: the row another connection sees was committed before the ack.
            stored = _row(roster, CHANNEL, "j-1")
            assert stored is not None and stored[:2] == (InboxState.PENDING, None), "acknowledged before it was stored"
            working = asyncio.create_task(worker.run())
            row = await inbox.wait_handled(await inbox.rows.reread(stored[2]), 30)
            assert row.state is InboxState.DONE and row.reply is not None and row.reply.startswith("✅")
            again = await client.post("/recipe/hook", json=lead)  # WeCom's redelivery gets the stored answer
            assert again.json() == {"ok": True, "reply": row.reply}
            inbox.close()
            await worker.stop(5)
            await working

    asyncio.run(story())
    with unit_of_work(roster.engine) as store:
        assert len(store.records.in_periods(["2026-03"])) == 1, "the redelivery stored nothing twice"


def _channel_modules() -> set[str]:
    """The channels in bot/channels/: modules that name a CHANNEL."""
    found = set()
    for info in pkgutil.iter_modules(bot.channels.__path__):
        module = importlib.import_module(f"bot.channels.{info.name}")
        if hasattr(module, "CHANNEL"):
            found.add(module.CHANNEL)
    return found


def test_every_wecom_channel_has_stored_the_message_when_it_acknowledges(roster: Runtime) -> None:
    # No lifespan, so no worker: whatever the inbox holds at the ack was written before it.
    rt = configured(roster, wecom=app_section(None), aibot=callback_section(),
                    inbox=InboxSettings(reply_within_s=0.0, first_answer_s=0.0))
    witness = AckWitness(create_app(rt), rt.engine)
    client = TestClient(witness)
    app_signer, aibot_signer = CallbackSigner(TOKEN, AES_KEY, CORP_ID), CallbackSigner(TOKEN, AES_KEY, "")
    text = "拜访：今天赴杭州拜访企业2家"

    params, body = app_signer.app_callback(app_text_xml("wz_liu", text, "7001", int(local("2026-03-10 10:00").timestamp())))
    acked = {"wecom_app": client.post("/wecom/callback", params=params, content=body)}
    params, body = aibot_signer.aibot_callback(aibot_text("a-7002", "nf_wang", text))
    acked["aibot"] = client.post("/wecom/aibot", params=params, content=body)

    assert _channel_modules() == set(acked), "a channel in bot/channels/ without a test here"
    assert all(answer.status_code == 200 for answer in acked.values())
    assert witness.seen == [{"7001"}, {"7001", "a-7002"}], "acknowledged before it was stored"
    for channel, msg_id in (("wecom_app", "7001"), ("aibot", "a-7002")):
        stored = _row(rt, channel, msg_id)
        assert stored is not None and stored[:2] == (InboxState.PENDING, None), channel
