"""personal talent codes, and badges that may carry them

Revision ID: a7c31f5e9b20
Revises: 838473ad65b8
Create Date: 2026-12-06 04:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c31f5e9b20'
down_revision = '838473ad65b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'personal_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_personal_code_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_code')),
        sa.UniqueConstraint('code', name=op.f('uq_personal_code_code')),
    )
    with op.batch_alter_table('personal_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_code_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_personal_code_user_active', ['user_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_personal_code', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('badge_personal_code')
    with op.batch_alter_table('personal_code', schema=None) as batch_op:
        batch_op.drop_index('uq_personal_code_user_active', sqlite_where=sa.text('revoked_at IS NULL'),
                            postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_personal_code_user_id'))
    op.drop_table('personal_code')
