"""The live ledger (智能表格): the document and sheets the app created, each row as last written, and the
edits members made in the sheet, which wait for the office (审核) as correction proposals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.models import SheetDoc, SheetProposal, SheetRow, SheetTab

#: The target of rows written through the smart sheet's webhook (no docid, no record ids).
WEBHOOK = "webhook"
PENDING, APPLIED, DISMISSED = "pending", "applied", "dismissed"


class LiveSheet:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- the document and its sheets ---------------------------------------------------------

    def document(self) -> SheetDoc | None:
        """The document a first sync created (there is one)."""
        return self.session.exec(select(SheetDoc).order_by(col(SheetDoc.id))).first()

    def keep_document(self, docid: str, url: str) -> SheetDoc:
        doc = SheetDoc(docid=docid, url=url, created_at=utcnow())
        self.session.add(doc)
        self.session.flush()
        return doc

    def tab(self, docid: str, title: str) -> SheetTab | None:
        return self.session.exec(select(SheetTab).where(SheetTab.docid == docid, SheetTab.title == title)).first()

    def tab_of_sheet(self, docid: str, sheet_id: str) -> SheetTab | None:
        return self.session.exec(
            select(SheetTab).where(SheetTab.docid == docid, SheetTab.sheet_id == sheet_id)).first()

    def keep_tab(self, docid: str, title: str, sheet_id: str) -> SheetTab:
        tab = SheetTab(docid=docid, title=title, sheet_id=sheet_id, fields=[])
        self.session.add(tab)
        self.session.flush()
        return tab

    def fields_added(self, tab: SheetTab, titles: Sequence[str]) -> None:
        tab.fields = [*tab.fields, *(t for t in titles if t not in tab.fields)]
        self.session.add(tab)
        self.session.flush()

    # --- rows as last written --------------------------------------------------------------------

    def written(self, target: str, tab: str) -> dict[str, SheetRow]:
        """Every row of `tab` written to `target`, by its key (#12, P3)."""
        rows = self.session.exec(select(SheetRow).where(SheetRow.target == target, SheetRow.tab == tab))
        return {row.key: row for row in rows}

    def by_remote(self, target: str, tab: str, remote_id: str) -> SheetRow | None:
        return self.session.exec(select(SheetRow).where(
            SheetRow.target == target, SheetRow.tab == tab, SheetRow.remote_id == remote_id)).first()

    def remember(self, target: str, tab: str, key: str, digest: str, cells: dict[str, Any],
                 remote_id: str | None, row: SheetRow | None = None) -> SheetRow:
        """Note that `key` now reads `cells` in the sheet (a new row, or `row` updated)."""
        if row is None:
            row = SheetRow(target=target, tab=tab, key=key, digest=digest, cells=cells, remote_id=remote_id,
                           synced_at=utcnow())
        else:
            row.digest, row.cells, row.synced_at = digest, cells, utcnow()
            row.remote_id = remote_id or row.remote_id
        self.session.add(row)
        self.session.flush()
        return row

    def mark_edited(self, row: SheetRow) -> None:
        """A member changed the row in the sheet: the next sync writes the ledger's values back."""
        row.digest = ""
        self.session.add(row)
        self.session.flush()

    # --- members' edits, for the office ------------------------------------------------------

    def propose(self, record_id: int, editor: str, at: datetime, changes: dict[str, Any]) -> SheetProposal | None:
        """A correction proposal for #record_id; None when the same one already waits (a redelivered event)."""
        for waiting in self.pending_for(record_id):
            if waiting.changes == changes:
                return None
        proposal = SheetProposal(record_id=record_id, editor=editor, at=at, changes=changes, status=PENDING)
        self.session.add(proposal)
        self.session.flush()
        return proposal

    def pending(self) -> Sequence[SheetProposal]:
        return self.session.exec(
            select(SheetProposal).where(SheetProposal.status == PENDING).order_by(col(SheetProposal.id))).all()

    def pending_for(self, record_id: int) -> Sequence[SheetProposal]:
        return self.session.exec(select(SheetProposal).where(
            SheetProposal.record_id == record_id, SheetProposal.status == PENDING).order_by(col(SheetProposal.id))).all()

    def decide(self, proposal: SheetProposal, applied: bool, actor: str) -> SheetProposal:
        proposal.status = APPLIED if applied else DISMISSED
        proposal.decided_by = actor
        self.session.add(proposal)
        self.session.flush()
        return proposal
