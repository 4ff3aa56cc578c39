"""goal suggestions keep the words their writer suggested

Revision ID: c41d7e2a9f10
Revises: b88bcdfb23ba
Create Date: 2026-12-04 20:45:00.000000

"Download my data" gave a relative the patient's *current* title and "why" of any goal they once
suggested, even after the patient had changed it, made it private or removed them. The export now
gives the suggester their own words as they wrote them, kept here when they suggest.

Existing rows: a suggestion still waiting, or declined, was never edited by the patient, so its
words are still the suggester's and are copied. An accepted suggestion may have been edited
since; its words are not copied (the export then says the text was not kept).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41d7e2a9f10'
down_revision = 'b88bcdfb23ba'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested_title', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('suggested_why', sa.Text(), nullable=False, server_default=''))

    goals = sa.table(
        'goals',
        sa.column('title', sa.String()),
        sa.column('why', sa.Text()),
        sa.column('status', sa.String()),
        sa.column('suggested_by_id', sa.Integer()),
        sa.column('suggested_title', sa.String()),
        sa.column('suggested_why', sa.Text()),
    )
    op.execute(
        goals.update()
        .where(goals.c.suggested_by_id.is_not(None), goals.c.status.in_(('suggested', 'declined')))
        .values(suggested_title=goals.c.title, suggested_why=goals.c.why)
    )


def downgrade():
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_column('suggested_why')
        batch_op.drop_column('suggested_title')
