"""佐证 in what the office reads: the ledger's 佐证 column and, in the month's final bulletin, how many
signings carry a file (a contract) — the office's first question about a signing."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from handlers.core.messages import Attachment, Incoming
from handlers.core.periods import period
from handlers.publishing.ledger import write_ledger
from storage.store import unit_of_work
from tests.assessment.conftest import Group
from tests.conftest import Chat, local

SIGNING = "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元"
SIGNING_NF = "签约：浙江华瑞智能装备有限公司智能装备产业园项目正式签约，总投资2.5亿元"


def attach(chat: Chat, user: str, name: str, at: str) -> str:
    files = (Attachment(kind="file", name=name, path=f"aa/{name}", size=2048, sha256="aa" + name),)
    return chat.runtime.bot.handle(Incoming(channel="test", msg_id=uuid.uuid4().hex, user_id=user, text="",
                                            at=local(at), attachments=files)).text


def test_the_ledger_lists_each_records_files_and_the_final_bulletin_counts_signings_with_a_contract(
    chat: Chat, group: Group, tmp_path: Path
) -> None:
    chat.send("wz_liu", SIGNING, at="2026-03-05 10:00")  # #1, with its contract and a photo
    chat.send("nf_wang", SIGNING_NF, at="2026-03-06 10:00")  # #2, without
    assert attach(chat, "wz_liu", "合同.pdf", "2026-03-05 10:05").startswith("📎 已存为 #1 的佐证")
    attach(chat, "wz_liu", "签约仪式.jpg", "2026-03-05 10:06")

    out = tmp_path / "台账.xlsx"
    with unit_of_work(chat.runtime.engine) as store:
        write_ledger(store, period("2026-03", chat.runtime.rules.schedule), chat.runtime.rules, out)
    sheet = load_workbook(out)["台账"]
    header = [c.value for c in sheet[1]]
    rows: dict[Any, dict[str, Any]] = {}
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row = dict(zip(header, values, strict=True))
        rows[row["编号"]] = row
    assert rows[1]["佐证"] == "合同.pdf、签约仪式.jpg"
    assert rows[2]["佐证"] in ("", None)

    group.run_jobs_until("2026-03-21 00:00", "2026-04-01 23:59")
    [bulletin] = group.pushes("bulletin:2026-03:2026-04-01")
    assert "**签约** 2个（其中1个附合同佐证） 3.7亿元" in bulletin.body
