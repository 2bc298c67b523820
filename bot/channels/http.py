"""What every WeCom route does the same way: query parameters, bounded bodies, URL verification."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request

from bot.wecom.crypto import DecryptError, SignatureError


def params(request: Request, *names: str) -> list[str]:
    values = [request.query_params.get(name) for name in names]
    if any(not value for value in values):
        raise HTTPException(400, f"missing query parameter: {', '.join(names)}")
    return [str(value) for value in values]


def verify(check: Callable[[str, str, str, str], str], sig: str, ts: str, nonce: str, echostr: str) -> str:
    try:
        return str(check(sig, ts, nonce, echostr))
    except SignatureError:
        raise HTTPException(403, "bad signature") from None
    except DecryptError:
        raise HTTPException(400, "malformed echostr") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it is longer than `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)
