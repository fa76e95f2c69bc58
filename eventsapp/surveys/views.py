"""The survey's pages: the organizer's (settings, questions, sending, results and CSV, under the event hub's
Survey tab), the page a person answers through their personal link (no login needed), and "My surveys"."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from eventsapp.accounts.access import organizer_required
from eventsapp.audit import services as audit
from eventsapp.audit.forms import label_values
from eventsapp.extensions import db
from eventsapp.loaders import event_or_404
from eventsapp.surveys import services
from eventsapp.surveys.choices import (
    AUDIENCE_LABELS,
    KIND_LABELS,
    OUTCOME_LEVELS,
    QUESTION_AUDIENCE_LABELS,
    RESPONDENT_LABELS,
    SCALES,
    STATE_LABELS,
)
from eventsapp.surveys.forms import (
        SurveyActionForm,
    SurveyQuestionForm,
    SurveySettingsForm,
    answer_form,
    answers_from,
    outcomes_from,
)
from eventsapp.surveys.models import Survey, SurveyQuestion, SurveyState
from eventsapp.surveys.results import (
    MIN_ANONYMOUS_TEXTS,
    outcomes_csv,
    response_counts,
    responses_csv,
    results_charts,
    survey_results,
)
from eventsapp.validation import ValidationFailed, apply_to_form

manage = Blueprint("surveys_manage", __name__, url_prefix="/manage/events/<int:event_id>/survey")
blueprint = Blueprint("surveys", __name__)
label_values("survey", "audience", AUDIENCE_LABELS)
label_values("survey", "state", STATE_LABELS)
label_values("survey_question", "kind", KIND_LABELS)
audit.name_objects("survey", services.survey_names)  # the activity page names a survey by its event
audit.name_objects("survey_question", services.question_names)


@blueprint.app_context_processor
def survey_helpers():
    """Dashboards (My events, My booths) list the surveys waiting for the signed-in person."""
    return {"open_surveys_for": services.open_surveys_for}


@manage.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _actor():
    return current_user._get_current_object()


def _survey_or_redirect(event_id: int):
    """The event and its survey; a redirect to the settings page when the event has none yet."""
    event = event_or_404(event_id)
    survey = services.find_survey(event.id)
    if survey is None:
        flash(_("Set the survey up first."), "info")
        return event, None, redirect(url_for("surveys_manage.survey", event_id=event.id))
    return event, survey, None


def _question_or_404(survey: Survey, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _refused(refusal: services.SurveyRefused, event_id: int, endpoint: str = "surveys_manage.survey"):
    db.session.rollback()
    flash(str(refusal.message), "danger")
    return redirect(url_for(endpoint, event_id=event_id))


@manage.route("", methods=["GET", "POST"])
def survey(event_id: int):
    event = event_or_404(event_id)
    found = services.find_survey(event.id)
    form = SurveySettingsForm()
    if request.method == "GET" and found is not None:
        form.process(obj=found)
        form.audience.data = found.audience.value
    if form.validate_on_submit():
        try:
            services.save_survey(event, form.to_settings(), _actor())
        except services.SurveyRefused as refusal:
            return _refused(refusal, event.id)
        db.session.commit()
        flash(_("The survey has been saved."), "success")
        return redirect(url_for("surveys_manage.survey", event_id=event.id))
    locked = found is not None and services.has_answers(found)
    return render_template("surveys/manage/survey.html", event=event, survey=found, form=form, locked=locked,
                           action_form=SurveyActionForm(), state_labels=STATE_LABELS, audience_labels=AUDIENCE_LABELS,
                           counts=response_counts(found) if found is not None and found.sent_at else None), \
        (422 if form.errors else 200)


@manage.post("/state")
def change_state(event_id: int):
    event, found, redirect_response = _survey_or_redirect(event_id)
    if found is None:
        return redirect_response
    form = SurveyActionForm()
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data
    try:
        if action in ("ready", "draft"):
            services.set_ready(found, action == "ready", _actor())
            message = _("The survey will be sent when the event ends.") if action == "ready" else \
                _("The survey is a draft again: it will not be sent.")
        elif action == "send":
            count = services.send_now(found, _actor())
            message = ngettext("%(num)d person has been asked to answer.", "%(num)d people have been asked to answer.",
                               count)
        else:
            services.close_survey(found, _actor())
            message = _("The survey is closed: no more answers are taken.")
    except services.SurveyRefused as refusal:
        return _refused(refusal, event.id)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("surveys_manage.survey", event_id=event.id))


# --- Questions ---------------------------------------------------------------------------------------

@manage.route("/questions", methods=["GET", "POST"])
def question_list(event_id: int):
    event, found, redirect_response = _survey_or_redirect(event_id)
    if found is None:
        return redirect_response
    form = SurveyQuestionForm()
    if form.validate_on_submit():
        try:
            services.save_question(found, form.to_data(), _actor())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        except services.SurveyRefused as refusal:
            return _refused(refusal, event.id, "surveys_manage.question_list")
        else:
            db.session.commit()
            flash(_("The question has been added."), "success")
            return redirect(url_for("surveys_manage.question_list", event_id=event.id))
    return render_template("surveys/manage/questions.html", event=event, survey=found, form=form,
                           locked=services.has_answers(found) or found.state == SurveyState.CLOSED,
                           kind_labels=KIND_LABELS, audience_labels=QUESTION_AUDIENCE_LABELS), \
        (422 if form.errors else 200)


@manage.route("/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(event_id: int, question_id: int):
    event, found, redirect_response = _survey_or_redirect(event_id)
    if found is None:
        return redirect_response
    question = _question_or_404(found, question_id)
    form = SurveyQuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    if form.validate_on_submit():
        try:
            services.save_question(found, form.to_data(), _actor(), question)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        except services.SurveyRefused as refusal:
            return _refused(refusal, event.id, "surveys_manage.question_list")
        else:
            db.session.commit()
            flash(_("The question has been saved."), "success")
            return redirect(url_for("surveys_manage.question_list", event_id=event.id))
    return render_template("surveys/manage/question_edit.html", event=event, survey=found, form=form), \
        (422 if form.errors else 200)


@manage.post("/questions/<int:question_id>/delete")
def delete_question(event_id: int, question_id: int):
    event, found, redirect_response = _survey_or_redirect(event_id)
    if found is None:
        return redirect_response
    try:
        services.delete_question(found, _question_or_404(found, question_id), _actor())
    except services.SurveyRefused as refusal:
        return _refused(refusal, event.id, "surveys_manage.question_list")
    db.session.commit()
    flash(_("The question has been removed."), "success")
    return redirect(url_for("surveys_manage.question_list", event_id=event.id))


# --- Results -----------------------------------------------------------------------------------------

@manage.get("/results")
def results(event_id: int):
    event, found, redirect_response = _survey_or_redirect(event_id)
    if found is None:
        return redirect_response
    figures = survey_results(found)
    return render_template("surveys/manage/results.html", event=event, survey=found, results=figures,
                           charts=results_charts(figures), kind_labels=KIND_LABELS,
                           respondent_labels=RESPONDENT_LABELS, min_texts=MIN_ANONYMOUS_TEXTS)


def _csv(content: bytes, filename: str) -> Response:
    return Response(content, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@manage.get("/responses.csv")
def responses_export(event_id: int):
    event, found, redirect_response = _survey_or_redirect(event_id)
    if found is None:
        return redirect_response
    return _csv(responses_csv(found, survey_results(found).texts_withheld), f"{event.slug}-survey.csv")


@manage.get("/outcomes.csv")
def outcomes_export(event_id: int):
    event, found, redirect_response = _survey_or_redirect(event_id)
    if found is None:
        return redirect_response
    return _csv(outcomes_csv(survey_results(found).booths), f"{event.slug}-outcomes.csv")


# --- Answering through the personal link -------------------------------------------------------------

def _invitation_or_404(token: str):
    invitation = services.invitation_for_token(token)
    if invitation is None or invitation.user.erased_at is not None:
        abort(404)
    return invitation


@blueprint.route("/survey/<token>", methods=["GET", "POST"])
def answer(token: str):
    invitation = _invitation_or_404(token)
    found, event = invitation.survey, invitation.survey.event
    if invitation.answered or found.state != SurveyState.SENT:
        return render_template("surveys/answered.html", event=event, survey=found, invitation=invitation)
    questions = services.questions_for(found, invitation.respondent)
    parts = services.booth_parts(invitation)
    form = answer_form(questions, parts, request.form if request.method == "POST" else None)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.submit_answers(invitation, answers_from(form, questions), outcomes_from(form, parts))
        except ValidationFailed as failure:
            db.session.rollback()
            general = apply_to_form(form, failure)
        except services.SurveyRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "info")
            return redirect(url_for("surveys.answer", token=token))
        else:
            db.session.commit()
            flash(_("Thank you: your answers have been recorded."), "success")
            return redirect(url_for("surveys.answer", token=token))
    return render_template("surveys/answer.html", event=event, survey=found, invitation=invitation, form=form,
                           questions=questions, parts=parts, general=general, scales=SCALES,
                           levels=OUTCOME_LEVELS), (422 if form.errors or general else 200)


@blueprint.get("/my/surveys")
@login_required
def my_surveys():
    return render_template("surveys/my_surveys.html", surveys=services.my_surveys(current_user))
