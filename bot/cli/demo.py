"""`zsbot demo`: a made-up, plausible year in an empty database, for trying the bot and for benchmarks."""

from __future__ import annotations

from typing import Annotated

import typer


def demo(
    ctx: typer.Context,
    units: Annotated[int, typer.Option("--units", min=1, max=1000, help="单位数（开发区、乡镇、部门）")] = 24,
    records: Annotated[int, typer.Option("--records", min=0, help="报送条数")] = 3000,
    year: Annotated[int | None, typer.Option("--year", min=2000, max=2100, help="年份；默认今年（今年只填到此刻）")] = None,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同样的参数得到同样的数据")] = 7,
) -> None:
    """Fill an EMPTY database with a made-up year; a database with any data is refused, untouched."""
    from bot.cli.context import runtime_of
    from handlers.demo import DemoRefused, fill_demo

    runtime = runtime_of(ctx)
    try:
        result = fill_demo(runtime.engine, runtime.rules, units=units, records=records, year=year, seed=seed)
    except DemoRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(result.summary())


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
