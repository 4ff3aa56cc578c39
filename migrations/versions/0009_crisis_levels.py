"""crisis levels: safety_alerts.level and questions.crisis_level

Revision ID: b88bcdfb23ba
Revises: 3ceb5ff935de
Create Date: 2026-12-05 10:00:00.000000

Until now the detector only knew "risk", so every alert already stored is a risk, and every
question marked urgent was asked with words at the risk level.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b88bcdfb23ba'
down_revision = '3ceb5ff935de'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('safety_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=10), nullable=False, server_default='risk'))

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crisis_level', sa.String(length=10), nullable=False, server_default='none'))

    questions = sa.table('questions', sa.column('urgent', sa.Boolean()), sa.column('crisis_level', sa.String()))
    op.execute(questions.update().where(questions.c.urgent.is_(True)).values(crisis_level='risk'))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('crisis_level')

    with op.batch_alter_table('safety_alerts', schema=None) as batch_op:
        batch_op.drop_column('level')
