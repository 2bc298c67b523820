"""The registry is the map of what the bot understands: every intent has exactly one handler."""

from __future__ import annotations

import pytest

from handlers.core.registry import Router
from handlers.features import router
from nlp import Intent


def test_every_intent_has_a_handler() -> None:
    unhandled = [intent for intent in Intent if router.route_for(intent) is None]
    assert unhandled == []


def test_registering_an_intent_twice_is_refused() -> None:
    local = Router()

    @local.on(Intent.HELP)
    def first(parsed, ctx):  # type: ignore[no-untyped-def]
        """First."""

    with pytest.raises(ValueError, match="already handled"):

        @local.on(Intent.HELP)
        def second(parsed, ctx):  # type: ignore[no-untyped-def]
            """Second."""


def test_routes_list_titles_and_examples_for_help() -> None:
    titled = [route for route in router.routes() if route.title]
    assert any("线索" in example for route in titled for example in route.examples)
    assert all(route.summary for route in titled)
