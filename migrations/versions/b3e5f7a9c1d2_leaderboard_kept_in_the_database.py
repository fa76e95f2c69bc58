"""the contest leaderboard kept in the database: each sheet's total, each round's last ranking

Revision ID: b3e5f7a9c1d2
Revises: a9c4e7b25d13
Create Date: 2026-12-06 07:50:00.000000

A nullable column on the score sheets (no rewrite, no long lock) filled for the submitted sheets from
their points and their round's rubric, and a table of stored rankings (reviews.standings). A sheet left
without a total is added up by the leaderboard itself, so the backfill may be partial.
"""
import math

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e5f7a9c1d2'
down_revision = 'a9c4e7b25d13'
branch_labels = None
depends_on = None


def _total(points, rubric):
    """judging.sheet_total, as it is today (copied: a migration does not follow the code's later changes);
    None for points the rubric cannot score."""
    if not rubric or not isinstance(points, dict) or points.keys() != rubric.keys():
        return None
    total_weight = math.fsum(float(weight) for weight, _ in rubric.values())
    terms = []
    for criterion, given in points.items():
        weight, max_points = (float(value) for value in rubric[criterion])
        if isinstance(given, bool) or not isinstance(given, (int, float)) or not 0 <= given <= max_points:
            return None
        terms.append(weight * float(given) / max_points)
    if total_weight <= 0:
        return None
    return 100 * math.fsum(terms) / total_weight


def upgrade():
    with op.batch_alter_table('contest_score_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total', sa.Double(), nullable=True))
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
    connection = op.get_bind()
    criteria = sa.table('contest_rubric_criterion', sa.column('id', sa.Integer()), sa.column('round_id', sa.Integer()),
                        sa.column('weight', sa.Numeric()), sa.column('max_points', sa.Integer()))
    sheets = sa.table('contest_score_sheet', sa.column('id', sa.Integer()), sa.column('round_id', sa.Integer()),
                      sa.column('state', sa.String()), sa.column('points', sa.JSON()),
                      sa.column('total', sa.Double()))
    rubrics = {}
    for criterion_id, round_id, weight, max_points in connection.execute(
            sa.select(criteria.c.id, criteria.c.round_id, criteria.c.weight, criteria.c.max_points)):
        rubrics.setdefault(round_id, {})[str(criterion_id)] = (weight, max_points)
    updates = []
    for sheet_id, round_id, points in connection.execute(
            sa.select(sheets.c.id, sheets.c.round_id, sheets.c.points).where(sheets.c.state == 'submitted')):
        total = _total(points, rubrics.get(round_id))
        if total is not None:
            updates.append({'b_id': sheet_id, 'b_total': total})
    if updates:
        connection.execute(sheets.update().where(sheets.c.id == sa.bindparam('b_id'))
                           .values(total=sa.bindparam('b_total')), updates)


def downgrade():
    op.drop_table('contest_leaderboard_snapshot')
    with op.batch_alter_table('contest_score_sheet', schema=None) as batch_op:
        batch_op.drop_column('total')
