"""The durable inbox: every inbound message is written here before WeCom is acknowledged.

A new table; existing message rows are already handled and keep stopping their redeliveries in
the message log, so nothing is backfilled.

Revision ID: 0003_inbox
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0003_inbox"
down_revision = "0005_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("msg_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("received_at", ts, nullable=False),
        sa.Column("state", sa.String(), nullable=False, server_default="pending"),
        sa.Column("due_at", ts, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", ts, nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("stream_id", sa.String(), nullable=True),
        sa.Column("response_url", sa.Text(), nullable=True),
        sa.Column("req_id", sa.String(), nullable=True),
        sa.Column("reply_via", sa.String(), nullable=True),
        sa.Column("delivery", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "msg_id", name="uq_inbox_channel_msgid"),
    )
    op.create_index("ix_inbox_state_due", "inbox", ["state", "due_at"], unique=False)
    op.create_index("ix_inbox_stream_id", "inbox", ["stream_id"], unique=False)
    op.create_index("ix_inbox_delivery", "inbox", ["delivery"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbox_delivery", table_name="inbox")
    op.drop_index("ix_inbox_stream_id", table_name="inbox")
    op.drop_index("ix_inbox_state_due", table_name="inbox")
    op.drop_table("inbox")
