"""The county office's questions as they are really asked, and the pushes that answer them without
being asked (acceptance walk of issue 11).

Two projects signed in Q1: 卫庄镇 深圳澄峰 1.2亿 (15 January), 南樊镇 赣锋锂业 5亿 (12 February);
卫庄镇 reports its start on 25 March, after March's deadline (the 20th), so it counts for April.
County target: 签约 15亿 (150,000万元). Every figure is worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime
from handlers.assessment.ranking import table
from handlers.assessment.stats import compute_stats, not_started
from handlers.core.periods import period
from storage.store import unit_of_work
from storage.targets import TargetRow
from tests.assessment.conftest import Group
from tests.conftest import Chat, local


def two_signings(chat: Chat) -> None:
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-01-15 10:00")
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", at="2026-02-12 10:00")


def late_start(chat: Chat) -> None:
    chat.send("wz_liu", "开工：深圳澄峰新能源科技有限公司储能项目今日开工", at="2026-03-25 09:00")


def county_target(runtime: Runtime, signed_wan: float = 150000) -> None:
    with unit_of_work(runtime.engine) as store:
        store.targets.replace_year(2026, [TargetRow(None, "signed_wan", signed_wan)], "test", local("2026-01-02 09:00"))


def test_a_year_written_out_is_the_year_asked_not_this_month(chat: Chat) -> None:
    two_signings(chat)
    first = lambda text: chat.send("county_boss", text, at="2026-04-10 10:00").text.splitlines()[0]  # noqa: E731
    assert first("2026年3月排名") == "**2026年3月招商引资排名**（共5个单位，🏆前3 ⚠️后3）"
    assert first("2025年排名").startswith("**2025年招商引资排名**")
    assert first("2026年上半年排名").startswith("**2026年上半年招商引资排名**")
    assert first("2026年一季度排名").startswith("**2026年第1季度招商引资排名**")
    # 1.2亿 + 5亿 = 6.2亿 over the year 2026, two signings.
    assert chat.send("office", "2026年签约多少", at="2026-04-10 10:00").text.startswith("全县2026年签约2个，签约额6.2亿元")


def test_a_rate_or_list_names_a_unit_or_the_county_and_is_asked_not_reported(chat: Chat) -> None:
    two_signings(chat)
    at = "2026-03-15 10:00"
    # 卫庄镇's liaison asks about 南樊镇: its one signed project, not started: 0 of 1.
    text = chat.send("wz_liu", "南樊镇开工率", at=at).text
    assert text.startswith("南樊镇开工率（") and "：0%，今年签约项目1个、已开工0个" in text, text
    # …and about the county: two signed, neither started nor funded: 履约 0 of 2.
    text = chat.send("wz_liu", "全县履约率", at=at).text
    assert text.startswith("全县履约率（") and "：0%，今年签约项目2个、已开工或资金到位0个" in text, text
    # 各乡镇 is the county, not a unit to look up.
    assert chat.send("office", "各乡镇开工率", at=at).text.startswith("全县开工率（")
    # The office asks for one unit's list: 南樊镇's project only.
    text = chat.send("office", "南樊镇签约未开工", at=at).text
    assert text.startswith("**南樊镇签约未开工项目 1 个**") and "赣锋锂业" in text and "深圳澄峰" not in text, text
    # A unit the roster does not have is named back, not answered with the county's figures.
    text = chat.send("office", "城关镇签约未开工", at=at).text
    assert text.startswith("没有找到「城关镇」。参加考核的单位：卫庄镇、") and "签约未开工项目" not in text, text
    # A liaison's own unit named: its list; another unit's list: not theirs to read, and no report draft.
    text = chat.send("wz_liu", "卫庄镇签约未开工", at=at).text
    assert text.startswith("**卫庄镇签约未开工项目 1 个**") and "深圳澄峰" in text, text
    text = chat.send("wz_liu", "南樊镇签约未开工", at=at).text
    assert text.startswith("项目名单只能查看本单位的") and "草稿" not in text, text
    with chat.store() as store:
        assert store.drafts.newest_open("wz_liu", local(at)) is None


def test_after_the_deadline_rates_and_lists_answer_for_the_month_just_closed_like_the_ranking(chat: Chat) -> None:
    two_signings(chat)
    late_start(chat)
    before = chat.send("office", "开工率", at="2026-03-15 10:00").text
    # Before the deadline: the month in progress, no note.
    assert "截至2026年3月）：0%，今年签约项目2个、已开工0个" in before and "截止" not in before, before
    note = "（2026年3月报送已于3月20日截止，以上为最终结果；此后报送的计入2026年4月，发送「4月开工率」查看。）"
    after = chat.send("office", "开工率", at="2026-03-25 10:00").text
    # After it: March, final, as 排名 shows it; the start of the 25th counts for April: still 0 of 2.
    assert "截至2026年3月）：0%，今年签约项目2个、已开工0个" in after and after.endswith(note), after
    assert chat.send("wz_liu", "我单位排名", at="2026-03-25 10:00").text.startswith("**卫庄镇 2026年3月排名")
    # April, asked by name: 1 of 2 started = 50%.
    april = chat.send("office", "4月开工率", at="2026-03-25 10:00").text
    assert "截至2026年4月）：50%，今年签约项目2个、已开工1个" in april and "截止" not in april, april
    waiting = chat.send("office", "签约未开工", at="2026-03-25 10:00").text
    assert waiting.startswith("**全县签约未开工项目 2 个**（2026年签约、截至2026年3月未报开工）"), waiting
    assert waiting.endswith("发送「4月签约未开工」查看。）"), waiting


def test_a_contest_that_is_not_configured_is_said_so_not_answered_with_the_month(chat: Chat) -> None:
    two_signings(chat)
    text = chat.send("county_boss", "百日竞赛排名", at="2026-04-10 10:00").text
    assert text == "目前没有设置「百日竞赛」等竞赛活动（由县招商办在配置中设置）。发送「排名」看本月排名。"
    text = chat.send("wz_liu", "我单位冬季攻坚排名", at="2026-04-10 10:00").text
    assert text.startswith("目前没有设置「冬季攻坚」"), text
    # A plain ranking question is still the ranking.
    assert chat.send("county_boss", "排名", at="2026-04-10 10:00").text.startswith("**2026年4月招商引资排名**")


def test_the_bulletin_and_the_half_year_reminder_carry_the_county_target_against_schedule(
    chat: Chat, group: Group
) -> None:
    two_signings(chat)
    county_target(chat.runtime)
    group.job_run("bulletin", "2026-04-01 09:30")
    bulletin = group.text("bulletin:")
    # March's final: 62,000 of 150,000 = 41.3% (shown 41%); (0.41333 − 0.25) × 100 = 16.33 → 16.3 points ahead.
    assert ("**年度目标**（序时进度25%）：✅ 全县签约6.2亿元，完成年度目标的41%，超序时进度16.3个百分点（目标15亿元）"
            in bulletin.splitlines()), bulletin
    group.job_run("half-year", "2026-07-01 09:30")
    half = group.text("half-year:")
    # June: 序时进度 50%; (0.41333 − 0.5) × 100 = −8.67 → 8.7 points behind.
    assert "⚠️ 全县签约6.2亿元，完成年度目标的41%，落后序时进度8.7个百分点（目标15亿元）" in half.splitlines(), half


def test_a_replayed_round_sees_the_year_and_the_pipeline_as_they_stood_then(chat: Chat, group: Group) -> None:
    two_signings(chat)
    # 卫庄镇 signs a second project on 18 March.
    chat.send("wz_liu", "签约：浙江华瑞智能装备有限公司智能装备产业园项目正式签约，总投资2亿元", at="2026-03-18 10:00")
    county_target(chat.runtime)
    group.job_run("bulletin", "2026-03-16 09:30")
    text = group.text("bulletin:")
    # On the 16th only the two earlier signings existed: 62,000 of 150,000 (not 82,000, 55%).
    assert "全县签约6.2亿元，完成年度目标的41%，超序时进度16.3个百分点（目标15亿元）" in text, text
    with unit_of_work(chat.runtime.engine) as store:
        march = period("2026-03", chat.runtime.rules.schedule)
        then: datetime = local("2026-03-16 09:30")
        stats = compute_stats(store, chat.runtime.rules, march, ranked=table(store, march, chat.runtime.rules, as_of=then))
        # Signed by then: 2 projects (the third came on the 18th); now: 3.
        assert stats.county.rates.pipe.signed == 2
        assert compute_stats(store, chat.runtime.rules, march).county.rates.pipe.signed == 3
        assert len(not_started(store, march, as_of=then)) == 2 and len(not_started(store, march)) == 3


def test_a_replayed_quarterly_reminder_counts_the_packaged_projects_reported_by_then(chat: Chat, group: Group) -> None:
    chat.send("nf_wang", "策划包装：年产5万吨新型建材项目，拟投资8000万元，面向县外客商招商", at="2026-03-18 10:00")
    group.job_run("quarterly-planning", "2026-03-10 09:00")
    # On the 10th 南樊镇 had reported none (its one came on the 18th).
    assert "南樊镇0个" in group.text("quarterly-planning:")


def test_a_target_line_prints_amounts_as_a_bulletin_does_not_as_a_receipt() -> None:
    from handlers.core.metrics import Metric

    signed = Metric.parse("signed_wan")
    # 760,315万元 = 76.0315亿 → 76.03亿元; 3,712.4万元 → 3,712万元; 12,000万元 → 1.2亿元.
    assert (signed.show(760315), signed.show(3712.4), signed.show(12000)) == ("76.03亿元", "3,712万元", "1.2亿元")


def test_last_month_this_quarter_and_this_year_are_the_calendars_also_after_the_deadline(chat: Chat) -> None:
    def title(text: str, at: str) -> str:
        return chat.send("county_boss", text, at=at).text.splitlines()[0].split("**")[1]

    # Before the deadline and after it, 上月 on a May day is April (after the 20th reports count for June,
    # but a leader's last month is still April).
    assert title("上月排名", "2026-05-10 10:00") == "2026年4月招商引资排名"
    assert title("上月排名", "2026-05-22 10:00") == "2026年4月招商引资排名"
    # A month by number is the latest reports counted for: 6月 on 22 May is this June (as the note says).
    assert title("6月排名", "2026-05-22 10:00") == "2026年6月招商引资排名"
    assert title("本季度排名", "2026-06-22 10:00") == "2026年第2季度招商引资排名"
    assert title("今年排名", "2026-12-25 10:00") == "2026年招商引资排名"
    assert title("1月排名", "2026-12-25 10:00") == "2027年1月招商引资排名"
    assert title("去年排名", "2026-04-10 10:00") == "2025年招商引资排名"
    assert title("去年3月排名", "2026-04-10 10:00") == "2025年3月招商引资排名"


def test_the_ledger_holds_a_rate_target_against_its_bar_not_against_schedule(chat: Chat, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    two_signings(chat)
    with unit_of_work(chat.runtime.engine) as store:
        store.targets.replace_year(2026, [TargetRow(None, "signed_wan", 150000), TargetRow(None, "rate:履约率", 0.4)],
                                   "test", local("2026-01-02 09:00"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", chat.runtime.settings.database.url)
    book = tmp_path / "台账.xlsx"
    assert CliRunner().invoke(app, ["export", "--out", str(book), "--period", "2026-03"]).exit_code == 0
    sheet = load_workbook(book)["指标"]
    header = [c.value for c in sheet[1]]
    rows = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    signed, performing = rows[("全县", "signed_wan")], rows[("全县", "rate:履约率")]
    # 62,000 of 150,000 against 序时进度 25%; 履约 0 of 2 against the 40% bar: (0 − 0.4) × 100 = −40.
    assert (signed["序时进度"], signed["超序时进度(百分点)"]) == (0.25, 16.3)
    assert (performing["完成值"], performing["序时进度"], performing["超序时进度(百分点)"]) == (0, None, -40)


def test_lead_size_targets_agree_whether_the_period_is_the_year_so_far_or_a_month(roster: Runtime) -> None:
    from tests.assessment.conftest import add_record

    with unit_of_work(roster.engine) as store:
        wz = store.roster.unit_named("卫庄镇")
        assert wz is not None
        store.targets.replace_year(2026, [TargetRow(wz.id, key, 2) for key in (
            "leads_over:3000", "leads_over:4000", "leads_over:5000")], "test", local("2026-01-02 09:00"))
    for month, amount in (("2026-01", 2500), ("2026-02", 3500), ("2026-03", 6000)):
        add_record(roster, "卫庄镇", "lead", period=month, amount_wan=amount)
    add_record(roster, "卫庄镇", "lead", period="2026-03", amount_wan=8000, status="retracted")
    # Jan–Mar: 2,500, 3,500 and 6,000万 count (the retracted 8,000 does not): ≥ 3,000 two, ≥ 4,000 one,
    # ≥ 5,000 one, for Q1 (the year so far: the ranking's big leads and tiers) and for March alike.
    for key in ("2026-Q1", "2026-03"):
        with unit_of_work(roster.engine) as store:
            mine = compute_stats(store, roster.rules, period(key, roster.rules.schedule)).unit(wz.id)
        assert mine is not None
        assert {t.metric.key: t.done for t in mine.targets} == {
            "leads_over:3000": 2, "leads_over:4000": 1, "leads_over:5000": 1}, key
