"""`parse_reply`: a reply read with the message it quotes. A quoted receipt that names one record is the record
a reply acting on a record means; a quote naming several, or none, changes nothing."""

from __future__ import annotations

from datetime import date

from nlp import Intent, parse, parse_reply

TODAY = date(2026, 3, 10)
RECEIPT = "✅ 已登记 #15 线索｜江苏恒润新材料有限公司｜8,000万元｜3月"


def test_acting_on_the_quoted_record_without_its_number() -> None:
    withdrawn = parse_reply("这条撤回", TODAY, quoted=RECEIPT)
    assert (withdrawn.intent, withdrawn.ref) == (Intent.RETRACT, 15)
    corrected = parse_reply("金额改为9000万", TODAY, quoted=RECEIPT)
    assert (corrected.intent, corrected.ref, corrected.amount_wan) == (Intent.CORRECTION, 15, 9000)
    attached = parse_reply("归入P2", TODAY, quoted=RECEIPT)
    assert (attached.intent, attached.ref, attached.project_ref) == (Intent.ATTACH, 15, 2)


def test_a_number_written_in_the_reply_wins_over_the_quote() -> None:
    assert parse_reply("撤回 #16", TODAY, quoted=RECEIPT).ref == 16
    assert parse_reply("#16 归入 P3", TODAY, quoted=RECEIPT).ref == 16


def test_a_new_report_under_a_quote_is_a_new_report() -> None:
    lead = "线索：苏州某电池公司拟投资1亿元建设储能电池项目"
    assert parse_reply(lead, TODAY, quoted=RECEIPT) == parse(lead, TODAY)


def test_a_quote_naming_several_records_or_none_reads_the_reply_alone() -> None:
    for quoted in ("✅ 已登记 #15 线索；#16 外出招商", "王芳：下周去苏州"):
        assert parse_reply("撤回", TODAY, quoted=quoted).ref is None
        assert parse_reply("金额改为9000万", TODAY, quoted=quoted).intent is not Intent.CORRECTION
