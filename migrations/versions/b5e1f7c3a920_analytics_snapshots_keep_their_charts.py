"""analytics snapshots keep their charts, drawn once per computation in each language

Revision ID: b5e1f7c3a920
Revises: c3d5e7f9a1b2
Create Date: 2026-12-06 07:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e1f7c3a920'
down_revision = 'c3d5e7f9a1b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analytics_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('charts', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('analytics_snapshot', schema=None) as batch_op:
        batch_op.drop_column('charts')
