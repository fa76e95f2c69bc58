from tests.conftest import PASSWORD

EN = {"Accept-Language": "en"}


def signup(client, **overrides):
    data = dict(role="candidate", display_name="张伟 Zhang Wei", email="zhang.wei@example.com",
                password="west lake in spring", password_confirm="west lake in spring")
    data.update(overrides)
    return client.post("/signup", data=data, headers=EN)


def test_a_candidate_signs_up_and_is_logged_in(client):
    response = signup(client)
    assert response.status_code == 302
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "张伟 Zhang Wei" in page and "Log out" in page


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


def test_weak_and_duplicate_sign_ups_are_refused(client, make_user):
    make_user(email="taken@example.com")
    weak = signup(client, password="1234567890", password_confirm="1234567890").get_data(as_text=True)
    assert "most common" in weak
    taken = signup(client, email="Taken@Example.com").get_data(as_text=True)
    assert "already exists" in taken


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
