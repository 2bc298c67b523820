"""The typed result of parsing one chat message; its `to_contract()` is what `zsbot parse` prints."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

#: `date` by another name: inside `Parsed` the field `date` hides the type.
Day = date


class Intent(StrEnum):
    LEAD = "lead"
    VISIT = "visit"
    RECEPTION = "reception"
    SIGNING = "signing"
    START = "start"
    FUNDS = "funds"
    COMPLETION = "completion"
    PROGRESS = "progress"
    #: 策划包装: a project the unit planned and packaged for investors (seed 000).
    PACKAGING = "packaging"
    #: An intention agreement (意向书, 投资意向协议): the project's stage 意向, not a signing.
    INTENTION = "intention"
    #: A planned milestone (预计6月签约, 计划6月30日前开工): sets a date, counts nothing (`plan_of`).
    PLAN = "plan"
    #: A difficulty on a project that needs someone to act (问题：P8用地手续卡住，需自然资源局协调).
    PROBLEM = "problem"
    REPORT = "report"
    QUERY_RANK = "query_rank"
    QUERY_RANK_CHART = "query_rank_chart"
    QUERY_MISSING = "query_missing"
    QUERY_SUMMARY = "query_summary"
    #: 包干制: `包干 P5 王副县长`, `取消包干 P5`, `我的包干项目`.
    OWNERS = "owners"
    BULLETIN = "bulletin"
    #: The office's verdict on a flagged record: `确认 #26`, `驳回 #41 城投项目不计` (a command whatever its reason says).
    REVIEW = "review"
    #: A record put on its project: `P2` (answering the bot), `#15 归入 P2`, `#15 新项目`.
    ATTACH = "attach"
    #: A project's problem closed: `解决 问题3`.
    SOLVE = "solve"
    #: The sender's latest 佐证 (image or file) moved to another record: `归入 #15`.
    EVIDENCE = "evidence"
    CORRECTION = "correction"
    RETRACT = "retract"
    HELP = "help"
    UNKNOWN = "unknown"


#: Intents that create a record for the sender's unit.
RECORD_INTENTS = frozenset(
    {
        Intent.LEAD,
        Intent.VISIT,
        Intent.RECEPTION,
        Intent.SIGNING,
        Intent.START,
        Intent.FUNDS,
        Intent.COMPLETION,
        Intent.PROGRESS,
        Intent.PACKAGING,
        Intent.INTENTION,
        Intent.PLAN,
    }
)

#: Record intents that move a followed project along (线索 → 签约 → 开工 → 投产).
MILESTONE_INTENTS = frozenset(
    {Intent.SIGNING, Intent.START, Intent.FUNDS, Intent.COMPLETION, Intent.PROGRESS, Intent.INTENTION}
)

#: The office's commands (extensions of the contract's intents): `zsbot parse` prints them as `unknown`.
COMMAND_INTENTS = frozenset({Intent.REVIEW, Intent.ATTACH, Intent.SOLVE, Intent.EVIDENCE})

#: Required fields per intent, in the contract's order.
REQUIRED_FIELDS: dict[Intent, tuple[str, ...]] = {
    Intent.LEAD: ("amount_wan", "project"),
    Intent.SIGNING: ("amount_wan",),
    Intent.FUNDS: ("amount_wan",),
    Intent.VISIT: ("place",),
    Intent.PACKAGING: ("amount_wan", "project"),
}

#: `Parsed` fields that describe the message as a whole (set by `parse` on its result only): not a record's.
MESSAGE_FIELDS = frozenset({"label", "question"})

#: The keys every contract object carries (besides `items`, only for reports).
CONTRACT_KEYS = (
    "intent",
    "company",
    "project",
    "amount_wan",
    "currency",
    "date",
    "place",
    "industry",
    "contact_name",
    "contact_phone",
    "count",
    "missing",
)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one message (or one part of a monthly report) says.

    Contract fields come first; the rest are extras the handlers need and that
    `zsbot parse` may print as extra keys.
    """

    intent: Intent
    company: str | None = None
    project: str | None = None
    amount_wan: float | None = None
    currency: str | None = None
    date: date | None = None
    place: str | None = None
    industry: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    count: int | None = None
    #: How many people came or met (一行5人, 走访企业家12人): receptions and 座谈 count people.
    persons: int | None = None
    #: The 商会/协会 the contact came through (北京山西商会): a channel, neither a place nor the investor.
    channel: str | None = None
    items: tuple[Parsed, ...] = ()
    missing: tuple[str, ...] = ()
    #: `#N` named by 更正/撤回 (also usable by queries).
    ref: int | None = None
    #: A unit named in a query (`卫庄镇排名`), as written.
    target_unit: str | None = None
    #: True when the sender asks about their own unit (`我单位排名`, `我们排第几`).
    own_unit: bool = False
    #: The broadcast text after `通报：` / the correction text after `更正 #N`.
    body: str | None = None
    #: 财政 / 政府投资 / 专项债 / 中央预算内: stored but never counted.
    government_funded: bool = False
    #: The part of the message this result was read from (a report line for items).
    source_text: str = ""
    #: Names of the fields that were explicitly written (for corrections: what to change).
    stated: frozenset[str] = field(default_factory=frozenset)
    #: A plan: the milestone planned (signing, start, funds, completion); `date` is when.
    plan_of: Intent | None = None
    #: Plans named beside the event (`今天签约，计划6月开工`): (milestone, planned date or None).
    planned: tuple[tuple[Intent, Day | None], ...] = ()
    #: A project named by its number (`问题：P8…`, `#15 归入 P2`).
    project_ref: int | None = None
    #: A problem: the department asked to act (`需自然资源局协调`), and the date it is due.
    department: str | None = None
    due: Day | None = None
    #: The office's verdict (`review`): True for 确认, False for 驳回.
    confirm: bool | None = None
    #: Of the whole message, not of the record it reports (never stored with one, see `MESSAGE_FIELDS`):
    #: the kind a label opening the message names (`线索：`, `2、签约:`), whatever the message turned out to be.
    label: Intent | None = None
    #: The message asks rather than reports (`本季度开工率是多少`, `签约多少`, `哪些项目签约未开工`, `卫庄镇签约未开工`).
    question: bool = False

    def with_missing_recomputed(self) -> Parsed:
        """Recompute `missing` from REQUIRED_FIELDS (after a draft is completed)."""
        need = REQUIRED_FIELDS.get(self.intent, ())
        return replace(self, missing=tuple(f for f in need if getattr(self, f) in (None, "")))

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of parse-contract.md (with a few extra keys). The office's commands are none of
        the contract's intents: they print as `unknown` with the command named under `command`."""
        out: dict[str, Any] = {}
        for key in CONTRACT_KEYS:
            value = getattr(self, key)
            if key == "intent":
                value = "unknown" if self.intent in COMMAND_INTENTS else str(value)
            elif key == "date":
                value = value.isoformat() if value else None
            elif key == "missing":
                value = list(value)
            elif key == "amount_wan" and value is not None and float(value).is_integer():
                value = int(value)
            out[key] = value
        if self.intent is Intent.REPORT:
            out["items"] = [item.to_contract() for item in self.items]
        if self.persons is not None:
            out["persons"] = self.persons
        if self.channel:
            out["channel"] = self.channel
        if self.ref is not None:
            out["ref"] = self.ref
        if self.target_unit:
            out["target_unit"] = self.target_unit
        if self.government_funded:
            out["government_funded"] = True
        if self.intent in COMMAND_INTENTS:
            out["command"] = str(self.intent)
        if self.plan_of is not None:
            out["plan_of"] = str(self.plan_of)
        if self.planned:
            out["planned"] = {str(of): on.isoformat() if on else None for of, on in self.planned}
        if self.project_ref is not None:
            out["project_ref"] = f"P{self.project_ref}"
        if self.department:
            out["department"] = self.department
        if self.due is not None:
            out["due"] = self.due.isoformat()
        return out
