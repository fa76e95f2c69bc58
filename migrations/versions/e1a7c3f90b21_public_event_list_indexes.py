"""the public event list at 100,000 events: partial indexes on public events, in list order

Revision ID: e1a7c3f90b21
Revises: fe828fc70344
Create Date: 2026-12-06 04:40:00.000000

On PostgreSQL the indexes are built CONCURRENTLY (outside the migration's transaction), so the
event table stays writable while they build; SQLite builds them in the usual way.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1a7c3f90b21'
down_revision = 'fe828fc70344'
branch_labels = None
depends_on = None

# As eventsapp.events.models.PUBLIC_SQL at this revision (Event.is_public in SQL).
PUBLIC_SQL = ("CASE WHEN (status = 'published') THEN true WHEN (status = 'cancelled') THEN (published_at IS NOT NULL) "
              "ELSE false END")
PUBLIC_SQL_SQLITE = f"{PUBLIC_SQL} = 1"  # how SQLAlchemy renders the condition in an SQLite WHERE
INDEXES = {
    'ix_event_public_starts_at_id': ['starts_at', 'id', 'ends_at'],
    'ix_event_public_kind_starts_at_id': ['kind', 'starts_at', 'id', 'ends_at'],
    'ix_event_public_ends_at_starts_at': ['ends_at', 'starts_at', 'kind'],
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        for name, columns in INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON event ({', '.join(columns)}) WHERE {PUBLIC_SQL_SQLITE}")
        return
    with op.get_context().autocommit_block():
        for name, columns in INDEXES.items():
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")  # left invalid by an interrupted build
            op.execute(f"CREATE INDEX CONCURRENTLY {name} ON event ({', '.join(columns)}) WHERE {PUBLIC_SQL}")


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name='event')
