"""Tokens and requests for the API tests."""
from __future__ import annotations

import json

from eventsapp.accounts.models import User
from eventsapp.api import tokens
from eventsapp.extensions import db
from eventsapp.matchmaking import runs

ALL_SCOPES = tokens.SCOPES


def make_token(app, user: User, scopes=ALL_SCOPES, **options) -> str:
    """A token's secret for ``user`` with ``scopes`` (committed)."""
    with app.app_context():
        _token, secret = tokens.create_token(db.session.get(User, user.id), "test", list(scopes), **options)
        db.session.commit()
    return secret


def auth(secret: str | None, **headers) -> dict:
    return {**({"Authorization": f"Bearer {secret}"} if secret else {}), **headers}


def post_json(client, path: str, body, secret: str | None = None, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=auth(secret, **headers))


def patch_json(client, path: str, body, secret: str | None = None, **headers):
    return client.patch(path, data=json.dumps(body), content_type="application/json", headers=auth(secret, **headers))


def run_and_maybe_publish(app, fair):
    """Run the fair's matching and publish it (before the preferences' deadline, confirmed)."""
    with app.app_context():
        run = runs.run_matching(fair.event.id, None, seed=3)
        runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
        db.session.commit()
