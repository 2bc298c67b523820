"""Every labelled line of the shared dev corpus passes under the grading rule of its README."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from nlp import parse

#: /work/main/../shared for the main checkout, /work/wt/<name>/../../shared for a worktree.
CORPUS = next(
    (
        p
        for p in (Path(__file__).parents[n].parent / "shared" / "corpus" / "dev.jsonl" for n in (2, 3))
        if p.exists()
    ),
    Path(__file__).parents[2].parent / "shared" / "corpus" / "dev.jsonl",
)


def _same(key: str, want: Any, got: Any) -> bool:
    if key in ("amount_wan", "count"):
        return isinstance(got, int | float) and not isinstance(got, bool) and abs(got - want) <= 0.01
    if key in ("place", "industry"):  # as ../shared/tools/grade-parse grades them
        return isinstance(got, str) and got != "" and (want in got or got in want)
    if key == "missing":
        return isinstance(got, list) and set(got) == set(want)
    if key == "items":
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(all(_same(k, v, g.get(k)) for k, v in w.items()) for w, g in zip(want, got, strict=True))
        )
    if isinstance(want, str):
        return isinstance(got, str) and got.strip() == want.strip()
    return got == want


def _rows() -> list[dict[str, Any]]:
    if not CORPUS.exists():
        return []
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


ROWS = _rows()


@pytest.mark.skipif(not ROWS, reason=f"dev corpus not found at {CORPUS}")
@pytest.mark.parametrize("row", ROWS, ids=[r["text"][:24] for r in ROWS])
def test_dev_line(row: dict[str, Any]) -> None:
    got = parse(row["text"], date.fromisoformat(row["today"])).to_contract()
    wrong = {k: (v, got.get(k)) for k, v in row["expect"].items() if not _same(k, v, got.get(k))}
    assert not wrong, f"(expected, got) per field: {wrong}"


def test_every_contract_key_is_present() -> None:
    got = parse("收到", date(2025, 1, 1)).to_contract()
    for key in (
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
    ):
        assert key in got
