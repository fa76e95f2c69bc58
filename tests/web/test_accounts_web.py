import time

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from tests.factories import PASSWORD

EN = {"Accept-Language": "en"}


def signup(client, **overrides):
    data = dict(role="candidate", display_name="张伟 Zhang Wei", email="zhang.wei@example.com",
                password="west lake in spring", password_confirm="west lake in spring")
    data.update(overrides)
    return client.post("/signup", data=data, headers=EN)


def test_a_candidate_signs_up_checks_the_email_and_logs_in(client):
    response = signup(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login", headers=EN).get_data(as_text=True)
    assert "Check your e-mail: we have sent a message to zhang.wei@example.com" in page
    assert "Log out" not in page
    assert client.post("/login", data={"email": "zhang.wei@example.com", "password": "west lake in spring"}
                       ).status_code == 302
    assert "张伟 Zhang Wei" in client.get("/", headers=EN).get_data(as_text=True)


def test_an_employer_can_sign_up_but_nobody_can_make_themself_an_organizer(client, app):
    assert signup(client, role="employer").status_code == 302
    client.post("/logout")
    response = signup(client, role="organizer", email="sneaky@example.com")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_signup_errors_appear_beside_their_fields_and_keep_what_was_typed(client):
    response = signup(client, email="not-an-email", password="short", password_confirm="other")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a valid e-mail address" in page
    assert "The two passwords are not the same." in page
    assert 'value="not-an-email"' in page
    assert 'value="张伟 Zhang Wei"' in page


def test_weak_passwords_are_refused_at_sign_up(client):
    weak = signup(client, password="1234567890", password_confirm="1234567890").get_data(as_text=True)
    assert "most common" in weak


def sent(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                  .order_by(OutboxMessage.id)).all()


def test_sign_up_does_not_tell_whether_an_address_has_an_account(app, make_user):
    make_user(email="taken@example.com", display_name="Original Owner")

    def answer(email: str, **overrides) -> tuple[int, str, str]:
        client = app.test_client()
        response = signup(client, email=email, **overrides)
        page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
        return response.status_code, response.headers["Location"], page.replace(email.lower(), "ADDRESS")

    taken = answer("Taken@Example.com", display_name="Visit evil.example now")
    assert taken == answer("new@example.com")
    assert "Check your e-mail: we have sent a message to ADDRESS" in taken[2]
    with app.app_context():
        owners = db.session.scalars(select(User).where(User.email == "taken@example.com")).all()
    assert [owner.display_name for owner in owners] == ["Original Owner"]  # nothing changed in the account
    # The owner is told, in a message that holds nothing the form's user typed; the new address is asked
    # to confirm itself.
    [notice] = sent(app, "signup_existing")
    assert notice.to_email == "taken@example.com" and "evil" not in notice.body_text + notice.body_html
    assert "http://talent.test/login" in notice.body_text and "/password/forgot" in notice.body_text
    assert [message.to_email for message in sent(app, "verify_email")] == ["new@example.com"]
    # Trying again within the hour does not fill the owner's inbox.
    signup(app.test_client(), email="taken@example.com")
    assert len(sent(app, "signup_existing")) == 1


def test_sign_ups_are_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_LIMIT_PER_ADDRESS", "2 per hour")
    assert signup(client, email="a@example.com").status_code == 302
    assert signup(client, email="b@example.com", password="x").status_code == 200  # a mistake does not count
    assert signup(client, email="c@example.com").status_code == 302
    refused = signup(client, email="d@example.com")
    assert refused.status_code == 429 and "before you try again" in refused.get_data(as_text=True)


def test_overlong_input_is_refused_with_a_message(client):
    page = signup(client, display_name="名" * 101).get_data(as_text=True)
    assert "At most 100 characters." in page


def test_login_wrong_password_and_logout(client, make_user):
    make_user(email="li@example.com")
    wrong = client.post("/login", data={"email": "li@example.com", "password": "nope"}, headers=EN)
    assert "The e-mail address or the password is not correct." in wrong.get_data(as_text=True)
    assert client.post("/login", data={"email": "LI@example.com", "password": PASSWORD}).status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_login_redirects_only_to_this_site(client, make_candidate):
    user = make_candidate()  # with a profile, so the home page is where a login lands
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/events", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/events"


def test_remember_me_sets_an_httponly_samesite_cookie(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    session = next(c for c in cookies if c.startswith("session="))
    for cookie in (remember, session):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_attempts_are_limited_per_account(client, make_user):
    user = make_user(email="target@example.com")
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "guess"})
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=EN)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    other = make_user(email="other@example.com")
    assert client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302


def test_login_attempts_are_limited_per_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per minute")
    for number in range(3):
        client.post("/login", data={"email": f"guess{number}@example.com", "password": "guess"})
    assert client.post("/login", data={"email": "fresh@example.com", "password": "guess"}).status_code == 429


def test_successful_logins_do_not_use_up_the_allowance(client, make_user):
    user = make_user()
    for _ in range(7):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        client.post("/logout")


def test_changing_the_password_logs_out_other_devices(app, make_user, login):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post("/login", data={"email": user.email, "password": PASSWORD})
    response = laptop.post("/account", data={"current_password": PASSWORD, "new_password": "a new river walk",
                                             "new_password_confirm": "a new river walk"})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_change_password_errors_are_shown_beside_the_field(client, make_user, login):
    login(make_user())
    page = client.post("/account", data={"current_password": "wrong", "new_password": "a new river walk",
                                         "new_password_confirm": "a new river walk"}, headers=EN)
    assert "The current password is not correct." in page.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused_with_a_friendly_page(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=EN)
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_every_form_on_the_site_carries_a_csrf_token(app, client, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for path in ("/login", "/signup"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)
    client.post("/login", data={"email": "x", "password": "x"})


def copy_of(client, *names: str):
    """Another browser holding copies of these cookies (e.g. stolen, or left on a shared computer)."""
    copy = client.application.test_client()
    for name in names:
        copy.set_cookie(name, client.get_cookie(name).value)
    return copy


def test_logging_out_ends_the_session_for_every_copy_of_its_cookies(client, make_user):
    user = make_user()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}).status_code == 302
    session_copy, remember_copy = copy_of(client, "session"), copy_of(client, "remember_token")
    assert session_copy.get("/account").status_code == remember_copy.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302
    assert session_copy.get("/account").status_code == 302  # the copied session cookie no longer works
    assert remember_copy.get("/account").status_code == 302  # nor the copied remember-me cookie


def test_the_account_page_lists_the_logins_and_logs_out_the_others(app, client, make_user):
    user = make_user()
    phone = app.test_client()
    phone.post("/login", data={"email": user.email, "password": PASSWORD},
               headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile"})
    client.post("/login", data={"email": user.email, "password": PASSWORD},
                headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"})
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert "Chrome on Android" in page and "Firefox on Windows" in page and "this device" in page
    response = client.post("/account/logins/end-others", headers=EN, follow_redirects=True)
    assert "1 other device has been logged out." in response.get_data(as_text=True)
    assert phone.get("/account").status_code == 302 and client.get("/account").status_code == 200


def test_a_new_password_through_a_reset_link_logs_out_everywhere(app, client, make_user):
    from eventsapp.accounts.services import password_reset_token

    user = make_user()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remembered = copy_of(client, "remember_token")
    with app.app_context():
        token = password_reset_token(db.session.get(User, user.id))
    stranger = app.test_client()
    assert stranger.post(f"/password/reset/{token}", data={"password": "a quiet lotus pond",
                                                          "password_confirm": "a quiet lotus pond"}).status_code == 302
    assert client.get("/account").status_code == remembered.get("/account").status_code == 302
    assert stranger.get("/account").status_code == 200


def test_a_locked_account_says_how_long_and_lets_its_owner_in_after_the_window(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    user = make_user(email="owner@example.com")
    attacker = app.test_client()
    for _ in range(3):
        attacker.post("/login", data={"email": user.email, "password": "guess"})
    locked = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=EN)
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Please wait" in page and "minutes before you try again" in page
    wait = int(page.split("Please wait ")[1].split(" minutes")[0])
    assert 1 <= wait <= 15  # never more than the stated window
    assert int(locked.headers["Retry-After"]) <= 15 * 60 + 1
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 15 * 60 + 2)  # the window has passed
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_the_owners_known_devices_are_not_locked_out_by_someone_guessing(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    user = make_user(email="owner@example.com")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    client.post("/logout")  # the browser keeps its "known device" cookie
    attacker = app.test_client()
    for _ in range(4):
        attacker.post("/login", data={"email": user.email, "password": "guess"})
    assert attacker.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    # A forged or another account's device cookie counts as none.
    forger = app.test_client()
    forger.set_cookie("known_device", "forged")
    assert forger.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
