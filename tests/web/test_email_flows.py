"""E-mail flows: confirming the address after sign-up, and resetting a forgotten password."""
from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from eventsapp.accounts import services
from eventsapp.accounts.models import Role, User
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from tests.factories import PASSWORD

EN = {"Accept-Language": "en"}
NEW_PASSWORD = "plum blossoms by the lake"


def outbox(app, kind: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        messages = db.session.scalars(query).all()
        db.session.expunge_all()
        return messages


def link_in(message: OutboxMessage) -> str:
    """The site-relative path of the link in an e-mail (links are built on PUBLIC_BASE_URL)."""
    return re.search(r"http://talent\.test(/\S+/\S+)", message.body_text).group(1)


def load_user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def token_from_the_past(app, user: User, make_token, seconds_ago: int) -> str:
    """A token signed ``seconds_ago`` seconds ago, as if it had waited in the inbox."""
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds_ago)
        return make_token(db.session.get(User, user.id))


def sign_up(client, **overrides):
    data = dict(role="candidate", display_name="张伟 Zhang Wei", email="zhang.wei@example.com",
                password="west lake in spring", password_confirm="west lake in spring")
    data.update(overrides)
    return client.post("/signup", data=data, headers=EN)


# --- Confirming the e-mail address -------------------------------------------------------------

def test_sign_up_queues_the_confirmation_and_its_link_confirms_the_address(app, client):
    response = sign_up(client)
    assert response.status_code == 302
    [message] = outbox(app)
    assert (message.kind, message.to_email, message.locale) == ("verify_email", "zhang.wei@example.com", "en")
    assert message.subject == "Confirm your e-mail address"
    # Sent to an address nobody has confirmed yet: it carries nothing the sign-up form's user typed.
    assert "Hello," in message.body_text and "张伟" not in message.body_text + message.body_html
    assert "we have sent a message to zhang.wei@example.com" in client.get("/login", headers=EN).get_data(as_text=True)
    assert load_user(app, "zhang.wei@example.com").email_verified_at is None

    confirmed = client.get(link_in(message), headers=EN)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/login"
    assert "your e-mail address zhang.wei@example.com is confirmed" in client.get("/login", headers=EN).get_data(
        as_text=True)
    client.post("/login", data={"email": "zhang.wei@example.com", "password": "west lake in spring"})
    assert 'data-testid="email-confirmed"' in client.get("/account", headers=EN).get_data(as_text=True)
    assert load_user(app, "zhang.wei@example.com").email_verified_at is not None
    assert client.get(link_in(message)).status_code == 302  # a second click is harmless


def test_a_chinese_sign_up_gets_the_confirmation_in_chinese(app, client):
    client.post("/signup", data=dict(role="candidate", display_name="周杰", email="zhou@example.com",
                                     password="west lake in spring", password_confirm="west lake in spring"),
                headers={"Accept-Language": "zh-CN"})
    [message] = outbox(app)
    assert message.locale == "zh_CN" and '<html lang="zh-CN">' in message.body_html
    assert message.subject == "请验证您的电子邮箱" and "周杰" not in message.body_text


def test_a_refused_sign_up_queues_nothing(app, client):
    assert sign_up(client, password="short", password_confirm="short").status_code == 200
    assert outbox(app) == []


def test_a_sign_up_with_a_taken_address_only_tells_its_owner(app, client, make_user):
    make_user(email="taken@example.com", locale="zh_CN")
    assert sign_up(client, email="taken@example.com").status_code == 302
    [message] = outbox(app)
    assert (message.kind, message.to_email, message.locale) == ("signup_existing", "taken@example.com", "zh_CN")


def test_an_expired_confirmation_link_says_so_and_offers_a_new_one(app, client, make_user):
    user = make_user(email="late@example.com")
    token = token_from_the_past(app, user, services.email_verification_token, seconds_ago=3 * 86400 + 60)
    response = client.get(f"/verify-email/{token}", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This link has expired" in page
    assert "Log in to ask for a new link" in page
    assert load_user(app, "late@example.com").email_verified_at is None


def test_a_confirmation_link_still_works_just_before_it_expires(app, client, make_user):
    user = make_user(email="justintime@example.com")
    token = token_from_the_past(app, user, services.email_verification_token, seconds_ago=3 * 86400 - 60)
    assert client.get(f"/verify-email/{token}").status_code == 302
    assert load_user(app, "justintime@example.com").email_verified_at is not None


@pytest.mark.parametrize("mangle", [lambda token: token[:-3] + ("aaa" if token[-3:] != "aaa" else "bbb"),
                                    lambda token: "not-a-token", lambda token: token + "x"])
def test_a_tampered_confirmation_link_is_refused(app, client, make_user, mangle):
    user = make_user(email="forged@example.com")
    with app.app_context():
        token = services.email_verification_token(db.session.get(User, user.id))
    response = client.get(f"/verify-email/{mangle(token)}", headers=EN)
    assert response.status_code == 400 and "This link does not work" in response.get_data(as_text=True)
    assert load_user(app, "forged@example.com").email_verified_at is None


def test_a_confirmation_link_for_an_old_address_is_refused(app, client, make_user):
    user = make_user(email="old@example.com")
    with app.app_context():
        account = db.session.get(User, user.id)
        token = services.email_verification_token(account)
        account.email = "new@example.com"
        db.session.commit()
    assert client.get(f"/verify-email/{token}").status_code == 400


def test_an_unconfirmed_person_can_ask_for_the_link_again_a_few_times(app, client, make_user, login):
    login(make_user(email="again@example.com"))
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert 'data-testid="email-unconfirmed"' in page and "Send the link again" in page
    for _ in range(3):
        response = client.post("/account/verify-email", headers=EN)
        assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "We have sent a new link to again@example.com" in client.get("/account", headers=EN).get_data(as_text=True)
    assert len(outbox(app, "verify_email")) == 3
    assert client.post("/account/verify-email", headers=EN).status_code == 429
    assert len(outbox(app, "verify_email")) == 3


def test_a_confirmed_person_is_not_sent_another_link(app, client, make_user, login):
    user = make_user(email="done@example.com")
    with app.app_context():
        services.verify_email(services.email_verification_token(db.session.get(User, user.id)))
        db.session.commit()
    login(user)
    client.post("/account/verify-email", headers=EN)
    assert "already confirmed" in client.get("/account", headers=EN).get_data(as_text=True)
    assert outbox(app) == []


def test_asking_for_the_link_again_needs_a_login(client):
    response = client.post("/account/verify-email")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- Resetting a forgotten password ------------------------------------------------------------

def test_the_login_page_links_to_the_forgotten_password_page(client):
    page = client.get("/login", headers=EN).get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page
    assert client.get("/password/forgot").status_code == 200


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, client, make_user):
    make_user(email="known@example.com", locale="zh_CN")
    answers = []
    for email in ("known@example.com", "unknown@example.com"):
        response = client.post("/password/forgot", data={"email": email}, headers=EN)
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        page = client.get("/login", headers=EN).get_data(as_text=True)
        answers.append(page.replace(email, "EMAIL"))
        assert f"If there is an account for {email}, we have sent it a link" in page
    assert answers[0] == answers[1]
    [message] = outbox(app)
    assert (message.kind, message.to_email, message.locale) == ("password_reset", "known@example.com", "zh_CN")


def test_a_bad_address_gets_a_message_beside_the_field(client):
    page = client.post("/password/forgot", data={"email": "not-an-address"}, headers=EN).get_data(as_text=True)
    assert "Enter a valid e-mail address" in page and 'value="not-an-address"' in page


def test_the_reset_link_sets_a_new_password_and_logs_the_person_in(app, client, make_user, chinese_by_default):
    user = make_user(email="forgetful@example.com")
    phone = app.test_client()
    phone.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/password/forgot", data={"email": "Forgetful@Example.com"})
    [message] = outbox(app)
    assert message.locale == "zh_CN"  # the account has no language: the page's
    link = link_in(message)

    form = client.get(link, headers=EN)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    assert "Choose a new password" in form.get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}, headers=EN)
    assert response.status_code == 302
    assert "Your new password is set" in client.get("/", headers=EN).get_data(as_text=True)
    assert client.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302  # other devices are logged out
    assert load_user(app, user.email).email_verified_at is not None  # the link proved the address

    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_used_reset_link_does_not_work_again(app, client, make_user):
    make_user(email="twice@example.com")
    client.post("/password/forgot", data={"email": "twice@example.com"})
    link = link_in(outbox(app)[0])
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    client.post("/logout")
    for response in (client.get(link, headers=EN),
                     client.post(link, data={"password": "another fine phrase", "password_confirm":
                                             "another fine phrase"}, headers=EN)):
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "This link has already been used" in page
        assert 'href="/password/forgot"' in page
    assert client.post("/login", data={"email": "twice@example.com", "password": NEW_PASSWORD}).status_code == 302


def test_an_expired_reset_link_asks_for_a_new_one(app, client, make_user):
    user = make_user(email="slow@example.com")
    token = token_from_the_past(app, user, services.password_reset_token, seconds_ago=3600 + 60)
    response = client.get(f"/password/reset/{token}", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This link has expired" in page and "Ask for a new link" in page
    fresh = token_from_the_past(app, user, services.password_reset_token, seconds_ago=3600 - 60)
    assert client.get(f"/password/reset/{fresh}").status_code == 200


def test_a_tampered_reset_link_is_refused(app, client, make_user):
    user = make_user(email="target@example.com", role=Role.ADMIN)
    with app.app_context():
        token = services.password_reset_token(db.session.get(User, user.id))
        verification = services.email_verification_token(db.session.get(User, user.id))
    for bad in (token[:-2] + "zz", verification, "x"):
        response = client.post(f"/password/reset/{bad}", data={"password": NEW_PASSWORD,
                                                               "password_confirm": NEW_PASSWORD}, headers=EN)
        assert response.status_code == 400 and "This link does not work" in response.get_data(as_text=True)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_a_weak_new_password_is_refused_beside_the_field_and_the_link_stays_valid(app, client, make_user):
    make_user(email="weak@example.com")
    client.post("/password/forgot", data={"email": "weak@example.com"})
    link = link_in(outbox(app)[0])
    page = client.post(link, data={"password": "1234567890", "password_confirm": "1234567890"},
                       headers=EN).get_data(as_text=True)
    assert "most common" in page and "is-invalid" in page
    page = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": "different words here"},
                       headers=EN).get_data(as_text=True)
    assert "The two passwords are not the same." in page
    assert client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 302


def test_reset_requests_are_limited_per_address(app, client, make_user):
    make_user(email="spammed@example.com")
    for _ in range(3):
        assert client.post("/password/forgot", data={"email": "spammed@example.com"}).status_code == 302
    assert client.post("/password/forgot", data={"email": "SPAMMED@example.com"}).status_code == 429
    assert len(outbox(app)) == 3
    assert client.post("/password/forgot", data={"email": "someone.else@example.com"}).status_code == 302


def test_reset_requests_are_limited_per_network_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT_PER_ADDRESS", "2 per minute")
    for number in range(2):
        client.post("/password/forgot", data={"email": f"guess{number}@example.com"})
    assert client.post("/password/forgot", data={"email": "guess9@example.com"}).status_code == 429


def test_the_new_forms_carry_a_csrf_token(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user()
    with app.app_context():
        token = services.password_reset_token(db.session.get(User, user.id))
    for path in ("/password/forgot", f"/password/reset/{token}"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)
    assert client.post("/password/forgot", data={"email": user.email}).status_code == 400
