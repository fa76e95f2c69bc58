"""organizations: suspended, and changes of name or credit code waiting for verification

Revision ID: b7c31d0e5a42
Revises: a1278e910153
Create Date: 2026-12-05 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c31d0e5a42'
down_revision = 'a1278e910153'
branch_labels = None
depends_on = None

STATUS_CHECK = 'ck_organization_organization_status'


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_name_zh', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('pending_name_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('pending_credit_code', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('change_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_organization_change_requested_at'), ['change_requested_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_organization_pending_credit_code'), ['pending_credit_code'])
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATUS_CHECK), "status IN ('pending', 'verified', 'rejected', 'suspended')")


def downgrade():
    # Before this revision a suspended organization could only be rejected; its reason is kept.
    op.execute("UPDATE organization SET status = 'rejected', verified_at = NULL WHERE status = 'suspended'")
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATUS_CHECK), "status IN ('pending', 'verified', 'rejected')")
        batch_op.drop_constraint(batch_op.f('uq_organization_pending_credit_code'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_organization_change_requested_at'))
        batch_op.drop_column('change_requested_at')
        batch_op.drop_column('pending_credit_code')
        batch_op.drop_column('pending_name_en')
        batch_op.drop_column('pending_name_zh')
