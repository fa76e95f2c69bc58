"""webhook secrets encrypted at rest; deliveries know whose and which event's data they carry

Revision ID: c16w5e1a7b02
Revises: c17o6e2a9d41
Create Date: 2026-12-06 20:30:00.000000

Existing secrets are encrypted here with the key the app is configured with (WEBHOOK_SECRET_KEY, or derived
from SECRET_KEY when unset): set WEBHOOK_SECRET_KEY before upgrading. Existing deliveries get their subject
and event from their bodies, so that deleting an account or an event's retention erases them too. A disabled
endpoint's reason, until now a sentence in English, becomes the code "failures" (the pages translate codes).
"""
import base64
import hashlib
import json

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
                    sa.column('subject_user_id', sa.Integer), sa.column('event_id', sa.Integer))


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
