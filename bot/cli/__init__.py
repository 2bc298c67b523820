"""The `zsbot` command line: the root typer app (parse, say, chat, roster, owners); each submodule of
`bot.cli` registers one office's group of commands (serve and worker, assessment, outbox, demo, stats,
documents, projects, sheet, evidence), and `context` holds what they share (the runtime, periods, `--at`)."""

from __future__ import annotations

import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli import assessment, demo, documents, evidence, outbox, projects, serve, sheet, stats
from bot.cli.context import State, import_file, parse_at, period_arg, runtime_of
from handlers.core.messages import Incoming

if TYPE_CHECKING:
    from bot.runtime import Runtime

app = typer.Typer(add_completion=False, no_args_is_help=True, help="招商助手 zsbot")
roster_app = typer.Typer(no_args_is_help=True, help="名册 roster")
app.add_typer(roster_app, name="roster")
owners_app = typer.Typer(no_args_is_help=True, help="包干 owners (包干制: 项目的包干领导)")
app.add_typer(owners_app, name="owners")


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", help="config.toml 路径")] = None,
) -> None:
    """招商助手: WeCom investment-promotion reporting bot."""
    state = State()
    state.config = config
    ctx.obj = state


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def parse(ctx: typer.Context) -> None:
    """Parse messages (contract: docs/parsing.md): `zsbot parse [--today D] TEXT` or `--jsonl < file`."""
    from nlp.cli import run_parse_cli

    raise typer.Exit(run_parse_cli(list(ctx.args), sys.stdin, sys.stdout))


@app.command()
def say(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="消息内容")],
    as_: Annotated[str, typer.Option("--as", help="发送人企业微信账号 userid")],
    at: Annotated[str | None, typer.Option("--at", help="发送时间 ISO，例如 2026-03-10T09:30")] = None,
) -> None:
    """Handle TEXT exactly as if USERID sent it to the bot at that time; print the reply."""
    runtime = runtime_of(ctx)
    try:
        reply = runtime.bot.handle(
            Incoming(channel="console", msg_id=uuid.uuid4().hex, user_id=as_, text=text, at=parse_at(at, runtime.settings))
        )
        typer.echo(reply.text)
        _flush_console_pushes(runtime)
    finally:
        runtime.engine.dispose()  # closed here, not when the interpreter is torn down: see bot.main


@app.command()
def chat(
    ctx: typer.Context,
    as_: Annotated[str, typer.Option("--as", help="发送人企业微信账号 userid")],
    at: Annotated[str | None, typer.Option("--at", help="模拟开始时间 ISO，例如 2026-03-10T09:30；之后按实际经过的时间前进")] = None,
) -> None:
    """Talk to the bot interactively as USERID (empty line or Ctrl-D to quit).

    With --at the conversation happens at that simulated time, moving on as real time passes, so
    an office can try a month's deadline without waiting for it.
    """
    runtime = runtime_of(ctx)
    tz = runtime.settings.schedule.tz
    start = parse_at(at, runtime.settings)
    began = datetime.now(tz)
    typer.echo(f"以 {as_} 的身份与招商助手对话（{start:%Y-%m-%d %H:%M}），空行或 Ctrl-D 退出。")
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text:
            break
        reply = runtime.bot.handle(
            Incoming(channel="console", msg_id=uuid.uuid4().hex, user_id=as_, text=text,
                     at=start + (datetime.now(tz) - began))
        )
        typer.echo(reply.text)
        _flush_console_pushes(runtime)


@roster_app.command("import")
def roster_import(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="CSV 或 XLSX")]) -> None:
    """Import or update the roster; bad rows are reported by line number, the rest imported."""
    from handlers.core.roster import RosterFileError, import_roster, read_rows

    import_file(ctx, file, read_rows, import_roster, "名册导入失败", (RosterFileError,))


@owners_app.command("import")
def owners_import(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="CSV 或 XLSX：project,owner")]) -> None:
    """Assign 包干领导 to projects (project,owner or 项目,包干领导; empty owner clears); bad rows by line."""
    from handlers.core.roster import RosterFileError
    from handlers.project_base.owners import import_owners, read_owner_rows

    import_file(ctx, file, read_owner_rows, import_owners, "包干导入失败", (RosterFileError,))


@app.command()
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="输出的 Excel 文件，例如 台账.xlsx")],
    period: Annotated[str | None, typer.Option("--period", help="2026-03、2026-Q1、2026；默认本月")] = None,
) -> None:
    """Write the ledger (台账) as an Excel workbook: records, projects, per-unit summary."""
    from handlers.publishing.ledger import write_ledger
    from storage.store import unit_of_work

    runtime = runtime_of(ctx)
    chosen = period_arg(runtime, period)
    with unit_of_work(runtime.engine) as store:
        count = write_ledger(store, chosen, runtime.rules, out)
    typer.echo(f"已导出 {chosen.label} 台账 {count} 条记录到 {out}")


def _flush_console_pushes(runtime: Runtime) -> None:
    """Without WeCom, pushes queued by this command are printed instead of sent."""
    from bot.console import flush_pushes_to_console

    flush_pushes_to_console(runtime, typer.echo)


def main() -> None:
    app()


serve.register(app)
serve.register_worker(app)
assessment.register(app)
outbox.register(app)
demo.register(app)
stats.register(app)
documents.register(app)
projects.register(app)
sheet.register(app)
evidence.register(app)
