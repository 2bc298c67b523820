"""Insert a row unless its unique key is taken, without a SAVEPOINT.

A savepoint as the first statement of a pysqlite transaction starts (and its RELEASE commits) a
transaction of its own, so a claim made that way outlives a rollback of the work it guards.
`INSERT … ON CONFLICT DO NOTHING` is one plain statement on SQLite and PostgreSQL alike: it joins
the caller's transaction, and a concurrent writer of the same key waits for that transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_once(session: Session, table: Table, conflict_on: Sequence[str], **values: Any) -> int | None:
    """The new row's id, or None when a row with the same `conflict_on` columns exists already."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=list(conflict_on))
        .returning(table.c.id)
    )
    new_id = session.execute(statement).scalar_one_or_none()
    return int(new_id) if new_id is not None else None
