"""包干制: a project may have an owner, the leader who answers for it (roster userid).

One nullable column and its index; existing projects keep every value and have no owner yet.
Plain ADD COLUMN (no batch mode), so SQLite does not copy the project table.

Revision ID: 0008_owners
Revises: 0003_inbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_owners"
down_revision = "0003_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("project", sa.Column("owner", sa.String(), nullable=True))
    op.create_index("ix_project_owner", "project", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_project_owner", table_name="project")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("owner")
