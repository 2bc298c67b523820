"""Issue 8: records the office can stake a ranking on. One story per case seen in the simulated month;
figures are read back the way the office reads them (`zsbot rank --json`, the exported ledger)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app

from ..conftest import Chat
from .test_reporting import number_in, records

LEAD_NO_PROJECT = "线索：福建圣农发展股份有限公司拟投资5000万元"


def rank(chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, period: str = "2026-03") -> dict[str, Any]:
    """`zsbot rank --json`, by unit name."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", chat.runtime.settings.database.url)
    result = CliRunner().invoke(app, ["rank", "--period", period, "--json"])
    assert result.exit_code == 0, result.output
    return {row["unit"]: row for row in json.loads(result.output)}


def ledger(chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, period: str = "2026-03") -> Any:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", chat.runtime.settings.database.url)
    out = tmp_path / "台账.xlsx"
    result = CliRunner().invoke(app, ["export", "--out", str(out), "--period", period])
    assert result.exit_code == 0, result.output
    return load_workbook(out)


def rows_of(sheet: Any) -> list[dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]


def projects(chat: Chat, unit: str) -> list[Any]:
    with chat.store() as store:
        found = store.roster.unit_named(unit)
        assert found is not None and found.id is not None
        return list(store.projects.of_unit(found.id))


# 1. Answers to the bot's own question complete the draft -------------------------------------------

@pytest.mark.parametrize(
    "answer",
    ["建设肉鸡养殖项目", "温泉康养小镇项目", "建设年产5万吨速冻食品项目"],  # the last is the bot's own example
)
def test_an_answer_naming_the_project_completes_the_lead_whatever_it_reads_as_alone(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, answer: str
) -> None:
    asked = chat.send("wz_liu", LEAD_NO_PROJECT, at="2026-03-10 10:00")
    assert "还缺" in asked.text and "建设年产5万吨速冻食品项目" in asked.text
    done = chat.send("wz_liu", answer, at="2026-03-10 10:03")
    assert "已登记线索" in done.text and "进展" not in done.text
    [lead] = records(chat)
    assert lead.kind == "lead" and lead.amount_wan == 5000 and lead.project_name
    row = rank(chat, monkeypatch, tmp_path)["卫庄镇"]
    assert (row["leads"], row.get("progress", 0)) == (1, 0)
    assert len(projects(chat, "卫庄镇")) == 1


def test_every_example_the_bot_gives_works_as_an_answer(chat: Chat) -> None:
    """The questions show 8000万元, 建设年产5万吨速冻食品项目, 苏州, 500万元: each completes its draft."""
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司建设可降解塑料项目", at="2026-03-10 10:00")
    assert "已登记线索" in chat.send("wz_liu", "8000万元", at="2026-03-10 10:01").text
    chat.send("nf_wang", "拜访：今天带队拜访苏州澄岚精密机械有限公司", at="2026-03-10 10:00")
    assert "已登记外出招商" in chat.send("nf_wang", "苏州", at="2026-03-10 10:01").text
    chat.send("hs_li", "到位：江苏瀚海新材料集团项目二期资金已经到位", at="2026-03-10 10:00")
    assert "已登记资金到位" in chat.send("hs_li", "500万元", at="2026-03-10 10:01").text
    assert sorted(r.kind for r in records(chat)) == ["funds", "lead", "visit"]


def test_a_bare_company_name_fills_the_draft_and_the_bot_asks_again_instead_of_storing_progress(chat: Chat) -> None:
    chat.send("wz_liu", "线索：拟投资5000万元", at="2026-03-10 10:00")
    again = chat.send("wz_liu", "江苏恒润新材料有限公司", at="2026-03-10 10:01")
    assert "已补充" in again.text and "建设内容" in again.text
    assert records(chat) == []
    done = chat.send("wz_liu", "建设可降解塑料项目", at="2026-03-10 10:02")
    [lead] = records(chat)
    assert "已登记线索" in done.text and lead.company == "江苏恒润新材料有限公司"


def test_a_new_labelled_report_while_a_draft_is_open_is_its_own_report(chat: Chat) -> None:
    chat.send("wz_liu", LEAD_NO_PROJECT, at="2026-03-10 10:00")
    reply = chat.send("wz_liu", "接待：今天上午接待浙江客商一行5人来我镇考察竹木加工项目", at="2026-03-10 10:01")
    assert "已登记接待洽谈" in reply.text
    done = chat.send("wz_liu", "建设肉鸡养殖项目", at="2026-03-10 10:02")
    assert "已登记线索" in done.text
    assert sorted(r.kind for r in records(chat)) == ["lead", "reception"]


# 2. Expired drafts close; the newest draft takes the answer ------------------------------------------

def test_a_draft_from_weeks_ago_never_takes_todays_answer_and_the_office_sees_it(chat: Chat) -> None:
    chat.send("wz_liu", "线索：晋南恒润食品有限公司拟投资3000万元", at="2026-03-03 09:00")
    chat.send("wz_liu", LEAD_NO_PROJECT, at="2026-03-20 10:00")
    done = chat.send("wz_liu", "建设肉鸡养殖项目", at="2026-03-20 10:03")
    assert "已登记线索" in done.text and "作废" not in done.text
    [lead] = records(chat)
    assert lead.company == "福建圣农发展股份有限公司"
    with chat.store() as store:
        states = sorted(d.state for d in store.drafts.never_completed(lead.reported_at.replace(day=1)))
    assert states == ["expired"]
    listed = chat.send("office", "草稿", at="2026-03-20 11:00").text
    assert "晋南恒润食品有限公司" in listed and "已过期" in listed and "福建圣农" not in listed


def test_the_newest_open_draft_is_the_one_being_answered(chat: Chat) -> None:
    chat.send("wz_liu", "线索：晋南恒润食品有限公司拟投资3000万元", at="2026-03-10 10:00")
    chat.send("wz_liu", LEAD_NO_PROJECT, at="2026-03-10 10:02")
    chat.send("wz_liu", "建设肉鸡养殖项目", at="2026-03-10 10:03")
    chat.send("wz_liu", "建设红枣深加工项目", at="2026-03-10 10:04")
    first, second = records(chat)
    assert first.company == "福建圣农发展股份有限公司" and "肉鸡养殖" in (first.project_name or "")
    assert second.company == "晋南恒润食品有限公司" and "红枣深加工" in (second.project_name or "")


def test_a_bare_answer_just_after_the_draft_lapsed_is_told_so(chat: Chat) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司建设可降解塑料项目", at="2026-03-10 10:00")
    late = chat.send("wz_liu", "8000万元", at="2026-03-10 10:45")
    assert "作废" in late.text and records(chat) == []


# 3. Ranges take the lower bound (parser) ------------------------------------------------------------

def test_a_colloquial_range_is_stored_at_its_lower_bound(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat.send("wz_liu", "线索：福建圣农发展股份有限公司拟投资两三千万元建设肉鸡养殖项目", at="2026-03-10 10:00")
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资一两个亿", at="2026-03-10 10:00")
    table = rank(chat, monkeypatch, tmp_path)
    assert [r.amount_wan for r in records(chat)] == [2000, 10000]
    assert table["南樊镇"]["signed_wan"] == 10000


# 4. A summary line: every part a record, counts count ------------------------------------------------

def test_a_summary_line_becomes_two_visits_three_receptions_and_a_lead(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reply = chat.send(
        "wz_liu", "本月外出招商2次，接待客商3批，新增线索1条：福建圣农发展拟投资5000万元建设肉鸡养殖项目",
        at="2026-03-10 10:00",
    )
    assert "已登记 3 项" in reply.text
    row = rank(chat, monkeypatch, tmp_path)["卫庄镇"]
    assert (row["visits"], row["receptions"], row["leads"]) == (2, 3, 1)


def test_the_count_of_a_visit_or_reception_counts_in_the_ranking(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reply = chat.send("wz_liu", "3月份报送：\n1.拜访：3月5日赴深圳拜访企业3家\n2.拜访：3月8日赴苏州拜访企业2家",
                      at="2026-03-10 10:00")
    assert "计3次" in reply.text
    assert rank(chat, monkeypatch, tmp_path)["卫庄镇"]["visits"] == 5


# 5. Once only ------------------------------------------------------------------------------------------

def test_an_identical_resend_is_answered_with_the_first_number_and_not_stored(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"
    first = number_in(chat.send("wz_liu", text, at="2026-03-10 10:00:00").text)
    again = chat.send("wz_liu", text, at="2026-03-10 10:00:20")
    assert f"重复 #{first}" in again.text and not again.stored
    assert len(records(chat)) == 1 and rank(chat, monkeypatch, tmp_path)["卫庄镇"]["leads"] == 1


def test_the_same_lead_six_days_later_by_a_short_name_counts_once(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = number_in(chat.send("wz_liu", "线索：广东美的暖通设备有限公司拟投资1亿元建设空调配件项目",
                                at="2026-03-02 10:00").text)
    again = chat.send("wz_liu", "线索：美的暖通设备公司拟投资1亿元建设空调配件生产项目", at="2026-03-08 10:00")
    assert f"#{first}" in again.text and "不重复计分" in again.text
    assert rank(chat, monkeypatch, tmp_path)["卫庄镇"]["leads"] == 1
    assert len(projects(chat, "卫庄镇")) == 1


def test_a_signing_reported_by_two_units_counts_for_the_first_and_goes_to_review(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = number_in(chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元",
                                at="2026-03-09 10:00").text)
    second = chat.send("hs_li", "签约：赣锋锂业公司锂电池回收项目签约，投资5亿元", at="2026-03-11 10:00")
    assert "南樊镇" in second.text and f"#{first}" in second.text and "不计分" in second.text
    table = rank(chat, monkeypatch, tmp_path)
    assert (table["南樊镇"]["signings"], table["南樊镇"]["signed_wan"]) == (1, 50000)
    assert (table["横水镇"]["signings"], table["横水镇"]["signed_wan"]) == (0, 0)
    listed = chat.send("office", "审核", at="2026-03-12 10:00").text
    assert "横水镇" in listed and "重复：南樊镇" in listed


def test_an_agreement_then_the_contract_is_one_signing_and_the_project_moves_to_contract(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目签订框架协议，总投资5亿元", at="2026-03-02 10:00")
    contract = chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目签订正式合同，总投资5亿元",
                         at="2026-03-12 10:00")
    assert "合同" in contract.text and "不重复计分" in contract.text
    row = rank(chat, monkeypatch, tmp_path)["南樊镇"]
    assert (row["signings"], row["signed_wan"]) == (1, 50000)
    [project] = projects(chat, "南樊镇")
    assert project.stage == "contract" and project.signed_wan == 50000


# 6. Milestones join their project ---------------------------------------------------------------------

def test_funds_by_a_short_company_name_join_the_signed_project(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", at="2026-03-02 10:00")
    funds = chat.send("nf_wang", "资金到位：赣锋锂业回收项目首笔资金到账8000万元", at="2026-03-12 10:00")
    assert "已归入本单位跟踪项目" in funds.text and "新建" not in funds.text
    [project] = projects(chat, "南樊镇")
    assert project.funds_cny_wan == 8000 and project.stage == "signed"
    assert rank(chat, monkeypatch, tmp_path)["南樊镇"]["funds_wan"] == 8000


def test_when_two_projects_could_match_the_bot_asks_and_never_guesses(chat: Chat) -> None:
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", at="2026-03-02 10:00")
    chat.send("nf_wang", "签约：湖南邦普循环科技有限公司锂电池回收项目正式签约，总投资3亿元", at="2026-03-03 10:00")
    asked = chat.send("nf_wang", "开工：锂电池回收项目今日开工", at="2026-03-12 10:00")
    ganfeng, bangpu = projects(chat, "南樊镇")
    # Both candidates are named; nothing is guessed.
    assert "属于哪个项目" in asked.text and f"P{ganfeng.id}" in asked.text and f"P{bangpu.id}" in asked.text
    assert all(p.stage == "signed" for p in projects(chat, "南樊镇"))
    start = records(chat)[-1]
    assert start.kind == "start" and start.project_id is None
    chat.send("nf_wang", f"P{bangpu.id}", at="2026-03-12 10:01")
    started = [p for p in projects(chat, "南樊镇") if p.stage == "started"]
    assert [p.id for p in started] == [bangpu.id] and records(chat)[-1].project_id == bangpu.id
    assert len(projects(chat, "南樊镇")) == 2


# 7. Things that must not count ---------------------------------------------------------------------------

def test_government_platform_and_in_county_money_are_stored_flagged_and_not_counted(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    public = chat.send("hs_li", "线索：县城投公司拟投资2亿元建设标准化厂房项目", at="2026-03-10 10:00")
    local = chat.send("hs_li", "线索：本县企业华兴纺织追加投资3000万元建设二期项目", at="2026-03-10 10:05")
    assert "不计入考核" in public.text and "城投" in public.text
    assert "不计入考核" in local.text and "县内投资（本县企业）" in local.text
    assert len(records(chat)) == 2
    assert rank(chat, monkeypatch, tmp_path)["横水镇"]["leads"] == 0
    book = ledger(chat, monkeypatch, tmp_path)
    flagged = rows_of(book["台账"])
    assert [(r["计分"], r["审核"]) for r in flagged] == [("否", "待审核"), ("否", "待审核")]


@pytest.mark.parametrize("text", [
    "线索：江苏恒润新材料有限公司拟在县城投资8000万元建设可降解塑料项目",
    "线索：美国投资方华美公司拟投资1000万美元建设电子元件项目",
    "线索：江苏恒润新材料有限公司拟在本县投资8000万元建设可降解塑料项目",
])
def test_investing_in_the_county_town_or_from_abroad_is_not_public_or_local_money(chat: Chat, text: str) -> None:
    reply = chat.send("hs_li", text, at="2026-03-10 10:00")
    assert "不计入考核" not in reply.text and records(chat)[0].not_counting is None


def test_a_planned_visit_is_not_a_reception(chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    reply = chat.send("hs_li", "接待：浙江客商下周来考察竹木加工项目", at="2026-03-10 10:00")
    # The handler says it is a plan; once the parser reads plans as leads, it is a lead draft instead.
    assert "已登记接待" not in reply.text and ("计划" in reply.text or "线索" in reply.text)
    assert records(chat) == []
    assert rank(chat, monkeypatch, tmp_path)["横水镇"]["receptions"] == 0


# 8. Corrections store the value, not its label ---------------------------------------------------------

def test_a_correction_stores_the_company_without_its_label_in_the_ledger(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    n = number_in(chat.send("wz_liu", "线索：秦川果业拟投资3000万元建设苹果深加工项目", at="2026-03-10 10:00").text)
    chat.send("wz_liu", f"更正 #{n} 企业陕西秦川果业集团有限公司", at="2026-03-10 10:05")
    [record] = records(chat)
    assert record.company == "陕西秦川果业集团有限公司"
    book = ledger(chat, monkeypatch, tmp_path)
    assert rows_of(book["台账"])[0]["企业"] == "陕西秦川果业集团有限公司"
    assert any(r["操作"] == "更正" and "陕西秦川果业集团有限公司" in (r["改动"] or "") for r in rows_of(book["审计"]))


# 9. Office questions are answered, never refused as a report --------------------------------------------

@pytest.mark.parametrize("who", ["office", "county_boss"])
def test_the_office_asking_the_start_rate_gets_figures(chat: Chat, who: str) -> None:
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", at="2026-03-02 10:00")
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-03-03 10:00")
    chat.send("nf_wang", "开工：赣锋锂业锂电池回收项目今日开工", at="2026-03-09 10:00")
    rate = chat.send(who, "本季度开工率是多少", at="2026-03-10 10:00").text
    assert "50%" in rate and "签约项目2个" in rate and "联络员" not in rate
    waiting = chat.send(who, "哪些项目签约未开工", at="2026-03-10 10:00").text
    assert "深圳澄峰" in waiting and "赣锋" not in waiting
    signed = chat.send(who, "签约多少", at="2026-03-10 10:00").text
    assert "签约2个" in signed and "6.2亿元" in signed
    assert len(records(chat)) == 3


# Review: the office decides, the reporter is told, a rejected record stops counting ----------------------

def test_an_outsized_amount_goes_to_review_and_a_rejection_stops_it_counting(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for i, company in enumerate(["晋南恒润食品有限公司", "苏州澄岚精密机械有限公司", "江苏恒润新材料有限公司"]):
        chat.send("wz_liu", f"线索：{company}拟投资1000万元建设加工项目", at=f"2026-03-0{i + 2} 10:00")
    big = chat.send("wz_liu", "线索：深圳澄峰新能源科技有限公司拟投资2亿元建设储能项目", at="2026-03-06 10:00")
    n = number_in(big.text)
    assert "审核" in big.text and "20倍" in big.text
    assert rank(chat, monkeypatch, tmp_path)["卫庄镇"]["leads"] == 4
    refused = chat.send("wz_liu", f"驳回 #{n} 金额有误", at="2026-03-07 10:00")
    assert "招商办" in refused.text
    done = chat.send("office", f"驳回 #{n} 金额有误，应为2000万元", at="2026-03-07 10:00")
    assert "驳回" in done.text and "已通知" in done.text
    assert rank(chat, monkeypatch, tmp_path)["卫庄镇"]["leads"] == 3
    with chat.store() as store:
        [told] = [p for p in store.outbox.all() if p.target == "user:wz_liu"]
        assert f"#{n}" in told.body and "驳回" in told.body
        assert [a.action for a in store.audit.history("record", n)] == ["create", "flag", "reject"]
    book = ledger(chat, monkeypatch, tmp_path)
    rejected = next(r for r in rows_of(book["台账"]) if r["编号"] == n)
    assert rejected["审核"].startswith("已驳回") and rejected["计分"] == "否"


def test_an_amount_above_50_yi_goes_to_review_even_for_a_units_first_report(chat: Chat) -> None:
    reply = chat.send("kfq_chen", "签约：宁德时代新能源科技股份有限公司储能基地项目正式签约，总投资60亿元", at="2026-03-10 10:00")
    assert "超过50亿元" in reply.text
    assert "宁德时代" in chat.send("office", "审核", at="2026-03-10 11:00").text


def test_the_office_can_confirm_a_flagged_record_so_it_counts(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    n = number_in(chat.send("hs_li", "线索：本县企业华兴纺织追加投资3000万元建设二期项目", at="2026-03-10 10:00").text)
    assert rank(chat, monkeypatch, tmp_path)["横水镇"]["leads"] == 0
    chat.send("office", f"确认 #{n}", at="2026-03-11 10:00")
    assert rank(chat, monkeypatch, tmp_path)["横水镇"]["leads"] == 1
    assert "没有待审核" in chat.send("office", "审核", at="2026-03-11 10:01").text


def test_help_says_what_is_a_repeat_and_what_is_flagged(chat: Chat) -> None:
    liaison = chat.send("wz_liu", "帮助", at="2026-03-10 10:00").text
    assert "【重复】" in liaison and "第一引资人" in liaison and "美的暖通" in liaison
    assert "【不计分/审核】" in liaison and "城投" in liaison and "本县企业" in liaison and "50亿元" in liaison
    assert "驳回 #编号" not in liaison
    assert "驳回 #编号" in chat.send("office", "帮助", at="2026-03-10 10:00").text


def test_a_resent_incomplete_report_keeps_one_draft(chat: Chat) -> None:
    chat.send("wz_liu", LEAD_NO_PROJECT, at="2026-03-10 10:00:00")
    again = chat.send("wz_liu", LEAD_NO_PROJECT, at="2026-03-10 10:00:20")
    assert "已存为草稿" in again.text
    chat.send("wz_liu", "建设肉鸡养殖项目", at="2026-03-10 10:01")
    assert len(records(chat)) == 1
    assert "没有未补全" in chat.send("office", "草稿", at="2026-03-10 11:00").text


SUMMARY = "本月外出招商2次，接待客商3批，新增线索1条：福建圣农发展拟投资5000万元建设肉鸡养殖项目"


def test_a_summary_line_parsed_as_the_contract_says_counts_every_part(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The handler side of case 4, with the parse result the parse contract promises for it."""
    from nlp import Intent, Parsed, parse

    def contract_parse(text: str, today: date) -> Parsed:
        if text != SUMMARY:
            return parse(text, today)
        return Parsed(Intent.REPORT, source_text=text, items=(
            Parsed(Intent.VISIT, count=2, missing=("place",), source_text="本月外出招商2次"),
            Parsed(Intent.RECEPTION, count=3, source_text="接待客商3批"),
            Parsed(Intent.LEAD, company="福建圣农发展", project="肉鸡养殖项目", amount_wan=5000, currency="CNY",
                   source_text="新增线索1条：福建圣农发展拟投资5000万元建设肉鸡养殖项目"),
        ))

    monkeypatch.setattr(chat.runtime.bot, "parse", contract_parse)
    reply = chat.send("wz_liu", SUMMARY, at="2026-03-10 10:00")
    assert "已登记 3 项" in reply.text and "计2次" in reply.text and "计3批" in reply.text
    row = rank(chat, monkeypatch, tmp_path)["卫庄镇"]
    assert (row["visits"], row["receptions"], row["leads"]) == (2, 3, 1)


def test_a_start_naming_the_company_shorter_than_its_core_joins_the_project(chat: Chat) -> None:
    """`赣锋公司` is the beginning of 赣锋锂业: found by a stored prefix key, the same on both databases."""
    chat.send("nf_wang", "签约：江西赣锋锂业股份有限公司锂电池回收项目正式签约，总投资5亿元", at="2026-03-02 10:00")
    start = chat.send("nf_wang", "开工：赣锋公司锂电池回收项目今日开工", at="2026-03-12 10:00")
    assert "已归入本单位跟踪项目" in start.text
    [project] = projects(chat, "南樊镇")
    assert project.stage == "started"


def test_two_investors_sharing_a_core_name_are_not_repeats(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-02 10:00")
    other = chat.send("nf_wang", "线索：浙江恒润电子有限公司拟投资6000万元建设电子元件项目", at="2026-03-03 10:00")
    assert "先报" not in other.text
    assert rank(chat, monkeypatch, tmp_path)["南樊镇"]["leads"] == 1


def test_progress_naming_no_project_is_stored_without_a_question(chat: Chat) -> None:
    reply = chat.send("wz_liu", "进展：本月各项目推进顺利，正在办理前期手续", at="2026-03-10 10:00")
    assert "已登记项目进展" in reply.text and "新项目" not in reply.text
