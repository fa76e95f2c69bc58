"""every event gets its places' counts row when it is inserted (a trigger on event)

Revision ID: c17c4d5e6f70
Revises: c17b3a9e5f12
Create Date: 2026-12-07 03:10:00.000000

Registering locks an event and its ``event_place_count`` row in one statement, so every event needs the
row from the start (until now the first confirmed or waiting registration made it). A trigger inserts it
with the event, however the event is made. The events made before are given theirs by the next migration,
in a transaction of its own: this one holds the trigger's lock on ``event`` only as long as it takes to
create it. The downgrade leaves the rows (a row of zeros counts as no row).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c17c4d5e6f70'
down_revision = 'c17b3a9e5f12'
branch_labels = None
depends_on = None

POSTGRESQL_FUNCTION = """
CREATE FUNCTION event_place_count_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_place_count (event_id, confirmed, waitlisted) VALUES (NEW.id, 0, 0)
    ON CONFLICT (event_id) DO NOTHING;
    RETURN NULL;
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER event_starts_place_count AFTER INSERT ON event
FOR EACH ROW EXECUTE FUNCTION event_place_count_start()
"""
SQLITE_TRIGGER = """
CREATE TRIGGER event_starts_place_count AFTER INSERT ON event
BEGIN INSERT OR IGNORE INTO event_place_count (event_id, confirmed, waitlisted) VALUES (NEW.id, 0, 0); END
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    op.execute("DROP TRIGGER event_starts_place_count" + (" ON event" if op.get_bind().dialect.name == 'postgresql'
                                                          else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION event_place_count_start()")
