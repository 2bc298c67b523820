"""A campaign's base task speaks the targets' metric names and means the same by them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.settings import DatabaseSettings, Settings
from handlers.core.rules import Campaign, DocumentRules, ScheduleRules
from tests.conftest import Chat

FDI = Campaign(name="外资攻坚", start=date(2026, 5, 1), end=date(2026, 6, 30),
               base_task={"signings_over_usd:1000": 1})


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database=DatabaseSettings(url=db_url), schedule=ScheduleRules(campaigns=[FDI]),
                    documents=DocumentRules(folder=str(tmp_path / "通报")))


def test_a_foreign_investment_base_task_counts_dollar_signings_as_the_targets_do(chat: Chat) -> None:
    """`signings_over_usd:1000` is one signing agreed in US dollars of at least 1,000万美元, as in a target
    file: a 1.2亿元 signing is worth more than 1,000万美元 but is not foreign investment."""
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-05-06 10:00")
    chat.send("nf_wang", "签约：美国艾维斯公司精密铸件项目正式签约，总投资1500万美元", at="2026-05-07 10:00")
    chat.send("hs_li", "签约：德国博维公司轴承项目正式签约，总投资800万美元", at="2026-05-08 10:00")
    text = chat.send("county_boss", "外资攻坚排名", at="2026-05-10 10:00").text
    # Only 南樊镇's 1,500万美元 reaches 1,000万美元; 横水镇's 800万美元 does not; 卫庄镇's is in yuan.
    assert "**基本任务**（每个单位签约1,000万美元以上外资项目1个）：已完成1/5个单位（南樊镇）" in text


def test_a_base_task_in_an_unknown_metric_stops_start_up_naming_it() -> None:
    with pytest.raises(ValueError, match="signings_above:10000"):
        Campaign(name="x", start=date(2026, 5, 1), end=date(2026, 6, 30), base_task={"signings_above:10000": 1})
