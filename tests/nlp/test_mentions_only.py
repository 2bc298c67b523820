"""Words that only mention an intent: how-to questions are help, talk about reporting is chit-chat."""

from datetime import date

import pytest

from nlp import parse

TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    "text", ["到位的格式是啥？", "竣工投产要填什么内容", "接待客商怎么填？发个例子", "线索模板发我一下"]
)
def test_how_to_questions_are_help(text: str) -> None:
    assert str(parse(text, TODAY).intent) == "help"


@pytest.mark.parametrize(
    "text",
    [
        "好的，周五前把开工的补上",
        "收到，签约的晚点一起报",
        "各位抓紧把本月拜访情况报一下",
        "明白，接待的材料我回头再发",
    ],
)
def test_talk_about_reporting_is_chit_chat(text: str) -> None:
    assert str(parse(text, TODAY).intent) == "unknown"


def test_a_report_with_a_figure_is_still_a_report() -> None:
    assert str(parse("补报：签约福州闽龙食品项目，投资3000万元", TODAY).intent) == "signing"
