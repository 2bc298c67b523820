"""The bulletin's chart and the 通报 .docx reach the group as WeCom image and file messages, through the
outbox: after `zsbot job run bulletin --at …` the stand-in holds the picture (md5 right, < 2 MB) and the
file; an outage delays them, never loses or doubles them; without a webhook they go up the long connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from bot.cli import app
from bot.outbox_sender import OutboxSender
from bot.runtime import Runtime
from bot.settings import OutboxSettings
from bot.web import create_app
from handlers.assessment.stats_view import contract_stats
from handlers.core.periods import period
from handlers.jobs import job_named, run_job
from storage.media import Media
from storage.store import unit_of_work
from tests.bot.conftest import app_section, configured, long_connection_section, outbox
from tests.conftest import Chat, Clock, local
from tests.fakes.wecom import WecomStandIn


@pytest.fixture
def standin() -> Iterator[WecomStandIn]:
    with WecomStandIn() as server:
        yield server


def reports(chat: Chat) -> None:
    """卫庄镇 signs 1.2亿元, 南樊镇 finds an 8000万元 lead; 横水镇, 开发区 and 商务局 say nothing."""
    chat.send("wz_liu", "签约：深圳澄峰新能源科技有限公司储能项目正式签约，总投资1.2亿元", at="2026-03-10 10:00")
    chat.send("nf_wang", "线索：江苏恒润新材料有限公司拟投资8000万元建设可降解塑料项目", at="2026-03-11 10:00")


def config(runtime: Runtime, standin: WecomStandIn, tmp_path: Path) -> Path:
    """A config.toml for the CLI: the test's database, the stand-in's webhook, documents saved under tmp
    (bulletins on the 1st and 16th: the 1st's is the closed month's final and carries the .docx)."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{runtime.settings.database.url}"\n'
        f'[wecom]\nwebhook_url = "{standin.webhook_url}"\n'
        f'[documents]\nfolder = "{(tmp_path / "通报").as_posix()}"\n', encoding="utf-8")
    return path


def drain(sender: OutboxSender) -> int:
    async def once() -> int:
        try:
            return await sender.drain_once()
        finally:
            await sender.aclose()

    return asyncio.run(once())


def media_rows(runtime: Runtime) -> list[tuple[str, Media]]:
    return [(row.key, Media.of(row.kind, row.body)) for row in outbox(runtime) if row.kind in ("image", "file")]


def job_run(config_path: Path, at: str) -> str:
    result = CliRunner().invoke(app, ["--config", str(config_path), "job", "run", "bulletin", "--at", at])
    assert result.exit_code == 0, result.output
    return result.output


def test_after_the_bulletin_the_group_gets_the_chart_and_the_docx_once_through_an_outage(
    chat: Chat, standin: WecomStandIn, tmp_path: Path, clock: Clock
) -> None:
    reports(chat)
    runtime = chat.runtime
    path = config(runtime, standin, tmp_path)
    clock.set("2026-04-01 09:30")
    # March's final bulletin: text, ranking chart, pipeline chart, .docx: four pushes, one round.
    assert "已推送 4 条" in job_run(path, "2026-04-01T09:30")
    assert "本轮已执行过" in job_run(path, "2026-04-01T09:30")
    queued = media_rows(runtime)
    assert [key for key, _ in queued] == ["bulletin:2026-03:2026-04-01:chart", "bulletin:2026-03:2026-04-01:pipeline",
                                          "bulletin:2026-03:2026-04-01:docx"]

    sender = OutboxSender(configured(runtime, wecom=app_section(standin, webhook=True),
                                     outbox=OutboxSettings(poll_s=0.05)))
    standin.outage = True
    assert drain(sender) == 0
    assert standin.record.media == [] and {row.state for row in outbox(runtime)} == {"pending"}
    standin.outage = False
    clock.set(clock.now + timedelta(seconds=6))  # the route paused 5 s after the 503
    assert drain(sender) == 4
    assert drain(sender) == 0

    image, pipeline, docx = standin.record.media
    assert len(standin.group_texts()) == 4 and "半月通报" in standin.group_texts()[0]
    assert (image.kind, pipeline.kind, docx.kind) == ("image", "image", "file")
    for received, (_, sent) in zip(standin.record.media, queued, strict=True):
        assert received.data == sent.data
        assert received.md5 == hashlib.md5(received.data).hexdigest()
        assert len(received.data) < 2 * 1024 * 1024
    assert Image.open(io.BytesIO(image.data)).size[0] == 1080
    assert docx.name == "关于2026年3月全县招商引资工作情况的通报.docx"
    assert (tmp_path / "通报" / docx.name).read_bytes() == docx.data

    # The figures in the document are the stats': 卫庄镇 30 (signing) + 1.2亿 × 5 + 10 (过1亿 tier) + 5 (on time)
    # = 51; 南樊镇 10 (lead) + 10 (≥3000万 lead) + 5 = 25; the other three 0.
    rows = [[c.text for c in row.cells] for row in Document(io.BytesIO(docx.data)).tables[0].rows]
    assert rows[1][:5] == ["1", "卫庄镇", "0", "1", "12,000"] and rows[1][7] == "51"
    assert rows[2][:3] == ["2", "南樊镇", "1"] and rows[2][7] == "25"
    assert [r[8] for r in rows[3:]] == ["未报送"] * 3
    with unit_of_work(runtime.engine) as store:
        stats = contract_stats(store, period("2026-03", runtime.rules.schedule), runtime.rules)
    assert [[str(u["rank"]), u["unit"], f"{u['score']:g}"] for u in stats["units"]] == [
        [r[0], r[1], r[7]] for r in rows[1:]]


def test_a_file_over_the_webhook_is_uploaded_then_sent_by_media_id(chat: Chat, standin: WecomStandIn) -> None:
    runtime = configured(chat.runtime, wecom=app_section(standin, webhook=True))
    data = b"PK\x03\x04" + os.urandom(3000)
    with unit_of_work(runtime.engine) as store:
        store.outbox.push("docx:1", Media("file", "通报.docx", data).body(), kind="file")
    assert drain(OutboxSender(runtime)) == 1
    [sent] = [p for p in standin.record.webhooks if p["msgtype"] == "file"]
    assert set(sent["file"]) == {"media_id"}
    assert standin.record.uploads[sent["file"]["media_id"]].data == data
    assert [(m.kind, m.name, m.data) for m in standin.record.media] == [("file", "通报.docx", data)]


def test_a_damaged_media_row_fails_instead_of_looping(chat: Chat, standin: WecomStandIn) -> None:
    runtime = configured(chat.runtime, wecom=app_section(standin, webhook=True))
    with unit_of_work(runtime.engine) as store:
        store.outbox.push("img:1", json.dumps({"name": "x.png", "base64": "!!"}), kind="image")
    drain(OutboxSender(runtime))
    assert [row.state for row in outbox(runtime)] == ["failed"] and standin.record.webhook_attempts == []


def test_without_a_webhook_the_chart_goes_up_the_long_connection_in_chunks(
    chat: Chat, standin: WecomStandIn
) -> None:
    reports(chat)
    runtime = configured(chat.runtime, aibot=long_connection_section(standin, heartbeat_s=5,
                                                                    group_chatid="wrkSFfCgAAgroupchat"),
                         outbox=OutboxSettings(poll_s=0.05))
    big = os.urandom(700_000)  # over one 512 KB chunk
    outcome = run_job(runtime.engine, job_named("bulletin"), local("2026-03-16 09:30"), runtime.rules, forced=True)
    assert outcome[0].pushes == 2  # the text and the ranking chart (16 March is not the month's final)
    with unit_of_work(runtime.engine) as store:
        store.outbox.push("big:1", Media("file", "台账.xlsx", big).body(), kind="file")
    with TestClient(create_app(runtime, ws_backoff_s=0.05)):
        standin.wait_for(lambda: len(standin.record.media) == 2, timeout_s=30)
        standin.wait_for(lambda: {row.state for row in outbox(runtime)} == {"sent"})
    chart, file = standin.record.media
    [queued] = [m for key, m in media_rows(runtime) if key.endswith(":chart")]
    assert (chart.channel, chart.kind, chart.data, chart.md5) == ("aibot", "image", queued.data, queued.md5)
    assert (file.kind, file.name, file.data) == ("file", "台账.xlsx", big)
    inits = standin.frames("aibot_upload_media_init")
    assert [f["body"]["total_chunks"] for f in inits] == [1, 2]
    assert inits[1]["body"]["md5"] == hashlib.md5(big).hexdigest() and inits[1]["body"]["total_size"] == 700_000
    sends = [f["body"] for f in standin.frames("aibot_send_msg")]
    assert [(s["msgtype"], s["chatid"], s["chat_type"]) for s in sends if s["msgtype"] != "markdown"] == [
        ("image", "wrkSFfCgAAgroupchat", 2), ("file", "wrkSFfCgAAgroupchat", 2)]
    assert {row.state for row in outbox(runtime)} == {"sent"}


def test_zsbot_bulletin_writes_the_docx_and_the_chart(chat: Chat, standin: WecomStandIn, tmp_path: Path) -> None:
    reports(chat)
    path = config(chat.runtime, standin, tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["--config", str(path), "bulletin", "--period", "2026-03", "--docx",
                                      str(out / "通报.docx"), "--chart", str(out / "排名.png"), "--at", "2026-04-01T09:00"])
    assert result.exit_code == 0, result.output
    assert "已生成 2026年3月 通报" in result.output and "5个单位" in result.output
    doc = Document(str(out / "通报.docx"))
    assert doc.paragraphs[0].text == "关于2026年3月全县招商引资\n工作情况的通报"
    assert "2026年4月1日" in doc.paragraphs[-1].text
    assert Image.open(out / "排名.png").size == (1080, 410)  # 2.4 in + 5 units × 0.34 in = 4.1 in at 100 dpi
    assert outbox(chat.runtime) == [], "writing files pushes nothing"


def test_zsbot_bulletin_without_an_output_or_with_a_bad_period_says_so(chat: Chat, standin: WecomStandIn,
                                                                       tmp_path: Path) -> None:
    path = config(chat.runtime, standin, tmp_path)
    nothing = CliRunner().invoke(app, ["--config", str(path), "bulletin", "--period", "2026-03"])
    assert nothing.exit_code == 2 and "--docx" in nothing.output
    bad = CliRunner().invoke(app, ["--config", str(path), "bulletin", "--period", "2026-13", "--docx", "x.docx"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for option, target in (("--docx", blocker / "通报.docx"), ("--chart", blocker / "排名.png"), ("--docx", tmp_path)):
        unwritable = CliRunner().invoke(app, ["--config", str(path), "bulletin", "--period", "2026-03", option,
                                              str(target)])
        assert unwritable.exit_code == 1 and "Traceback" not in unwritable.output, target
        assert unwritable.output.startswith(f"无法写入 {target}：") and unwritable.output.count("\n") == 1, target


def test_asking_for_the_ranking_chart_in_chat_pushes_it_to_the_group(chat: Chat) -> None:
    reports(chat)
    reply = chat.send("wz_zhao", "排名图", at="2026-03-12 10:00", msg_id="m-chart-1")
    assert reply.text == "2026年3月排名图（5个单位）已发到群里，请在群聊中查看。"
    again = chat.send("wz_zhao", "排名图", at="2026-03-12 10:00", msg_id="m-chart-1")  # WeCom redelivers
    assert again.duplicate
    [(key, image)] = media_rows(chat.runtime)
    assert key == "rank-chart:2026-03:test:m-chart-1" and image.kind == "image"
    assert Image.open(io.BytesIO(image.data)).size == (1080, 410)
    assert "2026年2月排名图" in chat.send("wz_liu", "上月排名图", at="2026-03-12 10:05").text
    assert [k for k, _ in media_rows(chat.runtime)][-1].startswith("rank-chart:2026-02:")
    # After the 20th's deadline 排名 shows March's final table, and so does 排名图 (not April's empty one);
    # 4月排名图 asks for the new month.
    assert chat.send("wz_zhao", "排名图", at="2026-03-25 10:00").text.startswith("2026年3月排名图（5个单位）")
    assert [k for k, _ in media_rows(chat.runtime)][-1].startswith("rank-chart:2026-03:")
    assert chat.send("wz_zhao", "4月排名图", at="2026-03-25 10:05").text.startswith("2026年4月排名图")


def test_without_wecom_the_console_and_outbox_list_name_the_picture_not_its_bytes(
    chat: Chat, tmp_path: Path
) -> None:
    reports(chat)
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{chat.runtime.settings.database.url}"\n'
                    f'[documents]\nfolder = "{(tmp_path / "通报").as_posix()}"\n', encoding="utf-8")
    output = job_run(path, "2026-04-01T09:30")  # March's final: chart, pipeline and .docx
    assert "[群推送 bulletin:2026-03:2026-04-01:chart] [图片] 排名图-2026-03.png（" in output
    assert "[文件] 关于2026年3月全县招商引资工作情况的通报.docx（" in output
    assert len(output) < 5000, "no base64 on the console"
    listed = CliRunner().invoke(app, ["--config", str(path), "outbox", "list"])
    assert "[图片] 排名图-2026-03.png" in listed.output and len(listed.output) < 5000


def test_a_folder_that_cannot_be_written_does_not_hold_back_the_bulletin(
    chat: Chat, standin: WecomStandIn, tmp_path: Path
) -> None:
    reports(chat)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    path = config(chat.runtime, standin, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace((tmp_path / "通报").as_posix(), blocked.as_posix()),
                    encoding="utf-8")
    assert "已推送 4 条" in job_run(path, "2026-04-01T09:30")
    assert [key.rsplit(":", 1)[1] for key, _ in media_rows(chat.runtime)] == ["chart", "pipeline", "docx"]


def test_a_roster_too_long_for_a_picture_still_gets_its_bulletin_and_a_polite_answer(chat: Chat) -> None:
    # (2.4 + 1,930 × 0.34) in × 100 dpi = 65,860 px: taller than a picture can be drawn (65,535).
    with chat.store() as store:
        for n in range(1925):
            store.roster.ensure_unit(f"测试单位{n}")
    reports(chat)
    reply = chat.send("wz_zhao", "排名图", at="2026-03-12 10:00")
    assert reply.text.startswith("2026年3月排名图未能发送：1930个单位的排名图太长") and "「排名」" in reply.text
    runtime = chat.runtime
    outcome = run_job(runtime.engine, job_named("bulletin"), local("2026-03-16 09:30"), runtime.rules, forced=True)
    assert outcome[0].pushes == 1  # the text bulletin goes; the chart that cannot be drawn is left out (logged)
    assert media_rows(runtime) == [] and "半月通报" in outbox(runtime)[0].body


def test_an_outage_half_way_through_resends_only_what_wecom_did_not_take(
    chat: Chat, standin: WecomStandIn, tmp_path: Path, clock: Clock
) -> None:
    """The outage above starts before anything is sent; here WeCom fails in the middle of the four pushes:
    the text is taken, the chart gets a 503; later the chart and the pipeline are taken and the .docx's
    message gets a gateway's 502 after its upload. Each arrives once, in order; nothing is sent twice."""
    reports(chat)
    runtime = chat.runtime
    clock.set("2026-04-01 09:30")
    assert "已推送 4 条" in job_run(config(runtime, standin, tmp_path), "2026-04-01T09:30")
    sender = OutboxSender(configured(runtime, wecom=app_section(standin, webhook=True),
                                     outbox=OutboxSettings(poll_s=0.05)))
    standin.webhook_script.extend([0, ("http", 503), 0, 0, ("gateway", 502)])
    assert drain(sender) == 1  # the text; the chart's 503 pauses the route
    assert [m.kind for m in standin.record.media] == []
    clock.set(clock.now + timedelta(seconds=6))
    assert drain(sender) == 2  # chart and pipeline; the file message's 502 pauses it again (10 s)
    clock.set(clock.now + timedelta(seconds=11))
    assert drain(sender) == 1 and drain(sender) == 0
    assert [(m.kind, m.name) for m in standin.record.media] == [
        ("image", ""), ("image", ""), ("file", "关于2026年3月全县招商引资工作情况的通报.docx")]
    assert len(standin.group_texts()) == 4 and {row.state for row in outbox(runtime)} == {"sent"}
    assert [row.attempts for row in outbox(runtime)] == [0, 0, 0, 0], "temporary failures spend no attempt"
