"""The registration questions and a contest's entry-form questions are managed on pages built from the same
macros and form (templates/_macros/questions.html, QuestionForm): each feature adds, shows, edits and removes
its own questions there, with its own links and words."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsapp.contests.models import ContestQuestion
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionKind, RegistrationQuestion

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture(params=["registrations", "contests"])
def asking(request, app, make_event, make_contest):
    """(questions page's address, question model, the page's own empty-list words in en and zh)."""
    if request.param == "registrations":
        event = make_event()
        return f"/manage/events/{event.id}/questions", RegistrationQuestion, "registering takes one click"
    contest = make_contest()
    return f"/manage/events/{contest.event_id}/contest/questions", ContestQuestion, "No extra questions."


def test_a_question_is_added_shown_edited_and_removed(app, client, organizer, asking):
    base, model, empty = asking
    assert empty in client.get(base, headers=EN).get_data(as_text=True)
    assert client.post(base, data={"kind": "single_choice", "label_zh": "场次", "label_en": "Session",
                                   "options_text": "AM\nPM", "required": "y", "position": "2"}).status_code == 302
    with app.app_context():
        question_id = db.session.scalar(select(model.id))
    listing = client.get(base, headers=EN).get_data(as_text=True)
    assert "Session" in listing and "Single choice: AM / PM" in listing and empty not in listing
    assert f'href="{base}/{question_id}"' in listing and f'action="{base}/{question_id}/delete"' in listing

    editing = client.get(f"{base}/{question_id}", headers=ZH).get_data(as_text=True)
    assert "编辑问题" in editing and 'value="场次"' in editing and "AM\nPM</textarea>" in editing
    assert '<option selected value="single_choice">' in editing
    assert re.search(r'<input checked [^>]*name="required"', editing)

    assert client.post(f"{base}/{question_id}", data={"kind": "short_text", "label_en": "Your field",
                                                      "options_text": "ignored"}).status_code == 302
    with app.app_context():
        question = db.session.get(model, question_id)
        assert (question.kind, question.label_zh, question.options, question.required) == (
            QuestionKind.SHORT_TEXT, "", [], False)
    assert client.post(f"{base}/{question_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(model.id)) is None


def test_a_bad_question_keeps_its_input_and_shows_why(client, organizer, asking):
    base, _model, _empty = asking
    response = client.post(base, headers=EN, data={"kind": "multiple_choice", "label_en": "Topics",
                                                   "options_text": "Only one"})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 422) and "Give at least two choices" in page and 'value="Topics"' in page
    edit = client.post(f"{base}/999999", headers=EN, data={"kind": "yes_no", "label_en": "x"})
    assert edit.status_code == 404
