"""佐证: a liaison sends the bot a photo or a contract in 1:1 chat, as WeCom delivers it: an AI-bot callback
whose image/file URL serves AES-256-CBC ciphertext for five minutes. The file is decrypted, stored under its
SHA-256, hung on the right record, listed and exported by `zsbot evidence`; a dead link or a file too large
is refused politely and leaves nothing behind."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.runtime import Runtime
from bot.settings import EvidenceSettings, InboxSettings, evidence_folder
from bot.web import create_app
from bot.wecom.media import MediaFetcher
from handlers.core.messages import MediaRef
from storage.models import Evidence
from storage.store import unit_of_work
from tests.fakes.wecom import (
    CORP_ID,
    CallbackSigner,
    WecomStandIn,
    aibot_media,
    aibot_text,
    app_text_xml,
    callback_media_key,
    encrypt_media,
)

from .conftest import LEAD, configured, records

VISIT = "3月12日赴苏州拜访江苏恒润新材料有限公司，洽谈可降解塑料项目"
LIMIT = 256 * 1024


def jpeg(size: int) -> bytes:
    """A photo's bytes: JPEG's magic, then noise (not a multiple of the cipher's block)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(size)


def pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size)


@pytest.fixture
def bot(wecom: Runtime) -> Runtime:
    return configured(wecom, inbox=InboxSettings(first_answer_s=4.0), evidence=EvidenceSettings(max_bytes=LIMIT))


@pytest.fixture
def client(bot: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(bot)) as c:
        yield c


@pytest.fixture
def cli_env(bot: Runtime, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("ZSBOT_CONFIG", raising=False)
    monkeypatch.setenv("ZSBOT_DATABASE__URL", bot.settings.database.url)
    return CliRunner()


def send(client: TestClient, signer: CallbackSigner, payload: dict[str, Any]) -> str:
    """One callback in 1:1 chat; the receipt it is answered with."""
    params, body = signer.aibot_callback(payload, payload["msgid"])
    answer = signer.open_aibot_reply(client.post("/wecom/aibot", params=params, content=body).json(), payload["msgid"])
    assert answer["stream"]["finish"] is True, answer
    return str(answer["stream"]["content"])


def say(client: TestClient, signer: CallbackSigner, msgid: str, text: str) -> str:
    return send(client, signer, aibot_text(msgid, "wz_liu", text, chat_id=None))


def image(standin: WecomStandIn, plain: bytes, msgid: str, quoting: str | None = None) -> dict[str, Any]:
    """An image as the callback carries it (callback mode: the bot's EncodingAESKey opens it)."""
    payload = aibot_media(msgid, "wz_liu", "image", standin.serve_media(encrypt_media(plain, callback_media_key())))
    if quoting is not None:
        payload["quote"] = {"msgtype": "text", "text": {"content": quoting}}
    return payload


def stored(runtime: Runtime) -> list[Evidence]:
    with unit_of_work(runtime.engine) as store:
        return list(store.session.exec(select(Evidence)).all())


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def evidence_json(cli_env: CliRunner, *args: str) -> list[dict[str, Any]]:
    result = cli_env.invoke(cli, ["evidence", "list", "--json", *args])
    assert result.exit_code == 0, result.output
    listed: list[dict[str, Any]] = json.loads(result.output)
    return listed


def test_an_encrypted_image_is_decrypted_stored_by_its_hash_and_proves_the_senders_latest_record(
    client: TestClient, bot: Runtime, standin: WecomStandIn, aibot_signer: CallbackSigner, cli_env: CliRunner
) -> None:
    say(client, aibot_signer, "e-1", LEAD)
    say(client, aibot_signer, "e-2", VISIT)
    latest = max(r.id or 0 for r in records(bot))
    plain = jpeg(200_001)  # several chunks of the stream, and a padding that is not a whole block
    sha = hashlib.sha256(plain).hexdigest()
    payload = image(standin, plain, "e-3")
    receipt = send(client, aibot_signer, payload)
    assert standin.media_of(payload["image"]["url"]).requests == 1  # fetched once, however the worker reads it
    name = f"图片-{sha[:8]}.jpg"
    assert receipt == f"📎 已存为 #{latest} 的佐证（{name}，195KB）；如需改挂，请回复「归入 #编号」"
    folder = evidence_folder(bot.settings)
    assert files_in(folder) == [folder / sha[:2] / f"{sha}.jpg"]
    assert (folder / sha[:2] / f"{sha}.jpg").read_bytes() == plain
    [listed] = evidence_json(cli_env)
    assert listed.pop("at").startswith(("20", "19"))
    assert listed == {"record": f"#{latest}", "kind": "image", "name": name, "bytes": len(plain), "sha256": sha,
                      "from": "wz_liu"}
    assert evidence_json(cli_env, "--record", str(latest)) == [{**listed, "at": stored(bot)[0].at.astimezone(
        bot.settings.schedule.tz).isoformat(timespec="seconds")}]


def test_an_image_quoting_a_receipt_proves_that_record_and_归入_moves_it(
    client: TestClient, bot: Runtime, standin: WecomStandIn, aibot_signer: CallbackSigner, cli_env: CliRunner
) -> None:
    first = say(client, aibot_signer, "q-1", LEAD)
    say(client, aibot_signer, "q-2", VISIT)
    lead, visit = sorted(r.id or 0 for r in records(bot))
    assert f"#{lead}" in first
    receipt = send(client, aibot_signer, image(standin, jpeg(5000), "q-3", quoting=first))
    assert receipt.startswith(f"📎 已存为 #{lead} 的佐证")
    assert [e["record"] for e in evidence_json(cli_env)] == [f"#{lead}"]
    moved = say(client, aibot_signer, "q-4", f"归入 #{visit}")
    assert moved.startswith(f"📎 已改挂为 #{visit} 的佐证")
    assert [e["record"] for e in evidence_json(cli_env)] == [f"#{visit}"]
    assert evidence_json(cli_env, "--record", str(lead)) == []


def test_a_report_sent_with_a_photo_is_stored_and_the_photo_proves_it_even_under_a_quote(
    client: TestClient, bot: Runtime, standin: WecomStandIn, aibot_signer: CallbackSigner
) -> None:
    first = say(client, aibot_signer, "c-1", LEAD)
    url = standin.serve_media(encrypt_media(jpeg(3000), callback_media_key()))
    mixed = {"msgid": "c-2", "aibotid": "b", "chattype": "single", "from": {"userid": "wz_liu"}, "msgtype": "mixed",
             "mixed": {"msg_item": [{"msgtype": "text", "text": {"content": VISIT}},
                                    {"msgtype": "image", "image": {"url": url}}]},
             "quote": {"msgtype": "text", "text": {"content": first}}}
    receipt = send(client, aibot_signer, mixed)
    visit = max(r.id or 0 for r in records(bot))
    assert len(records(bot)) == 2
    assert f"#{visit}" in receipt.splitlines()[0]
    assert receipt.splitlines()[-1].startswith(f"📎 已存为 #{visit} 的佐证")


@pytest.mark.parametrize("how", ["status", "errcode"])
def test_an_expired_link_gets_a_resend_reply_and_stores_nothing(
    client: TestClient, bot: Runtime, standin: WecomStandIn, aibot_signer: CallbackSigner, how: str
) -> None:
    say(client, aibot_signer, "x-1", LEAD)
    payload = image(standin, jpeg(3000), "x-2")
    standin.expire_media(payload["image"]["url"], how)
    receipt = send(client, aibot_signer, payload)
    assert "已过期" in receipt and "请重新发送" in receipt and "📎" not in receipt
    assert stored(bot) == [] and files_in(evidence_folder(bot.settings)) == []


def test_an_oversized_file_is_cut_off_at_the_limit_and_nothing_is_kept(
    client: TestClient, bot: Runtime, standin: WecomStandIn, aibot_signer: CallbackSigner
) -> None:
    say(client, aibot_signer, "o-1", LEAD)
    total = 64 * 1024 * 1024  # 256 times the limit, streamed without a Content-Length
    url = standin.serve_media(encrypt_media(pdf(70_000), callback_media_key()), total=total)
    receipt = send(client, aibot_signer, aibot_media("o-2", "wz_liu", "file", url))
    assert "文件超过256KB" in receipt and "📎" not in receipt
    served = standin.media_of(url)
    # The download stopped near the limit: the stand-in never got to stream the rest (socket buffers aside).
    assert not served.finished and served.sent < total // 8
    assert stored(bot) == [] and files_in(evidence_folder(bot.settings)) == []


def test_an_executable_is_refused_whatever_it_is_called(
    client: TestClient, bot: Runtime, standin: WecomStandIn, aibot_signer: CallbackSigner
) -> None:
    say(client, aibot_signer, "m-1", LEAD)
    url = standin.serve_media(encrypt_media(b"MZ\x90\x00" + os.urandom(4000), callback_media_key()))
    payload = aibot_media("m-2", "wz_liu", "file", url)
    payload["file"]["filename"] = "合同.pdf"
    receipt = send(client, aibot_signer, payload)
    assert "合同.pdf未接收" in receipt and "可执行程序" in receipt
    assert stored(bot) == [] and files_in(evidence_folder(bot.settings)) == []


def test_evidence_export_writes_each_file_under_its_record(
    client: TestClient, bot: Runtime, standin: WecomStandIn, aibot_signer: CallbackSigner, cli_env: CliRunner,
    tmp_path: Path
) -> None:
    say(client, aibot_signer, "d-1", LEAD)
    lead = max(r.id or 0 for r in records(bot))
    photo, contract = jpeg(4000), pdf(9000)
    send(client, aibot_signer, image(standin, photo, "d-2"))
    url = standin.serve_media(encrypt_media(contract, callback_media_key()))
    payload = aibot_media("d-3", "wz_liu", "file", url)
    payload["file"]["filename"] = "合同.pdf"
    assert "合同.pdf，9KB" in send(client, aibot_signer, payload)
    out = tmp_path / "佐证导出"
    result = cli_env.invoke(cli, ["evidence", "export", str(out)])
    assert result.exit_code == 0, result.output
    sha = hashlib.sha256(photo).hexdigest()
    assert sorted(p.relative_to(out).as_posix() for p in files_in(out)) == sorted(
        [f"#{lead}/合同.pdf", f"#{lead}/图片-{sha[:8]}.jpg"])
    assert (out / f"#{lead}" / "合同.pdf").read_bytes() == contract
    assert (out / f"#{lead}" / f"图片-{sha[:8]}.jpg").read_bytes() == photo


def test_a_long_connection_link_opens_with_its_own_aeskey(standin: WecomStandIn, tmp_path: Path) -> None:
    """On the long connection each URL has its own key (base64); the bot's EncodingAESKey is not it."""
    key = os.urandom(32)
    plain = pdf(40_000)
    url = standin.serve_media(encrypt_media(plain, key))
    fetch = MediaFetcher(tmp_path / "evidence", LIMIT, callback_key=callback_media_key())
    [wrong] = fetch([MediaRef("file", url)])
    assert wrong.problem and not wrong.path
    [got] = fetch([MediaRef("file", url, key=base64.b64encode(key).decode().rstrip("="))])
    assert got.problem == "" and got.sha256 == hashlib.sha256(plain).hexdigest() and got.size == len(plain)
    assert (tmp_path / "evidence" / got.path).read_bytes() == plain


def test_a_declared_size_over_the_limit_is_refused_before_downloading(standin: WecomStandIn, tmp_path: Path) -> None:
    """The Content-Length alone refuses it: read, its first bytes would have been refused as a program."""
    url = standin.serve_media(encrypt_media(b"MZ" + os.urandom(LIMIT + 100), callback_media_key()))
    [got] = MediaFetcher(tmp_path / "evidence", LIMIT, callback_key=callback_media_key())([MediaRef("file", url)])
    assert "文件超过256KB" in got.problem and files_in(tmp_path / "evidence") == []


def test_an_image_sent_to_the_app_is_fetched_with_the_apps_token_and_kept(
    client: TestClient, bot: Runtime, standin: WecomStandIn, app_signer: CallbackSigner
) -> None:
    """The self-built app's 1:1 session: an image's MediaId, fetched by `media/get` with the app's token (plain)."""
    now = int(time.time())
    params, body = app_signer.app_callback(app_text_xml("wz_liu", LEAD, "a-1", now), "1")
    client.post("/wecom/callback", params=params, content=body)
    [lead] = records(bot)
    plain = jpeg(90_000)
    media_id = standin.serve_media(plain, app=True).split("media_id=")[1]
    xml = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[wz_liu]]></FromUserName>"
           f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
           f"<PicUrl><![CDATA[https://example.invalid/pic]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
           f"<MsgId>a-2</MsgId><AgentID>1000002</AgentID></xml>")
    params, body = app_signer.app_callback(xml, "2")
    reply = app_signer.open_app_reply(client.post("/wecom/callback", params=params, content=body).text, "2")
    sha = hashlib.sha256(plain).hexdigest()
    assert (reply.findtext("Content") or "").startswith(f"📎 已存为 #{lead.id} 的佐证（图片-{sha[:8]}.jpg，88KB）")
    assert (evidence_folder(bot.settings) / sha[:2] / f"{sha}.jpg").read_bytes() == plain


def test_a_link_that_cannot_even_be_read_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """Whatever goes wrong with one file, the worker still handles the message (and answers it)."""
    fetch = MediaFetcher(tmp_path / "evidence", LIMIT, callback_key=callback_media_key())
    [got] = fetch([MediaRef("image", "http://[::1")])
    assert got.problem and not got.path
