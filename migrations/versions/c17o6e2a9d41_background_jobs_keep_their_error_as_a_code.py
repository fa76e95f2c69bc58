"""background jobs keep why they failed as a code and its parameters, translated where shown

Revision ID: c17o6e2a9d41
Revises: c15s4a7e2b91
Create Date: 2026-12-06 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c17o6e2a9d41'
down_revision = 'c15s4a7e2b91'
branch_labels = None
depends_on = None

# The English text the stalled-job sweep used to store: such rows get the code instead, and read in either
# language from now on. Other old errors stay as they are (shown as stored).
STALLED_TEXT = "The process running the job stopped before it finished."


def upgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('error_params', sa.Text(), server_default='{}', nullable=False))
    job = sa.table('background_job', sa.column('error', sa.String), sa.column('error_code', sa.String))
    op.execute(job.update().where(job.c.error == STALLED_TEXT).values(error_code='stalled', error=''))


def downgrade():
    job = sa.table('background_job', sa.column('error', sa.String), sa.column('error_code', sa.String))
    op.execute(job.update().where(job.c.error_code == 'stalled').values(error=STALLED_TEXT))
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_column('error_params')
        batch_op.drop_column('error_code')
