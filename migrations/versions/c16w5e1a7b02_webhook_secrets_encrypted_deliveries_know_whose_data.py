"""webhook secrets encrypted at rest; deliveries know whose and which event's data they carry

Revision ID: c16w5e1a7b02
Revises: c17o6e2a9d41
Create Date: 2026-12-06 20:30:00.000000

Existing secrets are encrypted here with the key the app is configured with (WEBHOOK_SECRET_KEY, or derived
from SECRET_KEY when unset): set WEBHOOK_SECRET_KEY before upgrading. Existing deliveries get their subject
and event from their bodies, so that deleting an account or an event's retention erases them too. A disabled
endpoint's reason, until now a sentence in English, becomes the code "failures" (the pages translate codes).
Deliveries about accounts already deleted, or of events whose personal data was already erased, are erased
here (they would never be picked again): their bodies blanked, and those still waiting ended.
"""
import base64
import hashlib
import json
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import current_app


# revision identifiers, used by Alembic.
revision = 'c16w5e1a7b02'
down_revision = 'c17o6e2a9d41'
branch_labels = None
depends_on = None

endpoint = sa.table('webhook_endpoint', sa.column('id', sa.Integer), sa.column('secret', sa.String))
delivery = sa.table('webhook_delivery', sa.column('id', sa.Integer), sa.column('body', sa.Text),
                    sa.column('subject_user_id', sa.Integer), sa.column('event_id', sa.Integer),
                    sa.column('status', sa.String), sa.column('locked_until', sa.DateTime(timezone=True)),
                    sa.column('last_error', sa.String), sa.column('erased_at', sa.DateTime(timezone=True)))
account = sa.table('user_account', sa.column('id', sa.Integer), sa.column('erased_at', sa.DateTime(timezone=True)))
event = sa.table('event', sa.column('id', sa.Integer), sa.column('personal_data_erased_at', sa.DateTime(timezone=True)))


def _fernet() -> Fernet:
    """As eventsapp.webhooks.vault does it (copied: a migration must not change when the app's code does)."""
    key = current_app.config.get('WEBHOOK_SECRET_KEY') or current_app.config['SECRET_KEY']
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b'talentday-webhook-secret:' + key.encode()).digest()))


def _whose(body: str) -> tuple[int | None, int | None]:
    try:
        data = json.loads(body).get('data') or {}
    except (ValueError, AttributeError):
        return None, None
    person = data.get('candidate') or data.get('person') or {}
    event = data.get('event') or {}
    as_id = lambda value: int(value) if str(value or '').isdigit() else None  # noqa: E731
    return as_id(person.get('id')), as_id(event.get('id'))


def upgrade():
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=100), type_=sa.String(length=255),
                              existing_nullable=False)
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_webhook_delivery_subject_user_id'), ['subject_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_delivery_event_id'), ['event_id'], unique=False)
    connection = op.get_bind()
    fernet = _fernet()
    for row in connection.execute(sa.select(endpoint.c.id, endpoint.c.secret)).all():
        connection.execute(endpoint.update().where(endpoint.c.id == row.id)
                           .values(secret=fernet.encrypt(row.secret.encode()).decode()))
    connection.execute(sa.text("UPDATE webhook_endpoint SET disabled_reason = 'failures' WHERE disabled_reason != ''"))
    for row in connection.execute(sa.select(delivery.c.id, delivery.c.body)).all():
        subject, event = _whose(row.body)
        if subject is not None or event is not None:
            connection.execute(delivery.update().where(delivery.c.id == row.id)
                               .values(subject_user_id=subject, event_id=event))
    _erase_already_erased(connection)


def _erase_already_erased(connection) -> None:
    """What eventsapp.webhooks.lifecycle does when an account is deleted or an event's retention ends, for
    those that happened before the deliveries knew whose data they carry (codes copied: 'failed', 'erased')."""
    erased = (delivery.c.subject_user_id.in_(sa.select(account.c.id).where(account.c.erased_at.is_not(None)))
              | delivery.c.event_id.in_(sa.select(event.c.id).where(event.c.personal_data_erased_at.is_not(None))))
    connection.execute(delivery.update().where(erased, delivery.c.status == 'pending')
                       .values(status='failed', locked_until=None, last_error='erased'))
    connection.execute(delivery.update().where(erased, delivery.c.erased_at.is_(None))
                       .values(body='', erased_at=datetime.now(timezone.utc)))


def downgrade():
    connection = op.get_bind()
    fernet = _fernet()
    for row in connection.execute(sa.select(endpoint.c.id, endpoint.c.secret)).all():
        connection.execute(endpoint.update().where(endpoint.c.id == row.id)
                           .values(secret=fernet.decrypt(row.secret.encode()).decode()))
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_event_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_subject_user_id'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('event_id')
        batch_op.drop_column('subject_user_id')
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=255), type_=sa.String(length=100),
                              existing_nullable=False)
