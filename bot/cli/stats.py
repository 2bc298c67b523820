"""`zsbot targets import FILE` and `zsbot stats [--period P] [--json]`: targets in, assessment out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

targets_app = typer.Typer(no_args_is_help=True, help="考核目标 targets")


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")
    app.command("stats")(stats)


@targets_app.command("import")
def targets_import(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="CSV 或 XLSX")]) -> None:
    """Import a year's targets (unit,year,metric,value); bad rows are reported by line, the rest imported."""
    from bot.cli.context import import_file
    from handlers.assessment.targets import TargetFileError, import_targets, read_target_rows
    from storage.clock import utcnow

    import_file(ctx, file, read_target_rows, lambda rows, store: import_targets(rows, store, "cli", utcnow()),
                "目标导入失败", (TargetFileError,))


def stats(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option("--period", help="2026-03、2026-Q1、2026-H1、2026 或活动名；默认本月")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="按服务约定输出 JSON")] = False,
) -> None:
    """Targets against 序时进度, pipeline rates and the ranking of a period (default: this month)."""
    from bot.cli.context import period_arg, runtime_of
    from handlers.assessment.stats import compute_stats, stats_text
    from storage.store import unit_of_work

    runtime = runtime_of(ctx)
    chosen = period_arg(runtime, period)
    with unit_of_work(runtime.engine) as store:
        result = compute_stats(store, runtime.rules, chosen)
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False) if as_json else stats_text(result))
