"""`zsbot sheet sync`: the live ledger (智能表格) of the year, written through the self-built app."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import typer

sheet_app = typer.Typer(no_args_is_help=True, help="智能表格 live ledger ([sheet] enabled = true)")


def register(app: typer.Typer) -> None:
    app.add_typer(sheet_app, name="sheet")


@sheet_app.command("sync")
def sync(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option("--period", help="2026、2026-Q1、2026-03；默认今年")] = None,
) -> None:
    """Write the 项目 and 台账 sheets: the first run creates the smart sheet, later runs add new rows and update
    changed ones only. Without document API authority, 台账 rows go through [sheet] webhook_key."""
    import httpx

    from bot.cli.context import period_arg, runtime_of
    from bot.sheet_sync import LiveLedger
    from bot.wecom.smartsheet import NoAuthority, SheetApiError
    from bot.wecom.webhook import SendError, keep_urls_out_of_logs
    from handlers.core.periods import month_of

    runtime = runtime_of(ctx)
    settings = runtime.settings
    try:
        if not settings.sheet.enabled:
            typer.echo("智能表格未开启：在配置中设 [sheet] enabled = true（见 docs/wecom-setup.md）。", err=True)
            raise typer.Exit(2)
        schedule = runtime.rules.schedule
        chosen = period_arg(runtime, period or str(month_of(datetime.now(schedule.tz), schedule).year))
        keep_urls_out_of_logs()

        async def run() -> None:
            async with httpx.AsyncClient(timeout=settings.outbox.timeout_s, trust_env=False) as client:
                report = await LiveLedger(runtime.engine, settings, runtime.rules, client).sync(chosen)
            if report.fallback:
                typer.echo(report.fallback)
            for line in report.lines:
                typer.echo(line)

        try:
            asyncio.run(run())
        except NoAuthority as refused:
            typer.echo(f"无智能表格接口权限（errcode {refused.errcode}）：请在管理后台 协作 → 文档 → API 把本应用加入"
                       "「可调用应用」，或设置 [sheet] webhook_key。", err=True)
            raise typer.Exit(1) from None
        except (SheetApiError, SendError) as failed:
            typer.echo(f"智能表格同步未完成：{failed}（已写入的行已记下，再次运行会接着写）", err=True)
            raise typer.Exit(1) from None
    finally:
        runtime.engine.dispose()
