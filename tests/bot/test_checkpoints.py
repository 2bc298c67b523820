"""SQLite's WAL goes back into the database file in the background, never inside a commit.

A commit that crosses SQLite's WAL threshold copies the log into the database file itself and
fsyncs: an acknowledgement to WeCom waited ~140 ms for it. `zsbot serve` checkpoints on a thread of
its own instead, and commits cross the (raised) threshold only in short commands.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from bot.runtime import Runtime, build_runtime
from bot.settings import DatabaseSettings, Settings
from bot.web import create_app
from storage.db import WAL_AUTOCHECKPOINT_PAGES, checkpoint
from storage.inbox import Envelope
from storage.store import unit_of_work
from tests.conftest import TZ


def sqlite_runtime(tmp_path: Path) -> tuple[Runtime, Path]:
    db = tmp_path / "zsbot.db"
    return build_runtime(Settings(database=DatabaseSettings(url=f"sqlite:///{db}"))), db


def burst(runtime: Runtime, first: int, count: int) -> None:
    now = datetime.now(TZ)
    with unit_of_work(runtime.engine) as store:
        store.inbox.accept_many([Envelope(channel="aibot", msg_id=f"m-{n}", user_id="wz_liu", text="线索：" + "某" * 500,
                                          at=now) for n in range(first, first + count)])


def test_no_commit_copies_the_wal_before_the_raised_threshold(tmp_path: Path) -> None:
    runtime, db = sqlite_runtime(tmp_path)
    with runtime.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WAL_AUTOCHECKPOINT_PAGES
    before = db.stat().st_size
    burst(runtime, 0, 400)  # ~1,000 pages of WAL: SQLite's default threshold would have copied them
    assert Path(f"{db}-wal").stat().st_size > 1_000_000 and db.stat().st_size == before
    assert checkpoint(runtime.engine) == 0  # everything copied, nobody waiting
    assert db.stat().st_size > before
    runtime.engine.dispose()


def test_serve_copies_the_wal_in_the_background(tmp_path: Path) -> None:
    runtime, db = sqlite_runtime(tmp_path)
    before = db.stat().st_size
    app = create_app(runtime)
    with TestClient(app):
        burst(runtime, 0, 100)
        seen = app.state.checkpoints.done
        deadline = time.monotonic() + 10
        while app.state.checkpoints.done < seen + 2 and time.monotonic() < deadline:  # one full round after the write
            time.sleep(0.05)
        assert app.state.checkpoints.done >= seen + 2
        assert db.stat().st_size > before
    runtime.engine.dispose()
