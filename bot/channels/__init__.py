"""One adapter per WeCom channel: wire format in, `Envelope` to the inbox, answer back out."""

from __future__ import annotations

from bot.channels import aibot, app
from bot.inbox.worker import Settle
from bot.settings import Settings


def settlers(settings: Settings) -> dict[str, Settle]:
    """How each channel's answer stands when its handling commits, for a worker in any process."""
    return {aibot.CHANNEL: aibot.settle, app.CHANNEL: app.settler(settings)}
