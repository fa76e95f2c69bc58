"""Many people at once through a real server (the ``server`` fixture in tests/web/conftest.py): accounts
made in bulk with their session cookies, a bare POST, and calls fired at the same moment."""
from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from sqlalchemy import insert, select

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.services import start_login_session
from eventsapp.candidates.models import CandidateProfile
from eventsapp.extensions import db
from tests.factories import PASSWORD_HASH


def make_people(app, count: int) -> list[tuple[int, str]]:
    """Candidates with profiles, inserted in bulk; returns (user id, session cookie) pairs."""
    with app.app_context():
        db.session.execute(insert(User), [
            dict(email=f"crowd{n}@example.com", password_hash=PASSWORD_HASH, display_name=f"Crowd {n}",
                 role=Role.CANDIDATE) for n in range(count)])
        users = db.session.scalars(select(User).where(User.email.like("crowd%")).order_by(User.id)).all()
        db.session.execute(insert(CandidateProfile), [
            dict(user_id=user.id, name=f"人群 {user.id}", phone="+8613800138000") for user in users])
        db.session.commit()
        tokens = [start_login_session(user) for user in users]
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        return [(user.id, serializer.dumps({"_user_id": token, "_fresh": True}))
                for user, token in zip(users, tokens, strict=True)]


def post(base: str, path: str, cookie: str) -> int:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("POST", path, body="", headers={"Cookie": f"session={cookie}",
                                                            "Content-Type": "application/x-www-form-urlencoded"})
        return connection.getresponse().status
    finally:
        connection.close()


def fire_at_once(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
