"""Engines and sessions: SQLite (WAL) as the embedded default, PostgreSQL for scale-out."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration in storage/migrations/versions. A database whose `alembic_version` holds just
#: this is current: `migrate` returns after that one query, without importing Alembic or reading a
#: migration script (that cost every `zsbot` command ~0.2 s). A new migration must change it;
#: tests/storage/test_migration_check.py fails until it does.
HEAD_REVISION = "0014_evidence"
#: Pages of WAL after which the committing connection copies it back into the database file itself
#: (SQLite's default is 1,000). That copy ends in an fsync inside the commit: measured, it held an
#: acknowledgement ~140 ms. `zsbot serve` checkpoints in the background (`checkpoint`) long before
#: this; short commands still checkpoint here and when they close.
WAL_AUTOCHECKPOINT_PAGES = 10_000
#: A pooled PostgreSQL connection idle at least this long is checked before it is used again.
PING_IDLE_S = 5.0


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create the engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    if engine.dialect.name != "sqlite":
        _ping_when_idle(engine)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # SQLAlchemy's documented pysqlite recipe: take transaction control from the driver,
            # which otherwise begins only at the first write and lets RELEASE SAVEPOINT commit
            # (a "savepoint" then survives the rollback of its enclosing unit of work).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE: a unit of work may read and then write; a deferred transaction would fail
            # with SQLITE_BUSY_SNAPSHOT (no busy wait) when another writer committed in between.
            # SQLite has one writer anyway; this makes the wait happen at BEGIN, under busy_timeout.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle for PING_IDLE_S.

    `pool_pre_ping` cost a round trip on every checkout: on a busy worker or intake, one more per
    unit of work, for a connection used a moment ago. A connection that dies while in use (the
    server restarted) still fails its statement; SQLAlchemy then drops the pool's connections, and
    the inbox's callers try again (the intake stores each message on its own, the worker polls)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_IDLE_S:
            return  # just connected, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError(f"pooled connection idle {time.monotonic() - since:.0f} s is gone") from exc


def checkpoint(engine: Engine) -> int:
    """SQLite: copy what the WAL holds back into the database file without waiting for readers or
    writers (PASSIVE), on a connection of its own and outside any transaction, so it never stalls a
    commit; returns the WAL frames still to copy (0 on other databases)."""
    if engine.dialect.name != "sqlite":
        return 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        row = cur.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        cur.close()
    finally:
        raw.close()
    # (busy, frames in the WAL, frames copied); -1s when the database is not in WAL mode
    return max(0, int(row[1]) - int(row[2])) if row else 0


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def schema_revisions(engine: Engine) -> set[str] | None:
    """The revisions `alembic_version` holds (one, unless branches were left unmerged), or None when
    it cannot be read: a new database, or one Alembic never touched. (A database that cannot be
    reached raises, as it would in Alembic.)"""
    with engine.connect() as conn:
        try:
            return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except DBAPIError:
            return None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest revision (idempotent; safe at every start), or to `revision`
    (upgrade tests build a database as an older release left it).

    A database already at HEAD_REVISION costs one query. Any other (new, older, or one this code does
    not know) goes to Alembic as before: it upgrades in one transaction, or fails naming the revision."""
    if revision == "head" and schema_revisions(engine) == {HEAD_REVISION}:
        return
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


#: One writer lock per SQLite file in this process (see session_scope).
_SQLITE_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_LOCK = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock | None:
    if engine.dialect.name != "sqlite":
        return None
    key = str(engine.url)
    with _WRITERS_LOCK:
        return _SQLITE_WRITERS.setdefault(key, threading.RLock())


@contextmanager
def writer_if_free(engine: Engine) -> Iterator[bool]:
    """SQLite: hold this process's writer lock for the block if no other thread holds it (True),
    without waiting for it (False): for a caller that must not block, the event loop."""
    lock = _writer_lock(engine)
    if lock is None or not lock.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    On SQLite every unit of work is a write transaction (BEGIN IMMEDIATE) and there is one writer,
    so threads of this process queue on a lock instead of in SQLite's busy handler, which sleeps
    1, 2, 5, 10 … ms between tries: an acknowledgement waiting behind a message being handled
    starts the moment it is done.
    """
    lock = _writer_lock(engine)
    with lock if lock is not None else contextlib.nullcontext(), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
