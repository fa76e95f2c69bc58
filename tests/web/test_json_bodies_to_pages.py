"""A JSON body posted to a page's form (not to a JSON endpoint) is an empty form, never a 500: Flask-WTF
would read it as the form's data, and a number where the form sends text broke the text checks."""
from __future__ import annotations

import pytest

from tests.web.routes import log_in, paths, seed

# Numbers, lists and objects under the names the forms use: a browser only ever sends text.
ODD_VALUES = {name: value for name, value in zip(
    ["email", "display_name", "password", "name", "title_zh", "title_en", "note", "reason", "name_zh",
     "name_en", "credit_code", "description", "code", "capacity", "rank", "website", "city", "phone",
     "summary", "label_zh", "label_en", "new_email", "current_password", "new_password", "query", "q"],
    [5, 10**25, [1, 2], {"a": 1}, True, None, 3.5] * 4, strict=False)}


@pytest.mark.parametrize("who", ["anonymous", "organizer", "employer", "candidate"])
def test_json_bodies_posted_to_pages_never_fail(app, who):
    values = seed(app)
    client = app.test_client()
    log_in(client, who)
    failures = []
    for _method, path in paths(app, {"POST"}, values):
        if path == "/logout":
            continue
        response = client.post(path, json=ODD_VALUES)
        if response.status_code >= 500:
            failures.append(f"POST {path}: {response.status_code}")
    assert failures == []


def test_a_json_body_is_not_taken_as_the_form(app, client):
    page = client.post("/password/forgot", json={"email": 5}, headers={"Accept-Language": "en"})
    assert page.status_code == 200  # the form again, with its message: nothing was read from the JSON
    assert "Enter your e-mail address." in page.get_data(as_text=True)
