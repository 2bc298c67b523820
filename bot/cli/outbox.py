"""`zsbot outbox list|retry`: what waits, what went, what failed, and sending a failed push again."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer

from storage.states import OutboxStatus

if TYPE_CHECKING:
    from storage.models import OutboxItem

outbox_app = typer.Typer(no_args_is_help=True, help="推送队列 outbox")

LABELS = {OutboxStatus.PENDING: "等待", OutboxStatus.SENT: "已发送", OutboxStatus.FAILED: "失败"}


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")


@outbox_app.command("list")
def list_pushes(
    ctx: typer.Context,
    status: Annotated[OutboxStatus | None, typer.Option("--status", help="只看 pending、sent 或 failed")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="最多显示最近几条")] = 50,
) -> None:
    """Pushes waiting, sent and failed (newest `limit`), with why a push waits or failed."""
    from bot.cli.context import runtime_of
    from storage.store import unit_of_work

    runtime = runtime_of(ctx)
    tz = runtime.rules.schedule.tz
    with unit_of_work(runtime.engine) as store:
        counts = store.outbox.counts()
        items = store.outbox.listed(status, limit)
    typer.echo(" · ".join(f"{LABELS[s]} {counts[s]}" for s in OutboxStatus))
    for item in items:
        typer.echo(describe(item, tz))


def describe(item: OutboxItem, tz: tzinfo) -> str:
    """One line per push: id, status, when, target, key, attempts, the reason it waits, the text's start."""
    status = OutboxStatus(item.state)
    if status is OutboxStatus.SENT and item.sent_at:
        when = f"发送于 {_local(item.sent_at, tz)}"
    elif status is OutboxStatus.PENDING:
        when = f"{_local(item.due_at, tz)} 起发送"
    else:
        when = f"排队于 {_local(item.created_at, tz)}"
    from storage.media import MEDIA_KINDS, Media

    body = Media.describe(item.kind, item.body) if item.kind in MEDIA_KINDS else item.body
    first_line = body.strip().splitlines()[0] if body.strip() else ""
    preview = first_line if len(first_line) <= 30 else f"{first_line[:30]}…"
    fields = [f"#{item.id}", LABELS[status], when, item.target, item.key]
    if item.attempts:
        fields.append(f"被拒 {item.attempts} 次")
    if item.parts_sent and status is not OutboxStatus.SENT:
        fields.append(f"已发 {item.parts_sent} 段")
    if item.last_error and status is not OutboxStatus.SENT:
        fields.append(f"原因：{item.last_error}")
    return "  ".join(fields) + f"\n    {preview}"


def _local(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


@outbox_app.command("retry")
def retry(
    ctx: typer.Context,
    push_id: Annotated[int | None, typer.Argument(metavar="ID", help="推送编号（见 zsbot outbox list）")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="重新排队所有失败的推送")] = False,
) -> None:
    """Requeue a failed push (or every failed one) with fresh attempts; a waiting one goes now."""
    from bot.cli.context import runtime_of
    from storage.clock import utcnow
    from storage.store import unit_of_work

    if (push_id is None) == (not failed):
        typer.echo("请给出推送编号，或用 --failed 重发全部失败的推送（二者选一）。", err=True)
        raise typer.Exit(2)
    runtime = runtime_of(ctx)
    with unit_of_work(runtime.engine) as store:
        if push_id is None:
            count = store.outbox.requeue_failed(utcnow())
            typer.echo(f"已重新排队 {count} 条失败的推送，由运行中的 zsbot serve 发出。" if count
                       else "没有失败的推送。")
            return
        item = store.outbox.get(push_id)
        if item is None:
            typer.echo(f"没有编号为 {push_id} 的推送。", err=True)
            raise typer.Exit(2)
        was = OutboxStatus(item.state)
        if not store.outbox.requeue(item, utcnow()):
            typer.echo(f"推送 #{push_id} 已于 {_local(item.sent_at or item.created_at, runtime.rules.schedule.tz)} "
                       "发送，不再重发。", err=True)
            raise typer.Exit(1)
    if was is OutboxStatus.FAILED:
        typer.echo(f"推送 #{push_id} 已重新排队，由运行中的 zsbot serve 发出。")
    else:
        typer.echo(f"推送 #{push_id} 本在等待，已改为现在发送。")
