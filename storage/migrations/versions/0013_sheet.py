"""The live ledger (智能表格): the document the app created, its sheets, the rows as last written (their
hash and the sheet's record_id), and the edits members made there, waiting for the office (审核).

Four new tables; nothing stored changes.

Revision ID: 0013_sheet
Revises: 0012_inbox_extra
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013_sheet"
down_revision = "0012_inbox_extra"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sheet_doc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("docid", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("docid"),
    )
    op.create_table(
        "sheet_tab",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("docid", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("sheet_id", sa.String(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("docid", "title", name="uq_sheet_tab"),
    )
    op.create_table(
        "sheet_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("tab", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("synced_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("target", "tab", "key", name="uq_sheet_row"),
    )
    op.create_index("ix_sheet_row_remote_id", "sheet_row", ["remote_id"], unique=False)
    op.create_table(
        "sheet_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("editor", sa.String(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sheet_proposal_record_id", "sheet_proposal", ["record_id"], unique=False)
    op.create_index("ix_sheet_proposal_status", "sheet_proposal", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sheet_proposal_status", table_name="sheet_proposal")
    op.drop_index("ix_sheet_proposal_record_id", table_name="sheet_proposal")
    op.drop_table("sheet_proposal")
    op.drop_index("ix_sheet_row_remote_id", table_name="sheet_row")
    op.drop_table("sheet_row")
    op.drop_table("sheet_tab")
    op.drop_table("sheet_doc")
