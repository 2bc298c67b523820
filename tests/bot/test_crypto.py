"""WeCom's crypto as Tencent publishes it: the three vector sets, and the AI bot's JSON envelope."""

from __future__ import annotations

import json

import pytest

from bot.wecom.crypto import AibotCrypto, AppCrypto, DecryptError, Envelope, SignatureError
from tests.fakes.wecom import AES_KEY, TOKEN, CallbackSigner

A = ("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
A_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/"
    "sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZf"
    "JYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGU"
    "callcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5"
    "Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
B = ("hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", "ww1436e0e65a779aee")
B_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AE"
    "ew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD2"
    "4YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjay"
    "JOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
C = ("123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a")
C_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAt"
    "ObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmp"
    "B6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1"
    "vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)
C_DECRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGy"
    "mzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P"
    "4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQ"
    "gWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxth"
    "uL0="
)


def test_vector_a_url_verification_and_message() -> None:
    crypto = AppCrypto(*A)
    echostr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    assert crypto.verify_url("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780",
                             echostr) == "1616140317555161061"
    plain = crypto.open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", A_ENCRYPT)
    assert len(plain.encode()) == 0x11C
    assert "<FromUserName><![CDATA[mycreate]]></FromUserName>" in plain
    assert "<Content><![CDATA[hello]]></Content>" in plain and "<MsgId>4561255354251345929</MsgId>" in plain
    # The project's own envelope reads it the same, byte for byte.
    assert Envelope(*A).open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149",
                             A_ENCRYPT) == plain


def test_vector_b_from_tencents_python_sample_decodes_chinese() -> None:
    crypto = AppCrypto(*B)
    echostr = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
    assert crypto.verify_url("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683",
                             echostr) == "1288432023552776189"
    plain = crypto.open("0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914", B_ENCRYPT)
    assert plain == (
        "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
        "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
        "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
    )


def test_vector_c_signature_nonce_matters_and_encryption_is_deterministic() -> None:
    crypto = AppCrypto(*C)
    echostr = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
    assert crypto.verify_url("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374425",
                             echostr) == "5927782489442352469"
    with pytest.raises(SignatureError):
        crypto.verify_url("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374424", echostr)
    plain = "\n".join([
        "<xml>", "<MsgType><![CDATA[text]]></MsgType>", "<Content><![CDATA[test]]></Content>",
        "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>", "<ToUserName><![CDATA[messense]]></ToUserName>",
        "<AgentID>1</AgentID>", "<CreateTime>1411525903</CreateTime>", "</xml>",
    ])
    sealed = Envelope(*C).seal(plain, "461056294", "1411525903", random_prefix=b"1234567890123456")
    assert sealed.encrypt == C_ENCRYPT
    assert sealed.signature == "407518b7649e86ef23978113f92d27afa9296533"
    decrypted = crypto.open("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", C_DECRYPT)
    assert "messense" in decrypted and "<MsgId>4363689963896700987</MsgId>" in decrypted


def test_app_passive_reply_opens_with_wecoms_algorithm() -> None:
    crypto = AppCrypto(TOKEN, AES_KEY, "wx5823bf96d3bd56c7")
    signer = CallbackSigner(TOKEN, AES_KEY, "wx5823bf96d3bd56c7")
    reply = crypto.seal_xml("<xml><Content><![CDATA[收到]]></Content></xml>", nonce="98765")
    assert signer.open_app_reply(reply, "98765").findtext("Content") == "收到"


def test_aibot_json_envelope_round_trip_with_empty_receive_id() -> None:
    signer = CallbackSigner(TOKEN, AES_KEY, "")
    crypto = AibotCrypto(TOKEN, AES_KEY)
    params, body = signer.aibot_callback({"msgid": "m1", "msgtype": "text", "text": {"content": "@招商助手 你好"}})
    opened = crypto.open_json(params["msg_signature"], params["timestamp"], params["nonce"], body)
    assert opened["text"]["content"] == "@招商助手 你好"
    reply = crypto.seal_json({"msgtype": "stream", "stream": {"id": "s", "finish": True, "content": "好"}},
                             nonce=params["nonce"])
    assert signer.open_aibot_reply(reply, params["nonce"])["stream"]["content"] == "好"


def test_aibot_envelope_refuses_another_receive_id_bad_padding_and_bad_signature() -> None:
    crypto = AibotCrypto(TOKEN, AES_KEY)
    signer = CallbackSigner(TOKEN, AES_KEY, "")
    for_corp = signer.encrypt(json.dumps({"msgid": "x"}), receive_id=b"wx5823bf96d3bd56c7")
    p = signer.params(for_corp)
    with pytest.raises(DecryptError):
        crypto.open_json(p["msg_signature"], p["timestamp"], p["nonce"], json.dumps({"encrypt": for_corp}).encode())
    garbage = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes that are not our ciphertext
    p = signer.params(garbage)
    with pytest.raises(DecryptError):
        crypto.open_json(p["msg_signature"], p["timestamp"], p["nonce"], json.dumps({"encrypt": garbage}).encode())
    params, body = signer.aibot_callback({"msgid": "y"})
    with pytest.raises(SignatureError):
        crypto.open_json("0" * 40, params["timestamp"], params["nonce"], body)
    with pytest.raises(SignatureError):
        crypto.open_json(params["msg_signature"], str(int(params["timestamp"]) + 1), params["nonce"], body)


def test_app_envelope_refuses_a_message_for_another_corp() -> None:
    signer = CallbackSigner(TOKEN, AES_KEY, "wwSOMEOTHERCORP")
    encrypt = signer.encrypt("<xml/>")
    p = signer.params(encrypt)
    with pytest.raises(DecryptError):
        AppCrypto(TOKEN, AES_KEY, "wx5823bf96d3bd56c7").open(p["msg_signature"], p["timestamp"], p["nonce"], encrypt)


def test_json_nesting_is_judged_by_depth_not_by_how_many_brackets_it_holds() -> None:
    from bot.wecom.aibot_wire import json_depth_within

    shallow_but_bracketed = '{"text": {"content": "' + "[【{" * 40 + '"}, "at": [1, [2]]}'
    assert json_depth_within(shallow_but_bracketed, 3)
    assert not json_depth_within(shallow_but_bracketed, 2)
    assert json_depth_within('{"a": [{"b": 1}]}', 3)
    assert not json_depth_within('{"a": [{"b": [1]}]}', 3)
    assert not json_depth_within(b"[" * 1024, 32)
