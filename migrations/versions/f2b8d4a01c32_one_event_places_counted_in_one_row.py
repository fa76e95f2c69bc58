"""one event's places counted in one row, kept by triggers on registration

Revision ID: f2b8d4a01c32
Revises: e1a7c3f90b21
Create Date: 2026-12-06 04:50:00.000000

Registering reads an event's confirmed and waiting counts from ``event_place_count`` under the event's
lock instead of counting its registrations there. Triggers keep the counts in the transaction of every
change to ``registration``. The triggers are created before the counts are filled, in one transaction:
PostgreSQL holds writes to ``registration`` back until it commits (a count over the table), so no change
falls between the two.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2b8d4a01c32'
down_revision = 'e1a7c3f90b21'
branch_labels = None
depends_on = None

COUNTED = "('confirmed', 'waitlisted')"

POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION event_place_count_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.event_id = NEW.event_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN {COUNTED} THEN
        UPDATE event_place_count
        SET confirmed = confirmed - (OLD.status = 'confirmed')::int,
            waitlisted = waitlisted - (OLD.status = 'waitlisted')::int
        WHERE event_id = OLD.event_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN {COUNTED} THEN
        INSERT INTO event_place_count AS counted (event_id, confirmed, waitlisted)
        VALUES (NEW.event_id, (NEW.status = 'confirmed')::int, (NEW.status = 'waitlisted')::int)
        ON CONFLICT (event_id) DO UPDATE
        SET confirmed = counted.confirmed + EXCLUDED.confirmed, waitlisted = counted.waitlisted + EXCLUDED.waitlisted;
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRESQL_TRIGGER = """
CREATE TRIGGER registration_counts_places AFTER INSERT OR DELETE OR UPDATE OF status, event_id ON registration
FOR EACH ROW EXECUTE FUNCTION event_place_count_follow()
"""

# SQLite: one trigger per statement kind (a trigger's WHEN cannot name OLD on INSERT or NEW on DELETE).
_SQLITE_ADD = f"""
    INSERT OR IGNORE INTO event_place_count (event_id, confirmed, waitlisted) VALUES (NEW.event_id, 0, 0);
    UPDATE event_place_count SET confirmed = confirmed + (NEW.status = 'confirmed'),
                                 waitlisted = waitlisted + (NEW.status = 'waitlisted')
    WHERE event_id = NEW.event_id AND NEW.status IN {COUNTED};
"""
_SQLITE_REMOVE = f"""
    UPDATE event_place_count SET confirmed = confirmed - (OLD.status = 'confirmed'),
                                 waitlisted = waitlisted - (OLD.status = 'waitlisted')
    WHERE event_id = OLD.event_id AND OLD.status IN {COUNTED};
"""
SQLITE_TRIGGERS = {
    'registration_counted_on_insert':
        f"AFTER INSERT ON registration WHEN NEW.status IN {COUNTED} BEGIN {_SQLITE_ADD} END",
    'registration_counted_on_delete':
        f"AFTER DELETE ON registration WHEN OLD.status IN {COUNTED} BEGIN {_SQLITE_REMOVE} END",
    'registration_counted_on_update':
        "AFTER UPDATE OF status, event_id ON registration "
        "WHEN OLD.status IS NOT NEW.status OR OLD.event_id IS NOT NEW.event_id "
        f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
}

BACKFILL = f"""
INSERT INTO event_place_count (event_id, confirmed, waitlisted)
SELECT event_id, SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END)
FROM registration WHERE status IN {COUNTED} GROUP BY event_id
"""


def upgrade():
    op.create_table(
        'event_place_count',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('confirmed', sa.Integer(), server_default='0', nullable=False),
        sa.Column('waitlisted', sa.Integer(), server_default='0', nullable=False),
        sa.CheckConstraint('confirmed >= 0', name=op.f('ck_event_place_count_confirmed_not_negative')),
        sa.CheckConstraint('waitlisted >= 0', name=op.f('ck_event_place_count_waitlisted_not_negative')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_place_count_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_place_count')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(BACKFILL)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER registration_counts_places ON registration")
        op.execute("DROP FUNCTION event_place_count_follow()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('event_place_count')
