"""the events made before the trigger get their places' counts row

Revision ID: c17c5e6f7a81
Revises: c17c4d5e6f70
Create Date: 2026-12-07 03:11:00.000000

After the trigger of ``c17c4d5e6f70`` is committed, every new event gets its row; this gives one to each
older event that has none yet (nobody confirmed or waiting there). ``ON CONFLICT DO NOTHING``: a row made
meanwhile (a registration, or an event inserted while this runs) is left as it is. Only
``event_place_count`` is written: reading ``event`` blocks nobody.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c17c5e6f7a81'
down_revision = 'c17c4d5e6f70'
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO event_place_count (event_id, confirmed, waitlisted)
SELECT event.id, 0, 0 FROM event
WHERE NOT EXISTS (SELECT 1 FROM event_place_count WHERE event_place_count.event_id = event.id)
ON CONFLICT (event_id) DO NOTHING
"""


def upgrade():
    op.execute(BACKFILL)


def downgrade():
    pass  # the rows stay: a row of zeros means what no row meant
