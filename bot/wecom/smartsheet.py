"""The smart sheet (智能表格) API of the self-built app, and the sheet's webhook: WeCom's JSON lives here only.

`wedoc/create_doc` (doc_type 10) → docid (returned only then); `wedoc/smartsheet/add_sheet`, `add_fields`,
`add_records` (≤ 500 rows a call), `update_records` and `get_records` by record_id; cells keyed by field title
(`CELL_VALUE_KEY_TYPE_FIELD_TITLE`): text as `[{"type": "text", "text": …}]`, numbers as numbers.

No authority: WeCom answers 851003 when the app may not use the document API (it is not listed under
协作 → 文档 → API → 可调用应用); we also read 48002 (API forbidden for the app) and 60011 (no privilege,
e.g. over an admin_users member) as the same refusal. Each raises `NoAuthority`, so the caller can fall back
to the sheet's webhook (`wedoc/smartsheet/webhook?key=…`, `{"add_records": […]}`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from bot.wecom.webhook import AppToken, _post_json, call_app_api

#: Rows per add_records / update_records call (WeCom advises at most 500).
BATCH = 500
NO_AUTHORITY = frozenset({851003, 48002, 60011})
SMART_SHEET = 10
TEXT, NUMBER = "FIELD_TYPE_TEXT", "FIELD_TYPE_NUMBER"
BY_TITLE = "CELL_VALUE_KEY_TYPE_FIELD_TITLE"

Cell = str | float | None


class SheetApiError(Exception):
    """WeCom refused a smart sheet call (errcode and errmsg in the message)."""

    def __init__(self, call: str, errcode: int, errmsg: str) -> None:
        super().__init__(f"{call}: errcode {errcode} {errmsg}")
        self.errcode = errcode


class NoAuthority(SheetApiError):
    """The app may not call the document API (851003, 48002, 60011)."""


def _checked(call: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
    errcode = int(data.get("errcode", -1))
    if errcode == 0:
        return data
    errmsg = str(data.get("errmsg", ""))
    raise (NoAuthority if errcode in NO_AUTHORITY else SheetApiError)(call, errcode, errmsg)


def values(cells: Mapping[str, Cell]) -> dict[str, Any]:
    """Our cells as WeCom's record values: text segments, numbers; an empty number is left out."""
    out: dict[str, Any] = {}
    for title, value in cells.items():
        if isinstance(value, int | float):
            out[title] = value
        elif value is not None:
            out[title] = [{"type": "text", "text": value}]
    return out


def plain(value: Any) -> Cell:
    """A cell WeCom returned, as plain text or a number (text segments joined)."""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return "".join(str(seg.get("text", "")) if isinstance(seg, dict) else str(seg) for seg in value)
    return "" if value is None else str(value)


class SmartSheetApi:
    """The document API with the self-built app's access_token."""

    def __init__(self, api_base: str, corp_id: str, secret: str, client: httpx.AsyncClient) -> None:
        self._base = api_base.rstrip("/")
        self._client = client
        self._token = AppToken(api_base, corp_id, secret, client)

    async def _call(self, path: str, body: dict[str, Any]) -> Mapping[str, Any]:
        data = await call_app_api(self._token, self._client, f"{self._base}/cgi-bin/{path}", body)
        return _checked(path, data)

    async def create_doc(self, name: str, admin_users: Sequence[str]) -> tuple[str, str]:
        """A new smart sheet document: (docid, url)."""
        body: dict[str, Any] = {"doc_type": SMART_SHEET, "doc_name": name}
        if admin_users:
            body["admin_users"] = list(admin_users)
        data = await self._call("wedoc/create_doc", body)
        return str(data["docid"]), str(data.get("url", ""))

    async def add_sheet(self, docid: str, title: str) -> str:
        data = await self._call("wedoc/smartsheet/add_sheet", {"docid": docid, "properties": {"title": title}})
        return str(data["properties"]["sheet_id"])

    async def add_fields(self, docid: str, sheet_id: str, fields: Sequence[tuple[str, bool]]) -> None:
        """Fields (title, numeric) as text or number columns."""
        await self._call("wedoc/smartsheet/add_fields", {"docid": docid, "sheet_id": sheet_id, "fields": [
            {"field_title": title, "field_type": NUMBER if numeric else TEXT} for title, numeric in fields]})

    async def add_records(self, docid: str, sheet_id: str, rows: Sequence[Mapping[str, Cell]]) -> list[str]:
        """Rows added in one call (≤ BATCH); their record_ids, in order."""
        data = await self._call("wedoc/smartsheet/add_records", {
            "docid": docid, "sheet_id": sheet_id, "key_type": BY_TITLE,
            "records": [{"values": values(cells)} for cells in rows]})
        ids = [str(r.get("record_id", "")) for r in data.get("records") or []]
        if len(ids) != len(rows) or not all(ids):
            raise SheetApiError("wedoc/smartsheet/add_records", -1, "answer without a record_id for every row")
        return ids

    async def update_records(self, docid: str, sheet_id: str, rows: Sequence[tuple[str, Mapping[str, Cell]]]) -> None:
        """Rows (record_id, cells) updated in one call (≤ BATCH)."""
        await self._call("wedoc/smartsheet/update_records", {
            "docid": docid, "sheet_id": sheet_id, "key_type": BY_TITLE,
            "records": [{"record_id": rid, "values": values(cells)} for rid, cells in rows]})

    async def get_records(self, docid: str, sheet_id: str, record_ids: Sequence[str]) -> dict[str, dict[str, Cell]]:
        """The named rows as they read now: record_id → cells by field title."""
        data = await self._call("wedoc/smartsheet/get_records", {
            "docid": docid, "sheet_id": sheet_id, "key_type": BY_TITLE, "record_ids": list(record_ids)})
        return {str(r.get("record_id")): {str(k): plain(v) for k, v in (r.get("values") or {}).items()}
                for r in data.get("records") or []}


class SheetWebhook:
    """The smart sheet's own webhook (接收外部数据): adds rows to the one sheet it belongs to; the key is a secret."""

    def __init__(self, api_base: str, key: str, client: httpx.AsyncClient) -> None:
        self._url = f"{api_base.rstrip('/')}/cgi-bin/wedoc/smartsheet/webhook"
        self._key = key
        self._client = client

    async def add_records(self, rows: Sequence[Mapping[str, Cell]]) -> None:
        data = await _post_json(self._client, self._url, {"add_records": [{"values": values(c)} for c in rows]},
                                params={"key": self._key})
        _checked("wedoc/smartsheet/webhook", data)
