"""Small rules of the house: the draft window the bot names is the configured one, and a parser bug
is logged with its traceback instead of silently turning a report into chit-chat."""

from __future__ import annotations

import logging
from datetime import date

import pytest

import nlp.parser
from bot.settings import DatabaseSettings, Settings
from handlers.core.rules import ReportingRules
from nlp import Intent, parse

from ..conftest import Chat


@pytest.fixture
def settings(db_url: str) -> Settings:
    """This module's bot keeps drafts open 45 minutes, not the default 30."""
    return Settings(database=DatabaseSettings(url=db_url), reporting=ReportingRules(draft_minutes=45))


def test_the_draft_question_names_the_configured_minutes(chat: Chat) -> None:
    reply = chat.send("wz_liu", "线索：江苏恒润新材料有限公司有投资意向", at="2026-03-10 10:00")
    assert "请在45分钟内直接回复补充" in reply.text and "30分钟" not in reply.text


def test_a_parser_crash_is_logged_with_its_traceback(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str, today: date) -> object:
        raise KeyError("a parser bug")

    monkeypatch.setattr(nlp.parser, "_parse", broken)
    with caplog.at_level(logging.ERROR, logger="nlp.parser"):
        result = parse("线索：某公司拟投资8000万元", date(2026, 3, 10))
    assert result.intent is Intent.UNKNOWN
    [logged] = [r for r in caplog.records if r.name == "nlp.parser"]
    assert logged.exc_info is not None and "a parser bug" in str(logged.exc_info[1])
