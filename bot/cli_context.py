"""What every `zsbot` subcommand shares: the global options, settings, runtime and --at times.

Kept apart from `bot/cli.py` so that feature command modules can use it without importing the
command line that registers them (no import cycle).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


class State:
    config: Path | None = None


def settings_of(ctx: typer.Context) -> Settings:
    try:
        return load_settings(ctx.obj.config if ctx.obj else None)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def runtime_of(ctx: typer.Context) -> Runtime:
    return runtime_with(settings_of(ctx))


def runtime_with(settings: Settings) -> Runtime:
    """Connect and migrate, or exit with a message naming the database (never a traceback)."""
    from bot.runtime import build_runtime  # not at import: `zsbot parse` needs no database

    try:
        return build_runtime(settings)
    except Exception as exc:
        typer.echo(f"无法连接或初始化数据库 {settings.database.url.split('@')[-1]}: {exc}", err=True)
        raise typer.Exit(2) from None


def parse_at(value: str | None, settings: Settings) -> datetime:
    """An ISO time from the command line; without a zone it is read in the configured zone."""
    tz = settings.schedule.tz
    if not value:
        return datetime.now(tz)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        typer.echo(f"时间格式不对：{value}（例如 2026-03-10T09:30）", err=True)
        raise typer.Exit(2) from None
    return at if at.tzinfo else at.replace(tzinfo=tz)
