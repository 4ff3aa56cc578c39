"""answers say who last edited them, and when

Revision ID: d52e8f3b1a20
Revises: c41d7e2a9f10
Create Date: 2026-12-04 21:00:00.000000

Families read an answer under its author's name and credentials. Only the author may now change
it (policy.can_edit_answer), and an edited answer shows "edited by NAME on DATE". Existing edits
are read back from answer_revisions: the newest revision of each answer names its last editor.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd52e8f3b1a20'
down_revision = 'c41d7e2a9f10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_answers_edited_by_id_users'), 'users', ['edited_by_id'], ['id'], ondelete='SET NULL'
        )

    newest = (
        "(SELECT r.{column} FROM answer_revisions r WHERE r.answer_id = answers.id "
        "ORDER BY r.id DESC LIMIT 1)"
    )
    op.execute(
        f"UPDATE answers SET edited_by_id = {newest.format(column='editor_id')}, "
        f"edited_at = {newest.format(column='created_at')} "
        "WHERE EXISTS (SELECT 1 FROM answer_revisions r WHERE r.answer_id = answers.id)"
    )


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_answers_edited_by_id_users'), type_='foreignkey')
        batch_op.drop_column('edited_at')
        batch_op.drop_column('edited_by_id')
