"""badges for everyone already entitled: pages no longer issue them when first shown

Revision ID: 5b1e0c7d9a24
Revises: e6d040b65409
Create Date: 2026-12-05 21:30:00.000000

Until now the door page, the badge download and the print preview issued missing badges when they
were shown; from now on badges are issued where people become entitled. This issues, once, the badges
that no page had asked for yet, by the rule of that moment (eventsapp.badges.services.entitlements):
one badge per person and event, crew first, then staff of an approved booth of a verified organization
(its lowest booth id), then confirmed candidates. People who already hold an active badge keep it.
"""
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b1e0c7d9a24'
down_revision = 'e6d040b65409'
branch_labels = None
depends_on = None

# As eventsapp.badges.tokens has them on this date (copied: a migration must not change with the app).
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 7

ENTITLED = sa.text("""
    SELECT event_id, user_id, role, CAST(NULL AS INTEGER) AS registration_id, CAST(NULL AS INTEGER) AS booth_id,
           1 AS rank, id AS ordering
      FROM event_crew
    UNION ALL
    SELECT booth.event_id, organization_member.user_id, 'employer', CAST(NULL AS INTEGER), booth.id, 2, booth.id
      FROM organization_member
      JOIN booth ON booth.organization_id = organization_member.organization_id
      JOIN organization ON organization.id = booth.organization_id
     WHERE booth.status = 'approved' AND organization.status = 'verified'
    UNION ALL
    SELECT event_id, user_id, 'candidate', id, CAST(NULL AS INTEGER), 3, id
      FROM registration
     WHERE status = 'confirmed'
    ORDER BY 1, 2, 6, 7
""")


BADGE = sa.table("badge", sa.column("event_id", sa.Integer), sa.column("holder_id", sa.Integer),
                 sa.column("role", sa.String), sa.column("registration_id", sa.Integer),
                 sa.column("booth_id", sa.Integer), sa.column("number", sa.String), sa.column("code", sa.String),
                 sa.column("issued_at", sa.DateTime(timezone=True)), sa.column("revoked_reason", sa.String))


def _new_number(taken: set[str]) -> str:
    while True:
        number = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        if number not in taken:
            taken.add(number)
            return number


def upgrade():
    connection = op.get_bind()
    holding = set(connection.execute(sa.text(
        "SELECT event_id, holder_id FROM badge WHERE revoked_at IS NULL")).tuples())
    numbers: dict[int, set[str]] = {}
    for event_id, number in connection.execute(sa.text("SELECT event_id, number FROM badge")):
        numbers.setdefault(event_id, set()).add(number)
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as naive UTC there, as eventsapp.dbtypes.UTCDateTime does
    badges = []
    for event_id, user_id, role, registration_id, booth_id, _rank, _ordering in connection.execute(ENTITLED):
        if (event_id, user_id) in holding:
            continue  # an active badge already, or a higher role just issued
        holding.add((event_id, user_id))
        badges.append({"event_id": event_id, "holder_id": user_id, "role": role, "registration_id": registration_id,
                       "booth_id": booth_id, "number": _new_number(numbers.setdefault(event_id, set())),
                       "code": secrets.token_urlsafe(12), "issued_at": now, "revoked_reason": ""})
    if badges:
        op.bulk_insert(BADGE, badges)


def downgrade():
    # The badges issued are real badges, perhaps printed or scanned by now: nothing to take back.
    pass
