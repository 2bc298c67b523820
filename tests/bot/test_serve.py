"""`zsbot serve` starts everything and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.fakes.wecom import free_port


def test_zsbot_serve_answers_health_and_the_simulator_when_asked_then_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "zsbot.db"}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSBOT_")}
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config), "serve", "--port", str(port), "--simulator"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "zsbot serve did not come up"
            time.sleep(0.1)
        assert "招商工作群" in httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "Application shutdown complete" in output
