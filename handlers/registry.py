"""The handler registry: a decorator registers a handler for one or more intents.

Like bolt-python listeners or nonebot2 matchers; `router.routes()` lists what the bot understands,
and `帮助` is built from the handlers' own docstrings and examples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.context import Context
from handlers.messages import Reply
from nlp import Intent, Parsed

HandlerFn = Callable[[Parsed, Context], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    intents: tuple[Intent, ...]
    fn: HandlerFn
    examples: tuple[str, ...]
    title: str

    @property
    def summary(self) -> str:
        return (self.fn.__doc__ or "").strip().splitlines()[0] if self.fn.__doc__ else ""


class Router:
    def __init__(self) -> None:
        self._by_intent: dict[Intent, Route] = {}
        self._routes: list[Route] = []

    def on(self, *intents: Intent, title: str = "", examples: tuple[str, ...] = ()) -> Callable[[HandlerFn], HandlerFn]:
        """Register the decorated function as the handler of `intents` (one handler per intent)."""

        def register(fn: HandlerFn) -> HandlerFn:
            route = Route(intents=intents, fn=fn, examples=examples, title=title)
            for intent in intents:
                if intent in self._by_intent:
                    raise ValueError(f"{intent} already handled by {self._by_intent[intent].fn.__name__}")
                self._by_intent[intent] = route
            self._routes.append(route)
            return fn

        return register

    def route_for(self, intent: Intent) -> Route | None:
        return self._by_intent.get(intent)

    def routes(self) -> list[Route]:
        return list(self._routes)


#: The registry the feature modules register into (see handlers.features for the list of modules).
router = Router()
