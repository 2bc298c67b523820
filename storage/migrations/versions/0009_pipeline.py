"""The project pipeline: stages derived from records, planned dates, the imported ledger, problems.

Adds nullable or defaulted columns to `project` (plain ADD COLUMN: SQLite does not copy the table), the
covering indexes the pipeline rates read, and the `problem` table. The stage 在谈 is gone (线索 → 意向 →
签约 → 合同 → 开工 → 投产): a project left there is a 线索 again. Nothing else stored changes; the derived
columns are filled from each project's records when the service next starts (`derivation` 0 means
"not derived yet", see storage.project_state).

Revision ID: 0009_pipeline
Revises: 0007_targets
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009_pipeline"
down_revision = "0007_targets"
branch_labels = None
depends_on = None

_PERIODS = ("lead_period", "signed_period", "contract_period", "started_period", "completed_period",
            "performing_period")
_PLANNED = ("planned_signing", "planned_start", "planned_funds", "planned_completion")


def upgrade() -> None:
    op.add_column("project", sa.Column("baseline", sa.JSON(), nullable=True))
    for name in _PLANNED:
        op.add_column("project", sa.Column(name, sa.Date(), nullable=True))
    op.add_column("project", sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("project", sa.Column("not_counted_reason", sa.String(), nullable=True))
    op.add_column("project", sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()))
    for name in _PERIODS:
        op.add_column("project", sa.Column(name, sa.String(), nullable=True))
    op.add_column("project", sa.Column("base_funds_wan", sa.Float(), nullable=False, server_default="0"))
    op.add_column("project", sa.Column("derivation", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_project_pipeline", "project",
                    ["signed_period", "counted", "unit_id", "shared", "started_period", "performing_period",
                     "signed_wan", "base_funds_wan"])
    op.create_index("ix_project_unit_pipeline", "project",
                    ["unit_id", "signed_period", "counted", "shared", "started_period", "performing_period",
                     "signed_wan", "base_funds_wan"])
    op.create_index("ix_project_lead_period", "project", ["lead_period", "unit_id", "counted", "signed_period"])
    op.create_index("ix_project_unit_lead_period", "project", ["unit_id", "lead_period", "counted", "signed_period"])
    op.create_index("ix_record_project_kind", "record", ["project_id", "kind", "unit_id"])
    # The new index begins with project_id: the old one-column index is its prefix (and, with every visit's
    # NULL counted in its statistics, it misled the planner into reading all of them).
    op.drop_index("ix_record_project_id", table_name="record")
    _analyze()
    op.execute("UPDATE project SET stage = 'lead' WHERE stage = 'talks'")
    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("department", sa.String(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reporter", sa.String(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("solved_by", sa.String(), nullable=True),
        sa.Column("solved_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["reporter"], ["member.userid"]),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_problem_project_id", "problem", ["project_id"])
    op.create_index("ix_problem_status", "problem", ["status"])


def _analyze() -> None:
    """Statistics for the new indexes (SQLite and PostgreSQL alike), so the planner weighs them from the start."""
    op.execute("ANALYZE record")
    op.execute("ANALYZE project")


def downgrade() -> None:
    # The release before knows no 意向 stage (its ProjectStage would refuse the value): a lead again.
    op.execute("UPDATE project SET stage = 'lead' WHERE stage = 'intention'")
    op.drop_index("ix_problem_status", table_name="problem")
    op.drop_index("ix_problem_project_id", table_name="problem")
    op.drop_table("problem")
    op.create_index("ix_record_project_id", "record", ["project_id"])
    op.drop_index("ix_record_project_kind", table_name="record")
    for index in ("ix_project_unit_lead_period", "ix_project_lead_period", "ix_project_unit_pipeline",
                  "ix_project_pipeline"):
        op.drop_index(index, table_name="project")
    with op.batch_alter_table("project", schema=None) as batch_op:
        for name in ("derivation", "base_funds_wan", *_PERIODS, "shared", "not_counted_reason", "counted", *_PLANNED,
                     "baseline"):
            batch_op.drop_column(name)
