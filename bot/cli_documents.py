"""`zsbot bulletin --period P --docx FILE`: the period's 通报 as an official document (and its chart)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def bulletin(
    ctx: typer.Context,
    docx: Annotated[Path | None, typer.Option("--docx", help="写出公文格式的通报 .docx")] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="写出排名图 .png")] = None,
    period: Annotated[str | None, typer.Option("--period", help="2026-03、2026-Q1、2026-H1、2026 或活动名；默认本月")] = None,
    at: Annotated[str | None, typer.Option("--at", help="成文日期按此时，ISO；默认现在")] = None,
) -> None:
    """The period's 通报 (GB/T 9704-2012 layout) as a .docx, and/or its ranking chart as a PNG."""
    from bot.cli_context import parse_at, period_arg, runtime_of
    from handlers.documents import bulletin_docx, ranking_image, stats_for
    from storage.store import unit_of_work

    if docx is None and chart is None:
        typer.echo("请用 --docx 文件名（通报）或 --chart 文件名（排名图）说明要生成什么。", err=True)
        raise typer.Exit(2)
    runtime = runtime_of(ctx)
    schedule = runtime.rules.schedule
    when = parse_at(at, runtime.settings)
    chosen = period_arg(runtime, period)
    with unit_of_work(runtime.engine) as store:
        if docx is not None:
            stats, data = bulletin_docx(store, chosen, runtime.rules, when)
            docx.parent.mkdir(parents=True, exist_ok=True)
            docx.write_bytes(data)
            typer.echo(f"已生成 {stats.label} 通报：{docx}（{len(stats.units)}个单位）")
        if chart is not None:
            image = ranking_image(stats_for(store, chosen, runtime.rules))
            chart.parent.mkdir(parents=True, exist_ok=True)
            chart.write_bytes(image.data)
            typer.echo(f"已生成排名图：{chart}")


def register(app: typer.Typer) -> None:
    app.command("bulletin")(bulletin)
