"""新开工 amounts mean one thing: a campaign's base task in `started_wan` counts a 开工 as the targets do
(its own amount, else its project's signed amount), so `zsbot stats` and `百日竞赛排名` agree."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.settings import DatabaseSettings, Settings
from handlers.assessment.stats import compute_stats
from handlers.core.periods import period
from handlers.core.rules import Campaign, DocumentRules, ScheduleRules
from storage.store import unit_of_work
from storage.targets import TargetRow
from tests.conftest import Chat, local

SPRING = Campaign(name="百日竞赛", start=date(2026, 4, 13), end=date(2026, 7, 31), base_task={"started_wan": 10000})


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database=DatabaseSettings(url=db_url), schedule=ScheduleRules(campaigns=[SPRING]),
                    documents=DocumentRules(folder=str(tmp_path / "通报")))


def test_a_start_without_an_amount_counts_its_signed_amount_for_targets_and_the_base_task(chat: Chat) -> None:
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-04-15 10:00")
    chat.send("wz_liu", "开工：深圳澄峰新能源科技有限公司储能项目今日开工", at="2026-05-10 10:00")
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", at="2026-04-16 10:00")
    with unit_of_work(chat.runtime.engine) as store:
        wz = store.roster.unit_named("卫庄镇")
        assert wz is not None
        store.targets.replace_year(2026, [TargetRow(wz.id, "started_wan", 20000)], "test", local("2026-01-02 09:00"))
        stats = compute_stats(store, chat.runtime.rules, period("2026-05", chat.runtime.rules.schedule))
        mine = stats.unit(wz.id)
        assert mine is not None
        # The start names no amount: it counts for its project's signed 12,000万元 (of a 20,000 target).
        assert [(t.metric.key, t.done) for t in mine.targets] == [("started_wan", 12000)]
    text = chat.send("county_boss", "百日竞赛排名", at="2026-05-20 10:00").text
    # 12,000 ≥ 10,000: 卫庄镇 has met the base task; 南樊镇 signed but did not start.
    assert "**基本任务**（每个单位新开工1亿元）：已完成1/5个单位（卫庄镇）" in text.splitlines(), text
