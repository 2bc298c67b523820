"""Inbox rows keep what a message carries besides its text (`extra`): a quote, media, a card click;
and the buttons that go with the answer (`reply_card`).

WeCom delivers quoted replies, images and files (1:1 chat) and clicks on template cards; the web
process stores them with the message before acknowledging, as it stores the text, so a worker in any
process handles them after a restart; an answer with buttons (a review card) is kept with its text, so
whichever path delivers it shows the same card. Two nullable text columns (plain ADD COLUMN); rows
stored before keep NULL, which reads as a plain text message and answer, which they were.

Revision ID: 0012_inbox_extra
Revises: 0011_inbox_answer_by
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_inbox_extra"
down_revision = "0011_inbox_answer_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbox", sa.Column("extra", sa.Text(), nullable=True))
    op.add_column("inbox", sa.Column("reply_card", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("reply_card")
        batch_op.drop_column("extra")
