"""Questions about figures are queries, not reports: the parser must not read `本季度开工率是多少` as a
start with the company 「本季度」, nor `签约多少` as a signing lacking its amount."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import Intent, parse

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("text", ["签约多少", "本季度开工率是多少", "履约率", "全县资金到位率", "哪些项目签约未开工",
                                  "项目进展怎么样", "线索转化率是多少？"])
def test_a_question_about_figures_is_a_summary_query(text: str) -> None:
    parsed = parse(text, TODAY)
    assert (parsed.intent, parsed.company, parsed.amount_wan) == (Intent.QUERY_SUMMARY, None, None)


@pytest.mark.parametrize(("text", "intent"), [
    ("今天拜访了几家企业", Intent.VISIT),            # 几家 = "a few": a report, not a question
    ("签约：XX公司项目正式签约，总投资多少待定", Intent.SIGNING),  # a label makes it a report
    ("你好吗？", Intent.UNKNOWN),
    ("签约的格式是啥？", Intent.HELP),
])
def test_reports_and_chat_with_question_words_keep_their_intent(text: str, intent: Intent) -> None:
    assert parse(text, TODAY).intent == intent
