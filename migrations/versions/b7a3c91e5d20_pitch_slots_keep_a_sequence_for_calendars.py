"""pitch slots keep a sequence and their last change, for calendars

Revision ID: b7a3c91e5d20
Revises: 5b1e0c7d9a24
Create Date: 2026-12-05 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7a3c91e5d20'
down_revision = '5b1e0c7d9a24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contest_pitch_slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('contest_pitch_slot', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('sequence')
