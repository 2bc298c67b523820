"""Records counted once: core company keys, re-send hashes, review state, the 合同 stage, project keys.

Adds columns with defaults and backfills the keys of existing rows; nothing stored is changed.

Revision ID: 0005_integrity
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from storage.keys import core_company_name, project_keys, text_hash

revision = "0005_integrity"
down_revision = "0006_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("company_key", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("text_hash", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("not_counting", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("repeat_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review", sa.String(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("review_note", sa.String(), nullable=True))
        batch_op.create_index("ix_record_company_key_kind", ["company_key", "kind"], unique=False)
        batch_op.create_index("ix_record_unit_text_hash", ["unit_id", "text_hash"], unique=False)
        batch_op.create_index("ix_record_unit_kind_reported", ["unit_id", "kind", "reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_review"), ["review"], unique=False)
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contract_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("company_key", sa.String(), nullable=True))
        batch_op.create_index(batch_op.f("ix_project_company_key"), ["company_key"], unique=False)
    op.create_table(
        "project_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("project_key", schema=None) as batch_op:
        batch_op.create_index("ix_project_key_unit_key", ["unit_id", "key"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_key_project_id"), ["project_id"], unique=False)
    _backfill()
    _widen_ranking_index()


#: The ranking's covering index (revision 0006_indexes) must also cover what decides whether a record
#: counts (review, not_counting) and how many events it stands for (count), or rankings stop being
#: index-only. Applied only where that index exists, so this revision works before or after 0006.
RANKING_INDEX = "ix_record_period_unit_kind"
RANKING_COLUMNS = ["period", "unit_id", "kind", "status", "government_funded", "review", "not_counting", "count",
                   "amount_cny_wan"]


def _widen_ranking_index() -> None:
    indexes = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("record")}
    if RANKING_INDEX in indexes:
        op.drop_index(RANKING_INDEX, table_name="record")
        op.create_index(RANKING_INDEX, "record", RANKING_COLUMNS, unique=False)


def _backfill() -> None:
    """Compute the keys of rows stored before this revision (their own values are left as they were)."""
    conn = op.get_bind()
    record = sa.table("record", sa.column("id", sa.Integer), sa.column("company", sa.String),
                      sa.column("text", sa.Text), sa.column("company_key", sa.String), sa.column("text_hash", sa.String))
    for row in conn.execute(sa.select(record.c.id, record.c.company, record.c.text)).all():
        conn.execute(record.update().where(record.c.id == row.id).values(
            company_key=core_company_name(row.company), text_hash=text_hash(row.text)))
    project = sa.table("project", sa.column("id", sa.Integer), sa.column("unit_id", sa.Integer),
                       sa.column("company", sa.String), sa.column("name", sa.String), sa.column("company_key", sa.String))
    key = sa.table("project_key", sa.column("project_id", sa.Integer), sa.column("unit_id", sa.Integer),
                   sa.column("key", sa.String))
    for prow in conn.execute(sa.select(project.c.id, project.c.unit_id, project.c.company, project.c.name)).all():
        conn.execute(project.update().where(project.c.id == prow.id).values(company_key=core_company_name(prow.company)))
        keys = sorted(project_keys(prow.company, prow.name))
        if keys:
            conn.execute(key.insert(), [{"project_id": prow.id, "unit_id": prow.unit_id, "key": k} for k in keys])


def downgrade() -> None:
    indexes = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("record")}
    if RANKING_INDEX in indexes:
        op.drop_index(RANKING_INDEX, table_name="record")
        op.create_index(RANKING_INDEX, "record", RANKING_COLUMNS[:5] + RANKING_COLUMNS[-1:], unique=False)
    with op.batch_alter_table("project_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_key_project_id"))
        batch_op.drop_index("ix_project_key_unit_key")
    op.drop_table("project_key")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_company_key"))
        batch_op.drop_column("company_key")
        batch_op.drop_column("contract_on")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_review"))
        batch_op.drop_index("ix_record_unit_kind_reported")
        batch_op.drop_index("ix_record_unit_text_hash")
        batch_op.drop_index("ix_record_company_key_kind")
        for name in ("review_note", "review", "repeat_of", "not_counting", "text_hash", "company_key"):
            batch_op.drop_column(name)
