"""What the web tests send with their requests: English pages, JSON answers, and a client logged in as someone."""
from __future__ import annotations

from tests.factories import PASSWORD

EN = {"Accept-Language": "en"}
JSON = {"Accept": "application/json"}


def client_for(app, user, password: str = PASSWORD):
    """A new test client, logged in as ``user`` through the login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302
    return client
