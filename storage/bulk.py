"""Bulk loading of made-up data (`zsbot demo`, benchmarks): SQLAlchemy core inserts with ids given.

One ORM object per row would make 200k records take minutes; core `executemany` of plain dicts,
with primary keys chosen by the caller so rows can point at each other without a round trip,
takes seconds on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlmodel import Session, SQLModel

from storage.models import Audit, Draft, InboxItem, Member, Message, OutboxItem, Project, Record, Unit

#: Tables whose rows mean "somebody uses this database": a demo never writes next to them.
IN_USE: tuple[type[SQLModel], ...] = (Unit, Member, Record, Project, Message, Draft, OutboxItem, InboxItem)
#: Tables whose integer ids a bulk load sets itself (PostgreSQL sequences must move past them).
_SERIAL: tuple[type[SQLModel], ...] = (Unit, Record, Project, Message, Audit)
CHUNK = 10_000


def _table(model: type[SQLModel]) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def rows_in_use(session: Session) -> dict[str, int]:
    """Row counts of the tables that hold real data, only those that are not empty."""
    counts = {}
    for model in IN_USE:
        table = _table(model)
        n = session.execute(select(func.count()).select_from(table)).scalar_one()
        if n:
            counts[table.name] = int(n)
    return counts


def _chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def insert_rows(session: Session, model: type[SQLModel], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert plain dicts (every dict with the same keys) in chunks; returns how many."""
    table, n = _table(model), 0
    conn = session.connection()
    for chunk in _chunks(rows, CHUNK):
        conn.execute(insert(table), chunk)
        n += len(chunk)
    return n


def after_bulk_load(session: Session) -> None:
    """Move PostgreSQL id sequences past the ids given, so the next ordinary insert does not collide."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _SERIAL:
        name = _table(model).name
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{name}\"), 0) + 1, false)"
        ))


def refresh_statistics(engine: Engine) -> None:
    """Planner statistics after a bulk load (and, on PostgreSQL, the visibility map that lets an
    index-only scan skip the table): without them the first queries plan as if tables were empty."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            analysed: tuple[type[SQLModel], ...] = (*_SERIAL, Member)
            for model in analysed:
                conn.execute(text(f'VACUUM ANALYZE "{_table(model).name}"'))
        return
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


__all__ = ["IN_USE", "after_bulk_load", "insert_rows", "refresh_statistics", "rows_in_use"]
