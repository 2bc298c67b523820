"""`zsbot projects [--unit U] [--json]` and `zsbot projects import FILE`: the project base (项目库)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

projects_app = typer.Typer(help="项目库 projects: 项目、阶段、计划、问题；导入已有台账")


@projects_app.callback(invoke_without_command=True)
def projects(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", help="只看一个单位，例如 卫庄镇")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="按服务约定输出 JSON")] = False,
) -> None:
    """The project base: every project with its stage, amounts, planned dates, problems and records."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.cli.context import runtime_of
    from handlers.project_base.projects import project_base
    from storage.store import unit_of_work

    runtime = runtime_of(ctx)
    with unit_of_work(runtime.engine) as store:
        unit_id = None
        if unit is not None:
            found = store.roster.unit_named(unit)
            if found is None:
                names = "、".join(u.name for u in store.roster.units())
                typer.echo(f"名册中没有单位「{unit}」。参加考核的单位：{names}", err=True)
                raise typer.Exit(2)
            unit_id = found.id
        base = project_base(store, unit_id)
    if as_json:
        typer.echo(json.dumps(base, ensure_ascii=False))
        return
    if not base:
        typer.echo("项目库还没有项目（报送线索、签约时自动建档，或用 zsbot projects import 导入已有台账）。")
        return
    for p in base:
        counted = "" if p["counted"] else f"｜不计：{p['not_counted_reason']}"
        planned = "".join(f"｜计划{k}{v}" for k, v in p["planned"].items())
        open_problems = [q for q in p["problems"] if q["status"] == "open"]
        problems = f"｜问题{len(open_problems)}个待解决" if open_problems else ""
        typer.echo(f"{p['id']} {p['unit']} {p['company'] or ''} {p['name'] or ''}｜{p['stage']}"
                   f"｜签约{p['signed_wan'] or 0:g}万元 到位{p['funds_wan']:g}万元{planned}{problems}{counted}")


@projects_app.command("import")
def projects_import(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="CSV 或 XLSX：单位,投资方,项目名称,阶段,…")]
                    ) -> None:
    """Import the office's existing ledger (projects of earlier periods); re-import updates by unit+company+name."""
    from bot.cli.context import import_file, runtime_of
    from handlers.core.roster import RosterFileError
    from handlers.project_base.projects import import_projects, read_project_rows

    runtime = runtime_of(ctx)
    now = datetime.now(runtime.settings.schedule.tz)
    import_file(ctx, file, read_project_rows, lambda rows, store: import_projects(rows, store, now, runtime.rules),
                "项目导入失败", (RosterFileError,))


def register(app: typer.Typer) -> None:
    app.add_typer(projects_app, name="projects")
