"""`zsbot serve`: the web service, the AI-bot long connection, the outbox sender and the scheduler."""

from __future__ import annotations

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
    ) -> None:
        """Run the web service (WeCom callbacks, simulator) with the scheduler and outbox sender."""
        import uvicorn

        from bot.cli_context import runtime_of
        from bot.logs import configure_logging
        from bot.web import create_app, simulator_enabled

        runtime = runtime_of(ctx)
        settings = runtime.settings
        host = host or settings.server.host
        port = port or settings.server.port
        configure_logging(settings, json=json_logs)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        if simulator_enabled(settings):
            typer.echo(f"未配置企业微信：打开 http://{host}:{port}/ 使用模拟群聊（推送显示在页面和日志中）。")
        server = uvicorn.Server(uvicorn.Config(
            create_app(runtime), host=host, port=port, log_level="info", log_config=None,
            timeout_graceful_shutdown=5,
        ))
        try:
            server.run()
        except KeyboardInterrupt:
            pass  # uvicorn re-raises Ctrl-C after a clean shutdown; that is a normal stop
        finally:
            runtime.engine.dispose()
        typer.echo("招商助手已停止。")
