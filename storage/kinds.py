"""Record kinds and project stages with their Chinese names, defined once.

Importable without the ORM (like `storage.states`), so settings validation and the CLI can name
kinds without loading SQLModel. `RecordKind` values equal the parser's `Intent` values for the
intents that store a record.
"""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    """What a record reports; `label` is its one Chinese name (receipts, help, ledger, rules)."""

    LEAD = "lead"
    VISIT = "visit"
    RECEPTION = "reception"
    SIGNING = "signing"
    START = "start"
    FUNDS = "funds"
    COMPLETION = "completion"
    PROGRESS = "progress"
    #: 策划包装: a project the unit has planned and packaged for investors (seed 000: 3–5 a quarter).
    #: Not a monthly report: it never makes a unit "reported" and scores only if `[scoring] packaging` > 0.
    PACKAGING = "packaging"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    RecordKind.LEAD: "线索",
    RecordKind.VISIT: "外出招商",
    RecordKind.RECEPTION: "接待洽谈",
    RecordKind.SIGNING: "签约",
    RecordKind.START: "开工",
    RecordKind.FUNDS: "资金到位",
    RecordKind.COMPLETION: "竣工投产",
    RecordKind.PROGRESS: "项目进展",
    RecordKind.PACKAGING: "策划包装",
}

#: The kinds of the monthly report: what makes a unit "reported" for a period (service contract).
MONTHLY_KINDS = tuple(k for k in RecordKind if k is not RecordKind.PACKAGING)


class ProjectStage(StrEnum):
    """Where a project stands; `label` is its Chinese name in the ledger and replies."""

    LEAD = "lead"
    TALKS = "talks"
    #: Framework agreement or contract, whichever came first.
    SIGNED = "signed"
    #: The formal contract after an agreement: the same signing, not a second.
    CONTRACT = "contract"
    STARTED = "started"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    ProjectStage.LEAD: "线索",
    ProjectStage.TALKS: "在谈",
    ProjectStage.SIGNED: "签约",
    ProjectStage.CONTRACT: "合同",
    ProjectStage.STARTED: "开工",
    ProjectStage.COMPLETED: "投产",
}
