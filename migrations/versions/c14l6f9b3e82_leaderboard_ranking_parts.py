"""the contest leaderboard's stored ranking in packed parts of 100 entries (contest_ranking_part) instead
of a row per entry (contest_ranking_row)

Revision ID: c14l6f9b3e82
Revises: c14l5e8a2d71
Create Date: 2026-12-06 23:50:00.000000

A save rewrites its round's ranking whole: 2,000 rows (and as many index entries and dead rows) became
20. The stored rows are dropped, not converted, and the rankings' keys emptied: each is ranked again when
next changed or read (reviews.leaderboard; the stored layout's version in the key changed too).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c14l6f9b3e82'
down_revision = 'c14l5e8a2d71'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contest_ranking_part',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('part', sa.Integer(), nullable=False),
        sa.Column('entries', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['round_id', 'scope'], ['contest_ranking.round_id', 'contest_ranking.scope'],
                                name=op.f('fk_contest_ranking_part_round_id_contest_ranking'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'scope', 'part', name=op.f('pk_contest_ranking_part')),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Kept out of line uncompressed: compressing 14 kB of doubles (pglz) took six times as long as
        # writing them, and saves that write a ranking whole want it cheap.
        op.execute("ALTER TABLE contest_ranking_part ALTER COLUMN entries SET STORAGE EXTERNAL")
    op.drop_table('contest_ranking_row')
    op.execute("UPDATE contest_ranking SET method = '', key = '', entries = 0, flagged = 0")


def downgrade():
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
    op.drop_table('contest_ranking_part')
    op.execute("UPDATE contest_ranking SET method = '', key = '', entries = 0, flagged = 0")
