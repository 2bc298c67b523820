"""The console transport: with no WeCom configured, group pushes are printed instead of sent."""

from __future__ import annotations

from collections.abc import Callable

from bot.runtime import Runtime
from storage.clock import utcnow
from storage.media import MEDIA_KINDS, Media
from storage.store import unit_of_work


def flush_pushes_to_console(runtime: Runtime, echo: Callable[[str], None]) -> int:
    """Print and mark sent every due push, when no webhook or AI bot would carry it."""
    settings = runtime.settings
    if settings.wecom.webhook_url.get_secret_value() or settings.aibot.websocket_enabled:
        return 0
    count = 0
    with unit_of_work(runtime.engine) as store:
        now = utcnow()
        for item in store.outbox.due(now, limit=1000):
            mentions = " ".join(f"@{m}" for m in item.mentions)
            body = Media.describe(item.kind, item.body) if item.kind in MEDIA_KINDS else item.body
            echo(f"[群推送 {item.key}] {body}" + (f"\n{mentions}" if mentions else ""))
            store.outbox.mark_sent(item, now)
            count += 1
    return count
