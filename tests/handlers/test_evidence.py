"""佐证 in the core: what a message's attachments (fetched by the edge) become, and who may move them."""

from __future__ import annotations

import uuid

from sqlmodel import select

from handlers.core.messages import Attachment, Incoming, Reply
from storage.models import Evidence
from storage.store import unit_of_work
from tests.conftest import Chat, local

LEAD = "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目"
LEAD_NF = "线索：浙江华瑞智能装备有限公司拟投资2.5亿元建设智能装备产业园项目"
CONTRACT = Attachment(kind="file", name="合同.pdf", path="ab/ab01.pdf", size=1_258_291, sha256="ab01")


def send_files(chat: Chat, user: str, *files: Attachment, text: str = "", at: str = "2026-03-10 11:00") -> Reply:
    return chat.runtime.bot.handle(Incoming(channel="test", msg_id=uuid.uuid4().hex, user_id=user, text=text,
                                            at=local(at), attachments=files))


def on_records(chat: Chat) -> list[int | None]:
    with unit_of_work(chat.runtime.engine) as store:
        return [e.record_id for e in store.session.exec(select(Evidence).order_by(Evidence.id)).all()]


def test_a_file_alone_is_not_an_empty_message_and_says_where_it_went(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    reply = send_files(chat, "wz_liu", CONTRACT)
    assert reply.text == "📎 已存为 #1 的佐证（合同.pdf，1.2MB）；如需改挂，请回复「归入 #编号」"
    assert on_records(chat) == [1]


def test_a_file_from_someone_without_records_is_kept_unlinked_until_归入(chat: Chat) -> None:
    reply = send_files(chat, "wz_liu", CONTRACT)
    assert "您还没有报送过记录" in reply.text and "归入 #编号" in reply.text
    assert on_records(chat) == [None]
    chat.send("wz_liu", LEAD, at="2026-03-10 12:00")
    assert chat.send("wz_liu", "归入 #1", at="2026-03-10 12:01").text.startswith("📎 已改挂为 #1 的佐证")
    assert on_records(chat) == [1]


def test_a_liaison_may_not_hang_files_on_another_units_record_but_the_office_may(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("nf_wang", LEAD_NF, at="2026-03-10 10:30")
    send_files(chat, "wz_liu", CONTRACT)
    refused = chat.send("wz_liu", "归入 #2", at="2026-03-10 11:01")
    assert "不是本单位的记录" in refused.text and on_records(chat) == [1]
    send_files(chat, "office", CONTRACT, at="2026-03-10 11:05")
    assert chat.send("office", "归入 #2", at="2026-03-10 11:06").text.startswith("📎 已改挂为 #2 的佐证")
    assert on_records(chat) == [1, 2]


def test_a_withdrawn_record_is_not_where_a_file_goes(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("wz_liu", "拜访：今天赴苏州拜访企业3家", at="2026-03-10 10:10")
    chat.send("wz_liu", "撤回 #2", at="2026-03-10 10:20")
    assert send_files(chat, "wz_liu", CONTRACT).text.startswith("📎 已存为 #1 的佐证")


def test_a_file_that_could_not_be_received_gets_its_reason_and_nothing_is_kept(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    expired = Attachment(kind="image", name="", problem="文件链接已过期（企业微信的文件链接5分钟内有效），请重新发送一次。")
    reply = send_files(chat, "wz_liu", expired)
    assert reply.text == "⚠️ 图片未接收：文件链接已过期（企业微信的文件链接5分钟内有效），请重新发送一次。"
    assert on_records(chat) == []


def test_归入_a_record_while_the_bot_waits_for_a_missing_amount_moves_the_file_not_the_draft(chat: Chat) -> None:
    chat.send("wz_liu", LEAD, at="2026-03-10 10:00")
    chat.send("wz_liu", "拜访：今天赴苏州拜访企业3家", at="2026-03-10 10:10")
    asked = chat.send("wz_liu", "线索：浙江华瑞智能装备有限公司拟投资建设智能装备产业园项目", at="2026-03-10 10:20")
    assert "金额" in asked.text or "投资额" in asked.text, asked.text
    send_files(chat, "wz_liu", CONTRACT, at="2026-03-10 10:21")
    moved = chat.send("wz_liu", "归入 #1", at="2026-03-10 10:22")
    assert moved.text.startswith("📎 已改挂为 #1 的佐证"), moved.text
    assert on_records(chat) == [1]
