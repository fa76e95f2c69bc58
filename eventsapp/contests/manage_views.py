"""Organizers' contest pages, in a competition event's hub: the settings, tracks and groups, rounds, the
entry form's questions, and the entries with filters and a CSV export.

Every page is addressed by the event; a contest's rows are loaded through it, so an id of another contest
is answered 404 like one that does not exist."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsapp.accounts.access import organizer_required
from eventsapp.audit.forms import label_values
from eventsapp.contests import services
from eventsapp.contests.choices import (
    AGGREGATION_LABELS,
    ENTRY_ROUND_LABELS,
    ENTRY_STATE_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATE_LABELS,
    TEAM_ROLE_LABELS,
    WINDOW_LABELS,
)
from eventsapp.contests.entries import standings
from eventsapp.contests.export import entries_csv
from eventsapp.contests.forms import ContestForm, EntryFilterForm, NameForm, RoundForm
from eventsapp.contests.loaders import contest_child_or_404, contest_or_404
from eventsapp.contests.models import Contest, ContestQuestion, Entry, Round
from eventsapp.contests.views import deck_response
from eventsapp.events.models import Event, EventKind
from eventsapp.extensions import db
from eventsapp.loaders import event_or_404
from eventsapp.registrations.choices import QUESTION_KIND_LABELS, YES_NO_LABELS, answer_words
from eventsapp.registrations.forms import QuestionForm
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("contests_manage", __name__, url_prefix="/manage/events/<int:event_id>/contest")
YES_NO = {True: YES_NO_LABELS["yes"], False: YES_NO_LABELS["no"]}
label_values("contest_entry", "state", ENTRY_STATE_LABELS)
label_values("contest_round", "kind", ROUND_KIND_LABELS)
label_values("contest_round", "aggregation", AGGREGATION_LABELS)
label_values("contest_round", "blind", YES_NO)
label_values("contest_question", "kind", QUESTION_KIND_LABELS)
label_values("contest", "requires_overseas_experience", YES_NO)
label_values("contest", "share_scores_with_teams", YES_NO)


@blueprint.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _competition(event_id: int) -> Event:
    event = event_or_404(event_id)
    if event.kind != EventKind.COMPETITION:
        abort(404)
    return event


def _actor():
    return current_user._get_current_object()


# --- Settings -------------------------------------------------------------------------------------------

@blueprint.route("", methods=["GET", "POST"])
def settings(event_id: int):
    event = _competition(event_id)
    contest = services.find_contest(event.id)
    form = ContestForm()
    if request.method == "GET" and contest is not None:
        form.fill_from(contest, event.timezone)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.save_contest(event, form.to_data(event.timezone), _actor())
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The contest's settings have been saved.") if contest else
                  _("The competition is now a contest: add its tracks and rounds."), "success")
            return redirect(url_for("contests_manage.settings", event_id=event.id))
    counts = services.count_by_state(contest) if contest else {}
    return render_template("contests/manage/settings.html", event=event, contest=contest, form=form,
                           general=general, counts=counts, state_labels=ENTRY_STATE_LABELS,
                           window=services.window_state(contest) if contest else None, window_labels=WINDOW_LABELS,
                           rules=services.describe_rules(contest) if contest else []), \
        (422 if form.errors or general else 200)


# --- Tracks and groups ----------------------------------------------------------------------------------

def _named_model(what: str):
    return services.NAMED[what]


@blueprint.route("/<any(tracks, groups):what>", methods=["GET", "POST"])
def named_list(event_id: int, what: str):
    contest = contest_or_404(event_id)
    event = contest.event
    form = NameForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.save_named(contest, _named_model(what), form.to_data(), _actor())
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Added."), "success")
            return redirect(url_for("contests_manage.named_list", event_id=event.id, what=what))
    tracks, groups = services.tracks_and_groups(contest)
    return render_template("contests/manage/names.html", event=event, contest=contest, form=form, what=what,
                           rows=tracks if what == "tracks" else groups, general=general), \
        (422 if form.errors or general else 200)


@blueprint.route("/<any(tracks, groups):what>/<int:row_id>", methods=["GET", "POST"])
def edit_named(event_id: int, what: str, row_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    row = contest_child_or_404(_named_model(what), contest, row_id)
    form = NameForm(obj=row if request.method == "GET" else None)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.save_named(contest, _named_model(what), form.to_data(), _actor(), row)
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("contests_manage.named_list", event_id=event.id, what=what))
    return render_template("contests/manage/name_edit.html", event=event, contest=contest, form=form, what=what,
                           row=row, general=general), (422 if form.errors or general else 200)


@blueprint.post("/<any(tracks, groups):what>/<int:row_id>/delete")
def delete_named(event_id: int, what: str, row_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    row = contest_child_or_404(_named_model(what), contest, row_id)
    try:
        services.delete_named(contest, row, _actor())
    except ValidationFailed as failure:
        flash(" ".join(str(message) for _field, message in failure.errors), "danger")
    else:
        db.session.commit()
        flash(_("Deleted."), "success")
    return redirect(url_for("contests_manage.named_list", event_id=event.id, what=what))


# --- Rounds ---------------------------------------------------------------------------------------------

@blueprint.route("/rounds", methods=["GET", "POST"])
def round_list(event_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    form = RoundForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.save_round(contest, form.to_data(event.timezone), _actor())
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The round has been added."), "success")
            return redirect(url_for("contests_manage.round_list", event_id=event.id))
    return render_template("contests/manage/rounds.html", event=event, contest=contest, form=form, general=general,
                           kind_labels=ROUND_KIND_LABELS, state_labels=ROUND_STATE_LABELS,
                           aggregation_labels=AGGREGATION_LABELS), (422 if form.errors or general else 200)


@blueprint.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def edit_round(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    row = contest_child_or_404(Round, contest, round_id)
    form = RoundForm()
    if request.method == "GET":
        form.fill_from(row, event.timezone)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.save_round(contest, form.to_data(event.timezone), _actor(), row)
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The round has been saved."), "success")
            return redirect(url_for("contests_manage.round_list", event_id=event.id))
    return render_template("contests/manage/round_edit.html", event=event, contest=contest, form=form, row=row,
                           general=general), (422 if form.errors or general else 200)


@blueprint.post("/rounds/<int:round_id>/delete")
def delete_round(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    try:
        services.delete_round(contest, contest_child_or_404(Round, contest, round_id), _actor())
    except ValidationFailed as failure:
        flash(" ".join(str(message) for _field, message in failure.errors), "danger")
    else:
        db.session.commit()
        flash(_("The round has been deleted."), "success")
    return redirect(url_for("contests_manage.round_list", event_id=event.id))


# --- The entry form's questions -------------------------------------------------------------------------

@blueprint.route("/questions", methods=["GET", "POST"])
def question_list(event_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.save_question(contest, form.to_data(), _actor())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The question has been added."), "success")
            return redirect(url_for("contests_manage.question_list", event_id=event.id))
    return render_template("contests/manage/questions.html", event=event, contest=contest, form=form,
                           questions=services.questions_of(contest), kind_labels=QUESTION_KIND_LABELS), \
        (422 if form.errors else 200)


@blueprint.route("/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(event_id: int, question_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    question = contest_child_or_404(ContestQuestion, contest, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    if form.validate_on_submit():
        try:
            services.save_question(contest, form.to_data(), _actor(), question)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The question has been saved."), "success")
            return redirect(url_for("contests_manage.question_list", event_id=event.id))
    return render_template("contests/manage/question_edit.html", event=event, contest=contest, form=form,
                           question=question), (422 if form.errors else 200)


@blueprint.post("/questions/<int:question_id>/delete")
def delete_question(event_id: int, question_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    services.delete_question(contest, contest_child_or_404(ContestQuestion, contest, question_id), _actor())
    db.session.commit()
    flash(_("The question and its answers have been removed."), "success")
    return redirect(url_for("contests_manage.question_list", event_id=event.id))


# --- Entries --------------------------------------------------------------------------------------------

def _filter_form(contest: Contest) -> EntryFilterForm:
    tracks, groups = services.tracks_and_groups(contest)
    form = EntryFilterForm(request.args, tracks=tracks, groups=groups)
    form.validate()
    return form


@blueprint.get("/entries")
def entries(event_id: int):
    event = _competition(event_id)
    contest = services.find_contest(event.id)
    if contest is None:  # the hub's Entries tab, before the competition is a contest
        flash(_("Set the contest up first: it takes entries once it has its settings and tracks."), "info")
        return redirect(url_for("contests_manage.settings", event_id=event.id))
    form = _filter_form(contest)
    pagination = db.paginate(services.entries_query(contest, form.to_filters()), per_page=50, error_out=False)
    return render_template("contests/manage/entries.html", event=event, contest=contest, form=form,
                           pagination=pagination, state_labels=ENTRY_STATE_LABELS,
                           counts=services.count_by_state(contest))


@blueprint.get("/entries.csv")
def entries_export(event_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    rows = db.session.scalars(services.entries_query(contest, _filter_form(contest).to_filters())).all()
    return Response(entries_csv(rows, services.questions_of(contest)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-entries.csv"',
        "Cache-Control": "private, no-store"})


@blueprint.get("/entries/<int:entry_id>")
def entry_detail(event_id: int, entry_id: int):
    contest = contest_or_404(event_id)
    event = contest.event
    entry = contest_child_or_404(Entry, contest, entry_id)
    return render_template("contests/manage/entry.html", event=event, contest=contest, entry=entry,
                           state_labels=ENTRY_STATE_LABELS, role_labels=TEAM_ROLE_LABELS,
                           standings=standings(entry), round_labels=ENTRY_ROUND_LABELS, answer_words=answer_words)


@blueprint.get("/entries/<int:entry_id>/deck")
def entry_deck(event_id: int, entry_id: int):
    contest = contest_or_404(event_id)
    return deck_response(contest_child_or_404(Entry, contest, entry_id))
