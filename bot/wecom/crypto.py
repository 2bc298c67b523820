"""WeCom callback crypto, owned here so both envelopes share one audited path.

The self-built app's XML envelope goes through wechatpy's `WeChatCrypto` (receive id = corp id);
the AI bot's JSON envelope (receive id "") is built on `cryptography` directly, with strict
PKCS#7 and length checks that wechatpy skips. Signatures are always compared in constant time,
and there is deliberately no clock window on timestamps: replays are stopped by msg-id dedupe.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import struct
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException, WeChatException

from bot.wecom.aibot_wire import json_depth_within

_BLOCK = 32  # WeCom pads PKCS#7 to 32 bytes, not AES's 16


class SignatureError(Exception):
    """The msg_signature does not match: answer 403, store nothing."""


class DecryptError(Exception):
    """The ciphertext is malformed, mis-padded or addressed to another receiver: answer 400."""


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """sha1 over the plain string sort of [token, timestamp, nonce, encrypt]."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def check_signature(token: str, timestamp: str, nonce: str, encrypt: str, given: str) -> None:
    expected = signature(token, timestamp, nonce, encrypt)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        raise SignatureError("msg_signature mismatch")


def aes_key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("EncodingAESKey must be 43 base64 characters") from None
    if len(key) != 32:
        raise ValueError("EncodingAESKey must be 43 base64 characters")
    return key


class Envelope:
    """AES-256-CBC with WeCom's layout: random(16) + len(4, big-endian) + msg + receive id."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self.token = token
        self.key = aes_key(encoding_aes_key)
        self.receive_id = receive_id.encode()

    def _cipher(self) -> Cipher:  # type: ignore[type-arg]
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, plaintext: str, random_prefix: bytes | None = None) -> str:
        prefix = random_prefix if random_prefix is not None else secrets.token_bytes(16)
        if len(prefix) != 16:
            raise ValueError("the random prefix is 16 bytes")
        msg = plaintext.encode()
        raw = prefix + struct.pack(">I", len(msg)) + msg + self.receive_id
        pad = _BLOCK - len(raw) % _BLOCK
        raw += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()

    def decrypt(self, encrypt: str) -> str:
        try:
            data = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise DecryptError("not base64") from None
        if not data or len(data) % 16:
            raise DecryptError("ciphertext is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        raw = decryptor.update(data) + decryptor.finalize()
        pad = raw[-1]
        if not 1 <= pad <= _BLOCK or raw[-pad:] != bytes([pad]) * pad:
            raise DecryptError("bad padding")
        body = raw[16:-pad]
        if len(body) < 4:
            raise DecryptError("too short")
        (length,) = struct.unpack(">I", body[:4])
        if length > len(body) - 4:
            raise DecryptError("length field out of range")
        msg, receive_id = body[4 : 4 + length], body[4 + length :]
        if not hmac.compare_digest(receive_id, self.receive_id):
            raise DecryptError("addressed to another receive id")
        try:
            return msg.decode()
        except UnicodeDecodeError:
            raise DecryptError("not UTF-8") from None

    def open(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        """Verify, then decrypt: the order matters, nothing unverified is decrypted."""
        check_signature(self.token, timestamp, nonce, encrypt, msg_signature)
        return self.decrypt(encrypt)

    def seal(self, plaintext: str, nonce: str, timestamp: str | None = None,
             random_prefix: bytes | None = None) -> Sealed:
        ts = timestamp or str(int(time.time()))
        encrypt = self.encrypt(plaintext, random_prefix)
        return Sealed(encrypt=encrypt, signature=signature(self.token, ts, nonce, encrypt), timestamp=ts, nonce=nonce)


@dataclass(frozen=True, slots=True)
class Sealed:
    encrypt: str
    signature: str
    timestamp: str
    nonce: str


class AppCrypto:
    """The self-built app (自建应用): XML envelope, receive id = corp id, via wechatpy."""

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self.token = token
        self._wechat = WeChatCrypto(token, encoding_aes_key, corp_id)
        aes_key(encoding_aes_key)

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        check_signature(self.token, timestamp, nonce, echostr, msg_signature)
        return self._decrypt(echostr, msg_signature, timestamp, nonce)

    def open(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        """The decrypted inner XML of a callback whose outer <Encrypt> is `encrypt`."""
        check_signature(self.token, timestamp, nonce, encrypt, msg_signature)
        return self._decrypt(encrypt, msg_signature, timestamp, nonce)

    def _decrypt(self, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        try:
            return str(self._wechat.decrypt_message({"Encrypt": encrypt}, msg_signature, timestamp, nonce))
        except InvalidSignatureException:
            raise SignatureError("msg_signature mismatch") from None
        except (WeChatException, ValueError, TypeError, IndexError, struct.error, UnicodeDecodeError,
                binascii.Error) as exc:
            raise DecryptError(type(exc).__name__) from None

    def seal_xml(self, reply_xml: str, nonce: str, timestamp: str | None = None) -> str:
        """The passive reply: <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>."""
        return str(self._wechat.encrypt_message(reply_xml, nonce, timestamp or str(int(time.time()))))


class AibotCrypto:
    """The AI bot (智能机器人) callback: JSON envelope, receive id ""."""

    def __init__(self, token: str, encoding_aes_key: str) -> None:
        self.envelope = Envelope(token, encoding_aes_key, "")

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        return self.envelope.open(msg_signature, timestamp, nonce, echostr)

    def open_json(self, msg_signature: str, timestamp: str, nonce: str, body: bytes,
                  max_depth: int = 32) -> dict[str, Any]:
        """Verify and decrypt a `{"encrypt": …}` body into the callback's JSON object.

        Nesting deeper than `max_depth` is refused before parsing (the parser recurses)."""
        if not json_depth_within(body, max_depth):
            raise DecryptError("body nests too deep")
        try:
            outer = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise DecryptError("body is not JSON") from None
        encrypt = outer.get("encrypt") if isinstance(outer, dict) else None
        if not isinstance(encrypt, str) or not encrypt:
            raise DecryptError("no encrypt field")
        plain = self.envelope.open(msg_signature, timestamp, nonce, encrypt)
        if not json_depth_within(plain, max_depth):
            raise DecryptError("plaintext nests too deep")
        try:
            inner = json.loads(plain)
        except (ValueError, RecursionError):
            raise DecryptError("plaintext is not JSON") from None
        if not isinstance(inner, dict):
            raise DecryptError("plaintext is not a JSON object")
        return inner

    def seal_json(self, payload: dict[str, Any], nonce: str, timestamp: str | None = None) -> dict[str, Any]:
        """The passive reply body; `nonce` must be the callback's own nonce."""
        sealed = self.envelope.seal(json.dumps(payload, ensure_ascii=False), nonce, timestamp)
        return {"encrypt": sealed.encrypt, "msgsignature": sealed.signature,
                "timestamp": int(sealed.timestamp), "nonce": sealed.nonce}
