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
    #: An intention agreement (意向书): the project reaches 意向; a report of the month, never a signing.
    INTENTION = "intention"
    #: A planned milestone (预计6月签约): sets the project's planned date; counts nothing, reports nothing.
    PLAN = "plan"

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
    RecordKind.INTENTION: "意向",
    RecordKind.PLAN: "计划",
}

#: The kinds of the monthly report: what makes a unit "reported" for a period (service contract), and
#: what the ranking counts. Packaging is quarterly; a plan is not an event.
MONTHLY_KINDS = (
    RecordKind.LEAD, RecordKind.VISIT, RecordKind.RECEPTION, RecordKind.SIGNING, RecordKind.START,
    RecordKind.FUNDS, RecordKind.COMPLETION, RecordKind.PROGRESS, RecordKind.INTENTION,
)
#: The kinds that speak of a project and may be attached to one (a visit or a reception speaks of a trip).
PROJECT_KINDS = frozenset({
    RecordKind.LEAD, RecordKind.SIGNING, RecordKind.START, RecordKind.FUNDS, RecordKind.COMPLETION,
    RecordKind.PROGRESS, RecordKind.INTENTION, RecordKind.PLAN,
})
#: Project kinds that must reach a project of the unit (a milestone never stands alone): unattached,
#: they wait on the office's lists until someone says which project.
MILESTONE_KINDS = PROJECT_KINDS - {RecordKind.LEAD}
#: The same, as the values stored in `record.kind`.
MILESTONE_VALUES = frozenset(k.value for k in MILESTONE_KINDS)


class ProjectStage(StrEnum):
    """Where a project stands (线索 → 意向 → 签约 → 合同 → 开工 → 投产); `label` is its Chinese name."""

    LEAD = "lead"
    #: An intention agreement (意向书): not a signing.
    INTENTION = "intention"
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
    ProjectStage.INTENTION: "意向",
    ProjectStage.SIGNED: "签约",
    ProjectStage.CONTRACT: "合同",
    ProjectStage.STARTED: "开工",
    ProjectStage.COMPLETED: "投产",
}


def stage_named(label: str) -> ProjectStage | None:
    """The stage an office writes in its ledger (签约, 开工, 已投产 …), or its English value."""
    text = label.strip().removeprefix("已")
    for stage in ProjectStage:
        if text in (stage.value, stage.label):
            return stage
    aliases = {"竣工": ProjectStage.COMPLETED, "建成": ProjectStage.COMPLETED, "在建": ProjectStage.STARTED,
               "动工": ProjectStage.STARTED, "在谈": ProjectStage.LEAD, "洽谈": ProjectStage.LEAD,
               "意向签约": ProjectStage.INTENTION, "正式合同": ProjectStage.CONTRACT, "签订合同": ProjectStage.CONTRACT}
    return aliases.get(text)
