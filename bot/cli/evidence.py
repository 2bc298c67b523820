"""`zsbot evidence list [--record N] [--json]` and `zsbot evidence export DIR`: the 佐证 files members sent.

The office checks a signing's contract or hands the files on at an inspection: `export` writes them out
by record (`DIR/#15/合同.pdf`), those on no record yet under `DIR/未关联/`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.models import Evidence

evidence_app = typer.Typer(no_args_is_help=True, help="佐证 evidence: 成员发来的图片和文件")
UNLINKED = "未关联"


def _row(e: Evidence, settings: Settings) -> dict[str, Any]:
    return {"record": f"#{e.record_id}" if e.record_id is not None else None, "kind": e.kind, "name": e.name,
            "bytes": e.bytes, "sha256": e.sha256, "from": e.sender,
            "at": e.at.astimezone(settings.schedule.tz).isoformat(timespec="seconds")}


def _files(ctx: typer.Context, record: int | None) -> tuple[Settings, list[Evidence]]:
    from bot.cli.context import runtime_of
    from storage.store import unit_of_work

    runtime = runtime_of(ctx)
    try:
        with unit_of_work(runtime.engine) as store:
            return runtime.settings, list(store.evidence.listed(record))
    finally:
        runtime.engine.dispose()


@evidence_app.command("list")
def list_evidence(
    ctx: typer.Context,
    record: Annotated[int | None, typer.Option("--record", help="只看一条记录的佐证，例如 15")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="按服务约定输出 JSON")] = False,
) -> None:
    """Evidence files, oldest first: the record each proves, its name, size, SHA-256, sender and time."""
    settings, files = _files(ctx, record)
    rows = [_row(e, settings) for e in files]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        typer.echo("还没有佐证文件（成员在与机器人的单聊中发送图片或文件即存为佐证）。")
        return
    for r in rows:
        typer.echo(f"{r['record'] or UNLINKED} {r['name']}｜{r['bytes']}字节｜{r['from']}｜{r['at']}｜{r['sha256'][:12]}")


@evidence_app.command("export")
def export_evidence(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="输出目录：每条记录一个子目录，例如 DIR/#15/合同.pdf")],
) -> None:
    """Write every evidence file out by record; a file missing from the evidence folder is named (exit 1)."""
    from bot.settings import evidence_folder

    settings, files = _files(ctx, None)
    folder = evidence_folder(settings)
    written, missing = 0, []
    for e in files:
        source = folder / e.path
        if not source.is_file():
            missing.append(f"{e.name}（{e.path}）")
            continue
        target = _free(out / (f"#{e.record_id}" if e.record_id is not None else UNLINKED) / _safe(e.name))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        except OSError as exc:
            typer.echo(f"无法写入 {target}：{exc.strerror or exc}。请换一个可写的目录。", err=True)
            raise typer.Exit(1) from None
        written += 1
    typer.echo(f"已导出 {written} 个佐证文件到 {out}")
    if missing:
        typer.echo(f"佐证目录 {folder} 中缺少 {len(missing)} 个文件：{'、'.join(missing)}", err=True)
        raise typer.Exit(1)


def _safe(name: str) -> str:
    """A sender's file name as one path component (no folders, no hidden files)."""
    cleaned = name.replace("/", "_").replace("\\", "_").strip().lstrip(".")
    return cleaned or "佐证"


def _free(path: Path) -> Path:
    """`path`, or `合同 (2).pdf` when a record has two files of one name."""
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
    return candidate


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
