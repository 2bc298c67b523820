"""The handler registry: a decorator registers a handler for one or more intents, or for the clicks on
a card's buttons (`router.on_click("confirm", …)`).

Like bolt-python listeners or nonebot2 matchers; `router.routes()` lists what the bot understands,
and `帮助` is built from the handlers' own docstrings and examples. A route may be limited to roles
(`allow=Role.ADMIN`, like nonebot2's `permission=`): the dispatcher checks it in one place and answers
the route's `refusal` instead of calling the handler; `帮助` leaves out what the sender may not use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from handlers.core.context import Context
from handlers.core.messages import Choice, Reply
from nlp import Intent, Parsed
from storage.models import Role

HandlerFn = Callable[[Parsed, Context], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    intents: tuple[Intent, ...]
    fn: HandlerFn
    examples: tuple[str, ...]
    title: str
    #: The roles that may use the route (every role unless `allow=` narrows it).
    allow: frozenset[Role] = frozenset(Role)
    #: What a sender of another role is told (nothing is done).
    refusal: str = ""

    def allows(self, role: Role) -> bool:
        return role in self.allow

    @property
    def roles(self) -> str:
        """联络员、领导、管理员 — who may use the route, for listings."""
        return "、".join(r.label for r in Role if r in self.allow)

    @property
    def summary(self) -> str:
        return (self.fn.__doc__ or "").strip().splitlines()[0] if self.fn.__doc__ else ""


ClickFn = Callable[[Choice, Context], Reply]


@dataclass(frozen=True, slots=True)
class ClickRoute:
    """What a click on a card's button does: the button keys' actions (`confirm` of `confirm:15`)."""

    actions: tuple[str, ...]
    fn: ClickFn
    allow: frozenset[Role] = frozenset(Role)
    refusal: str = ""

    def allows(self, role: Role) -> bool:
        return role in self.allow


def action_of(choice: Choice) -> tuple[str, str]:
    """`confirm:15` → ("confirm", "15"): the action and what it acts on."""
    action, _, subject = choice.key.partition(":")
    return action, subject


class Router:
    def __init__(self) -> None:
        self._by_intent: dict[Intent, Route] = {}
        self._routes: list[Route] = []
        self._by_action: dict[str, ClickRoute] = {}

    def on_click(self, *actions: str, allow: Role | Iterable[Role] | None = None,
                 refusal: str = "") -> Callable[[ClickFn], ClickFn]:
        """Register the decorated function for clicks on buttons whose key starts with one of `actions`,
        for the roles in `allow` (everyone when None); a click by anyone else changes nothing and gets
        `refusal`, as the typed command would."""
        roles = frozenset(Role) if allow is None else frozenset([allow] if isinstance(allow, Role) else allow)
        if roles != frozenset(Role) and not refusal:
            refusal = f"这项操作仅限{'、'.join(r.label for r in Role if r in roles)}使用。"

        def register(fn: ClickFn) -> ClickFn:
            route = ClickRoute(actions=actions, fn=fn, allow=roles, refusal=refusal)
            for action in actions:
                if action in self._by_action:
                    raise ValueError(f"button action {action} already handled by {self._by_action[action].fn.__name__}")
                self._by_action[action] = route
            return fn

        return register

    def click_route(self, choice: Choice) -> ClickRoute | None:
        return self._by_action.get(action_of(choice)[0])

    def on(
        self,
        *intents: Intent,
        title: str = "",
        examples: tuple[str, ...] = (),
        allow: Role | Iterable[Role] | None = None,
        refusal: str = "",
    ) -> Callable[[HandlerFn], HandlerFn]:
        """Register the decorated function as the handler of `intents` (one handler per intent),
        for the roles in `allow` (everyone when None); others get `refusal`."""
        roles = frozenset(Role) if allow is None else frozenset([allow] if isinstance(allow, Role) else allow)
        if not roles:
            raise ValueError(f"{intents}: allow= names no role")
        if roles != frozenset(Role) and not refusal:
            refusal = f"这项操作仅限{'、'.join(r.label for r in Role if r in roles)}使用。"

        def register(fn: HandlerFn) -> HandlerFn:
            route = Route(intents=intents, fn=fn, examples=examples, title=title, allow=roles, refusal=refusal)
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
