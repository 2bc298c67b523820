"""A liaison reports in ordinary words and gets a numbered receipt; the record lands for their unit."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from handlers.dispatch import APOLOGY
from storage.models import Message, Record

from ..conftest import Chat


def records(chat: Chat) -> list[Record]:
    with chat.store() as store:
        return list(store.records.in_periods([f"2026-{m:02d}" for m in range(1, 13)], include_retracted=True))


def number_in(reply_text: str) -> int:
    match = re.search(r"#(\d+)", reply_text)
    assert match, reply_text
    return int(match.group(1))


def test_lead_is_stored_for_the_senders_unit_with_a_receipt(chat: Chat) -> None:
    reply = chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00")
    assert "#" in reply.text and "8,000万元" in reply.text and "江苏恒润新材料有限公司" in reply.text
    assert "更正 #" in reply.text and "撤回 #" in reply.text
    [record] = records(chat)
    assert record.id == number_in(reply.text)
    assert (record.kind, record.amount_wan, record.currency, record.period) == ("lead", 8000, "CNY", "2026-03")
    with chat.store() as store:
        assert store.roster.unit(record.unit_id).name == "卫庄镇"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("拜访：今天带队赴苏州拜访苏州澄岚精密机械有限公司，就精密零部件加工项目落地事宜进行对接", "visit"),
        ("接待：今天上午接待浙江客商一行5人来我镇考察竹木加工项目", "reception"),
        ("签约：今天上午我县与深圳澄峰新能源科技有限公司正式签订储能模组生产线项目投资协议，总投资1.2亿元", "signing"),
        ("开工：晋南恒润食品有限公司红枣深加工项目今日开工建设", "start"),
        ("到位：深圳澄峰新能源科技有限公司储能模组项目本月到位资金2000万元", "funds"),
        ("竣工：晋南恒润食品有限公司红枣深加工项目已于3月2日竣工验收", "completion"),
        ("进展：江苏瀚海新材料集团碳纤维项目环评已批复，正在办理施工许可证", "progress"),
    ],
)
def test_every_report_kind_gets_a_record_and_a_receipt(chat: Chat, text: str, kind: str) -> None:
    reply = chat.send("nf_wang", text, at="2026-03-10 10:00")
    assert reply.stored and "✅" in reply.text
    [record] = records(chat)
    assert record.kind == kind and record.id == number_in(reply.text)


def test_signing_shows_amount_in_yi(chat: Chat) -> None:
    reply = chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能模组生产线项目正式签约，总投资1.2亿元", at="2026-03-10 10:00")
    assert "1.2亿元" in reply.text


def test_milestone_attaches_to_the_units_existing_project(chat: Chat) -> None:
    chat.send("wz_liu", "线索：深圳澄峰新能源科技有限公司拟投资1.2亿元建设储能模组生产线项目", at="2026-03-02 10:00")
    reply = chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能模组项目正式签约，总投资1.2亿元", at="2026-03-10 10:00")
    assert "已归入本单位跟踪项目" in reply.text
    lead, signing = records(chat)
    assert lead.project_id == signing.project_id is not None
    with chat.store() as store:
        project = store.projects.get(signing.project_id)
        assert project.stage == "signed" and project.signed_wan == 12000


def test_milestone_without_a_known_project_is_stored_and_opens_one_only_when_told(chat: Chat) -> None:
    reply = chat.send("wz_liu", "开工：晋南恒润食品有限公司红枣深加工项目今日开工建设", at="2026-03-10 10:00")
    assert "已登记开工" in reply.text and "新项目" in reply.text and "已新建项目档案" not in reply.text
    [record] = records(chat)
    with chat.store() as store:
        assert list(store.projects.of_unit(record.unit_id)) == []
    done = chat.send("wz_liu", "新项目", at="2026-03-10 10:02")
    assert "已归入项目" in done.text
    [record] = records(chat)
    with chat.store() as store:
        [project] = store.projects.of_unit(record.unit_id)
    assert project.stage == "started" and record.project_id == project.id


def test_another_units_project_is_never_matched(chat: Chat) -> None:
    chat.send("wz_liu", "线索：深圳澄峰新能源科技有限公司拟投资1.2亿元建设储能模组生产线项目", at="2026-03-02 10:00")
    reply = chat.send("nf_wang", "签约：深圳澄峰新能源科技有限公司储能模组项目正式签约，总投资1.2亿元", at="2026-03-10 10:00")
    assert "已新建项目档案" in reply.text


def test_monthly_report_creates_one_record_per_item(chat: Chat) -> None:
    text = (
        "3月份招商工作报送：\n1.线索：苏州澄岚精密机械有限公司拟投资5000万元建设精密零部件加工项目\n"
        "2.拜访：3月5日赴深圳拜访企业3家\n3.签约：晋南恒润食品有限公司红枣深加工项目签约，投资3000万元"
    )
    reply = chat.send("hs_li", text, at="2026-03-12 10:00")
    assert "已登记 3 项" in reply.text
    assert [r.kind for r in records(chat)] == ["lead", "visit", "signing"]


def test_late_report_counts_for_next_month_and_says_so(chat: Chat) -> None:
    reply = chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-21 09:00")
    assert "计入2026年4月" in reply.text and "视为没有" in reply.text
    [record] = records(chat)
    assert record.period == "2026-04" and record.late


def test_report_on_deadline_evening_still_counts(chat: Chat) -> None:
    chat.send("wz_liu", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-20 23:59")
    assert records(chat)[0].period == "2026-03"


def test_government_funded_project_is_stored_but_flagged(chat: Chat) -> None:
    reply = chat.send("hs_li", "线索：我镇利用地方政府专项债券资金建设农村生活污水处理项目，计划投资1200万元", at="2026-03-10 10:00")
    assert "不计入" in reply.text
    assert records(chat)[0].government_funded


def test_usd_amount_keeps_currency_and_is_valued_in_cny(chat: Chat) -> None:
    reply = chat.send("kfq_chen", "线索：美国艾森精密科技有限公司拟投资1.5亿美元建设半导体封装测试基地", at="2026-03-10 10:00")
    assert "1.5亿美元" in reply.text
    [record] = records(chat)
    assert record.currency == "USD" and record.amount_cny_wan == pytest.approx(15000 * 7.1)


def test_chit_chat_stores_nothing(chat: Chat) -> None:
    reply = chat.send("wz_liu", "收到[抱拳]", at="2026-03-10 10:00")
    assert not reply.stored and reply.text != APOLOGY and len(reply.text) < 60
    assert records(chat) == []


def test_help_lists_what_the_bot_understands(chat: Chat) -> None:
    reply = chat.send("wz_liu", "帮助")
    for word in ("线索", "拜访", "签约", "更正", "撤回", "20日"):
        assert word in reply.text


def test_leader_without_unit_cannot_report(chat: Chat) -> None:
    reply = chat.send("county_boss", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目")
    assert "联络员" in reply.text and not reply.stored
    assert records(chat) == []


def test_stranger_is_told_how_to_register_and_nothing_is_stored(chat: Chat) -> None:
    reply = chat.send("someone_new", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目")
    assert "名册" in reply.text and "招商办" in reply.text
    assert records(chat) == []
    with chat.store() as store:
        assert store.session.exec(select(Message).where(Message.user_id == "someone_new")).first() is None


def test_redelivered_message_is_handled_once(chat: Chat) -> None:
    text = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"
    first = chat.send("wz_liu", text, at="2026-03-10 10:00", msg_id="m-1")
    again = chat.send("wz_liu", text, at="2026-03-10 10:00", msg_id="m-1")
    assert again.duplicate and again.text == first.text
    assert len(records(chat)) == 1
