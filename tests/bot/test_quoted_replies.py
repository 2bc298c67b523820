"""A liaison replies to the bot's receipt by quoting it (WeCom's 引用), as people do in WeCom: the reply acts on
the record the receipt names, without typing its number. Through the AI-bot callback, as WeCom sends it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.runtime import Runtime
from bot.settings import InboxSettings
from bot.web import create_app
from storage.models import RecordStatus
from tests.fakes.wecom import CallbackSigner, aibot_text

from .conftest import LEAD, configured, records

VISIT = "3月12日赴苏州拜访江苏恒润新材料有限公司，洽谈可降解塑料项目"


@pytest.fixture
def client(wecom: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(configured(wecom, inbox=InboxSettings(first_answer_s=4.0)))) as c:
        yield c


def say(client: TestClient, signer: CallbackSigner, msgid: str, text: str, quoting: str | None = None) -> str:
    """One @-message in the group, quoting `quoting` (the text of the message replied to) when given."""
    payload: dict[str, Any] = aibot_text(msgid, "wz_liu", text)
    if quoting is not None:
        payload["quote"] = {"msgtype": "text", "text": {"content": quoting}}
    params, body = signer.aibot_callback(payload, msgid)
    answer = signer.open_aibot_reply(client.post("/wecom/aibot", params=params, content=body).json(), msgid)
    assert answer["stream"]["finish"] is True, answer
    return str(answer["stream"]["content"])


def counting(runtime: Runtime) -> list[Any]:
    """The records that stand (a corrected one still does; a withdrawn one does not), oldest first."""
    return sorted((r for r in records(runtime) if r.status != RecordStatus.RETRACTED.value), key=lambda r: r.id)


def test_a_quoted_amount_change_corrects_that_record_and_scores_nothing_new(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    receipt = say(client, aibot_signer, "q-1", LEAD)
    [lead] = counting(wecom)
    assert f"#{lead.id}" in receipt
    answer = say(client, aibot_signer, "q-2", "金额改为9000万", quoting=receipt)
    [after] = counting(wecom)
    assert after.id == lead.id and after.amount_cny_wan == 9000
    assert "9,000万元" in answer


def test_a_quoted_withdrawal_withdraws_that_record_only(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    first = say(client, aibot_signer, "w-1", LEAD)
    say(client, aibot_signer, "w-2", VISIT)
    kept = [r for r in counting(wecom) if f"#{r.id}" not in first]
    say(client, aibot_signer, "w-3", "撤回", quoting=first)
    assert [r.id for r in counting(wecom)] == [r.id for r in kept]


def test_a_quote_naming_two_records_acts_on_neither_until_the_reply_says_which(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    say(client, aibot_signer, "t-1", LEAD)
    say(client, aibot_signer, "t-2", VISIT)
    ids = sorted(r.id for r in counting(wecom))
    quoted = f"✅ 已登记 #{ids[0]} 线索；#{ids[1]} 外出招商"
    say(client, aibot_signer, "t-3", "撤回", quoting=quoted)
    assert sorted(r.id for r in counting(wecom)) == ids
    say(client, aibot_signer, "t-4", f"撤回 #{ids[1]}", quoting=quoted)
    assert [r.id for r in counting(wecom)] == [ids[0]]


def test_a_quote_of_someone_elses_words_changes_nothing(
    client: TestClient, wecom: Runtime, aibot_signer: CallbackSigner
) -> None:
    say(client, aibot_signer, "o-1", LEAD)
    before = [(r.id, r.amount_cny_wan) for r in counting(wecom)]
    say(client, aibot_signer, "o-2", "金额改为9000万", quoting="王芳：下周去苏州")
    assert [(r.id, r.amount_cny_wan) for r in counting(wecom)] == before
