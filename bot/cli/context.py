"""What every `zsbot` subcommand shares: the global options, settings, runtime and --at times.

Kept apart from `bot/cli/__init__.py` so that feature command modules can use it without importing the
command line that registers them (no import cycle). Importing it costs nothing beyond typer: the
settings (and through their rules the ORM and the parser) are imported by the commands that read
them, so `zsbot parse` never pays for them (tests/bot/test_cli_imports.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import typer

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.settings import Settings
    from handlers.core.periods import Period
    from storage.store import Store

R = TypeVar("R")


class Imported(Protocol):
    @property
    def errors(self) -> Sequence[tuple[int, str]]: ...

    def summary(self) -> str: ...


class State:
    config: Path | None = None


def settings_of(ctx: typer.Context) -> Settings:
    from bot.settings import ConfigError, load_settings

    try:
        return load_settings(ctx.obj.config if ctx.obj else None)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def runtime_of(ctx: typer.Context) -> Runtime:
    return runtime_with(settings_of(ctx))


def runtime_with(settings: Settings) -> Runtime:
    """Connect and migrate, or exit with a message naming the database (never a traceback), its
    connections closed (`zsbot say` ends without the interpreter's teardown, see bot.main)."""
    from bot.runtime import build_runtime  # not at import: `zsbot parse` needs no database
    from storage.db import make_engine

    engine = None
    try:
        engine = make_engine(settings.database.url, settings.database.echo)
        return build_runtime(settings, engine)
    except Exception as exc:
        if engine is not None:
            engine.dispose()
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


def import_file(ctx: typer.Context, file: Path, read: Callable[[Path], R], apply: Callable[[R, Store], Imported],
                failure: str, unreadable: tuple[type[Exception], ...]) -> None:
    """An office file (roster, targets, 包干) read and imported in one unit of work: the summary and
    each bad row by line number (exit 1 when there were any), or one line why the file could not be
    read (exit 2); the good rows are kept either way."""
    from storage.store import unit_of_work

    runtime = runtime_of(ctx)
    if not file.exists():
        typer.echo(f"文件不存在：{file}", err=True)
        raise typer.Exit(2)
    try:
        rows = read(file)
        with unit_of_work(runtime.engine) as store:
            result = apply(rows, store)
    except unreadable as exc:
        typer.echo(f"{failure}：{exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(result.summary())
    if result.errors:
        raise typer.Exit(1)


def period_arg(runtime: Runtime, text: str | None) -> Period:
    """`--period` (2026-03, 2026-Q1, 2026-H1, 2026 or a campaign's name), by default the period of now;
    a period that cannot be read exits with one line saying why."""
    from handlers.core.periods import current_period, period

    schedule = runtime.rules.schedule
    try:
        return period(text, schedule) if text else current_period(datetime.now(schedule.tz), schedule)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
