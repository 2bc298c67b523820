"""The live ledger (智能表格): `zsbot sheet sync` writes the 项目 and 台账 tables to a smart sheet the app
creates once, then sends only what changed; a member's edit of a 台账 row (the app callback's
`smart_sheet_change` event) becomes a correction proposal in 审核.

What is written is remembered per row (the sheet's record_id and a hash of its cells, `storage/sheet.py`),
committed after every WeCom call that succeeded, so a run that dies half-way resumes without duplicating rows.
Without authority over the document API (see `bot/wecom/smartsheet.py` for the errcodes) the 台账 rows go
through the sheet's webhook when `[sheet] webhook_key` is set: new rows only, the webhook cannot update.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from bot.settings import Settings
from bot.wecom.smartsheet import BATCH, NoAuthority, SheetWebhook, SmartSheetApi
from handlers.core.periods import Period
from handlers.core.rules import Rules
from handlers.publishing.live_ledger import RECORDS, Row, Table, live_tables, propose_from_sheet
from storage.sheet import WEBHOOK
from storage.store import unit_of_work

log = logging.getLogger(__name__)
UPDATED_RECORD = "update_record"


@dataclass
class SyncReport:
    """What one sync did, per table: rows added, updated, left alone."""

    lines: list[str] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    #: The one line saying the document API was refused and the webhook used instead.
    fallback: str = ""


def _batches(rows: list[Row]) -> list[list[Row]]:
    return [rows[i:i + BATCH] for i in range(0, len(rows), BATCH)]


class LiveLedger:
    def __init__(self, engine: Engine, settings: Settings, rules: Rules, client: httpx.AsyncClient) -> None:
        self.engine = engine
        self.settings = settings
        self.rules = rules
        wecom = settings.wecom
        self.api = SmartSheetApi(wecom.api_base, wecom.corp_id, wecom.secret.get_secret_value(), client)
        self.webhook = (SheetWebhook(wecom.api_base, settings.sheet.webhook_key.get_secret_value(), client)
                        if settings.sheet.webhook_set else None)

    def tables(self, period: Period) -> list[Table]:
        with unit_of_work(self.engine) as store:
            return live_tables(store, period, self.rules)

    async def sync(self, period: Period) -> SyncReport:
        """Create the document once, then add new rows and update changed ones; the rest is not sent."""
        tables = self.tables(period)
        report = SyncReport()
        try:
            docid = await self._document()
            for table in tables:
                await self._sync_table(docid, table, report)
        except NoAuthority as refused:
            if self.webhook is None:
                raise
            report.fallback = (f"无智能表格接口权限（errcode {refused.errcode}），已改用智能表格 webhook "
                               "写入台账（只能新增行）")
            records = next(t for t in tables if t.title == RECORDS)
            await self._through_webhook(records, report)
        return report

    async def _document(self) -> str:
        with unit_of_work(self.engine) as store:
            doc = store.sheet.document()
            if doc is not None:
                return doc.docid
        sheet = self.settings.sheet
        docid, url = await self.api.create_doc(sheet.doc_name, sheet.admin_users)
        with unit_of_work(self.engine) as store:
            store.sheet.keep_document(docid, url)
        return docid

    async def _sheet_of(self, docid: str, table: Table) -> str:
        with unit_of_work(self.engine) as store:
            tab = store.sheet.tab(docid, table.title)
            sheet_id, have = (tab.sheet_id, list(tab.fields)) if tab else ("", [])
        if not sheet_id:
            sheet_id = await self.api.add_sheet(docid, table.title)
            with unit_of_work(self.engine) as store:
                store.sheet.keep_tab(docid, table.title, sheet_id)
        missing = [(c.title, c.numeric) for c in table.columns if c.title not in have]
        if missing:
            await self.api.add_fields(docid, sheet_id, missing)
            with unit_of_work(self.engine) as store:
                tab = store.sheet.tab(docid, table.title)
                assert tab is not None
                store.sheet.fields_added(tab, [title for title, _ in missing])
        return sheet_id

    async def _sync_table(self, docid: str, table: Table, report: SyncReport) -> None:
        sheet_id = await self._sheet_of(docid, table)
        with unit_of_work(self.engine) as store:
            written = {k: (r.remote_id, r.digest) for k, r in store.sheet.written(docid, table.title).items()}
        new = [row for row in table.rows if not written.get(row.key, (None, ""))[0]]
        changed = [row for row in table.rows if written.get(row.key, (None, ""))[0]
                   and written[row.key][1] != row.digest]
        for batch in _batches(new):
            ids = await self.api.add_records(docid, sheet_id, [row.cells for row in batch])
            self._remember(docid, table.title, batch, ids)
        for batch in _batches(changed):
            ids = [str(written[row.key][0]) for row in batch]
            await self.api.update_records(docid, sheet_id, list(zip(ids, (row.cells for row in batch), strict=True)))
            self._remember(docid, table.title, batch, ids)
        unchanged = len(table.rows) - len(new) - len(changed)
        report.added += len(new)
        report.updated += len(changed)
        report.unchanged += unchanged
        report.lines.append(f"{table.title}：新增 {len(new)} 行，更新 {len(changed)} 行，未变 {unchanged} 行")

    def _remember(self, target: str, tab: str, rows: list[Row], ids: list[str] | list[None]) -> None:
        with unit_of_work(self.engine) as store:
            written = store.sheet.written(target, tab)
            for row, remote in zip(rows, ids, strict=True):
                store.sheet.remember(target, tab, row.key, row.digest, dict(row.cells), remote, written.get(row.key))

    async def _through_webhook(self, table: Table, report: SyncReport) -> None:
        assert self.webhook is not None
        with unit_of_work(self.engine) as store:
            written = {k: r.digest for k, r in store.sheet.written(WEBHOOK, table.title).items()}
        new = [row for row in table.rows if row.key not in written]
        stale = sum(1 for row in table.rows if row.key in written and written[row.key] != row.digest)
        for batch in _batches(new):
            await self.webhook.add_records([row.cells for row in batch])
            self._remember(WEBHOOK, table.title, batch, [None] * len(batch))
        report.added += len(new)
        report.unchanged += len(table.rows) - len(new) - stale
        line = f"{table.title}（webhook）：新增 {len(new)} 行"
        report.lines.append(line + (f"，{stale} 行有改动但 webhook 不能更新" if stale else ""))

    # --- members' edits ----------------------------------------------------------------------

    async def sheet_changed(self, docid: str, sheet_id: str, change: str, record_ids: list[str], editor: str,
                            at: datetime) -> int:
        """A member edited rows of our document: each edited 台账 row becomes a correction proposal (审核); the
        row is marked so the next sync writes the ledger's values back. Returns how many proposals were made."""
        if change != UPDATED_RECORD or not record_ids:
            return 0
        tab = await run_in_threadpool(self._tab_title, docid, sheet_id)
        if tab is None:
            return 0
        now = await self.api.get_records(docid, sheet_id, record_ids)
        return await run_in_threadpool(self._propose, docid, tab, now, editor, at)

    def _tab_title(self, docid: str, sheet_id: str) -> str | None:
        with unit_of_work(self.engine) as store:
            tab = store.sheet.tab_of_sheet(docid, sheet_id)
            return tab.title if tab else None

    def _propose(self, docid: str, tab: str, now: dict[str, dict[str, str | float | None]], editor: str,
                 at: datetime) -> int:
        made = 0
        with unit_of_work(self.engine) as store:
            for remote_id, cells in now.items():
                row = store.sheet.by_remote(docid, tab, remote_id)
                if row is None or cells == {k: v for k, v in row.cells.items() if k in cells}:
                    continue
                if tab == RECORDS:
                    edit = propose_from_sheet(store, row.key, row.cells, cells, editor, at)
                    made += edit.proposal is not None
                store.sheet.mark_edited(row)
        return made
