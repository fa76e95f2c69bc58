"""Post-event surveys over HTTP: the organizer builds and sends, a person answers once through their
personal link without logging in, "My surveys", the results page and its CSV, and who may open what."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.surveys import services
from eventsapp.surveys.models import (
    BoothOutcome,
    Survey,
    SurveyAudience,
    SurveyInvitation,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyState,
)
from eventsapp.surveys.services import SurveyQuestionData, SurveySettings
from eventsapp.surveys.tokens import invitation_token
from tests.factories import PASSWORD


@pytest.fixture
def ended_fair(app, make_fair):
    now = datetime.now(UTC).replace(microsecond=0)
    return make_fair(starts_at=now - timedelta(hours=9), ends_at=now - timedelta(hours=2))


def attend(app, factories, event):
    person = factories.make_candidate()
    with app.app_context():
        db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED,
                                    attended_at=event.starts_at + timedelta(hours=1)))
        db.session.commit()
    return person


def sent_survey(app, event, anonymous=False, audience=SurveyAudience.BOTH) -> dict:
    """A sent survey with a rating and a text question; its id and question ids, and each person's token."""
    with app.app_context():
        survey = services.save_survey(db.session.get(type(event), event.id),
                                      SurveySettings(audience=audience, anonymous=anonymous), None)
        rating = services.save_question(survey, SurveyQuestionData(kind=SurveyQuestionKind.RATING, label_en="Overall",
                                                                   label_zh="总体", required=True), None)
        text = services.save_question(survey, SurveyQuestionData(kind=SurveyQuestionKind.SHORT_TEXT,
                                                                 label_en="Better?"), None)
        services.send_now(survey, None)
        db.session.commit()
        tokens = {invitation.user_id: invitation_token(invitation.id)
                  for invitation in db.session.scalars(select(SurveyInvitation))}
        return {"id": survey.id, "rating": rating.id, "text": text.id, "tokens": tokens}


def test_the_organizer_builds_a_survey_from_the_event_hub_and_sends_it(client, organizer, ended_fair, app,
                                                                       factories):
    person = attend(app, factories, ended_fair)
    hub = client.get(f"/manage/events/{ended_fair.id}").get_data(as_text=True)
    assert f'/manage/events/{ended_fair.id}/survey"' in hub
    response = client.post(f"/manage/events/{ended_fair.id}/survey", data={
        "audience": "candidates", "intro_en": "Thanks!", "reminder_days": "3"})
    assert response.status_code == 302
    response = client.post(f"/manage/events/{ended_fair.id}/survey/questions", data={
        "kind": "recommend", "label_en": "Recommend us?", "audience": "everyone", "position": "1"})
    assert response.status_code == 302
    page = client.get(f"/manage/events/{ended_fair.id}/survey/questions").get_data(as_text=True)
    assert "Recommend us?" in page and "Would recommend, 0 to 10" in page

    response = client.post(f"/manage/events/{ended_fair.id}/survey/state", data={"action": "send"},
                           follow_redirects=True)
    assert "1 person has been asked to answer." in response.get_data(as_text=True)
    with app.app_context():
        invitation = db.session.scalar(select(SurveyInvitation))
        assert invitation.user_id == person.id
        assert db.session.scalar(select(Survey.state)) == SurveyState.SENT


def test_bad_question_input_is_shown_next_to_the_field(client, organizer, ended_fair):
    client.post(f"/manage/events/{ended_fair.id}/survey", data={"audience": "both", "reminder_days": "3"})
    response = client.post(f"/manage/events/{ended_fair.id}/survey/questions", data={
        "kind": "single_choice", "label_en": "Pick", "options_text": "one", "audience": "everyone"})
    assert response.status_code == 422
    assert "Give at least two choices, one per line." in response.get_data(as_text=True)
    response = client.post(f"/manage/events/{ended_fair.id}/survey", data={"audience": "both", "reminder_days": "99"})
    assert response.status_code == 422


def test_a_person_answers_once_through_the_link_without_logging_in(client, app, factories, ended_fair):
    person = attend(app, factories, ended_fair)
    survey = sent_survey(app, ended_fair)
    url = f"/survey/{survey['tokens'][person.id]}"
    page = client.get(url)
    assert page.status_code == 200 and "Overall" in page.get_data(as_text=True)

    missing = client.post(url, data={f"question_{survey['text']}": "x"})
    assert missing.status_code == 422 and "Please answer this question." in missing.get_data(as_text=True)
    response = client.post(url, data={f"question_{survey['rating']}": "4", f"question_{survey['text']}": "Good"})
    assert response.status_code == 302
    again = client.post(url, data={f"question_{survey['rating']}": "1"}, follow_redirects=True)
    assert "Thank you!" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
        assert db.session.scalar(select(SurveyResponse.user_id)) == person.id


@pytest.mark.parametrize("token", ["not-a-token", "MQ.forged", "x" * 300, "1"])
def test_a_bad_token_is_404(client, token):
    assert client.get(f"/survey/{token}").status_code == 404
    assert client.post(f"/survey/{token}", data={}).status_code == 404


def test_an_anonymous_survey_says_so_and_keeps_no_name(client, app, factories, ended_fair, organizer):
    people = [attend(app, factories, ended_fair) for _ in range(2)]
    survey = sent_survey(app, ended_fair, anonymous=True, audience=SurveyAudience.CANDIDATES)
    anonymous_client = app.test_client()
    for person in people:
        url = f"/survey/{survey['tokens'][person.id]}"
        assert "Your answers are anonymous" in anonymous_client.get(url).get_data(as_text=True)
        anonymous_client.post(url, data={f"question_{survey['rating']}": "5",
                                         f"question_{survey['text']}": f"secret of {person.id}"})
    page = client.get(f"/manage/events/{ended_fair.id}/survey/results").get_data(as_text=True)
    assert "secret of" not in page and "withheld" in page
    exported = client.get(f"/manage/events/{ended_fair.id}/survey/responses.csv").data.decode("utf-8-sig")
    assert "secret of" not in exported and not any(person.email in exported for person in people)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(SurveyResponse.user_id.is_not(None))) == 0


def test_my_surveys_lists_the_open_survey_and_my_events_points_to_it(client, app, factories, ended_fair, login):
    person = attend(app, factories, ended_fair)
    survey = sent_survey(app, ended_fair)
    login(person)
    my_events = client.get("/my/events").get_data(as_text=True)
    assert 'data-testid="pending-surveys"' in my_events and f"/survey/{survey['tokens'][person.id]}" in my_events
    page = client.get("/my/surveys").get_data(as_text=True)
    assert f"/survey/{survey['tokens'][person.id]}" in page and ended_fair.title_en in page


def test_the_employer_reports_outcomes_per_booth_in_the_survey(client, app, factories, ended_fair, login):
    organization = factories.make_organization()
    booth = factories.make_booth(ended_fair, organization)
    survey = sent_survey(app, ended_fair, audience=SurveyAudience.EMPLOYERS)
    owner_token = survey["tokens"][organization.owner_id]
    login_as_owner = client.get(f"/survey/{owner_token}").get_data(as_text=True)
    assert f'name="booth_{booth.id}_interviewed"' in login_as_owner
    response = client.post(f"/survey/{owner_token}", data={
        f"question_{survey['rating']}": "4", f"booth_{booth.id}_interviewed": "9", f"booth_{booth.id}_offers": "2",
        f"booth_{booth.id}_hires": "3"})
    assert response.status_code == 422 and "more hires than offers" in response.get_data(as_text=True)
    response = client.post(f"/survey/{owner_token}", data={
        f"question_{survey['rating']}": "4", f"booth_{booth.id}_interviewed": "9", f"booth_{booth.id}_offers": "2",
        f"booth_{booth.id}_hires": "1"})
    assert response.status_code == 302
    with app.app_context():
        outcome = db.session.get(BoothOutcome, booth.id)
        assert (outcome.interviewed, outcome.offers, outcome.hires) == (9, 2, 1)


def test_results_page_shows_figures_charts_and_exports_csv(client, app, factories, ended_fair, organizer):
    people = [attend(app, factories, ended_fair) for _ in range(3)]
    survey = sent_survey(app, ended_fair, audience=SurveyAudience.CANDIDATES)
    for person, rating in zip(people, ("5", "4", "2"), strict=True):
        app.test_client().post(f"/survey/{survey['tokens'][person.id]}", data={
            f"question_{survey['rating']}": rating, f"question_{survey['text']}": f"note {rating}"})
    page = client.get(f"/manage/events/{ended_fair.id}/survey/results").get_data(as_text=True)
    assert "average 3.67" in page and "<svg" in page and "note 5" in page
    assert 'href="/charts.css"' in page
    exported = client.get(f"/manage/events/{ended_fair.id}/survey/responses.csv")
    assert exported.mimetype == "text/csv" and exported.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert sorted(row[5] for row in rows[1:]) == ["2", "4", "5"]
    assert {row[4] for row in rows[1:]} == {person.email for person in people}


@pytest.mark.parametrize("path", ["", "/questions", "/results", "/responses.csv", "/outcomes.csv"])
def test_only_organizers_open_the_survey_pages(client, app, factories, ended_fair, login, path):
    sent_survey(app, ended_fair)
    url = f"/manage/events/{ended_fair.id}/survey{path}"
    assert client.get(url).status_code == 302  # to the login page
    for role, status in ((Role.CANDIDATE, 403), (Role.EMPLOYER, 403), (Role.ORGANIZER, 200), (Role.ADMIN, 200)):
        visitor = app.test_client()
        visitor.post("/login", data={"email": factories.make_user(role).email, "password": PASSWORD})
        assert visitor.get(url).status_code == status


def test_survey_pages_of_a_huge_or_missing_event_are_404(client, organizer):
    assert client.get("/manage/events/99999999999999999999/survey").status_code == 404
    assert client.get("/manage/events/424242/survey/results").status_code == 404


def test_a_question_of_another_survey_is_404(client, app, organizer, ended_fair, make_fair):
    sent_survey(app, ended_fair)
    other = make_fair()
    client.post(f"/manage/events/{other.id}/survey", data={"audience": "both", "reminder_days": "3"})
    with app.app_context():
        first_question = db.session.scalar(select(Survey).where(Survey.event_id == ended_fair.id)).questions[0].id
    assert client.get(f"/manage/events/{other.id}/survey/questions/{first_question}").status_code == 404


def test_the_survey_cli_sends_what_is_due(runner, app, factories, ended_fair):
    attend(app, factories, ended_fair)
    with app.app_context():
        survey = services.save_survey(db.session.get(type(ended_fair), ended_fair.id),
                                      SurveySettings(audience=SurveyAudience.CANDIDATES), None)
        services.save_question(survey, SurveyQuestionData(kind=SurveyQuestionKind.RATING, label_en="Q"), None)
        services.set_ready(survey, True, None)
        db.session.commit()
    result = runner.invoke(args=["surveys", "send-due"])
    assert result.exit_code == 0 and re.search(r"\b1 invitations and 0 reminders", result.output)
    assert "0 invitations" in runner.invoke(args=["surveys", "send-due"]).output


def test_an_unknown_action_is_a_400_and_marking_ready_needs_a_question(client, organizer, ended_fair):
    client.post(f"/manage/events/{ended_fair.id}/survey", data={"audience": "candidates", "reminder_days": "3"})
    assert client.post(f"/manage/events/{ended_fair.id}/survey/state", data={"action": "explode"}).status_code == 400
    page = client.post(f"/manage/events/{ended_fair.id}/survey/state", data={"action": "ready"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Add at least one question first." in page
