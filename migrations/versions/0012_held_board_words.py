"""a relative's encouragement or offer in words of crisis is held, not delivered

Revision ID: 0dad29b4907a
Revises: d52e8f3b1a20
Create Date: 2026-12-05 12:00:00.000000

Words of crisis from a relative used to be posted to the patient as "encouragement", with an
email. They now wait, seen by their writer only, until the writer chooses "Send it anyway":
``held_at`` is set while they wait and cleared when they are sent. Rows already stored were
delivered, so they stay NULL.

Downgrading deletes the messages and offers still held: the older code has no held state and
would show them to the patient, which their writer did not choose. The moderators' safety
alert keeps the words (its excerpt), so nothing a moderator needs is lost.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0dad29b4907a'
down_revision = 'd52e8f3b1a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('encouragements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('help_offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    for name in ('help_offers', 'encouragements'):
        table = sa.table(name, sa.column('held_at', sa.DateTime(timezone=True)))
        op.execute(table.delete().where(table.c.held_at.is_not(None)))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('held_at')
