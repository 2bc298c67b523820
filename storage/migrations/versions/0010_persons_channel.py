"""Head counts and channels on records: `persons` (一行5人, 参会企业家30余人) and `channel` (北京山西商会).

Two nullable columns added to `record` (plain ADD COLUMN: SQLite does not copy the table); records stored
before keep NULL, which reads as "not said". Nothing else changes.

Revision ID: 0010_persons_channel
Revises: 0009_pipeline
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_persons_channel"
down_revision = "0009_pipeline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("record", sa.Column("persons", sa.Integer(), nullable=True))
    op.add_column("record", sa.Column("channel", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_column("channel")
        batch_op.drop_column("persons")
