"""`zsbot job list`: an office sees when each job will next send, on the Chinese workday calendar."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    return CliRunner()


def _runs_of(output: str, job: str) -> str:
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(job))
    return lines[at + 1]


def test_bulletin_runs_skip_the_labour_day_holiday_and_a_saturday(cli: CliRunner) -> None:
    # Defaults: bulletin_days [1, 16] at 09:30, moved to the next workday. 2026: 5月1日–5日 放假,
    # so 1 May goes out on Wed 6 May; 16 May is a Saturday, so Mon 18 May; 1 June is a Monday.
    result = cli.invoke(app, ["job", "list", "--at", "2026-04-20T10:00"])
    assert result.exit_code == 0, result.output
    assert "2026-05-06（周三）09:30、2026-05-18（周一）09:30、2026-06-01（周一）09:30" in _runs_of(
        result.output, "bulletin"
    )


def test_nag_on_a_sunday_moves_to_the_friday_before(cli: CliRunner) -> None:
    # nag_days [15, 18, 19] at 09:00; 15 March 2026 is a Sunday, so Friday 13 March.
    result = cli.invoke(app, ["job", "list", "--at", "2026-03-01T00:00"])
    assert "2026-03-13（周五）09:00、2026-03-18（周三）09:00、2026-03-19（周四）09:00" in _runs_of(
        result.output, "monthly-nag"
    )


def test_the_assessment_calendar_jobs_are_listed_with_their_next_runs(cli: CliRunner) -> None:
    # 20 December 2024 is a Friday: the annual assessment goes out the next workday, Monday the 23rd;
    # 20 December 2025 is a Saturday: Monday the 22nd. 1 July 2025 is a Tuesday.
    result = cli.invoke(app, ["job", "list", "--at", "2024-12-01T00:00"])
    assert result.exit_code == 0, result.output
    assert "2024-12-23（周一）09:30、2025-12-22（周一）09:30" in _runs_of(result.output, "year-end")
    assert "2025-07-01（周二）09:30" in _runs_of(result.output, "half-year")
    for name in ("campaign-phases", "campaign-close", "meeting"):
        assert "一年内无" in _runs_of(result.output, name)  # none configured
