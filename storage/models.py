"""Tables. Nothing is ever deleted: records change status, the audit trail keeps every version.

Times are stored as timezone-aware UTC instants (`TIMESTAMP WITH TIME ZONE` on PostgreSQL);
periods are stored as text keys ("2026-03") computed when the report arrives.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.kinds import ProjectStage, RecordKind
from storage.states import DraftState, OutboxStatus
from storage.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kw))


class Role(StrEnum):
    LIAISON = "liaison"
    LEADER = "leader"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """联络员 / 领导 / 管理员, as the roster file and replies write them."""
        return {"liaison": "联络员", "leader": "领导", "admin": "管理员"}[self.value]


class RecordStatus(StrEnum):
    ACTIVE = "active"
    CORRECTED = "corrected"
    RETRACTED = "retracted"


class NotSaved(RuntimeError):
    """A row without its id was used where a stored one is needed: a programming error, not bad input."""


def saved_id(row: Unit | Record | Project) -> int:
    """The id of a row that has been flushed; raises NotSaved instead of passing None on."""
    if row.id is None:
        raise NotSaved(f"{type(row).__name__} has no id yet (not flushed)")
    return row.id


class Unit(SQLModel, table=True):
    """An assessed unit: a township, department, or the development zone."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    #: Target amount (万元) the unit must bring in, e.g. one 5000万元 project.
    target_amount_wan: float | None = None
    #: Target count of big leads, e.g. six leads ≥ 3000万.
    target_leads: int | None = None
    created_at: datetime = _ts(nullable=False)


class Member(SQLModel, table=True):
    """A roster entry: one WeCom user, their unit (if any) and role."""

    userid: str = Field(sa_column=Column(Text, primary_key=True))
    name: str
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: str = Field(default=Role.LIAISON.value)
    mobile: str | None = None
    updated_at: datetime = _ts(nullable=False)


class Message(SQLModel, table=True):
    """Every inbound message, verbatim: the source of truth. (channel, msg_id) stops redeliveries."""

    __table_args__ = (
        UniqueConstraint("channel", "msg_id", name="uq_message_channel_msgid"),
        # The group chat a channel last spoke from is read newest-first (pushes to the AI-bot group).
        Index("ix_message_channel_received", "channel", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    msg_id: str
    user_id: str = Field(index=True)
    chat_id: str | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = _ts(nullable=False)
    received_at: datetime = _ts(nullable=False)
    intent: str | None = None
    reply: str | None = Field(default=None, sa_column=Column(Text))


class InboxItem(SQLModel, table=True):
    """An inbound message written before WeCom gets its acknowledgement: the durable work queue.

    A worker handles a pending row and marks it done in the same transaction as everything the
    handling stored, so a crash leaves the row pending (handled again at the next start) and a
    redelivered (channel, msg_id) stops at the unique key. What is needed to answer later (AI-bot
    stream id and response_url, long-connection req_id) is kept with it.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "msg_id", name="uq_inbox_channel_msgid"),
        Index("ix_inbox_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    msg_id: str
    user_id: str
    chat_id: str | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = _ts(nullable=False)
    received_at: datetime = _ts(nullable=False)
    #: `InboxState`: pending (to handle), done, failed (gave up after repeated errors; the user was told)
    state: str = "pending"
    due_at: datetime = _ts(nullable=False)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    done_at: datetime | None = _ts(nullable=True)
    reply: str | None = Field(default=None, sa_column=Column(Text))
    #: AI bot: the stream this message is answered on (callback refreshes, long-connection updates)
    stream_id: str | None = Field(default=None, index=True)
    response_url: str | None = Field(default=None, sa_column=Column(Text))
    #: Long connection: the callback frame's req_id, echoed by the answer
    req_id: str | None = None
    #: `ReplyVia`: how the answer went or goes out (passive, stream, ws, response_url, push)
    reply_via: str | None = None
    #: "owed" while an answer must still be sent after handling, then "sent"; None when the
    #: channel answers only passively (redeliveries get the stored reply)
    delivery: str | None = Field(default=None, index=True)
    #: Until when the request that brought it waits to carry the answer (None: nobody waits)
    answer_by: datetime | None = _ts(nullable=True)
    #: What the message carries besides its text, as the adapter read it (JSON; None for plain text):
    #: the quoted message, attached media references, a card click. See `storage.inbox.Extra`.
    extra: str | None = Field(default=None, sa_column=Column(Text))
    #: Buttons that go with the reply (a card: `handlers.core.messages.Card` as JSON), where the channel shows them.
    reply_card: str | None = Field(default=None, sa_column=Column(Text))


class Project(SQLModel, table=True):
    """One project a unit follows from 线索 through 签约, 开工 to 投产."""

    __table_args__ = (
        # Covers the pipeline rates (storage.stats.pipeline): this year's signed projects of the county
        # or a unit, and how far each had come by a period's end, read from the index alone.
        Index("ix_project_pipeline", "signed_period", "counted", "unit_id", "shared", "started_period",
              "performing_period", "signed_wan", "base_funds_wan"),
        Index("ix_project_unit_pipeline", "unit_id", "signed_period", "counted", "shared", "started_period",
              "performing_period", "signed_wan", "base_funds_wan"),
        Index("ix_project_lead_period", "lead_period", "unit_id", "counted", "signed_period"),
        Index("ix_project_unit_lead_period", "unit_id", "lead_period", "counted", "signed_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str | None = None
    company: str | None = None
    stage: str = Field(default=ProjectStage.LEAD.value)
    amount_wan: float | None = None
    currency: str | None = None
    industry: str | None = None
    lead_on: date | None = None
    signed_on: date | None = None
    started_on: date | None = None
    completed_on: date | None = None
    signed_wan: float | None = None
    contract_on: date | None = None
    funds_cny_wan: float = 0.0
    #: The investor's core name (storage.keys.core_company_name), for repeats and lookups.
    company_key: str | None = Field(default=None, index=True)
    #: 包干领导: the roster userid of the leader who answers for the project (包干制), if assigned.
    owner: str | None = Field(default=None, index=True)
    last_progress_at: datetime = _ts(nullable=False)
    created_at: datetime = _ts(nullable=False)
    #: What the office's ledger said when the project was imported (`zsbot projects import`): its stage,
    #: dates and amounts before the bot's records; None for a project the bot opened.
    baseline: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    #: Planned dates (a plan record, or the imported ledger's 计划开工); past one with no event: 逾期.
    planned_signing: date | None = None
    planned_start: date | None = None
    planned_funds: date | None = None
    planned_completion: date | None = None
    # What follows is derived from the project's records (and baseline) by `storage.project_state.derive`,
    # rewritten whenever one of them changes: the one computation every output reads.
    #: False for government money, the county's own money, another unit's investor, or rejected by the office.
    counted: bool = True
    not_counted_reason: str | None = None
    #: Counted for its unit, but its investor is another unit's first (the office counted both):
    #: the county line counts the investor once.
    shared: bool = False
    #: The period ("2026-03") in which the project first reached each step (None: not yet).
    lead_period: str | None = None
    signed_period: str | None = None
    contract_period: str | None = None
    started_period: str | None = None
    completed_period: str | None = None
    #: 履约: started, or funds arrived, whichever came first.
    performing_period: str | None = None
    #: Funds the imported ledger had already (万元), besides the records' (in funds_cny_wan too).
    base_funds_wan: float = 0.0
    #: `storage.project_state.DERIVATION` when derived; an older value is derived again at start.
    derivation: int = 0


class ProjectKey(SQLModel, table=True):
    """The keys a project is found by (its core company name, the character pairs of its names):
    a report finds its project through this index instead of comparing every project in Python."""

    __tablename__ = "project_key"
    __table_args__ = (Index("ix_project_key_unit_key", "unit_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    unit_id: int
    key: str


class Review(StrEnum):
    """Where a flagged record stands with the office."""

    NONE = ""
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Record(SQLModel, table=True):
    """One reported fact (a lead, a visit, a signing …) for one unit."""

    __table_args__ = (
        # Covers the ranking aggregate: the months asked are read from the index alone, in unit order,
        # so a ranking costs what the period holds, not what the year or the history holds.
        Index(
            "ix_record_period_unit_kind",
            "period", "unit_id", "kind", "status", "government_funded", "review", "not_counting", "count",
            "amount_cny_wan",
        ),
        Index("ix_record_unit_reported", "unit_id", "reported_at"),
        Index("ix_record_company_key_kind", "company_key", "kind"),
        Index("ix_record_unit_text_hash", "unit_id", "text_hash"),
        Index("ix_record_unit_kind_reported", "unit_id", "kind", "reported_at"),
        # Milestones waiting for their project (project_id NULL) are found without reading the visits.
        Index("ix_record_project_kind", "project_id", "kind", "unit_id"),
        # Covers the pipeline (storage.stats): a kind's records over a span of months with their project,
        # unit, amount and what decides whether they count, read from the index alone.
        Index(
            "ix_record_kind_period_project",
            "kind", "period", "project_id", "unit_id", "status", "government_funded", "review", "not_counting",
            "amount_cny_wan",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    reporter: str = Field(foreign_key="member.userid")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    #: Indexed with the kind (ix_record_project_kind), which also finds the milestones still without one.
    project_id: int | None = Field(default=None, foreign_key="project.id")
    kind: str
    status: str = Field(default=RecordStatus.ACTIVE.value, index=True)
    #: The period the report counts for ("2026-03"): decided by when it was reported.
    period: str
    #: True when it arrived after the deadline of the month it was reported in.
    late: bool = False
    event_date: date | None = None
    reported_at: datetime = _ts(nullable=False)
    company: str | None = None
    project_name: str | None = None
    amount_wan: float | None = None
    currency: str | None = None
    amount_cny_wan: float | None = None
    place: str | None = None
    industry: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    count: int | None = None
    #: How many people came or met (一行5人, 参会企业家30余人): receptions and 座谈 count people.
    persons: int | None = None
    #: The 商会/协会 the contact came through (北京山西商会).
    channel: str | None = None
    government_funded: bool = False
    text: str = Field(sa_column=Column(Text, nullable=False))
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The investor's core name (storage.keys.core_company_name): repeats are found by it.
    company_key: str | None = None
    #: Hash of the whitespace-free text: an identical re-send is found by it.
    text_hash: str | None = None
    #: Why the record does not count (政府平台, 县内投资, 重复 …); None when it counts.
    not_counting: str | None = None
    #: The earlier record this one repeats (first reporter wins).
    repeat_of: int | None = None
    #: Review state (Review): pending records are on the office's list; rejected ones never count.
    review: str = Field(default="", index=True)
    review_note: str | None = None


class ProblemStatus(StrEnum):
    OPEN = "open"
    SOLVED = "solved"


class Problem(SQLModel, table=True):
    """A difficulty on a project that needs someone to act (全程代办, 一事一议, 限期解决): `问题：…`,
    closed by `解决 问题N`."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    #: The department asked to act (自然资源局), as written.
    department: str | None = None
    due: date | None = None
    #: A ProblemStatus value.
    status: str = Field(default=ProblemStatus.OPEN.value, index=True)
    reporter: str = Field(foreign_key="member.userid")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    reported_at: datetime = _ts(nullable=False)
    solved_by: str | None = None
    solved_at: datetime | None = _ts(nullable=True)
    note: str | None = None


class Target(SQLModel, table=True):
    """A yearly (or quarterly) task of a unit, or of the county (`unit_id` None): `zsbot targets import`.

    `metric` is the metric's text key (`signed_wan`, `signings_over:10000`, `rate:履约率`), parsed by
    `handlers.core.metrics`; a re-import replaces the year's rows (the audit trail keeps what they were).
    """

    __table_args__ = (Index("ix_target_year_unit", "year", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    metric: str
    value: float
    imported_at: datetime = _ts(nullable=False)


class Evidence(SQLModel, table=True):
    """佐证: an image or file a member sent the bot, kept under `[evidence] folder` and hung on a record.

    `path` is relative to the folder (files are named by their SHA-256, so the same file sent twice lies
    there once); `record_id` is None while the bot could not tell which record it proves.
    """

    id: int | None = Field(default=None, primary_key=True)
    record_id: int | None = Field(default=None, foreign_key="record.id", index=True)
    #: "image" or "file".
    kind: str
    name: str
    bytes: int
    sha256: str
    path: str
    #: The sender's userid.
    sender: str = Field(index=True)
    at: datetime = _ts(nullable=False)
    message_id: int | None = Field(default=None, foreign_key="message.id")


class Draft(SQLModel, table=True):
    """A report waiting for a missing field; the sender's next message may complete it."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    parsed: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(nullable=False)
    expires_at: datetime = _ts(nullable=False)
    #: A DraftState value.
    state: str = DraftState.OPEN.value


class Audit(SQLModel, table=True):
    """Who changed what, when. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False)
    actor: str
    action: str
    entity: str
    entity_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class OutboxItem(SQLModel, table=True):
    """A push waiting to go out (group broadcast, reminder, private message)."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    #: Idempotency key, e.g. "monthly-nag:2026-03:18": a second push with it is a no-op.
    key: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    #: `storage.outbox.Target` as text: "group" (webhook / AI bot group), "user:<userid>" (app message)
    target: str
    #: "text" or "markdown"
    kind: str = "markdown"
    body: str = Field(sa_column=Column(Text, nullable=False))
    mentions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(nullable=False)
    due_at: datetime = _ts(nullable=False, index=True)
    #: WeCom's definitive rejections so far (rate limits and gateway errors do not count).
    attempts: int = 0
    #: Parts of a split push already delivered, so a restart resumes instead of resending them.
    parts_sent: int = 0
    #: An `OutboxStatus` value.
    state: str = Field(default=OutboxStatus.PENDING.value, index=True)
    #: Indexed: the sender counts the last minute's sends against WeCom's limit every round.
    sent_at: datetime | None = _ts(nullable=True, index=True)
    last_error: str | None = None


class JobRun(SQLModel, table=True):
    """A scheduled job round that ran (job, period, round): runs are idempotent."""

    __table_args__ = (UniqueConstraint("job", "period", "round", name="uq_jobrun"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str
    period: str
    round: str
    ran_at: datetime = _ts(nullable=False)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SheetDoc(SQLModel, table=True):
    """The live ledger (智能表格) the app created once: WeCom returns its docid only then."""

    __tablename__ = "sheet_doc"

    id: int | None = Field(default=None, primary_key=True)
    docid: str = Field(unique=True)
    url: str = ""
    created_at: datetime = _ts(nullable=False)


class SheetTab(SQLModel, table=True):
    """One sheet of the live ledger (项目, 台账), and the fields already added to it."""

    __tablename__ = "sheet_tab"
    __table_args__ = (UniqueConstraint("docid", "title", name="uq_sheet_tab"),)

    id: int | None = Field(default=None, primary_key=True)
    docid: str
    title: str
    sheet_id: str
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SheetRow(SQLModel, table=True):
    """One ledger row as last written to a sheet: its key (#N, P3), the sheet's record_id (none for a
    row the webhook added), and a hash of its cells, so a sync sends only what changed."""

    __tablename__ = "sheet_row"
    __table_args__ = (UniqueConstraint("target", "tab", "key", name="uq_sheet_row"),)

    id: int | None = Field(default=None, primary_key=True)
    #: Where it was written: a docid, or "webhook" for the smart sheet's webhook.
    target: str
    tab: str
    key: str
    remote_id: str | None = Field(default=None, index=True)
    digest: str
    cells: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    synced_at: datetime = _ts(nullable=False)


class SheetProposal(SQLModel, table=True):
    """A member's edit of a ledger row in the smart sheet: a correction the office reviews (审核), never
    applied by itself. `changes` maps a record column to [the ledger's value, the sheet's value]."""

    __tablename__ = "sheet_proposal"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(index=True)
    editor: str
    at: datetime = _ts(nullable=False)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: pending, applied (确认) or dismissed (驳回).
    status: str = Field(default="pending", index=True)
    decided_by: str | None = None


__all__ = [
    "Audit",
    "Draft",
    "Evidence",
    "InboxItem",
    "JobRun",
    "Member",
    "Message",
    "OutboxItem",
    "OutboxStatus",
    "Problem",
    "ProblemStatus",
    "Project",
    "ProjectKey",
    "ProjectStage",
    "Record",
    "RecordKind",
    "RecordStatus",
    "Review",
    "Role",
    "SheetDoc",
    "SheetProposal",
    "SheetRow",
    "SheetTab",
    "Target",
    "Unit",
]
