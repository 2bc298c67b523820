"""Stories from the acceptance review: what a county office would trip over."""

from __future__ import annotations

from storage.store import unit_of_work

from ..conftest import Chat
from .test_reporting import number_in, records


def test_a_different_investor_with_the_same_kind_of_project_opens_its_own_project(chat: Chat) -> None:
    chat.send("nf_wang", "签约：南樊羽绒制品有限公司羽绒加工项目正式签约，总投资1亿元", at="2026-01-05 10:00")
    reply = chat.send("nf_wang", "线索：福建安踏集团有限公司拟投资3000万元建设羽绒加工项目", at="2026-03-10 10:00")
    assert "已新建项目档案" in reply.text
    signing, lead = sorted(records_all(chat), key=lambda r: r.id)
    assert signing.project_id != lead.project_id


def records_all(chat: Chat):  # type: ignore[no-untyped-def]
    with chat.store() as store:
        return list(store.records.in_periods(["2026-01", "2026-03"], include_retracted=True))


def test_a_closed_month_cannot_be_changed_by_a_liaison_but_the_office_can(chat: Chat) -> None:
    n = number_in(chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00").text)
    refused = chat.send("wz_liu", f"撤回 #{n}", at="2026-04-05 10:00")
    assert "已于3月20日截止" in refused.text and "招商办" in refused.text
    assert records(chat)[0].status == "active"
    done = chat.send("office", f"更正 #{n} 投资9000万元", at="2026-04-05 10:05")
    assert "已更正" in done.text and records(chat)[0].amount_wan == 9000


def test_a_units_leader_cannot_retract_the_liaisons_record(chat: Chat) -> None:
    n = number_in(chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00").text)
    reply = chat.send("wz_zhao", f"撤回 #{n}", at="2026-03-10 11:00")
    assert "联络员" in reply.text and records(chat)[0].status == "active"


def test_a_draft_sent_before_the_deadline_counts_for_that_month_when_completed_after_midnight(chat: Chat) -> None:
    chat.send("wz_liu", "签约：华润新材料有限公司项目正式签约", at="2026-03-20 23:50")
    done = chat.send("wz_liu", "1亿元", at="2026-03-21 00:05")
    assert "计入2026年3月" in done.text and "逾期" not in done.text
    [record] = records(chat)
    assert record.period == "2026-03" and not record.late


def test_a_funds_draft_asks_for_the_arrived_amount(chat: Chat) -> None:
    reply = chat.send("wz_liu", "到位：江苏瀚海新材料集团项目二期资金已经到位，具体金额等财务确认后再报", at="2026-03-10 10:00")
    assert "到位金额" in reply.text


def test_asking_for_last_months_ranking_answers_last_month(chat: Chat) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-02-10 10:00")
    reply = chat.send("county_boss", "上月排名", at="2026-03-16 10:00")
    assert "2026年2月" in reply.text and "卫庄镇" in reply.text


def test_an_empty_broadcast_is_not_pushed(chat: Chat) -> None:
    reply = chat.send("office", "公告：  ", at="2026-03-10 10:00")
    assert "空" in reply.text
    with unit_of_work(chat.runtime.engine) as store:
        assert store.outbox.all() == []


def test_help_starts_with_reporting_and_shows_broadcasts_only_to_admins(chat: Chat) -> None:
    liaison = chat.send("wz_liu", "帮助").text
    assert "群发通报" not in liaison
    assert liaison.index("报送") < liaison.index("更正")
    assert "群发通报" in chat.send("office", "帮助").text


def test_a_visit_receipt_suggests_a_fix_that_fits_a_visit(chat: Chat) -> None:
    reply = chat.send("hs_li", "拜访：今天赴苏州拜访企业3家", at="2026-03-10 10:00")
    assert "投资9000万元" not in reply.text and "更正 #" in reply.text
