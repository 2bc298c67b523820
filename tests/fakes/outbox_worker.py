"""A sender process to kill -9: drains the outbox that ZSBOT_* variables configure, until SIGTERM.

Started by the kill tests and `benchmarks/outbox_faults.py` as `python -m tests.fakes.outbox_worker`
(with the repository on PYTHONPATH and a working directory without a config.toml).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.outbox_sender import OutboxSender
from bot.runtime import build_runtime
from bot.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


def start(db_url: str, standin_base: str, webhook_url: str, workdir: Path, **outbox: object) -> subprocess.Popen[bytes]:
    """Start a worker sending to the stand-in (webhook and app) from `db_url`; `outbox` sets [outbox] keys."""
    from tests.fakes.wecom import CORP_ID, CORP_SECRET

    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSBOT_")}
    env.update({
        "PYTHONPATH": str(REPO), "ZSBOT_DATABASE__URL": db_url, "ZSBOT_WECOM__WEBHOOK_URL": webhook_url,
        "ZSBOT_WECOM__API_BASE": standin_base, "ZSBOT_WECOM__CORP_ID": CORP_ID,
        "ZSBOT_WECOM__SECRET": CORP_SECRET, "ZSBOT_WECOM__AGENT_ID": "1000002",
        **{f"ZSBOT_OUTBOX__{key.upper()}": str(value) for key, value in outbox.items()},
    })
    with open(workdir / "outbox_worker.log", "ab") as log:  # a file: a full pipe would stall the worker
        return subprocess.Popen([sys.executable, "-m", "tests.fakes.outbox_worker"], cwd=workdir, env=env,
                                stdout=subprocess.DEVNULL, stderr=log)


async def serve() -> None:
    runtime = build_runtime(load_settings(None))
    sender = OutboxSender(runtime)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, sender.stop)
    try:
        await sender.run()
    finally:
        await sender.aclose()
        runtime.engine.dispose()


if __name__ == "__main__":
    asyncio.run(serve())
