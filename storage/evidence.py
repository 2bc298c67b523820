"""佐证 (evidence): the files members send the bot, each on the record it proves.

The file itself lies under `[evidence] folder`, named by its SHA-256 (the edge stores it before the
message is handled); a row here says who sent it, when, under which name, and which record it proves.
Moving a file to another record is audited like any change to what a record shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.audit import AuditTrail
from storage.kinds import RecordKind
from storage.models import Evidence, Record
from storage.records import counted


class EvidenceFiles:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditTrail(session)

    def add(self, evidence: Evidence) -> Evidence:
        """Keep one received file (its `record_id` may be None: not yet known which record it proves)."""
        self.session.add(evidence)
        self.session.flush()
        return evidence

    def of_record(self, record_id: int) -> Sequence[Evidence]:
        return self.session.exec(
            select(Evidence).where(Evidence.record_id == record_id).order_by(col(Evidence.id))).all()

    def names_by_record(self, record_ids: Iterable[int]) -> dict[int, list[str]]:
        """The file names on each of `record_ids` (one query for a whole ledger sheet)."""
        ids = list(record_ids)
        if not ids:
            return {}
        out: dict[int, list[str]] = {}
        rows = self.session.exec(select(Evidence.record_id, Evidence.name)
                                 .where(col(Evidence.record_id).in_(ids)).order_by(col(Evidence.id))).all()
        for record_id, name in rows:
            if record_id is not None:
                out.setdefault(record_id, []).append(name)
        return out

    def listed(self, record_id: int | None = None) -> Sequence[Evidence]:
        """Every file (or one record's), oldest first: `zsbot evidence list` and `export`."""
        query = select(Evidence)
        if record_id is not None:
            query = query.where(Evidence.record_id == record_id)
        return self.session.exec(query.order_by(col(Evidence.id))).all()

    def latest_of(self, sender: str) -> list[Evidence]:
        """The files of the sender's latest message that carried any (what `归入 #N` moves)."""
        newest = self.session.exec(select(Evidence).where(Evidence.sender == sender)
                                   .order_by(col(Evidence.id).desc()).limit(1)).first()
        if newest is None:
            return []
        if newest.message_id is None:
            return [newest]
        return list(self.session.exec(select(Evidence).where(Evidence.sender == sender,
                                                             Evidence.message_id == newest.message_id)
                                      .order_by(col(Evidence.id))).all())

    def move_to(self, files: Iterable[Evidence], record_id: int, actor: str) -> list[Evidence]:
        """Hang `files` on record `record_id`; each move stays in the audit trail."""
        moved = []
        for evidence in files:
            before = {"record_id": evidence.record_id}
            evidence.record_id = record_id
            self.session.add(evidence)
            moved.append(evidence)
            self.session.flush()
            self.audit.log(actor, "move", "evidence", evidence.id, before, {"record_id": record_id})
        return moved

    def signings_with_files(self, periods: Iterable[str], as_of: datetime | None = None) -> int:
        """How many counted signings of `periods` (reported by `as_of`) carry at least one file."""
        query = (select(func.count(func.distinct(Record.id))).select_from(Record)
                 .join(Evidence, col(Evidence.record_id) == col(Record.id))
                 .where(Record.kind == RecordKind.SIGNING.value, col(Record.period).in_(list(periods)), counted()))
        if as_of is not None:
            query = query.where(col(Record.reported_at) <= as_of)
        return int(self.session.exec(query).one())


__all__ = ["EvidenceFiles"]
