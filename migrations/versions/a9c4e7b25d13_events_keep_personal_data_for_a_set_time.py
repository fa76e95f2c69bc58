"""events keep personal data for a set time after they end, then retention erases it

Revision ID: a9c4e7b25d13
Revises: f2b8d4a01c32
Create Date: 2026-12-06 05:10:00.000000

Two nullable columns: no rewrite of the event table, no lock held for long.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'a9c4e7b25d13'
down_revision = 'f2b8d4a01c32'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('personal_data_erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint('retention_months_range',
                                         'retention_months IS NULL OR (retention_months BETWEEN 1 AND 120)')


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_retention_months_range'), type_='check')
        batch_op.drop_column('personal_data_erased_at')
        batch_op.drop_column('retention_months')
