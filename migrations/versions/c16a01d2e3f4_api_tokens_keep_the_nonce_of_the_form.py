"""API tokens keep the one-time value of the form that made them (a reload makes no second token)

Revision ID: c16a01d2e3f4
Revises: c16w5e1a7b02
Create Date: 2026-12-06 20:40:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'c16a01d2e3f4'
down_revision = 'c16w5e1a7b02'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creation_nonce', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_api_token_user_creation_nonce', ['user_id', 'creation_nonce'])


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint('uq_api_token_user_creation_nonce', type_='unique')
        batch_op.drop_column('creation_nonce')
