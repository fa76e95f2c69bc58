"""state that stays consistent: cancelled interviews, attended only while confirmed, badge job
heartbeats, one Message-ID per outbox message

Revision ID: a1278e910153
Revises: 9da4b8f552d3
Create Date: 2026-12-05 09:05:00.501258

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1278e910153'
down_revision = '9da4b8f552d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('badge_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_message_message_id'), ['message_id'])

    # A registration that ended before this rule existed may still say "attended": it no longer does.
    op.execute("UPDATE registration SET attended_at = NULL WHERE status <> 'confirmed' AND attended_at IS NOT NULL")
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_registration_attended_only_confirmed'),
                                         "attended_at IS NULL OR status = 'confirmed'")


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_registration_attended_only_confirmed'), type_='check')

    with op.batch_alter_table('badge_job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_message_message_id'), type_='unique')
        batch_op.drop_column('message_id')

    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
