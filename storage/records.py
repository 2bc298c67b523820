"""Reported facts: add, correct, retract (never delete), and list them per unit and period."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, false, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.audit import AuditTrail
from storage.fields import FIELDS
from storage.keys import core_company_name, same_investor, text_hash
from storage.kinds import MILESTONE_VALUES, RecordKind
from storage.models import Record, RecordStatus, Review

#: Fields a correction may change: the record fields of the field table.
EDITABLE = tuple(f.column for f in FIELDS)


def snapshot(record: Record) -> dict[str, Any]:
    """A JSON-safe picture of a record for the audit trail."""
    data = record.model_dump(mode="json")
    return {k: v for k, v in data.items() if k != "fields"} | {"fields": record.fields}


def counted() -> ColumnElement[bool]:
    """The records that count in rankings and bulletins: not retracted, not government money, not
    rejected by the office, and not flagged as not counting unless the office confirmed them."""
    return and_(
        col(Record.status) != RecordStatus.RETRACTED.value,
        col(Record.government_funded) == false(),
        col(Record.review) != Review.REJECTED.value,
        or_(col(Record.not_counting).is_(None), col(Record.review) == Review.CONFIRMED.value),
    )


class Countable(Protocol):
    """What decides whether a record counts (a Record, or a row of those columns)."""

    status: str
    government_funded: bool
    review: str
    not_counting: str | None


class Inheriting(Countable, Protocol):
    """What decides whether a milestone follows its project (a Record, or a row of those columns)."""

    kind: str


def inherits(record: Inheriting, project_id: int, counted: bool, reason: str | None) -> bool:
    """Whether `Records.inherit` changes this record: a milestone (not a lead, a plan or a retracted
    record) counted again as its project is, or marked as not counting because its project does not,
    unless it has a reason of its own or the office decided it."""
    if record.kind in (RecordKind.LEAD.value, RecordKind.PLAN.value) or record.status == RecordStatus.RETRACTED.value:
        return False
    mine = inherited(record.not_counting)
    if counted:
        return mine
    wanted = f"{INHERITED.format(id=project_id)}（{reason or '不计'}）"
    free = record.not_counting is None and record.review not in (Review.CONFIRMED.value, Review.REJECTED.value)
    return (free or mine) and record.not_counting != wanted


def counts(record: Countable) -> bool:
    """`counted()` for one record in hand."""
    return (
        record.status != RecordStatus.RETRACTED.value and not record.government_funded
        and record.review != Review.REJECTED.value
        and (record.not_counting is None or record.review == Review.CONFIRMED.value)
    )


def how_many() -> ColumnElement[int]:
    """How many events a record stands for: `外出招商2次` is two visits, `接待客商3批` three receptions."""
    return func.coalesce(func.nullif(col(Record.count), 0), 1)


#: How a milestone of a project that does not count is marked (`项目 P5 不计入考核（政府投资…）`).
INHERITED = "项目 P{id} 不计入考核"


def inherited(reason: str | None) -> bool:
    """Whether a record does not count only because its project does not."""
    return bool(reason and reason.startswith("项目 P") and "不计入考核" in reason)


def awaits_project(record: Record) -> bool:
    """A milestone must reach a project; a progress note naming no project (`本月各项目推进顺利`) speaks of none.
    (`Records._unattached` is this rule as SQL.)"""
    if record.kind == RecordKind.PROGRESS.value and not (record.company or record.project_name):
        return False
    return record.kind in MILESTONE_VALUES


#: Where a unit of work notes the projects whose records it changed (`Projects.settle` derives them again).
CHANGED_PROJECTS = "changed_projects"


def touch(session: Session, project_id: int | None) -> None:
    """Note that a record of `project_id` changed: its project is derived again before the commit."""
    if project_id is not None:
        session.info.setdefault(CHANGED_PROJECTS, set()).add(project_id)


class Records:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditTrail(session)

    def add(self, record: Record) -> Record:
        """Store a new record; its creation is the first entry of its audit trail."""
        record.company_key = core_company_name(record.company)
        record.text_hash = text_hash(record.text)
        self.session.add(record)
        self.session.flush()
        self.audit.log(record.reporter, "create", "record", record.id, None, snapshot(record))
        touch(self.session, record.project_id)
        return record

    def get(self, record_id: int) -> Record | None:
        return self.session.get(Record, record_id)

    def correct(self, record: Record, changes: dict[str, Any], actor: str) -> Record:
        """Apply `changes` (only EDITABLE keys); the old version stays in the audit trail."""
        before = snapshot(record)
        for key, value in changes.items():
            if key not in EDITABLE:
                raise KeyError(key)
            setattr(record, key, value)
        record.status = RecordStatus.CORRECTED.value
        record.company_key = core_company_name(record.company)
        record.fields = {**record.fields, "revision": int(record.fields.get("revision", 0)) + 1}
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "correct", "record", record.id, before, snapshot(record))
        touch(self.session, record.project_id)
        return record

    def retract(self, record: Record, actor: str, reason: str = "") -> Record:
        before = snapshot(record)
        record.status = RecordStatus.RETRACTED.value
        record.fields = {**record.fields, "retract_reason": reason}
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "retract", "record", record.id, before, snapshot(record))
        touch(self.session, record.project_id)
        return record

    def of_unit(
        self, unit_id: int, periods: Iterable[str] | None = None, include_retracted: bool = False
    ) -> Sequence[Record]:
        query = select(Record).where(Record.unit_id == unit_id)
        if periods is not None:
            query = query.where(col(Record.period).in_(list(periods)))
        if not include_retracted:
            query = query.where(Record.status != RecordStatus.RETRACTED.value)
        return self.session.exec(query.order_by(col(Record.id))).all()

    def latest_of_unit(self, unit_id: int, periods: Iterable[str], limit: int) -> tuple[int, list[Record]]:
        """How many live records the unit has in `periods`, and the newest `limit` of them, oldest first.

        Counted in SQL so a summary costs the lines it shows, not the unit's whole period.
        """
        where = (Record.unit_id == unit_id, col(Record.period).in_(list(periods)),
                 Record.status != RecordStatus.RETRACTED.value)
        total = self.session.exec(select(func.count()).select_from(Record).where(*where)).one()
        newest = self.session.exec(select(Record).where(*where).order_by(col(Record.id).desc()).limit(limit)).all()
        return int(total), list(reversed(newest))

    def latest_by(self, reporter: str, unit_id: int) -> Record | None:
        """The reporter's newest record for the unit that still stands (what a 佐证 proves by default)."""
        return self.session.exec(
            select(Record).where(Record.reporter == reporter, Record.unit_id == unit_id,
                                 Record.status != RecordStatus.RETRACTED.value)
            .order_by(col(Record.id).desc()).limit(1)).first()

    def in_periods(self, periods: Iterable[str], include_retracted: bool = False) -> Sequence[Record]:
        query = select(Record).where(col(Record.period).in_(list(periods)))
        if not include_retracted:
            query = query.where(Record.status != RecordStatus.RETRACTED.value)
        return self.session.exec(query.order_by(col(Record.id))).all()

    def reported_between(self, start: datetime, end: datetime) -> Sequence[Record]:
        """Counted records reported in [start, end), oldest first (the weekly 督查通报)."""
        return self.session.exec(
            select(Record)
            .where(col(Record.reported_at) >= start, col(Record.reported_at) < end, counted())
            .order_by(col(Record.reported_at), col(Record.id))
        ).all()

    def foreign_projects(self) -> set[int]:
        """Projects any live record of which names a foreign currency (外资): projects keep CNY only."""
        rows = self.session.exec(
            select(col(Record.project_id)).where(
                col(Record.project_id).is_not(None), col(Record.currency).is_not(None), col(Record.currency) != "CNY",
                col(Record.status) != RecordStatus.RETRACTED.value,
            ).distinct()
        ).all()
        return {int(r) for r in rows if r is not None}

    def resent(self, unit_id: int, text: str, kinds: Iterable[str]) -> Record | None:
        """The unit's earlier live record of one of `kinds` with the same words (a re-send)."""
        return self.session.exec(
            select(Record).where(
                Record.unit_id == unit_id, Record.text_hash == text_hash(text), col(Record.kind).in_(list(kinds)),
                Record.status != RecordStatus.RETRACTED.value,
            ).order_by(col(Record.id))
        ).first()

    def first_of_company(self, company: str | None, kinds: Iterable[str]) -> Record | None:
        """The county's first live record of `kinds` about the same investor (core name), not itself a repeat."""
        key = core_company_name(company)
        if key is None:
            return None
        earlier = self.session.exec(
            select(Record).where(
                Record.company_key == key, col(Record.kind).in_(list(kinds)), col(Record.repeat_of).is_(None),
                Record.status != RecordStatus.RETRACTED.value, Record.review != Review.REJECTED.value,
            ).order_by(col(Record.id)).limit(20)
        ).all()
        return next((r for r in earlier if same_investor(r.company, company)), None)

    def first_of_project(self, project_id: int, kinds: Iterable[str]) -> Record | None:
        return self.session.exec(
            select(Record).where(
                Record.project_id == project_id, col(Record.kind).in_(list(kinds)), col(Record.repeat_of).is_(None),
                Record.status != RecordStatus.RETRACTED.value, Record.review != Review.REJECTED.value,
            ).order_by(col(Record.id))
        ).first()

    def of_kind(self, unit_id: int, kind: str, periods: Iterable[str] | None = None) -> Sequence[Record]:
        """The unit's live records of one kind (in `periods`, or ever), oldest first."""
        query = select(Record).where(
            Record.unit_id == unit_id, Record.kind == kind, Record.status != RecordStatus.RETRACTED.value)
        if periods is not None:
            query = query.where(col(Record.period).in_(list(periods)))
        return self.session.exec(query.order_by(col(Record.id))).all()

    def usual_amount(self, unit_id: int, kind: str, last: int = 20) -> tuple[float, int]:
        """The unit's usual amount (万元) for `kind`: the mean of its last `last` amounts, and how many."""
        recent = (
            select(col(Record.amount_cny_wan).label("amount"))
            .where(Record.unit_id == unit_id, Record.kind == kind, col(Record.amount_cny_wan).is_not(None),
                   Record.status != RecordStatus.RETRACTED.value)
            .order_by(col(Record.reported_at).desc())
            .limit(last)
            .subquery()
        )
        avg, n = self.session.exec(select(func.avg(recent.c.amount), func.count())).one()
        return float(avg or 0), int(n or 0)

    def in_review(self) -> Sequence[Record]:
        return self.session.exec(
            select(Record).where(Record.review == Review.PENDING.value).order_by(col(Record.id))
        ).all()

    def flag(self, record: Record, reason: str | None, review: bool, actor: str, repeat_of: int | None = None) -> Record:
        """Mark a record as not counting (`reason`) and/or put it on the office's review list."""
        before = snapshot(record)
        if reason is not None:
            record.not_counting = reason
        if repeat_of is not None:
            record.repeat_of = repeat_of
        if review:
            record.review = Review.PENDING.value
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "flag", "record", record.id, before, snapshot(record))
        touch(self.session, record.project_id)
        return record

    def decide(self, record: Record, confirmed: bool, note: str, actor: str) -> Record:
        """The office's verdict: confirmed records count (whatever their flag), rejected ones never do."""
        before = snapshot(record)
        record.review = (Review.CONFIRMED if confirmed else Review.REJECTED).value
        record.review_note = note or None
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "confirm" if confirmed else "reject", "record", record.id, before, snapshot(record))
        touch(self.session, record.project_id)
        return record

    def correctable(self, unit_id: int, since: datetime, limit: int = 200) -> Sequence[Record]:
        """The unit's live records reported since `since`, newest first (what a correction may mean)."""
        return self.session.exec(
            select(Record).where(Record.unit_id == unit_id, col(Record.reported_at) >= since,
                                 Record.status != RecordStatus.RETRACTED.value, Record.kind != RecordKind.PLAN.value)
            .order_by(col(Record.reported_at).desc(), col(Record.id).desc()).limit(limit)
        ).all()

    def of_project(self, project_id: int) -> Sequence[Record]:
        """The project's live records, oldest first (plans left out)."""
        return self.session.exec(
            select(Record).where(Record.project_id == project_id, Record.status != RecordStatus.RETRACTED.value,
                                 Record.kind != RecordKind.PLAN.value).order_by(col(Record.reported_at), col(Record.id))
        ).all()

    def recent_project(self, unit_id: int, reporter: str, since: datetime) -> int | None:
        """The project the sender last spoke of (`那个项目`): their newest live record with one since `since`."""
        return self.session.exec(
            select(Record.project_id).where(
                Record.unit_id == unit_id, Record.reporter == reporter, col(Record.project_id).is_not(None),
                col(Record.reported_at) >= since, Record.status != RecordStatus.RETRACTED.value,
            ).order_by(col(Record.reported_at).desc(), col(Record.id).desc()).limit(1)
        ).first()

    @staticmethod
    def _unattached(kinds: Iterable[str], unit_id: int | None, reporter: str | None) -> list[ColumnElement[bool]]:
        """`awaits_project`, as SQL: the milestones without their project."""
        where = [
            col(Record.project_id).is_(None), col(Record.kind).in_(list(kinds)),
            col(Record.status) != RecordStatus.RETRACTED.value, col(Record.review) != Review.REJECTED.value,
            # A progress note naming no project (本月各项目推进顺利) speaks of none: it waits for nothing.
            or_(col(Record.kind) != RecordKind.PROGRESS.value, col(Record.company).is_not(None),
                col(Record.project_name).is_not(None)),
        ]
        if unit_id is not None:
            where.append(col(Record.unit_id) == unit_id)
        if reporter is not None:
            where.append(col(Record.reporter) == reporter)
        return where

    def unattached(self, kinds: Iterable[str], unit_id: int | None = None, reporter: str | None = None,
                   limit: int = 200) -> Sequence[Record]:
        """Live milestones waiting to be put on a project (of a unit, or of one reporter), oldest first."""
        return self.session.exec(
            select(Record).where(*self._unattached(kinds, unit_id, reporter)).order_by(col(Record.id)).limit(limit)
        ).all()

    def count_unattached(self, kinds: Iterable[str], unit_id: int | None = None, periods: Iterable[str] | None = None
                         ) -> int:
        """How many milestones wait for their project (of a unit, or of the county; in `periods`, or ever)."""
        where = self._unattached(kinds, unit_id, None)
        if periods is not None:
            where.append(col(Record.period).in_(list(periods)))
        query = select(func.count()).select_from(Record).where(*where)
        return int(self.session.exec(query).one())

    def inherit(self, record: Record, project_id: int, counted: bool, reason: str | None, actor: str) -> bool:
        """Keep a milestone in step with its project: one of a project that does not count does not count
        either (`项目 P5 不计入考核（…）`), and is counted again once the project is (the office confirmed it,
        the record moved). A lead or a plan, a record with a reason of its own, a decided record: untouched.
        Returns whether the record changed."""
        if not inherits(record, project_id, counted, reason):
            return False
        if counted:
            self.unflag(record, actor)
            return True
        before = snapshot(record)
        record.not_counting = f"{INHERITED.format(id=project_id)}（{reason or '不计'}）"
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "flag", "record", record.id, before, snapshot(record))
        return True

    def unflag(self, record: Record, actor: str) -> Record:
        """The reason a record did not count no longer holds (its project counts, it moved): it counts."""
        before = snapshot(record)
        record.not_counting = None
        record.repeat_of = None
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "unflag", "record", record.id, before, snapshot(record))
        touch(self.session, record.project_id)
        return record

    def move_credit(self, record: Record, first: Record, actor: str) -> Record:
        """The office makes `record`'s unit the first investor's (第一引资人) instead of `first`'s: `first`
        stops counting, as a repeat of `record`; returns `first`."""
        before = snapshot(first)
        first.not_counting = f"第一引资人改为 #{record.id}"
        first.repeat_of = record.id
        first.review = Review.NONE.value
        self.session.add(first)
        mine = snapshot(record)
        record.repeat_of = None
        record.not_counting = None
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "move-credit", "record", first.id, before, snapshot(first))
        self.audit.log(actor, "move-credit", "record", record.id, mine, snapshot(record))
        touch(self.session, first.project_id)
        touch(self.session, record.project_id)
        return first

    def link(self, record: Record, project_id: int, actor: str) -> Record:
        """Attach a record to its project after the sender said which one."""
        before = snapshot(record)
        touch(self.session, record.project_id)
        record.project_id = project_id
        self.session.add(record)
        self.session.flush()
        self.audit.log(actor, "link", "record", record.id, before, snapshot(record))
        touch(self.session, project_id)
        return record
