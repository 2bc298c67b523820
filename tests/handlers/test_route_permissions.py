"""Permissions are declared on routes (`allow=Role.ADMIN`) and checked once, by the dispatcher."""

from __future__ import annotations

from bot.runtime import Runtime
from handlers.core.context import Context
from handlers.core.messages import Incoming, Reply
from handlers.core.registry import Router
from handlers.dispatch import Bot
from handlers.features import router
from nlp import Intent, Parsed
from storage.models import Role
from storage.store import unit_of_work
from tests.conftest import Chat, local

REFUSED = "群发通报仅限招商办管理员使用，本条未转发。如需发布请联系招商办。"


def test_the_registry_lists_who_may_use_each_route() -> None:
    bulletin = router.route_for(Intent.BULLETIN)
    assert bulletin is not None and bulletin.roles == "管理员"
    lead = router.route_for(Intent.LEAD)
    assert lead is not None and lead.roles == "联络员、领导、管理员"


def test_a_liaison_broadcast_is_refused_and_nothing_is_queued(chat: Chat) -> None:
    reply = chat.send("wz_liu", "通报：请各单位本周五前完成报送", at="2026-03-10 10:00")
    assert reply.text == REFUSED and not reply.stored
    with chat.store() as store:
        assert store.outbox.all() == []
    sent = chat.send("office", "通报：请各单位本周五前完成报送", at="2026-03-10 10:01")
    assert sent.text.startswith("📣 已提交群发")


def test_help_leaves_out_what_the_sender_may_not_use(chat: Chat) -> None:
    assert "群发通报" not in chat.send("wz_liu", "帮助").text
    assert "群发通报" in chat.send("office", "帮助").text


def test_a_new_route_limited_to_leaders_is_refused_to_a_liaison_without_calling_it(roster: Runtime) -> None:
    local_router = Router()
    calls: list[str] = []

    @local_router.on(Intent.QUERY_RANK, allow=[Role.LEADER, Role.ADMIN])
    def leaders_only(parsed: Parsed, ctx: Context) -> Reply:
        """Only for leaders."""
        calls.append(ctx.member.userid)
        return Reply("ok")

    bot = Bot(roster.engine, roster.rules, router=local_router, parse=lambda text, today: Parsed(Intent.QUERY_RANK))

    def ask(user: str, n: int) -> str:
        return bot.handle(Incoming("test", f"m{n}", user, "排名", local("2026-03-10 10:00"))).text

    assert ask("wz_liu", 1) == "这项操作仅限领导、管理员使用。"
    assert (ask("wz_zhao", 2), ask("county_boss", 3)) == ("ok", "ok")
    assert calls == ["wz_zhao", "county_boss"]
    with unit_of_work(roster.engine) as store:
        assert store.messages.seen("test", "m1") is not None, "a refused message is still logged"
