"""The outbox's own facts: typed targets, idempotent pushes, and an upgrade that keeps every row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from storage.db import make_engine, migrate
from storage.models import OutboxItem
from storage.outbox import OutboxStatus, Target
from storage.store import unit_of_work


def test_a_target_is_the_group_or_one_member_and_reads_back_from_its_stored_text() -> None:
    assert str(Target.group()) == "group" and Target.group().is_group
    assert str(Target.user("wz_liu")) == "user:wz_liu" and Target.user("wz_liu").userid == "wz_liu"
    assert Target.parse("user:wz_liu") == Target.user("wz_liu") and Target.parse("group") == Target.group()
    for bad in ("", "users:wz_liu", "user:", "user: wz_liu", "Group"):
        with pytest.raises(ValueError):
            Target.parse(bad)


def test_a_push_takes_a_target_or_its_stored_text_and_refuses_anything_else(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    try:
        with unit_of_work(engine) as store:
            assert store.outbox.push("dm:1", "私信", target=Target.user("wz_liu")) is not None
            assert store.outbox.push("dm:2", "私信", target="user:nf_wang") is not None
            assert store.outbox.push("all", "群消息") is not None
            with pytest.raises(ValueError):
                store.outbox.push("dm:3", "私信", target="wz_liu")
        with unit_of_work(engine) as store:
            assert [(i.key, i.target, OutboxStatus(i.state)) for i in store.outbox.all()] == [
                ("dm:1", "user:wz_liu", OutboxStatus.PENDING), ("dm:2", "user:nf_wang", OutboxStatus.PENDING),
                ("all", "group", OutboxStatus.PENDING)]
    finally:
        engine.dispose()


def test_a_second_push_with_the_same_key_is_a_no_op_inside_the_same_transaction(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    try:
        with unit_of_work(engine) as store:
            first = store.outbox.push("nag:2026-03:2026-03-18", "请报送")
            assert first is not None and first.body == "请报送"
            assert store.outbox.push("nag:2026-03:2026-03-18", "又一条") is None
            assert store.jobruns.claim("monthly-nag", "2026-03", "2026-03-18") is not None
            assert store.jobruns.claim("monthly-nag", "2026-03", "2026-03-18") is None
        with unit_of_work(engine) as store:
            assert [i.body for i in store.outbox.all()] == ["请报送"]
    finally:
        engine.dispose()


def test_upgrading_a_database_at_0002_keeps_every_outbox_row(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, "0002")
        sent_at = datetime(2026, 3, 18, 1, 0, tzinfo=UTC)
        with engine.begin() as conn:  # rows as the code at 0002 wrote them (same column types)
            for n, (state, parts) in enumerate([("sent", 0), ("pending", 2), ("failed", 0)]):
                conn.execute(OutboxItem.__table__.insert().values(  # type: ignore[attr-defined]
                    key=f"k{n}", target="group", kind="markdown", body=f"正文{n}", mentions=[], created_at=sent_at,
                    due_at=sent_at, attempts=n, parts_sent=parts, state=state,
                    sent_at=sent_at if state == "sent" else None))
        migrate(engine)
        assert "ix_outbox_sent_at" in {ix["name"] for ix in inspect(engine).get_indexes("outbox")}
        with unit_of_work(engine) as store:
            rows = [(i.key, i.body, i.state, i.attempts, i.parts_sent) for i in store.outbox.all()]
            assert rows == [("k0", "正文0", "sent", 0, 0), ("k1", "正文1", "pending", 1, 2),
                            ("k2", "正文2", "failed", 2, 0)]
            assert [i.key for i in store.outbox.sent_since(sent_at)] == ["k0"]
            assert store.outbox.counts() == {OutboxStatus.PENDING: 1, OutboxStatus.SENT: 1, OutboxStatus.FAILED: 1}
    finally:
        engine.dispose()
