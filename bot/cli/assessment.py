"""`zsbot rank` and `zsbot job run|list`: the ranking and the scheduled jobs, from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

job_app = typer.Typer(no_args_is_help=True, help="定时任务 scheduled jobs")


def rank(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option("--period", help="2026-03、2026-Q1、2026-H1、2026 或活动名；默认本月")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="按服务约定输出 JSON")] = False,
) -> None:
    """The ranking of all assessed units for a period (default: the period of this moment)."""
    from bot.cli.context import period_arg, runtime_of
    from handlers.assessment.ranking import contract_json, table, table_text
    from storage.store import unit_of_work

    runtime = runtime_of(ctx)
    chosen = period_arg(runtime, period)
    with unit_of_work(runtime.engine) as store:
        result = table(store, chosen, runtime.rules)
    if as_json:
        typer.echo(json.dumps(contract_json(result), ensure_ascii=False))
    else:
        typer.echo(table_text(result))


@job_app.command("run")
def job_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="monthly-nag、overdue-list、bulletin、stale-projects、quarterly-planning、"
                                                 "campaign-phases、campaign-close、half-year、year-end、meeting、"
                                                 "weekly-inspection")],
    at: Annotated[str | None, typer.Option("--at", help="当作此时执行，ISO，例如 2026-03-18T09:00")] = None,
) -> None:
    """Run a scheduled job now as if the clock read --at; a round that ran already is not sent again."""
    from bot.cli.context import parse_at, runtime_of
    from bot.console import flush_pushes_to_console
    from handlers.jobs import job_named, jobs, run_job

    runtime = runtime_of(ctx)
    job = job_named(name)
    if job is None:
        typer.echo(f"没有这个任务：{name}（可用：{'、'.join(j.name for j in jobs())}）", err=True)
        raise typer.Exit(2)
    for outcome in run_job(runtime.engine, job, parse_at(at, runtime.settings), runtime.rules, forced=True):
        typer.echo(outcome.describe())
    flush_pushes_to_console(runtime, typer.echo)


@job_app.command("list")
def job_list(
    ctx: typer.Context,
    at: Annotated[str | None, typer.Option("--at", help="从此时起算，ISO，例如 2026-03-01T00:00；默认现在")] = None,
) -> None:
    """The scheduled jobs and their next three runs on the workday calendar."""
    from bot.cli.context import parse_at, settings_of
    from bot.runtime import rules_of
    from handlers.jobs import jobs, next_runs

    settings = settings_of(ctx)
    rules = rules_of(settings)
    after = parse_at(at, settings)
    weekdays = "一二三四五六日"
    for job in jobs():
        runs = next_runs(job, rules, after)
        when = "、".join(f"{r:%Y-%m-%d}（周{weekdays[r.weekday()]}）{r:%H:%M}" for r in runs) or "一年内无"
        typer.echo(f"{job.name:<20} {job.summary}\n{'':<20} 下次：{when}")


def register(app: typer.Typer) -> None:
    app.command("rank")(rank)
    app.add_typer(job_app, name="job")
