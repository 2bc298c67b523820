"""Logging for `zsbot serve`: structlog renders every stdlib log line, with secrets scrubbed.

Secrets are the configured SecretStr values and any `key=` / `access_token=` in URLs (the group
robot's webhook key is a credential), so a pasted log never leaks them.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from bot.settings import Settings

_URL_SECRET = re.compile(r"((?:key|access_token|corpsecret|secret)=)[^&\s\"']+", re.IGNORECASE)


def secret_values(settings: Settings) -> list[str]:
    values = [
        settings.wecom.token, settings.wecom.encoding_aes_key, settings.wecom.secret, settings.wecom.webhook_url,
        settings.aibot.secret, settings.aibot.token, settings.aibot.encoding_aes_key,
    ]
    return [v.get_secret_value() for v in values if len(v.get_secret_value()) >= 6]


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return _URL_SECRET.sub(r"\1***", text)


def _scrubber(secrets: list[str]) -> Any:
    def processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
        return {k: scrub(v, secrets) if isinstance(v, str) else v for k, v in event.items()}

    return processor


def _timestamper(tz: ZoneInfo) -> Any:
    """Log times in the county's zone (Asia/Shanghai), like every other time zsbot shows."""

    def processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
        event["timestamp"] = datetime.now(tz).isoformat(timespec="milliseconds")
        return event

    return processor


def configure_logging(settings: Settings, level: int = logging.INFO, json: bool = False) -> None:
    """Route stdlib logging through structlog (console or JSON lines), scrubbing secrets."""
    shared: list[Any] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _timestamper(settings.schedule.tz),
        structlog.processors.format_exc_info,
        _scrubber(secret_values(settings)),
    ]
    renderer: Any = structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer(
        colors=False
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
