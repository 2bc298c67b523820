"""Logs never show the webhook key, tokens or secrets, whatever logs them."""

from __future__ import annotations

import logging

import pytest

from bot.logs import configure_logging
from bot.settings import Settings, WecomSettings


def test_secrets_and_url_keys_are_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(wecom=WecomSettings(corp_id="ww1", token="tok-123456", encoding_aes_key="k" * 43,
                                            webhook_url="https://h/cgi-bin/webhook/send?key=K-999"))
    configure_logging(settings)
    try:
        logging.getLogger("zsbot.test").warning(
            "posting to %s with token %s", "https://h/cgi-bin/webhook/send?key=K-999", "tok-123456"
        )
        logging.getLogger("zsbot.test").info("gettoken?corpid=ww1&corpsecret=SSS-abc failed")
    finally:
        logging.getLogger().handlers.clear()
    err = capsys.readouterr().err
    assert "posting to" in err and "gettoken" in err
    assert "K-999" not in err and "tok-123456" not in err and "SSS-abc" not in err
