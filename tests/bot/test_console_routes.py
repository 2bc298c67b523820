"""Where a push goes is decided once (bot.settings.group_route / private_route) and the command line agrees with the
sender: in an app-only setup `zsbot say` prints the group's pushes, and leaves a leader's private push in the outbox
for the app to send (it used to print it and mark it sent, so it never reached the leader)."""

from __future__ import annotations

from bot.console import flush_pushes_to_console
from bot.runtime import Runtime
from bot.settings import PushRoute, group_route, private_route
from storage.outbox import Target
from storage.store import unit_of_work

from .conftest import app_section, configured


def _queue(runtime: Runtime) -> None:
    with unit_of_work(runtime.engine) as store:
        store.outbox.push("group-1", "本月通报", Target.group())
        store.outbox.push("private-1", "P5 已开工", Target.user("county_boss"))


def _states(runtime: Runtime) -> dict[str, str]:
    with unit_of_work(runtime.engine) as store:
        return {key: store.outbox.by_key(key).state for key in ("group-1", "private-1")}  # type: ignore[union-attr]


def test_an_app_that_can_send_keeps_private_pushes_for_the_sender(roster: Runtime) -> None:
    runtime = configured(roster, wecom=app_section(secret=True))
    assert (group_route(runtime.settings), private_route(runtime.settings)) == (PushRoute.CONSOLE, PushRoute.APP)
    _queue(runtime)
    printed: list[str] = []
    assert flush_pushes_to_console(runtime, printed.append) == 1
    assert printed == ["[群推送 group-1] 本月通报"]
    assert _states(runtime) == {"group-1": "sent", "private-1": "pending"}


def test_with_nothing_configured_the_console_carries_every_push(roster: Runtime) -> None:
    _queue(roster)
    printed: list[str] = []
    assert flush_pushes_to_console(roster, printed.append) == 2
    assert _states(roster) == {"group-1": "sent", "private-1": "sent"}


def test_an_app_without_its_corp_cannot_send_privately(roster: Runtime) -> None:
    section = app_section(secret=True).model_copy(update={"corp_id": ""})
    assert private_route(configured(roster, wecom=section).settings) is PushRoute.CONSOLE
