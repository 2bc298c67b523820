"""The console transport: with no WeCom configured, group pushes are printed instead of sent."""

from __future__ import annotations

from collections.abc import Callable

from bot.runtime import Runtime
from bot.settings import PushRoute, group_route, private_route
from storage.clock import utcnow
from storage.media import MEDIA_KINDS, Media
from storage.outbox import Target
from storage.store import unit_of_work


def flush_pushes_to_console(runtime: Runtime, echo: Callable[[str], None]) -> int:
    """Print and mark sent every due push that nothing else would carry: group pushes with no webhook or AI bot,
    private pushes with no app that can send them (those wait in the outbox for `zsbot serve`'s sender)."""
    settings = runtime.settings
    console_group = group_route(settings) is PushRoute.CONSOLE
    console_private = private_route(settings) is PushRoute.CONSOLE
    if not (console_group or console_private):
        return 0
    count = 0
    with unit_of_work(runtime.engine) as store:
        now = utcnow()
        for item in store.outbox.due(now, limit=1000):
            if not (console_group if Target.parse(item.target).is_group else console_private):
                continue
            mentions = " ".join(f"@{m}" for m in item.mentions)
            body = Media.describe(item.kind, item.body) if item.kind in MEDIA_KINDS else item.body
            echo(f"[群推送 {item.key}] {body}" + (f"\n{mentions}" if mentions else ""))
            store.outbox.mark_sent(item, now)
            count += 1
    return count
