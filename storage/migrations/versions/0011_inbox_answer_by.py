"""Inbox rows say until when their request waits to carry the answer (`answer_by`).

Workers in other processes (`zsbot worker`) settle a handled row without seeing the request that
brought it: the row tells them whether that request may still carry the answer in its response, or
whether the answer must be pushed. One nullable column (plain ADD COLUMN); rows stored before keep
NULL, which reads as "nobody waits", as it was for every handled row.

Revision ID: 0011_inbox_answer_by
Revises: 0010_persons_channel
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011_inbox_answer_by"
down_revision = "0010_persons_channel"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbox", sa.Column("answer_by", storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("answer_by")
