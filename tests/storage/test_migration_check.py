"""`migrate` runs at every start: a database at the newest revision costs one query and never loads Alembic;
any other (new, older, or of a revision this code does not know) goes to Alembic exactly as before."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text

from bot.runtime import Runtime
from storage.db import HEAD_REVISION, alembic_config, make_engine, migrate, schema_revisions


def test_head_revision_is_the_newest_migration() -> None:
    """A new migration must move HEAD_REVISION: left behind, it would take a database one migration old
    for current and never upgrade it."""
    engine = make_engine("sqlite://")
    assert ScriptDirectory.from_config(alembic_config(engine)).get_heads() == [HEAD_REVISION]


def test_a_current_database_is_not_handed_to_alembic(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    def upgrade(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Alembic was run on a database at the newest revision")

    monkeypatch.setattr(command, "upgrade", upgrade)
    assert schema_revisions(runtime.engine) == {HEAD_REVISION}
    migrate(runtime.engine)


def test_a_new_database_has_no_revision_and_is_created(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert schema_revisions(engine) is None
        migrate(engine)
        assert schema_revisions(engine) == {HEAD_REVISION}
    finally:
        engine.dispose()


def test_a_database_of_a_later_release_is_refused_as_before(runtime: Runtime) -> None:
    """A revision this code does not know is not taken for current: Alembic says it cannot find it."""
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_later'"))
    with pytest.raises(CommandError, match="0099_later"):
        migrate(runtime.engine)
