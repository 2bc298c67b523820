"""The schema comes from Alembic migrations and behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect

from bot.runtime import Runtime
from storage.db import migrate
from storage.store import unit_of_work


def test_migrations_create_every_table_and_rerun_safely(runtime: Runtime) -> None:
    migrate(runtime.engine)
    tables = set(inspect(runtime.engine).get_table_names())
    assert {"unit", "member", "message", "record", "project", "draft", "audit", "outbox", "jobrun"} <= tables
    assert "alembic_version" in tables


def test_message_ids_are_unique_per_channel(runtime: Runtime) -> None:
    at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    with unit_of_work(runtime.engine) as store:
        assert store.messages.record("app", "42", "u", "hello", at, None) is not None
        assert store.messages.record("app", "42", "u", "hello again", at, None) is None
        assert store.messages.record("aibot", "42", "u", "other channel", at, None) is not None


def test_times_come_back_timezone_aware(runtime: Runtime) -> None:
    at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    with unit_of_work(runtime.engine) as store:
        store.messages.record("app", "1", "u", "x", at, None)
    with unit_of_work(runtime.engine) as store:
        assert store.messages.seen("app", "1").at == at


def test_outbox_push_is_idempotent_by_key(runtime: Runtime) -> None:
    with unit_of_work(runtime.engine) as store:
        assert store.outbox.push("nag:2026-03:15", "请报送") is not None
        assert store.outbox.push("nag:2026-03:15", "请报送") is None
    with unit_of_work(runtime.engine) as store:
        assert len(store.outbox.pending()) == 1
