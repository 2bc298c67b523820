"""Whatever a liaison types, the bot answers politely and keeps what was stored (fuzzed)."""

from __future__ import annotations

import uuid
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.runtime import Runtime
from handlers.core.messages import Incoming
from handlers.dispatch import APOLOGY
from storage.store import unit_of_work

from ..conftest import TZ

WORDS = st.sampled_from(
    ["线索：", "拜访：", "签约：", "更正 #1 ", "撤回 #", "排名", "通报：", "万元", "亿", "美元", "3月5日", "#",
     "上周五", "；", "\n", "一亿五", "拟投资", "有限公司", "'; DROP TABLE record; --", "\x00", "🙂"]
)
TEXTS = st.lists(st.one_of(WORDS, st.text(max_size=30)), max_size=12).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_any_text_gets_a_reply_and_loses_nothing(roster: Runtime, text: str) -> None:
    at = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
    with unit_of_work(roster.engine) as store:
        before = {r.id for r in store.records.in_periods(["2026-03"], include_retracted=True)}
    reply = roster.bot.handle(Incoming("fuzz", uuid.uuid4().hex, "nf_wang", text, at))
    assert isinstance(reply.text, str) and reply.text != APOLOGY
    with unit_of_work(roster.engine) as store:
        assert before <= {r.id for r in store.records.in_periods(["2026-03"], include_retracted=True)}
