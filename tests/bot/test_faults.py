"""Nothing acknowledged is lost: a real `zsbot serve` killed (-9) right after the last
acknowledgement, or stopped (SIGTERM) half-way, and started again on the same database.

WeCom's part is played by the stand-in: it sends again what was not acknowledged (the app without
its secret: until the reply carries the receipt) and the long connection redelivers what was
never answered. Every report must be stored once and its receipt reach the sender once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.faults import MODES, run_drill

REPORTS = 30


@pytest.mark.parametrize("fault", ["kill", "term"])
@pytest.mark.parametrize("mode", MODES)
def test_every_acknowledged_report_is_stored_and_answered_once_across_a_restart(
    mode: str, fault: str, tmp_path: Path
) -> None:
    result = run_drill(mode, fault, REPORTS, 20, f"sqlite:///{tmp_path / 'zsbot.db'}", tmp_path)
    print(result.line())
    assert result.restarts == 1
    assert result.acknowledged == REPORTS
    assert (result.stored, result.messages) == (REPORTS, REPORTS)
    assert result.without_receipt == 0 and result.doubled == 0, result.receipts


def test_on_postgresql_two_serve_processes_share_the_inbox_and_one_is_killed(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several serve processes share one PostgreSQL database")
    # The AI-bot callback: its receipts go by passive reply, stream or response_url, each claimed in
    # the database. (App receipts go through the outbox, whose sender does not yet claim rows across
    # processes: two senders send a push twice; left to the outbox work.)
    result = run_drill("aibot", "kill", REPORTS, 20, db_url, tmp_path, extra_serves=1)
    print(result.line())
    assert result.acknowledged == REPORTS
    assert (result.stored, result.messages) == (REPORTS, REPORTS)
    assert result.without_receipt == 0 and result.doubled == 0, result.receipts
    logs = [log.read_text(encoding="utf-8") for log in tmp_path.glob("*.log")]
    assert len(logs) == 2 and all('"POST /wecom/aibot' in log for log in logs), "both processes took reports"
