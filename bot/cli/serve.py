"""`zsbot serve`: the web service, the AI-bot long connection, the outbox sender and the scheduler."""

from __future__ import annotations

import contextlib
import logging
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option("--host", help="监听地址，默认取 [server] host")] = None,
        port: Annotated[int | None, typer.Option("--port", help="端口，默认取 [server] port")] = None,
        json_logs: Annotated[bool, typer.Option("--json-logs", help="日志输出为 JSON 行")] = False,
        simulator: Annotated[bool, typer.Option("--simulator", help="开启网页模拟群聊（任何人可冒充任何成员，仅供试用）")] = False,
        workers: Annotated[int | None, typer.Option(
            "--workers", min=0, help="PostgreSQL：另起 N 个处理进程（0 表示由别处的 zsbot worker 处理）；默认本进程处理")] = None,
    ) -> None:
        """Run the web service (WeCom callbacks, simulator) with the scheduler and outbox sender."""
        import uvicorn

        from bot.cli.context import runtime_with, settings_of
        from bot.logs import configure_logging
        from bot.settings import SimulatorSettings
        from bot.web import create_app, loopback, simulator_enabled
        from bot.workers import handles_elsewhere

        settings = settings_of(ctx)
        if simulator:
            settings = settings.model_copy(update={"simulator": SimulatorSettings(enabled=True)})
        runtime = runtime_with(settings)
        host = host or settings.server.host
        port = port or settings.server.port
        configure_logging(settings, json=json_logs)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        if simulator_enabled(settings):
            typer.echo(f"模拟群聊已开启：打开 http://{host}:{port}/ 使用（推送显示在页面和日志中）。")
            if not loopback(host):
                typer.echo(f"警告：模拟群聊在 {host} 上监听，不只本机可用；任何能访问它的人都能冒充名册中的任何人。",
                           err=True)
        if workers is not None and not handles_elsewhere(settings, workers):
            typer.echo("SQLite 只有一个写入者：消息由本进程处理，--workers 不起作用（多进程处理请用 PostgreSQL）。", err=True)
            workers = None
        server = uvicorn.Server(uvicorn.Config(
            create_app(runtime, long_lived=True, workers=workers), host=host, port=port, log_level="info", log_config=None,
            timeout_graceful_shutdown=5,
        ))
        try:
            server.run()
        except KeyboardInterrupt:
            pass  # uvicorn re-raises Ctrl-C after a clean shutdown; that is a normal stop
        finally:
            runtime.engine.dispose()
        typer.echo("招商助手已停止。")


def register_worker(app: typer.Typer) -> None:
    @app.command()
    def worker(ctx: typer.Context) -> None:
        """One worker process (PostgreSQL): claims stored messages, handles them, hands the answers back."""
        from bot.cli.context import runtime_with, settings_of
        from bot.logs import configure_logging
        from bot.workers import handles_elsewhere, run_worker

        settings = settings_of(ctx)
        if not handles_elsewhere(settings, 0):
            typer.echo("zsbot worker 需要 PostgreSQL：SQLite 的消息由 zsbot serve 进程自己处理。", err=True)
            raise typer.Exit(2)
        configure_logging(settings, json=False)
        with contextlib.suppress(KeyboardInterrupt):
            run_worker(runtime_with(settings))
        typer.echo("处理进程已停止。")
