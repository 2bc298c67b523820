"""Fixtures for the edge: the WeCom stand-in, signers, and runtimes/apps configured against it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime import Runtime
from bot.settings import AibotSettings, OutboxSettings, Settings, WecomSettings
from storage.models import Message, OutboxItem, Record
from storage.store import unit_of_work
from tests.fakes.wecom import (
    AES_KEY,
    BOT_ID,
    BOT_SECRET,
    CORP_ID,
    CORP_SECRET,
    TOKEN,
    CallbackSigner,
    WecomStandIn,
)

LEAD = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"


@pytest.fixture
def standin() -> Iterator[WecomStandIn]:
    with WecomStandIn() as server:
        yield server


@pytest.fixture
def app_signer() -> CallbackSigner:
    return CallbackSigner(TOKEN, AES_KEY, CORP_ID)


@pytest.fixture
def aibot_signer() -> CallbackSigner:
    return CallbackSigner(TOKEN, AES_KEY, "")


def configured(runtime: Runtime, **sections: Any) -> Runtime:
    """The same database and core, with some settings sections replaced."""
    settings: Settings = runtime.settings.model_copy(update=sections)
    return Runtime(settings=settings, engine=runtime.engine, bot=runtime.bot)


def app_section(standin: WecomStandIn | None = None, webhook: bool = False, secret: bool = False) -> WecomSettings:
    return WecomSettings(
        corp_id=CORP_ID, token=TOKEN, encoding_aes_key=AES_KEY, agent_id=1000002,
        secret=CORP_SECRET if secret else "", api_base=standin.base_url if standin else "http://127.0.0.1:9",
        webhook_url=standin.webhook_url if (standin and webhook) else "",
    )


def callback_section() -> AibotSettings:
    return AibotSettings(mode="callback", token=TOKEN, encoding_aes_key=AES_KEY)


def long_connection_section(standin: WecomStandIn, **extra: Any) -> AibotSettings:
    return AibotSettings(mode="websocket", bot_id=BOT_ID, secret=BOT_SECRET, ws_url=standin.ws_url, **extra)


@pytest.fixture
def wecom(roster: Runtime, standin: WecomStandIn) -> Runtime:
    """The standard roster, with the app, the AI-bot callback and the group webhook at the stand-in."""
    return configured(roster, wecom=app_section(standin, webhook=True, secret=True), aibot=callback_section(),
                      outbox=OutboxSettings(poll_s=0.05))


def messages(runtime: Runtime) -> list[Message]:
    with unit_of_work(runtime.engine) as store:
        return list(store.session.exec(select(Message)).all())


def records(runtime: Runtime) -> list[Record]:
    with unit_of_work(runtime.engine) as store:
        return list(store.session.exec(select(Record)).all())


def outbox(runtime: Runtime) -> list[OutboxItem]:
    with unit_of_work(runtime.engine) as store:
        return list(store.outbox.all())


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Run an ASGI app on a real uvicorn at a free loopback port; yields its base URL."""
    import threading
    import time

    import uvicorn

    from tests.fakes.wecom import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
