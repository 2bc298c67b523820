"""Indexes that keep per-message cost flat with history: the ranking reads only the period asked.

`ix_record_period_unit_kind` covers every column the ranking aggregate reads, so the months asked
are summed from the index alone (SQLite: COVERING INDEX; PostgreSQL: Index Only Scan) in unit order;
it starts with (period, unit_id), so it replaces `ix_record_period_unit`.
`ix_message_channel_received` serves "the group chat a channel last spoke from" newest-first.
Only indexes change: no row is touched.

Revision ID: 0006_indexes
Revises: 0002
"""

from alembic import op

revision = "0006_indexes"
down_revision = "0004_outbox"
branch_labels = None
depends_on = None

RANKING_COLUMNS = ["period", "unit_id", "kind", "status", "government_funded", "amount_cny_wan"]


def upgrade() -> None:
    # Plain CREATE/DROP INDEX (no batch mode): SQLite must not copy a large table to add an index.
    op.create_index("ix_record_period_unit_kind", "record", RANKING_COLUMNS, unique=False)
    op.drop_index("ix_record_period_unit", table_name="record")
    op.create_index("ix_message_channel_received", "message", ["channel", "received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_message_channel_received", table_name="message")
    op.create_index("ix_record_period_unit", "record", ["period", "unit_id"], unique=False)
    op.drop_index("ix_record_period_unit_kind", table_name="record")
