"""更正 and 撤回 change only one's own unit's records, and the old version stays in the audit trail."""

from __future__ import annotations

from ..conftest import Chat
from .test_reporting import number_in, records


def _lead(chat: Chat, user: str = "wz_liu") -> int:
    reply = chat.send(user, "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-10 10:00")
    return number_in(reply.text)


def test_correction_changes_the_amount_and_keeps_the_old_version(chat: Chat) -> None:
    n = _lead(chat)
    reply = chat.send("wz_liu", f"更正 #{n} 投资9000万元", at="2026-03-10 11:00")
    assert "已更正" in reply.text and "9,000万元" in reply.text
    [record] = records(chat)
    assert record.amount_wan == 9000 and record.status == "corrected"
    with chat.store() as store:
        history = store.audit.history("record", n)
        assert [h.action for h in history] == ["create", "correct"]
        assert history[1].before["amount_wan"] == 8000 and history[1].after["amount_wan"] == 9000


def test_retraction_withdraws_without_deleting(chat: Chat) -> None:
    n = _lead(chat)
    reply = chat.send("wz_liu", f"撤回 #{n} 重复报送了", at="2026-03-10 11:00")
    assert "已撤回" in reply.text
    [record] = records(chat)
    assert record.status == "retracted"
    again = chat.send("wz_liu", f"更正 #{n} 投资9000万元", at="2026-03-10 11:05")
    assert "已撤回" in again.text


def test_another_units_record_cannot_be_changed(chat: Chat) -> None:
    n = _lead(chat)
    reply = chat.send("nf_wang", f"撤回 #{n}", at="2026-03-10 11:00")
    assert "不是本单位" in reply.text
    assert records(chat)[0].status == "active"


def test_unknown_number_is_answered_politely(chat: Chat) -> None:
    reply = chat.send("wz_liu", "撤回 #999", at="2026-03-10 11:00")
    assert "没有找到" in reply.text


def test_a_corrected_signing_updates_its_project_for_the_ledger(chat: Chat) -> None:
    reply = chat.send("wz_liu", "签约：浙江华峰新材料有限公司氨纶项目正式签约，总投资8000万元", at="2026-03-10 10:00")
    n = number_in(reply.text)
    chat.send("wz_liu", f"更正 #{n} 投资1.2亿元", at="2026-03-10 11:00")
    [record] = records(chat)
    with chat.store() as store:
        project = store.projects.get(record.project_id)
        assert project.signed_wan == 12000 and project.signed_on is not None
        # The project is derived again from its corrected records; the audit trail keeps what it was.
        assert [h.action for h in store.audit.history("project", project.id)][-1] == "derive"
