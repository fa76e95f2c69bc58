"""outbox messages written later by the worker

Registrations queue their e-mail as a kind and a small JSON context; the outbox worker writes
the subject and bodies. Existing rows are already written (NULL context).

Revision ID: d3429cbe0b8e
Revises: aa7a652949c2
Create Date: 2026-11-29 10:50:40.380343

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd3429cbe0b8e'
down_revision = 'aa7a652949c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_context', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('render_context')
