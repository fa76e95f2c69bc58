"""badge print runs become background jobs: one table and one runner for every job

Revision ID: c3d5e7f9a1b2
Revises: b3e5f7a9c1d2
Create Date: 2026-12-06 07:40:00.000000

``background_job`` gains the event a job works on and its number of attempts. Every row of ``badge_job`` is
copied into it as a job of kind ``badge-print`` (its options become the job's params, the stored PDF stays
where it is, in BADGE_FOLDER), with a new id; then ``badge_job`` is dropped. The downgrade copies them back.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d5e7f9a1b2'
down_revision = 'b3e5f7a9c1d2'
branch_labels = None
depends_on = None

KIND = 'badge-print'


def upgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_background_job_event_id_event'), 'event', ['event_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_background_job_event_id', ['event_id'], unique=False)
        batch_op.create_index('ix_background_job_status_id', ['status', 'id'], unique=False)

    op.execute(sa.text(
        "INSERT INTO background_job (kind, params, status, requested_by_id, event_id, attempts, done, total, step,"
        " error, storage_name, filename, mimetype, created_at, started_at, heartbeat_at, finished_at)"
        " SELECT :kind, options, status, requested_by_id, event_id, CASE WHEN started_at IS NULL THEN 0 ELSE 1 END,"
        " done, total, '', SUBSTR(COALESCE(error, ''), 1, 2000), COALESCE(storage_name, ''), filename,"
        " 'application/pdf', created_at, started_at, heartbeat_at, finished_at FROM badge_job ORDER BY id"
    ).bindparams(kind=KIND))

    with op.batch_alter_table('badge_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_job_event_id'))
    op.drop_table('badge_job')


def downgrade():
    op.create_table('badge_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='job_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_badge_job_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_badge_job_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_job'))
    )
    with op.batch_alter_table('badge_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_job_event_id'), ['event_id'], unique=False)
    op.execute(sa.text(
        "INSERT INTO badge_job (event_id, requested_by_id, options, status, total, done, storage_name, filename,"
        " error, created_at, started_at, finished_at, heartbeat_at)"
        " SELECT event_id, requested_by_id, params, status, total, done, NULLIF(storage_name, ''), filename, error,"
        " created_at, started_at, finished_at, heartbeat_at FROM background_job"
        " WHERE kind = :kind AND event_id IS NOT NULL ORDER BY id").bindparams(kind=KIND))
    op.execute(sa.text("DELETE FROM background_job WHERE kind = :kind").bindparams(kind=KIND))

    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_index('ix_background_job_status_id')
        batch_op.drop_index('ix_background_job_event_id')
        batch_op.drop_constraint(batch_op.f('fk_background_job_event_id_event'), type_='foreignkey')
        batch_op.drop_column('attempts')
        batch_op.drop_column('event_id')
