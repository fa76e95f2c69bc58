"""Personal access tokens: made on the account pages (shown once, only a hash kept), revoked, expired,
last used; and what a token is and is not (a session cookie never authenticates the API)."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from eventsapp.api import tokens
from eventsapp.api.models import ApiToken
from eventsapp.extensions import db
from tests.web.api_helpers import auth, make_token, post_json
from tests.web.clients import client_for


def form_nonce(page) -> str:
    """The one-time value of the token form on a page."""
    return page.get_data(as_text=True).split('name="nonce"')[1].split('value="')[1].split('"')[0]


def test_a_token_is_made_on_the_account_page_shown_once_and_only_its_hash_kept(app, make_candidate):
    person = make_candidate()
    client = client_for(app, person)
    account = client.get("/account").get_data(as_text=True)
    assert "/account/tokens" in account
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "You have no tokens yet." in page.get_data(as_text=True)
    made = client.post("/account/tokens", data={"name": "HR system", "scopes": ["read", "registrations:write"],
                                                "nonce": form_nonce(page)})
    assert made.status_code == 200 and "no-store" in made.headers["Cache-Control"]
    html = made.get_data(as_text=True)
    assert 'data-testid="token-secret"' in html
    secret = html.split('data-testid="token-secret">')[1].split("<")[0]
    assert secret.startswith("tdp_") and len(secret) > 40
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == tokens.token_digest(secret) and secret not in (row.token_hash, row.prefix)
        assert row.scopes == "read registrations:write" and row.last_used_at is None
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and "HR system" in again and secret[:10] in again and "never used" in again
    assert client.get("/api/v1/me/registrations", headers=auth(secret)).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ApiToken)).last_used_at is not None
    assert "last used" in client.get("/account/tokens").get_data(as_text=True)


def test_bad_token_forms_get_messages_next_to_the_fields(app, make_candidate):
    client = client_for(app, make_candidate())
    nonce = form_nonce(client.get("/account/tokens"))
    empty = client.post("/account/tokens", data={"name": "", "scopes": [], "nonce": nonce}).get_data(as_text=True)
    assert "Give the token a name" in empty and "Choose at least one of the permissions" in empty
    long = client.post("/account/tokens", data={"name": "x" * 101, "scopes": ["read"], "nonce": nonce})
    assert "At most 100 characters." in long.get_data(as_text=True)
    past = client.post("/account/tokens", data={"name": "a", "scopes": ["read"], "expires_on": "2001-01-01",
                                                 "nonce": nonce})
    assert "Choose a day in the future." in past.get_data(as_text=True)
    forged = client.post("/account/tokens", data={"name": "a", "scopes": ["admin"], "nonce": nonce})
    assert "tdp_" not in forged.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_revoked_and_expired_tokens_stop_working_and_nobody_revokes_anothers(app, make_candidate):
    owner, other = make_candidate(), make_candidate()
    secret = make_token(app, owner)
    expired = make_token(app, owner)
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.token_digest(expired)))
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == tokens.token_digest(secret)))
    client = app.test_client()
    assert client.get("/api/v1/me/registrations", headers=auth(secret)).status_code == 200
    answer = client.get("/api/v1/me/registrations", headers=auth(expired))
    assert answer.status_code == 401 and answer.json["error"]["code"] == "invalid_token"
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert client_for(app, other).post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client_for(app, owner).post("/account/tokens/99999999999/revoke").status_code == 404
    assert client.get("/api/v1/me/registrations", headers=auth(secret)).status_code == 200
    revoked = client_for(app, owner).post(f"/account/tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    assert client.get("/api/v1/me/registrations", headers=auth(secret)).status_code == 401
    assert "revoked" in client_for(app, owner).get("/account/tokens").get_data(as_text=True)


def test_an_inactive_account_s_tokens_do_not_work(app, make_candidate):
    person = make_candidate()
    secret = make_token(app, person)
    with app.app_context():
        from eventsapp.accounts.models import User
        db.session.get(User, person.id).is_active_account = False
        db.session.commit()
    assert app.test_client().get("/api/v1/me/registrations", headers=auth(secret)).status_code == 401


def test_garbage_authorization_headers_are_401_never_500(app):
    client = app.test_client()
    for header in ("Bearer", "Bearer ", "Basic abc", "Bearer tdp_" + "x" * 500, "Bearer tdp_\u00e9\u4e2d",
                   "Token tdp_abc"):
        answer = client.get("/api/v1/events", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.json["error"]["code"] == "invalid_token"


def test_a_logged_in_browser_without_a_token_cannot_write_or_read_privately(app, make_candidate, make_event):
    event = make_event()
    client = client_for(app, make_candidate())
    answer = post_json(client, f"/api/v1/events/{event.id}/registrations", {})
    assert answer.status_code == 401 and answer.json["error"]["code"] == "authentication_required"
    assert client.get("/api/v1/me/registrations").status_code == 401
    assert client.get("/api/v1/events").status_code == 200  # public data stays public


def test_the_token_service_refuses_bad_input(ctx, make_candidate):
    import pytest

    from eventsapp.validation import ValidationFailed
    person = make_candidate()
    with pytest.raises(ValidationFailed) as failure:
        tokens.create_token(person, " ", ["read", "bogus"], datetime.now(UTC) + timedelta(days=400))
    assert {field for field, _message in failure.value.errors} == {"name", "scopes", "expires_on"}
    token, secret = tokens.create_token(person, "ok", ["checkin:write", "read"])
    assert token.scopes == "read checkin:write" and tokens.authenticate(secret).id == token.id
    assert tokens.authenticate("tdp_unknown") is None and tokens.authenticate("nope") is None


def test_the_rate_limit_counts_per_token(app, make_candidate, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    first, second = make_token(app, make_candidate()), make_token(app, make_candidate())
    client = app.test_client()
    answers = [client.get("/api/v1/events", headers=auth(first)) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200] * 3
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0"]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    limited = client.get("/api/v1/events", headers=auth(first, **{"Accept-Language": "zh-CN"}))
    assert limited.status_code == 429 and limited.json["error"]["code"] == "too_many_requests"
    assert "Retry-After" in limited.headers and "请" in limited.json["error"]["message"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/events", headers=auth(second)).status_code == 200  # another token: its own count
    assert client.get("/api/v1/events").status_code == 200  # anonymous: counted by address


def test_made_up_tokens_count_against_the_address_and_do_not_get_round_the_limit(app, make_candidate, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    client = app.test_client()
    made_up = [client.get("/api/v1/events", headers=auth(f"tdp_made-up-{number}")) for number in range(3)]
    assert [answer.status_code for answer in made_up] == [401] * 3
    assert [answer.headers["X-RateLimit-Remaining"] for answer in made_up] == ["2", "1", "0"]
    another = client.get("/api/v1/events", headers=auth("tdp_made-up-again"))
    assert another.status_code == 429 and another.json["error"]["code"] == "too_many_requests"
    assert client.get("/api/v1/events").status_code == 429  # the same address, without a token
    valid = make_token(app, make_candidate())
    assert client.get("/api/v1/events", headers=auth(valid)).status_code == 200  # a real token: its own count


def test_a_token_is_counted_by_its_id(app, make_candidate, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    secret = make_token(app, make_candidate())
    client = app.test_client()
    assert [client.get("/api/v1/events", headers=auth(secret)).status_code for _ in range(3)] == [200, 200, 429]
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == tokens.token_digest(secret)))
        keys = [key for key in _storage_keys(app) if key.startswith("api-rate/")]
    assert any(f"api-token:{token_id}/" in key for key in keys) and not any(secret in key for key in keys)


def _storage_keys(app) -> list[str]:
    from eventsapp.extensions import limiter
    storage = limiter.storage
    return [str(key) for key in getattr(storage, "storage", {})]


def test_the_secret_never_travels_in_the_session_cookie(app, make_candidate):
    client = client_for(app, make_candidate())
    made = client.post("/account/tokens", data={"name": "HR", "scopes": ["read"],
                                                "nonce": form_nonce(client.get("/account/tokens"))})
    secret = made.get_data(as_text=True).split('data-testid="token-secret">')[1].split("<")[0]
    assert secret.startswith("tdp_")
    with client.session_transaction() as session:
        assert secret not in repr(dict(session))
    for header in made.headers.getlist("Set-Cookie"):
        assert secret not in header and "api_token_secret" not in header
    assert secret not in client.get("/account/tokens").get_data(as_text=True)


def test_a_reload_or_double_submit_of_the_form_makes_no_second_token(app, make_candidate):
    client = client_for(app, make_candidate())
    form = {"name": "HR", "scopes": ["read"], "nonce": form_nonce(client.get("/account/tokens"))}
    first = client.post("/account/tokens", data=form)
    assert 'data-testid="token-secret"' in first.get_data(as_text=True)
    again = client.post("/account/tokens", data=form, headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 200 and "no-store" in again.headers["Cache-Control"]
    html = again.get_data(as_text=True)
    assert 'data-testid="token-secret"' not in html and "HR" in html and "已" in html
    english = client.post("/account/tokens", data=form).get_data(as_text=True)
    assert "This form was already sent" in english
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
    fresh = form_nonce(first)
    assert fresh != form["nonce"]
    second = client.post("/account/tokens", data={**form, "nonce": fresh})
    assert 'data-testid="token-secret"' in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 2


def test_a_form_without_its_one_time_value_makes_nothing(app, make_candidate):
    client = client_for(app, make_candidate())
    for nonce in (None, "", "x", "é" * 20):
        data = {"name": "HR", "scopes": ["read"], **({"nonce": nonce} if nonce is not None else {})}
        answer = client.post("/account/tokens", data=data).get_data(as_text=True)
        assert "This form was out of date" in answer and 'data-testid="token-secret"' not in answer
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_the_same_nonce_from_two_submits_at_once_makes_one_token(ctx, make_candidate, monkeypatch):
    """The unique (account, nonce) pair is the last guard: a second insert that got past the check is refused."""
    import pytest

    person = make_candidate()
    token, _secret = tokens.create_token(person, "first", ["read"], nonce="n" * 24)
    with pytest.raises(tokens.TokenAlreadyMade) as made:
        tokens.create_token(person, "again", ["read"], nonce="n" * 24)
    assert made.value.token.id == token.id
    real, calls = tokens._made_with, []

    def not_seen_the_first_time(user, nonce):  # the other submit commits between the check and the insert
        calls.append(nonce)
        return None if len(calls) == 1 else real(user, nonce)

    monkeypatch.setattr(tokens, "_made_with", not_seen_the_first_time)
    with pytest.raises(tokens.TokenAlreadyMade) as raced:
        tokens.create_token(person, "racing", ["read"], nonce="n" * 24)
    assert raced.value.token.id == token.id and len(tokens.tokens_of(person)) == 1
