"""`归入 #15` (after sending a file) moves the file to record #15; `归入 P2` still puts a record on a project."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import Intent, clean, parse

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("text", ["归入 #15", "归入#15", "改挂到第15条", "佐证归入 #15。"])
def test_归入_a_record_number_is_the_evidence_command(text: str) -> None:
    parsed = parse(clean(text), TODAY)
    assert (parsed.intent, parsed.ref) == (Intent.EVIDENCE, 15)
    assert parsed.to_contract()["intent"] == "unknown"  # a command: outside the parse contract's intents


@pytest.mark.parametrize(("text", "ref", "project"), [("归入 P2", None, 2), ("#15 归入 P2", 15, 2)])
def test_归入_a_project_stays_the_attach_command(text: str, ref: int | None, project: int) -> None:
    parsed = parse(clean(text), TODAY)
    assert (parsed.intent, parsed.ref, parsed.project_ref) == (Intent.ATTACH, ref, project)
