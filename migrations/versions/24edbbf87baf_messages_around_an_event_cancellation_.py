"""messages around an event: cancellation reason, reminders, broadcasts; the scheduler's jobs

Revision ID: 24edbbf87baf
Revises: c4d8e2f1a6b3
Create Date: 2026-12-06 01:16:15.623167

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '24edbbf87baf'
down_revision = 'c4d8e2f1a6b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduled_job',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=2000), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduled_job'))
    )
    op.create_table('broadcast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('segment', sa.Enum('confirmed', 'waitlisted', 'attended', 'absent', 'employers', name='broadcast_segment', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('subject_zh', sa.String(length=200), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_broadcast_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_broadcast_sent_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast'))
    )
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.create_index('ix_broadcast_event_id_sent_at', ['event_id', 'sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcast_sent_by_id'), ['sent_by_id'], unique=False)

    op.create_table('event_reminder',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('timing', sa.Enum('off', 'day_before', 'hours_before', name='reminder_timing', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('hours_before', sa.Integer(), nullable=True),
    sa.CheckConstraint("timing <> 'hours_before' OR hours_before BETWEEN 1 AND 336", name=op.f('ck_event_reminder_hours_before_range')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_reminder_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_reminder'))
    )
    op.create_table('sent_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_sent_reminder_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sent_reminder_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminder')),
    sa.UniqueConstraint('event_id', 'user_id', 'kind', name='uq_sent_reminder_event_user_kind')
    )
    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_reminder_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancellation_reason', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('cancellation_reason')

    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminder_user_id'))

    op.drop_table('sent_reminder')
    op.drop_table('event_reminder')
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_sent_by_id'))
        batch_op.drop_index('ix_broadcast_event_id_sent_at')

    op.drop_table('broadcast')
    op.drop_table('scheduled_job')
