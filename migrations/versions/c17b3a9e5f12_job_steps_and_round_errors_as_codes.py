"""background jobs keep their progress step, and scheduled rounds why they failed, as codes and parameters,
translated where shown; organizations keep when they lost their standing (rejected or suspended)

Revision ID: c17b3a9e5f12
Revises: c14l6f9b3e82
Create Date: 2026-12-06 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c17b3a9e5f12'
down_revision = 'c14l6f9b3e82'
branch_labels = None
depends_on = None

# How the scheduler wrote a round that Redis did not take, before the codes: "not queued: <exception>".
NOT_QUEUED_PREFIX = 'not queued: '
# What a downgrade writes for a failure without a detail (the old version shows last_error as it is).
FAILED_TEXT = 'The round failed.'


def _job_table():
    return sa.table('background_job', sa.column('id', sa.Integer), sa.column('step', sa.String))


def _round_table():
    return sa.table('scheduled_job', sa.column('name', sa.String), sa.column('last_error', sa.String),
                    sa.column('last_error_code', sa.String), sa.column('last_error_params', sa.Text))


def upgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_params', sa.Text(), server_default='{}', nullable=False))
    # The old steps are texts in the language of whoever asked for the job: as codes they mean nothing, and a
    # job still running shows "Working…" until its next step.
    job = _job_table()
    op.execute(job.update().where(job.c.step != '').values(step=''))

    with op.batch_alter_table('scheduled_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error_code', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('last_error_params', sa.Text(), server_default='{}', nullable=False))
    rounds = _round_table()
    connection = op.get_bind()
    for name, error in connection.execute(sa.select(rounds.c.name, rounds.c.last_error)
                                          .where(rounds.c.last_error != '')).all():
        if error.startswith(NOT_QUEUED_PREFIX):
            values = {'last_error_code': 'not_queued', 'last_error': error[len(NOT_QUEUED_PREFIX):]}
        else:  # an exception's text: the generic failure for readers, the text as the administrators' detail
            values = {'last_error_code': 'failed'}
        connection.execute(rounds.update().where(rounds.c.name == name).values(**values))

    # When it was rejected or suspended: reinstated (or verified), the webhook endpoints stopped since then
    # start again. None for every organization here: the stops before it were not timed, so nothing stopped
    # before this revision starts again by itself (its owners switch on what they want, as before), and the
    # endpoints of an organization in good standing left off by an older stop stay off after its next one.
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standing_lost_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('standing_lost_at')

    rounds = _round_table()
    connection = op.get_bind()
    for name, code, error in connection.execute(sa.select(rounds.c.name, rounds.c.last_error_code,
                                                          rounds.c.last_error)
                                                .where(rounds.c.last_error_code != '')).all():
        if code == 'not_queued':
            text = NOT_QUEUED_PREFIX + error
        else:
            text = error or FAILED_TEXT
        connection.execute(rounds.update().where(rounds.c.name == name).values(last_error=text[:2000]))
    with op.batch_alter_table('scheduled_job', schema=None) as batch_op:
        batch_op.drop_column('last_error_params')
        batch_op.drop_column('last_error_code')

    job = _job_table()
    op.execute(job.update().where(job.c.step != '').values(step=''))  # codes, not the texts the old version shows
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_column('step_params')
