"""pitch slots removed are kept, cancelled, for calendars; only live slots hold their time and entry

Revision ID: c4d8e2f1a6b3
Revises: b7a3c91e5d20
Create Date: 2026-12-06 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2f1a6b3'
down_revision = 'b7a3c91e5d20'
branch_labels = None
depends_on = None

LIVE = "cancelled_at IS NULL"


def upgrade():
    with op.batch_alter_table('contest_pitch_slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint('uq_contest_pitch_slot_round_room_start', type_='unique')
        batch_op.drop_index('uq_contest_pitch_slot_round_entry')
    op.create_index('uq_contest_pitch_slot_round_room_start', 'contest_pitch_slot', ['round_id', 'room', 'starts_at'],
                    unique=True, sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    op.create_index('uq_contest_pitch_slot_round_entry', 'contest_pitch_slot', ['round_id', 'entry_id'], unique=True,
                    sqlite_where=sa.text(f"entry_id IS NOT NULL AND {LIVE}"),
                    postgresql_where=sa.text(f"entry_id IS NOT NULL AND {LIVE}"))


def downgrade():
    op.execute(f"DELETE FROM contest_pitch_slot WHERE NOT ({LIVE})")
    op.drop_index('uq_contest_pitch_slot_round_entry', table_name='contest_pitch_slot')
    op.drop_index('uq_contest_pitch_slot_round_room_start', table_name='contest_pitch_slot')
    with op.batch_alter_table('contest_pitch_slot', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
        batch_op.create_unique_constraint('uq_contest_pitch_slot_round_room_start', ['round_id', 'room', 'starts_at'])
    op.create_index('uq_contest_pitch_slot_round_entry', 'contest_pitch_slot', ['round_id', 'entry_id'], unique=True,
                    sqlite_where=sa.text("entry_id IS NOT NULL"), postgresql_where=sa.text("entry_id IS NOT NULL"))
