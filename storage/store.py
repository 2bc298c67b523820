"""One unit of work's repositories, sharing one session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from storage.audit import AuditTrail
from storage.db import session_scope
from storage.drafts import Drafts
from storage.evidence import EvidenceFiles
from storage.inbox import InboxRows
from storage.jobruns import JobRuns
from storage.messages import MessageLog
from storage.outbox import Outbox
from storage.projects import Projects
from storage.records import Records
from storage.roster import Roster
from storage.sheet import LiveSheet
from storage.targets import Targets


class Store:
    """The repositories a handler or job may use, all on the same transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.roster = Roster(session)
        self.messages = MessageLog(session)
        self.inbox = InboxRows(session)
        self.records = Records(session)
        self.projects = Projects(session)
        self.drafts = Drafts(session)
        self.audit = AuditTrail(session)
        self.outbox = Outbox(session)
        self.jobruns = JobRuns(session)
        self.targets = Targets(session)
        self.sheet = LiveSheet(session)
        self.evidence = EvidenceFiles(session)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Store]:
    """A Store on a fresh session: committed when the block ends, rolled back on error."""
    with session_scope(engine) as session:
        store = Store(session)
        yield store
        # Whatever changed a record (a handler, a job, a script) leaves its project derived from it.
        store.projects.settle()


@contextmanager
def autocommit(engine: Engine) -> Iterator[Store]:
    """A Store whose statements each commit as they run: only for work that is one statement, or
    statements each whole on its own (an insert that skips what exists, a claim by one conditional
    update, a read). On PostgreSQL it saves a unit of work's BEGIN and COMMIT round trips, on the
    acknowledgement's path (the intake) and the channels' (reads and claims of a row). SQLite: a
    unit of work (its one writer is taken at BEGIN IMMEDIATE)."""
    if engine.dialect.name == "sqlite":
        with unit_of_work(engine) as store:
            yield store
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection, \
            Session(bind=connection, expire_on_commit=False) as session:
        try:
            yield Store(session)
            session.commit()  # flushes what the ORM still holds; the database has nothing to commit
        except BaseException:
            session.rollback()
            raise


def derive_projects(engine: Engine) -> int:
    """Derive the projects an upgrade (or a demo fill) left underived; at start, before serving."""
    with unit_of_work(engine) as store:
        return store.projects.refresh_underived()
