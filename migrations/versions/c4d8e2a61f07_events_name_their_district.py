"""events name their district

Revision ID: c4d8e2a61f07
Revises: 9cb3b4d403b7
Create Date: 2026-12-06 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2a61f07'
down_revision = '9cb3b4d403b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(length=20), server_default='', nullable=False))
        batch_op.create_index('ix_event_district', ['district'], unique=False)


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_district')
        batch_op.drop_column('district')
