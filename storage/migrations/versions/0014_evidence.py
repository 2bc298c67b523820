"""佐证: images and files members send the bot, each a row pointing at its file and the record it proves.

A new table only; nothing existing changes. `record_id` is nullable (a file whose record the bot could
not tell waits for `归入 #N`), indexed with the sender for `归入 #N` and the ledger's 佐证 column.

Revision ID: 0014_evidence
Revises: 0013_sheet
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014_evidence"
down_revision = "0013_sheet"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("sender", sa.String(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_record_id", ["record_id"], unique=False)
        batch_op.create_index("ix_evidence_sender", ["sender"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_sender")
        batch_op.drop_index("ix_evidence_record_id")
    op.drop_table("evidence")
