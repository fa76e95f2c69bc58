"""interviews cancelled with a reason; organizations' calendar sequence

Revision ID: c4e2a9d17b30
Revises: b7c31d0e5a42
Create Date: 2026-12-05 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e2a9d17b30'
down_revision = 'b7c31d0e5a42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.Enum('registration', 'booth', name='cancel_reason',
                                                               native_enum=False, length=20,
                                                               create_constraint=True), nullable=True))
    # Until now only an ended registration cancelled an interview; interviews at booths withdrawn or
    # rejected after publication were left as if they would take place: cancel them now.
    op.execute("UPDATE interview SET cancel_reason = 'registration' WHERE cancelled_at IS NOT NULL")
    op.execute("UPDATE interview SET cancelled_at = CURRENT_TIMESTAMP, cancel_reason = 'booth' "
               "WHERE cancelled_at IS NULL AND booth_id IN "
               "(SELECT id FROM booth WHERE status IN ('withdrawn', 'rejected')) AND run_id IN "
               "(SELECT id FROM match_run WHERE status = 'published')")
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_interview_cancelled_with_reason'),
                                         '(cancelled_at IS NULL) = (cancel_reason IS NULL)')


def downgrade():
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_interview_cancelled_with_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_interview_cancel_reason'), type_='check')
        batch_op.drop_column('cancel_reason')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
