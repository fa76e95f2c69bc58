"""analytics snapshots keep the time of a failed computation apart from their figures' own time

Revision ID: c15s4a7e2b91
Revises: b5e1f7c3a920
Create Date: 2026-12-06 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'c15s4a7e2b91'
down_revision = 'b5e1f7c3a920'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analytics_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('analytics_snapshot', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
