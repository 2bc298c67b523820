"""One field table from parse result to record: a report, its correction, its receipt and the ledger
all go through `storage.fields.FIELDS`."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from pathlib import Path

import pytest

from nlp import Parsed
from storage.fields import FIELDS
from storage.models import Record

from ..conftest import Chat
from .test_integrity_stories import ledger, rows_of
from .test_reporting import number_in, records


def test_the_table_names_real_parse_fields_and_record_columns() -> None:
    parsed = {f.name for f in dataclass_fields(Parsed)}
    assert all(f.parsed in parsed for f in FIELDS if f.parsed is not None)
    assert all(f.column in Record.model_fields for f in FIELDS)
    assert len({f.column for f in FIELDS}) == len(FIELDS)


def test_a_contact_reported_then_corrected_reaches_record_receipt_and_ledger(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    receipt = chat.send(
        "wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目，联系人高明13912345678",
        at="2026-03-10 10:00",
    ).text
    n = number_in(receipt)
    assert "联系人：高明 13912345678" in receipt and "企业：江苏恒润新材料有限公司" in receipt
    fixed = chat.send("wz_liu", f"更正 #{n} 联系电话13800001111", at="2026-03-10 10:05").text
    assert "联系人：高明 13800001111" in fixed
    [record] = records(chat)
    assert (record.contact_name, record.contact_phone, record.amount_wan) == ("高明", "13800001111", 8000)
    [row] = rows_of(ledger(chat, monkeypatch, tmp_path)["台账"])
    assert (row["企业"], row["联系人"], row["电话"], row["金额(万)"]) == (
        "江苏恒润新材料有限公司", "高明", "13800001111", 8000)
