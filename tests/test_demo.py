"""`zsbot demo`: a newcomer gets a plausible year in an empty database, and never over real data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli import app
from handlers.core.periods import month_of
from handlers.core.rules import Rules
from handlers.demo import fill_demo
from nlp import parse
from storage.db import make_engine, migrate
from storage.models import Member, Message, Project, Record, Unit

FIXTURES = Path(__file__).parent / "fixtures"
TZ = Rules().schedule.tz


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", db_url)
    return CliRunner()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return {m.__tablename__: s.execute(select(func.count()).select_from(m)).scalar_one()  # type: ignore[attr-defined]
                    for m in (Unit, Member, Record, Project, Message)}
    finally:
        engine.dispose()


def test_demo_gives_the_counts_asked_a_ranking_that_ranks_and_a_bot_that_goes_on(cli: CliRunner, db_url: str) -> None:
    result = cli.invoke(app, ["demo", "--units", "12", "--records", "600", "--year", "2025"])
    assert result.exit_code == 0, result.output
    n = counts(db_url)
    assert n["unit"] == 12 and n["record"] == 600 and n["message"] == 600 and 0 < n["project"] < 600
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            names = [u.name for u in s.execute(select(Unit)).scalars()]
            members = list(s.execute(select(Member)).scalars())
            records = list(s.execute(select(Record)).scalars())
    finally:
        engine.dispose()
    assert any(x.endswith("开发区") for x in names) and any(x.endswith("局") for x in names)
    assert any(x.endswith(("镇", "乡")) for x in names)
    assert {m.unit_id for m in members if m.role == "liaison"} == set(range(1, 13))
    assert {m.role for m in members if m.unit_id is None} == {"leader", "admin"}
    # Every record counts for the period its report time gives (a report on the 21st counts for next month).
    assert all(r.period == month_of(r.reported_at, Rules().schedule).key for r in records)
    assert {r.period for r in records} <= {f"2025-{m:02d}" for m in range(1, 13)}
    assert any(r.late for r in records) and not all(r.late for r in records)
    kinds = Counter(r.kind for r in records)
    assert set(kinds) == {"lead", "visit", "reception", "signing", "start", "funds", "completion", "progress"}
    # A project stands at its furthest milestone: started after a 开工 report, completed after 投产.
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            stages = {p.id: p.stage for p in s.execute(select(Project)).scalars()}
    finally:
        engine.dispose()
    started = {r.project_id for r in records if r.kind == "start"}
    completed = {r.project_id for r in records if r.kind == "completion"}
    assert started and completed
    assert {stages[p] for p in completed} == {"completed"}
    assert {stages[p] for p in started - completed} == {"started"}

    ranked = json.loads(cli.invoke(app, ["rank", "--period", "2025-06", "--json"]).output)
    assert len(ranked) == 12 and ranked[0]["score"] > ranked[-1]["score"] and ranked[0]["reported"]

    liaison = next(m.userid for m in members if m.role == "liaison")
    said = cli.invoke(app, ["say", "--as", liaison, "--at", "2025-06-10T10:00",
                            "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"])
    assert said.exit_code == 0 and "#601" in said.output, said.output


@pytest.mark.parametrize("before", ["roster", "demo"])
def test_demo_refuses_a_database_with_data_and_changes_nothing(cli: CliRunner, db_url: str, before: str) -> None:
    if before == "roster":
        assert cli.invoke(app, ["roster", "import", str(FIXTURES / "roster.csv")]).exit_code == 0
    else:
        assert cli.invoke(app, ["demo", "--units", "3", "--records", "20", "--year", "2025"]).exit_code == 0
    was = counts(db_url)
    result = cli.invoke(app, ["demo", "--units", "5", "--records", "100", "--year", "2025"])
    assert result.exit_code == 1 and "已有数据" in result.output and "未做任何改动" in result.output
    assert counts(db_url) == was


def test_the_same_seed_gives_the_same_year(db_url: str, tmp_path: Path) -> None:
    def year_of(url: str, seed: int) -> list[tuple[object, ...]]:
        engine = make_engine(url)
        try:
            migrate(engine)
            fill_demo(engine, Rules(), units=6, records=200, year=2025, seed=seed)
            with Session(engine) as s:
                return [tuple(r) for r in s.execute(select(
                    Record.id, Record.unit_id, Record.reporter, Record.kind, Record.period, Record.text,
                    Record.amount_cny_wan, Record.project_id).order_by(Record.id))]
        finally:
            engine.dispose()

    first = year_of(db_url, 3)
    assert first == year_of(f"sqlite:///{tmp_path / 'again.db'}", 3)
    assert first != year_of(f"sqlite:///{tmp_path / 'other.db'}", 4)


def test_demo_words_read_back_to_the_facts_stored(tmp_path: Path) -> None:
    """What a record says it understood is what the parser reads from its words (industry aside)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        migrate(engine)
        fill_demo(engine, Rules(), units=8, records=400, year=2025)
        with Session(engine) as s:
            records = list(s.execute(select(Record)).scalars())
    finally:
        engine.dispose()
    keys = ("company", "project", "amount_wan", "currency", "date", "place", "count", "contact_name",
            "contact_phone", "government_funded")
    for r in records:
        p = parse(r.text, r.reported_at.astimezone(TZ).date())
        stored = (r.kind, r.company, r.project_name, r.amount_wan, r.currency, r.event_date, r.place, r.count,
                  r.contact_name, r.contact_phone, r.government_funded)
        assert (str(p.intent), *(getattr(p, k) for k in keys)) == stored, r.text
        assert not p.missing


def test_this_years_demo_stops_at_the_moment_it_is_made(tmp_path: Path) -> None:
    """No report comes from the future: a demo of the current year is filled up to now."""
    from datetime import datetime

    now = datetime(2026, 3, 15, 12, 0, tzinfo=TZ)
    engine = make_engine(f"sqlite:///{tmp_path / 'now.db'}")
    try:
        migrate(engine)
        result = fill_demo(engine, Rules(), units=6, records=300, year=2026, now=now)
        with Session(engine) as s:
            latest = s.execute(select(func.max(Record.reported_at))).scalar_one()
            periods = {p for (p,) in s.execute(select(Record.period).distinct())}
    finally:
        engine.dispose()
    assert result.records == 300 and latest <= now
    assert periods == {"2026-01", "2026-02", "2026-03"} and result.last_period == "2026-03"


def test_a_milestone_on_a_demo_project_joins_it_as_on_a_real_one(cli: CliRunner, db_url: str) -> None:
    """The office tries the demo: a 开工 naming a demo project's company and project is filed under it."""
    assert cli.invoke(app, ["demo", "--units", "6", "--records", "300", "--year", "2026"]).exit_code == 0
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            project = s.execute(select(Project).where(Project.stage == "signed").order_by(Project.id)).scalars().first()
            assert project is not None
            liaison = s.execute(select(Member).where(Member.unit_id == project.unit_id, Member.role == "liaison")
                                ).scalars().first()
            assert liaison is not None
    finally:
        engine.dispose()
    said = cli.invoke(app, ["say", "--as", liaison.userid, "--at", "2026-12-30T10:00",
                            f"开工：{project.company}{project.name}今天开工"])
    assert said.exit_code == 0 and f"已归入本单位跟踪项目 P{project.id}" in said.output, said.output
