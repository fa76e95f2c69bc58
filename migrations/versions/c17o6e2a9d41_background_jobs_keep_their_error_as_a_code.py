"""background jobs keep why they failed as a code and its parameters, translated where shown

Revision ID: c17o6e2a9d41
Revises: c15s4a7e2b91
Create Date: 2026-12-06 20:30:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c17o6e2a9d41'
down_revision = 'c15s4a7e2b91'
branch_labels = None
depends_on = None

# The English text the stalled-job sweep used to store: such rows get the code instead, and read in either
# language from now on. Every other old reason is an exception's text: such rows get the code 'failed' (users
# read the generic message), the text staying as the server's detail for administrators.
STALLED_TEXT = "The process running the job stopped before it finished."
# What a downgrade writes back for the other codes, in English as the old version stored its reasons
# (eventsapp.jobs.services.ERROR_MESSAGES as of this revision).
TIMEOUT_TEXT = "The job ran longer than its limit of %(minutes)d minutes and was stopped."
FAILED_TEXT = "The job failed on the server; an administrator finds the reason in the log."


def _job_table():
    return sa.table('background_job', sa.column('id', sa.Integer), sa.column('error', sa.String),
                    sa.column('error_code', sa.String), sa.column('error_params', sa.Text))


def upgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('error_params', sa.Text(), server_default='{}', nullable=False))
    job = _job_table()
    op.execute(job.update().where(job.c.error == STALLED_TEXT).values(error_code='stalled', error=''))
    op.execute(job.update().where(job.c.error != '', job.c.error_code == '').values(error_code='failed'))


def _old_text(code, params_json, error):
    """The reason as the version before the codes stored it: English text in ``error``."""
    try:
        params = json.loads(params_json or '{}')
    except ValueError:
        params = {}
    try:
        if code == 'stalled':
            return STALLED_TEXT
        if code == 'refused' and params.get('message'):
            values = params.get('values') or {}
            return params['message'] % values if values else params['message']
        if code == 'timeout':
            return TIMEOUT_TEXT % {'minutes': int(params.get('minutes') or 0)}
    except (KeyError, TypeError, ValueError):
        return params.get('message') or error or FAILED_TEXT
    return error or (FAILED_TEXT if code in ('failed', 'refused') else code)


def downgrade():
    job = _job_table()
    connection = op.get_bind()
    failed = connection.execute(sa.select(job.c.id, job.c.error_code, job.c.error_params, job.c.error)
                                .where(job.c.error_code != '')).all()
    for row in failed:
        text = _old_text(row.error_code, row.error_params, row.error)[:2000]
        if text != row.error:
            connection.execute(job.update().where(job.c.id == row.id).values(error=text))
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_column('error_params')
        batch_op.drop_column('error_code')
