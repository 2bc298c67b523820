"""Receptions and 座谈 count people, and a 商会 is the channel a contact came through (issue 20): the receipt
shows both, and the office's ledger (台账) has them in columns of their own."""

from __future__ import annotations

from tests.stories.conftest import Office


def test_a_reception_keeps_its_head_count_on_the_receipt_and_in_the_ledger(office: Office) -> None:
    reply = office.say("wz_liu", "接待：常州天合储能副总一行4人来我镇考察储能项目", "2026-03-05 10:00")
    assert "人数：4人" in reply.text, reply.text
    assert "企业：常州天合储能" in reply.text  # the title 副总 is not part of the firm's name
    office.say("wz_liu", "召开在外乡贤回乡座谈会，参会企业家30余人", "2026-03-06 10:00")
    head, *rows = office.sheet("台账")
    assert [(r[head.index("类型")], r[head.index("人数")]) for r in rows] == [("接待洽谈", 4), ("接待洽谈", 30)]
    assert office.rank()["卫庄镇"]["receptions"] == 2


def test_a_chamber_of_commerce_is_the_channel_not_the_place(office: Office) -> None:
    reply = office.say("nf_wang", "拜访：赴北京对接北京山西商会，洽谈文旅项目", "2026-03-05 10:00")
    assert "渠道：北京山西商会" in reply.text and "地点：北京" in reply.text, reply.text
    head, *rows = office.sheet("台账")
    assert [(r[head.index("地点")], r[head.index("渠道")]) for r in rows] == [("北京", "北京山西商会")]


def test_a_reply_quoting_a_receipt_corrects_or_withdraws_that_record(office: Office) -> None:
    """WeCom writes a quoting reply as 「sender：quoted」, a line of dashes, the reply: the receipt's #N is the record."""
    first = office.say("wz_liu", "签约：深圳市华联光电有限公司光电模组项目正式签约，投资5000万元", "2026-03-05 10:00")
    n = office.number(first)
    fixed = office.say("wz_liu", f"「招商助手：#{n} 已记录 签约 深圳市华联光电有限公司 5000万元」\n- - - - - - - - -\n金额不对，是5500万",
                       "2026-03-05 10:05")
    assert f"#{n}" in fixed.text, fixed.text
    assert office.rank()["卫庄镇"]["signed_wan"] == 5500
    office.say("wz_liu", f"「招商助手：#{n} 已更正」\n- - - - - - - - -\n这条撤回，客商说不签了", "2026-03-05 10:10")
    assert office.rank()["卫庄镇"]["signings"] == 0
