"""策划包装 (seed 000, issue 11): each unit packages 3–5 projects a quarter, each ≥ 5000万, by the 20th
of the quarter's last month; no repeats, no government money, only money from outside the county.
Each report is checked on arrival and the receipt says what fails; the quarterly reminder counts them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime import Runtime, build_runtime
from bot.settings import DatabaseSettings, Settings
from handlers.core.roster import import_roster, read_rows
from handlers.core.rules import PackagingRules, ScoringRules
from handlers.core.workdays import Workdays
from handlers.jobs import job_named, run_job
from storage.models import Record
from storage.store import unit_of_work

from ..conftest import FIXTURES, Chat, Clock, local
from .test_integrity_stories import ledger, rank, rows_of

FIRST = "策划包装：年产5万吨新型建材项目，拟投资8000万元，面向县外客商招商"


def record(chat: Chat, record_id: int) -> Record:
    with chat.store() as store:
        found = store.records.get(record_id)
        assert found is not None
        return found


def test_a_packaged_project_that_passes_is_counted_towards_the_quarter(chat: Chat) -> None:
    reply = chat.send("wz_liu", FIRST, at="2026-03-09 10:00").text
    assert reply.startswith("✅ 已登记策划包装 #1（卫庄镇，计入2026年第1季度）")
    assert "项目：年产5万吨新型建材项目" in reply and "金额：8,000万元" in reply
    # 1 of the 3 required; March's deadline is the 20th.
    assert "2026年第1季度本单位已报策划包装1个（要求3-5个），还差2个，请于3月20日前报送。" in reply
    assert record(chat, 1).kind == "packaging" and record(chat, 1).not_counting is None
    assert record(chat, 1).project_id is None  # offered to investors, not a project the unit follows yet

    chat.send("wz_liu", "策划包装：智慧物流园项目，拟投资1.5亿元", at="2026-03-09 10:05")
    third = chat.send("wz_liu", "本季度策划包装项目：农副产品冷链仓储中心，估算投资6000万元", at="2026-03-09 10:10").text
    assert "已报策划包装3个（要求3-5个），已达要求。" in third


def test_a_packaged_project_never_joins_or_moves_a_followed_project(chat: Chat) -> None:
    chat.send("wz_liu", "签约：江苏恒润新材料有限公司可降解塑料项目正式签约，总投资8000万元", at="2026-03-02 10:00")
    reply = chat.send("wz_liu", "策划包装：江苏恒润新材料有限公司可降解塑料二期项目，拟投资9000万元",
                      at="2026-03-09 10:00").text
    assert "P1" not in reply and record(chat, 2).project_id is None
    with chat.store() as store:
        project = store.projects.get(1)
        assert project is not None
        # Still as the signing of 3月2日 left it.
        assert (project.amount_wan, project.last_progress_at) == (8000, local("2026-03-02 10:00"))


def test_the_receipt_says_what_fails(chat: Chat) -> None:
    chat.send("wz_liu", FIRST, at="2026-03-09 10:00")
    small = chat.send("wz_liu", "策划包装：乡村民宿改造项目，拟投资3000万元", at="2026-03-09 10:01").text
    assert "⚠️ 不计入策划包装：拟投资3,000万元，低于5,000万元。已登记备查。" in small
    # The same project again (its core words 新型建材 are #1's), however the amount is written.
    again = chat.send("wz_liu", "策划包装：新型建材项目，总投资1亿元", at="2026-03-09 10:02").text
    assert "与本单位 #1 为同一项目（策划包装项目不可重复）" in again
    public = chat.send("wz_liu", "策划包装：城区污水管网改造项目，拟投资9000万元，资金来源为财政资金",
                       at="2026-03-09 10:03").text
    assert "政府性投资（财政资金）不能作为招商项目" in public and "已转招商办审核" in public
    local_money = chat.send("wz_liu", "策划包装：小杂粮深加工项目，拟投资6000万元，由本县企业投资",
                            at="2026-03-09 10:04").text
    assert "须为县域外资金（本县企业）" in local_money
    both = chat.send("wz_liu", "策划包装：新型建材项目，拟投资2000万元", at="2026-03-09 10:05").text
    assert "拟投资2,000万元，低于5,000万元；与本单位 #1 为同一项目" in both
    assert [record(chat, i).not_counting is None for i in range(1, 7)] == [True, False, False, False, False, False]
    assert record(chat, 3).repeat_of == 1
    # Only #1 counts: the next good one is the second of the quarter.
    assert "已报策划包装2个" in chat.send("wz_liu", "策划包装：智慧物流园项目，拟投资1.5亿元", at="2026-03-09 10:06").text


def test_after_the_quarters_deadline_it_counts_for_the_next_quarter(chat: Chat) -> None:
    late = chat.send("wz_liu", FIRST, at="2026-03-21 09:00").text
    assert "计入2026年第2季度" in late
    assert "⚠️ 已过2026年第1季度策划包装报送截止（3月20日），本条计入2026年第2季度。" in late
    assert "请于6月20日前报送" in late
    # After February's deadline is not late for a quarter: 2月21日 counts for March, still the first quarter.
    feb = chat.send("nf_wang", "策划包装：智慧物流园项目，拟投资1.5亿元", at="2026-02-21 09:00").text
    assert "计入2026年第1季度" in feb and "截止" not in feb
    assert record(chat, 1).late and not record(chat, 2).late


def test_packaging_is_not_a_monthly_report_and_scores_only_when_weighted(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat.send("wz_liu", FIRST, at="2026-03-09 10:00")
    chat.send("nf_wang", "拜访：今天赴苏州拜访苏州澄岚精密机械有限公司", at="2026-03-09 10:00")
    rows = rank(chat, monkeypatch, tmp_path)
    # 卫庄镇 only packaged: not reported, 0 points; 南樊镇's visit: 4 + on-time 5 = 9.
    assert (rows["卫庄镇"]["reported"], rows["卫庄镇"]["score"]) == (False, 0)
    assert (rows["南樊镇"]["reported"], rows["南樊镇"]["score"]) == (True, 9)
    assert "卫庄镇" in chat.send("office", "未报送", at="2026-03-10 10:00").text
    nag = job_named("monthly-nag")
    assert nag is not None
    run_job(chat.runtime.engine, nag, local("2026-03-15 09:00"), chat.runtime.rules, forced=True)
    with chat.store() as store:
        mentioned = [m for p in store.outbox.all() if p.key.startswith("monthly-nag:") for m in p.mentions]
    assert "wz_liu" in mentioned and "nf_wang" not in mentioned
    # The ledger lists it with its kind.
    sheet = rows_of(ledger(chat, monkeypatch, tmp_path)["台账"])
    assert [r["类型"] for r in sheet] == ["策划包装", "外出招商"]


@pytest.fixture
def weighted(db_url: str, clock: Clock) -> Iterator[Chat]:
    """A county that weighs packaging (10 points each) and asks 3000万 at least."""
    settings = Settings(database=DatabaseSettings(url=db_url), scoring=ScoringRules(packaging=10),
                        packaging=PackagingRules(min_wan=3000, per_quarter=2, per_quarter_max=4))
    runtime: Runtime = build_runtime(settings)
    with unit_of_work(runtime.engine) as store:
        assert not import_roster(read_rows(FIXTURES / "roster.csv"), store).errors
    yield Chat(runtime, clock)
    runtime.engine.dispose()


def test_the_rules_numbers_and_the_weight_are_settings(
    weighted: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reply = weighted.send("wz_liu", "策划包装：乡村民宿改造项目，拟投资3000万元", at="2026-03-09 10:00").text
    assert "不计入" not in reply and "已报策划包装1个（要求2-4个），还差1个" in reply
    weighted.send("wz_liu", "策划包装：乡村文旅小镇项目，拟投资1000万元", at="2026-03-09 10:01")  # below 3000: not counted
    monkeypatch.setenv("ZSBOT_SCORING__PACKAGING", "10")
    monkeypatch.setenv("ZSBOT_PACKAGING__MIN_WAN", "3000")
    rows = rank(weighted, monkeypatch, tmp_path)
    # One counted packaging × 10 points; still not a monthly report (no on-time points).
    assert (rows["卫庄镇"]["score"], rows["卫庄镇"]["reported"]) == (10, False)


def test_the_quarterly_reminder_counts_packaged_projects_not_leads(chat: Chat) -> None:
    for n, text in enumerate((FIRST, "策划包装：智慧物流园项目，拟投资1.5亿元", "策划包装：冷链仓储中心项目，估算投资6000万元")):
        chat.send("wz_liu", text, at=f"2026-03-0{n + 2} 10:00")
    chat.send("nf_wang", "策划包装：温泉康养小镇项目，总投资2亿元", at="2026-03-02 10:00")
    chat.send("nf_wang", "策划包装：乡村民宿改造项目，拟投资3000万元", at="2026-03-03 10:00")  # below 5000万
    # Big leads are not packaged projects: 横水镇's three 8000万 leads do not spare it the reminder.
    for n, company in enumerate(("江苏恒润新材料有限公司", "陕西秦川冷链物流有限公司", "浙江华越塑业有限公司")):
        chat.send("hs_li", f"线索：{company}拟投资8000万元建设生产线项目", at=f"2026-03-0{n + 2} 11:00")
    job = job_named("quarterly-planning")
    assert job is not None
    # Q1's reminder is due 10 days before March 20: Tuesday March 10, a workday.
    assert job.due(local("2026-03-10 09:00").date(), chat.runtime.rules, Workdays(chat.runtime.rules.schedule))
    run_job(chat.runtime.engine, job, local("2026-03-10 09:00"), chat.runtime.rules)
    with chat.store() as store:
        pushes = [p for p in store.outbox.all() if p.key.startswith("quarterly-planning:")]
    assert len(pushes) == 1
    body = pushes[0].body
    # 卫庄镇 3 (done); 南樊镇 1 counted of 2; 横水镇, 开发区, 商务局 none.
    assert "本季度策划包装不足3个的单位：南樊镇1个、横水镇0个、开发区0个、商务局0个" in body
    assert "请各单位于3月20日前报送本季度策划包装的招商项目3-5个（拟投资5,000万元以上" in body
    assert pushes[0].mentions == ["nf_wang", "hs_li", "kfq_chen", "sw_sun"]

