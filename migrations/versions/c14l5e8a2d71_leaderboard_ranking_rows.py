"""the contest leaderboard stored as rows, ranked when a sheet is saved: contest_ranking and
contest_ranking_row replace contest_leaderboard_snapshot

Revision ID: c14l5e8a2d71
Revises: c16a01d2e3f4
Create Date: 2026-12-06 20:30:00.000000

The stored snapshots are dropped, not converted: a round without a stored ranking is ranked when its
leaderboard is first read (reviews.leaderboard), as after any change the ranking was not told of.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c14l5e8a2d71'
down_revision = 'c16a01d2e3f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contest_ranking',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('flagged', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['contest_round.id'],
                                name=op.f('fk_contest_ranking_round_id_contest_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'scope', name=op.f('pk_contest_ranking')),
    )
    op.create_table(
        'contest_ranking_row',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('score', sa.Double(), nullable=False),
        sa.Column('raw', sa.Double(), nullable=False),
        sa.Column('trimmed', sa.Double(), nullable=False),
        sa.Column('normalised', sa.Double(), nullable=False),
        sa.Column('sheets', sa.Integer(), nullable=False),
        sa.Column('spread', sa.Double(), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('totals', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['round_id', 'scope'], ['contest_ranking.round_id', 'contest_ranking.scope'],
                                name=op.f('fk_contest_ranking_row_round_id_contest_ranking'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'scope', 'position', name=op.f('pk_contest_ranking_row')),
    )
    op.drop_table('contest_leaderboard_snapshot')


def downgrade():
    op.create_table(
        'contest_leaderboard_snapshot',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['contest_round.id'],
                                name=op.f('fk_contest_leaderboard_snapshot_round_id_contest_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'scope', 'method', name=op.f('pk_contest_leaderboard_snapshot')),
    )
    op.drop_table('contest_ranking_row')
    op.drop_table('contest_ranking')
