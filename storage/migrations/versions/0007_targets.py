"""Targets: yearly and quarterly tasks per unit and for the county (`zsbot targets import`), and the
index the pipeline rates read (`ix_record_kind_period_project`).

A new table and a new index; nothing stored changes.

Revision ID: 0007_targets
Revises: 0008_owners
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007_targets"
down_revision = "0008_owners"
branch_labels = None
depends_on = None


#: storage.models.Record's pipeline index: kind and months first, then what the pipeline reads.
PIPELINE_COLUMNS = ["kind", "period", "project_id", "unit_id", "status", "government_funded", "review", "not_counting",
                    "amount_cny_wan"]


def upgrade() -> None:
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("metric", sa.String(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("imported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index("ix_target_year_unit", ["year", "unit_id"], unique=False)
    op.create_index("ix_record_kind_period_project", "record", PIPELINE_COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_record_kind_period_project", table_name="record")
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_index("ix_target_year_unit")
    op.drop_table("target")
