"""Issue 21: one clean-up of a message (`nlp.clean`), answers read without gluing a label
(`nlp.parse_answer`), and what the message as a whole is (`Parsed.label`, `Parsed.question`)."""

from __future__ import annotations

from datetime import date

import pytest

import nlp.text
from nlp import Intent, clean, parse, parse_answer

TODAY = date(2026, 3, 10)


def test_clean_keeps_what_a_store_can_hold_and_the_parser_reads_the_tidy_copy() -> None:
    message = clean("@招商助手 【城关镇】线索：\x00苏州汇川🙂拟投资5000万元")
    assert str(message) == "@招商助手 【城关镇】线索：苏州汇川🙂拟投资5000万元"  # NUL gone, all else as sent
    assert message.text.orig == "线索：苏州汇川拟投资5000万元"
    assert message.text.key == "线索:苏州汇川拟投资5000万元"
    assert clean(message) is message


def test_the_length_limit_counts_the_message_as_sent() -> None:
    message = clean("线索：" + "🙂" * 98)  # 101 characters sent, 3 left for the parser
    assert message.too_long(100) and not clean("线索：" + "🙂" * 97).too_long(100)
    assert not message.empty and clean(" \x00\n ").empty


def test_a_cleaned_message_is_tidied_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    tidy = nlp.text._tidy

    def counted(text: str) -> str:
        calls.append(text)
        return tidy(text)

    monkeypatch.setattr(nlp.text, "_tidy", counted)
    message = clean("线索：苏州汇川拟投资5000万元建设伺服电机项目")
    assert parse(message, TODAY).intent is Intent.LEAD
    assert parse(message, TODAY).amount_wan == 5000
    assert len(calls) == 1


def test_a_mention_typed_on_the_command_line_is_dropped() -> None:
    """`zsbot say "@招商助手 线索：…"` reaches the parser with the mention the AI-bot wire would have cut."""
    typed = parse("@招商助手 线索：苏州汇川拟投资5000万元建设伺服电机项目", TODAY)
    assert typed.intent is Intent.LEAD and typed.label is Intent.LEAD and typed.amount_wan == 5000


@pytest.mark.parametrize(
    ("text", "expecting", "missing", "field", "value"),
    [
        ("8000万元", Intent.LEAD, ("amount_wan",), "amount_wan", 8000),
        ("苏州", Intent.VISIT, ("place",), "place", "苏州"),
        # read as the value of 策划包装：, the first clause is the project (alone it is chit-chat)
        ("冷链仓储中心，6000万", Intent.PACKAGING, ("amount_wan", "project"), "project", "冷链仓储中心"),
        ("冷链仓储中心，6000万", Intent.PACKAGING, ("amount_wan", "project"), "amount_wan", 6000),
        # not a name the rules find: taken as written, since a project was asked for
        ("冷链仓储中心", Intent.LEAD, ("project",), "project", "冷链仓储中心"),
    ],
)
def test_an_answer_is_read_as_the_value_of_the_drafts_label(
    text: str, expecting: Intent, missing: tuple[str, ...], field: str, value: object
) -> None:
    answer = parse_answer(text, TODAY, expecting=expecting, missing=missing)
    assert answer.intent is expecting
    assert getattr(answer, field) == value


def test_an_answer_takes_nothing_as_written_that_was_not_asked_for() -> None:
    assert parse_answer("冷链仓储中心", TODAY, expecting=Intent.LEAD, missing=("amount_wan",)).project is None
    assert parse_answer("冷链仓储中心", TODAY, expecting=Intent.SIGNING, missing=("amount_wan",)).place is None


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("新增线索：苏州汇川拟投资5000万元", Intent.LEAD),
        ("2、接待洽谈：苏州客商来我镇考察", Intent.RECEPTION),
        ("拜访 苏州汇川", None),  # a label parted by a space only may be an answer or a sentence
        ("苏州汇川拟投资5000万元", None),
    ],
)
def test_the_label_opening_a_message(text: str, label: Intent | None) -> None:
    assert parse(text, TODAY).label is label


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("签约多少", True),
        ("本季度开工率是多少？", True),
        ("本季度開工率是多少?", True),  # traditional and half-width read as the simplified full-width
        ("卫庄镇签约未开工", True),
        ("【城关镇】哪些项目签约未开工", True),
        ("签约：苏州汇川5000万元伺服电机项目今天签约", False),
        ("问题：多少手续没办下来", False),  # a question word after a label is a report's
        ("今天签约了一个项目，投资多少？5000万元", False),  # an amount: a report
    ],
)
def test_whether_a_message_asks(text: str, asked: bool) -> None:
    assert parse(text, TODAY).question is asked
