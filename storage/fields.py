"""The one field table from a parse result to a record: column, parse-result name, Chinese labels.

Intake fills a record from it, a correction maps what it changes through it, receipts ask for a
missing field and label lines with it, the ledger takes its column headers from it, and
`Records.correct` accepts exactly its columns. Plain text, no ORM or parser import, so every layer
may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RecordField:
    #: The `Record` column.
    column: str
    #: The parse result's attribute it is read from; None when the handler derives it (the CNY value).
    parsed: str | None
    #: Its header in the ledger (台账); None when the ledger does not show it among the record's fields.
    header: str | None
    #: Its label on a receipt line (企业：…); "" when receipts do not show it on a line of its own.
    label: str = ""
    #: What the bot asks for when a report lacks it.
    ask: str = ""
    #: A correction (更正 #N …) may state it.
    correctable: bool = True


FIELDS: tuple[RecordField, ...] = (
    RecordField("company", "company", "企业", "企业"),
    RecordField("project_name", "project", "项目", "项目", ask="建设内容/项目名称（如：建设年产5万吨速冻食品项目）"),
    RecordField("amount_wan", "amount_wan", "金额(万)", "金额", ask="投资金额（如：8000万元）"),
    RecordField("currency", "currency", "币种"),
    RecordField("amount_cny_wan", None, "折合人民币(万元)", correctable=False),
    RecordField("place", "place", "地点", "地点", ask="去了哪里（如：苏州）"),
    RecordField("industry", "industry", "行业", "行业"),
    RecordField("contact_name", "contact_name", "联系人", "联系人"),
    RecordField("contact_phone", "contact_phone", "电话"),
    RecordField("event_date", "date", "事件日期", "日期"),
    RecordField("count", "count", None, "数量"),
    RecordField("persons", "persons", "人数", "人数"),
    RecordField("channel", "channel", "渠道", "渠道"),
    RecordField("government_funded", "government_funded", None, correctable=False),
)

#: Record columns by parse-result name, for what a report or a correction states.
BY_PARSED: dict[str, RecordField] = {f.parsed: f for f in FIELDS if f.parsed is not None}
BY_COLUMN: dict[str, RecordField] = {f.column: f for f in FIELDS}
