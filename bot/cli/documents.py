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
    from bot.cli.context import parse_at, period_arg, runtime_of
    from handlers.publishing.documents import bulletin_docx, ranking_image, stats_for
    from storage.store import unit_of_work

    if docx is None and chart is None:
        typer.echo("请用 --docx 文件名（通报）或 --chart 文件名（排名图）说明要生成什么。", err=True)
        raise typer.Exit(2)
    runtime = runtime_of(ctx)
    when = parse_at(at, runtime.settings)
    chosen = period_arg(runtime, period)
    with unit_of_work(runtime.engine) as store:
        if docx is not None:
            stats, data = bulletin_docx(store, chosen, runtime.rules, when)
            _write(docx, data)
            typer.echo(f"已生成 {stats.label} 通报：{docx}（{len(stats.units)}个单位）")
        if chart is not None:
            try:
                image = ranking_image(stats_for(store, chosen, runtime.rules))
            except ValueError as exc:
                typer.echo(f"排名图未能生成：{exc}。", err=True)
                raise typer.Exit(1) from None
            _write(chart, image.data)
            typer.echo(f"已生成排名图：{chart}")


def _write(path: Path, data: bytes) -> None:
    """Write `path` (its folder made if missing), or say in one line why not (exit 1), never a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        typer.echo(f"无法写入 {path}：{exc.strerror or exc}。请换一个可写的路径。", err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    app.command("bulletin")(bulletin)
