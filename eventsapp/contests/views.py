"""Contests from the teams' side: the contest on the public event page, entering, "My contest entries",
one entry with its deck and team, and the invitation link.

A team's pages load the entry through the signed-in person's team membership: another team's entry is
answered 404, like one that does not exist."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from eventsapp.accounts.models import Role
from eventsapp.candidates.resumes import megabytes
from eventsapp.contests import entries, services
from eventsapp.contests.choices import ENTRY_ROUND_LABELS, ENTRY_STATE_LABELS, TEAM_ROLE_LABELS, WINDOW_LABELS
from eventsapp.contests.forms import DeckForm, EntryForm, InviteForm, fill_answers
from eventsapp.contests.loaders import contest_or_404
from eventsapp.contests.models import Contest, Entry, TeamInvitation, TeamMember
from eventsapp.events.models import Event, EventKind
from eventsapp.extensions import db
from eventsapp.formfields import WebForm
from eventsapp.main.errors import render_error
from eventsapp.registrations.choices import answer_words
from eventsapp.registrations.forms import answers_from, registration_form
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("contests", __name__)


@blueprint.app_template_global()
def contest_panel(event: Event) -> dict | None:
    """What the public event page shows of a contest: its window, rules and tracks, and the visitor's own
    entry or why they cannot enter. None for other events and competitions that are not contests yet."""
    if event.kind != EventKind.COMPETITION:
        return None
    contest = services.find_contest(event.id)
    if contest is None:
        return None
    visitor = current_user._get_current_object() if current_user.is_authenticated else None
    tracks, groups = services.tracks_and_groups(contest)
    return {"contest": contest, "window": services.window_state(contest), "window_labels": WINDOW_LABELS,
            "rules": services.describe_rules(contest), "tracks": tracks, "groups": groups,
            "mine": entries.current_entry_of(contest, visitor) if visitor else None,
            "problems": entries.eligibility_problems(contest, visitor)}


@blueprint.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    return render_error(413, _("The file is too large: a pitch deck can have at most %(max)s MB. Go back and "
                               "choose a smaller PDF.", max=_deck_megabytes()))


def _deck_megabytes() -> str:
    return megabytes(current_app.config["DECK_MAX_BYTES"])


def _me():
    user = current_user._get_current_object()
    if not entries.takes_part(user):
        abort(403)
    return user


def deck_response(entry: Entry, download_name: str | None = None) -> Response:
    """The entry's deck as a download, for whoever the caller has allowed to see it; 404 when none.
    ``download_name`` replaces the name the team gave the file (which may name the team)."""
    path = entries.deck_path(entry)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=download_name or entry.deck_filename or "deck.pdf", conditional=False,
                         etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _apply(failure: ValidationFailed, form: WebForm, answers_form: WebForm) -> list[str]:
    """Each error next to its field, in the entry's form or the questions' form; the rest for the page."""
    general = []
    for name, message in failure.errors:
        target = form if name and name in form else answers_form if name and name in answers_form else None
        if target is None:
            general.append(str(message))
        else:
            target[name].errors = [*target[name].errors, message]
    return general


def _both_valid(form: WebForm, answers_form: WebForm) -> bool:
    """Both forms checked (not stopping at the first), so every field's message shows at once; on a GET
    neither is, so the empty form is not already marked wrong."""
    if not form.is_submitted():
        return False
    entry_ok = form.validate()
    answers_ok = answers_form.validate()
    return entry_ok and answers_ok


def _entry_forms(contest: Contest, entry: Entry | None = None, formdata=None):
    tracks, groups = services.tracks_and_groups(contest)
    questions = services.questions_of(contest)
    form = EntryForm(tracks=tracks, groups=groups) if formdata is None else EntryForm(
        formdata=formdata, tracks=tracks, groups=groups)
    answers_form = registration_form(questions, formdata=formdata)
    if entry is not None and formdata is None and request.method == "GET":
        form.fill_from(entry)
        fill_answers(answers_form, entry)
    return form, answers_form, questions


@blueprint.route("/events/<slug>/contest/enter", methods=["GET", "POST"])
@login_required
def enter(slug: str):
    contest = contest_or_404(slug)
    event = contest.event
    user = _me()
    mine = entries.current_entry_of(contest, user)
    if mine is not None:
        flash(_("You are already on a team in this contest: here is your entry."), "info")
        return redirect(url_for("contests.entry", entry_id=mine.id))
    form, answers_form, questions = _entry_forms(contest)
    problems = entries.eligibility_problems(contest, user)
    if not problems and _both_valid(form, answers_form):
        try:
            entry = entries.create_entry(contest, user, form.to_data(answers_from(answers_form, questions)))
        except entries.EntryRefused as refusal:
            problems = refusal.reasons
        except ValidationFailed as failure:
            problems = _apply(failure, form, answers_form)
        else:
            db.session.commit()
            flash(_("Your entry has been saved as a draft. Upload the pitch deck, invite your team, then submit."),
                  "success")
            return redirect(url_for("contests.entry", entry_id=entry.id))
    status = 422 if request.method == "POST" else 200
    return render_template("contests/enter.html", event=event, contest=contest, form=form, answers_form=answers_form,
                           problems=problems, rules=services.describe_rules(contest),
                           window=services.window_state(contest), window_labels=WINDOW_LABELS), status


@blueprint.get("/my/contest-entries")
@login_required
def my_entries():
    user = _me()
    mine = entries.entries_of(user)
    return render_template("contests/my_entries.html", entries=mine,
                           standings={entry.id: entries.standings(entry) for entry in mine},
                           invitations=entries.invitations_for(user), state_labels=ENTRY_STATE_LABELS,
                           round_labels=ENTRY_ROUND_LABELS, role_labels=TEAM_ROLE_LABELS)


def _my_entry(entry_id: int) -> Entry:
    entry = entries.member_entry(entry_id, _me())
    if entry is None:
        abort(404)
    return entry


def _entry_page(entry: Entry, form=None, answers_form=None, deck_form=None, invite_form=None, problems=(),
                status: int = 200):
    contest = entry.contest
    if form is None:
        form, answers_form, _questions = _entry_forms(contest, entry)
    user = current_user._get_current_object()
    return render_template(
        "contests/entry.html", entry=entry, contest=contest, event=contest.event, form=form,
        answers_form=answers_form, deck_form=deck_form or DeckForm(formdata=None),
        invite_form=invite_form or InviteForm(formdata=None), problems=problems,
        refusal=entries.editing_refusal(entry), missing=entries.submission_problems(entry),
        is_leader=entry.leader is not None and entry.leader.user_id == user.id,
        open_invitations=entries.open_invitations(entry), standings=entries.standings(entry),
        state_labels=ENTRY_STATE_LABELS, round_labels=ENTRY_ROUND_LABELS, role_labels=TEAM_ROLE_LABELS,
        deck_megabytes=_deck_megabytes(), window=services.window_state(contest), window_labels=WINDOW_LABELS,
        answer_words=answer_words, blind_review=any(round_.blind for round_ in contest.rounds)), status


@blueprint.route("/my/contest-entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def entry(entry_id: int):
    entry = _my_entry(entry_id)
    if request.method == "GET":
        return _entry_page(entry)
    form, answers_form, questions = _entry_forms(entry.contest, entry, formdata=request.form)
    problems: list[str] = []
    if _both_valid(form, answers_form):
        try:
            entries.update_entry(entry, _me(), form.to_data(answers_from(answers_form, questions)))
        except entries.EntryRefused as refusal:
            problems = refusal.reasons
        except ValidationFailed as failure:
            problems = _apply(failure, form, answers_form)
        else:
            db.session.commit()
            flash(_("Your entry has been saved."), "success")
            return redirect(url_for("contests.entry", entry_id=entry.id))
    return _entry_page(entry, form, answers_form, problems=problems, status=422)


@blueprint.post("/my/contest-entries/<int:entry_id>/deck")
@login_required
def upload_deck(entry_id: int):
    entry = _my_entry(entry_id)
    form = DeckForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            pages = entries.store_deck(entry, _me(), form.deck.data.filename, form.deck.data.read())
        except entries.EntryRefused as refusal:
            problems = refusal.reasons
        except ValidationFailed as failure:
            problems = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The pitch deck (%(pages)d pages) has been saved.", pages=pages), "success")
            return redirect(url_for("contests.entry", entry_id=entry.id, _anchor="pitch-deck"))
    return _entry_page(entry, deck_form=form, problems=problems, status=422)


@blueprint.get("/my/contest-entries/<int:entry_id>/deck")
@login_required
def download_deck(entry_id: int):
    return deck_response(_my_entry(entry_id))


@blueprint.post("/my/contest-entries/<int:entry_id>/invitations")
@login_required
def invite(entry_id: int):
    entry = _my_entry(entry_id)
    form = InviteForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            entries.invite_member(entry, _me(), form.email.data)
        except entries.EntryRefused as refusal:
            problems = refusal.reasons
        except ValidationFailed as failure:
            problems = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("contests.entry", entry_id=entry.id, _anchor="team"))
    return _entry_page(entry, invite_form=form, problems=problems, status=422)


def _entry_child(model, entry: Entry, child_id: int):
    child = db.session.get(model, child_id)
    if child is None or child.entry_id != entry.id:
        abort(404)
    return child


def _act(entry: Entry, action, message: str, anchor: str | None = None):
    """Run one of the team's actions, commit, and go back to the entry (or say why not)."""
    try:
        action()
    except entries.EntryRefused as refusal:
        db.session.rollback()
        for reason in refusal.reasons:
            flash(reason, "warning")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("contests.entry", entry_id=entry.id, _anchor=anchor))


@blueprint.post("/my/contest-entries/<int:entry_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(entry_id: int, invitation_id: int):
    entry = _my_entry(entry_id)
    invitation = _entry_child(TeamInvitation, entry, invitation_id)
    return _act(entry, lambda: entries.revoke_invitation(entry, _me(), invitation),
                _("The invitation has been withdrawn."), "team")


@blueprint.post("/my/contest-entries/<int:entry_id>/members/<int:member_id>/remove")
@login_required
def remove_member(entry_id: int, member_id: int):
    entry = _my_entry(entry_id)
    member = _entry_child(TeamMember, entry, member_id)
    leaving = member.user_id == current_user.id
    try:
        entries.remove_member(entry, _me(), member)
    except entries.EntryRefused as refusal:
        db.session.rollback()
        for reason in refusal.reasons:
            flash(reason, "warning")
        return redirect(url_for("contests.entry", entry_id=entry.id, _anchor="team"))
    db.session.commit()
    if leaving:
        flash(_("You have left the team."), "success")
        return redirect(url_for("contests.my_entries"))
    flash(_("The member has been removed from the team."), "success")
    return redirect(url_for("contests.entry", entry_id=entry.id, _anchor="team"))


@blueprint.post("/my/contest-entries/<int:entry_id>/submit")
@login_required
def submit(entry_id: int):
    entry = _my_entry(entry_id)
    return _act(entry, lambda: entries.submit_entry(entry, _me()),
                _("Your entry has been submitted. You can still change it until the deadline."))


@blueprint.post("/my/contest-entries/<int:entry_id>/withdraw")
@login_required
def withdraw(entry_id: int):
    entry = _my_entry(entry_id)
    return _act(entry, lambda: entries.withdraw_entry(entry, _me()), _("Your entry has been withdrawn."))


@blueprint.post("/my/contest-entries/<int:entry_id>/delete")
@login_required
def delete_draft(entry_id: int):
    entry = _my_entry(entry_id)
    try:
        entries.delete_draft(entry, _me())
    except entries.EntryRefused as refusal:
        db.session.rollback()
        for reason in refusal.reasons:
            flash(reason, "warning")
        return redirect(url_for("contests.entry", entry_id=entry.id))
    db.session.commit()
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("contests.my_entries"))


# --- Invitations ----------------------------------------------------------------------------------------

def _invitation_or_404(token: str) -> TeamInvitation:
    found = entries.invitation_for_token(token[:100])
    if found is None:
        abort(404)
    return found


@blueprint.get("/contest-invitations/<token>")
@login_required
def invitation(token: str):
    """The link in the invitation e-mail: see the entry and accept or decline, from the invited account."""
    found = _invitation_or_404(token)
    return render_template("contests/invitation.html", invitation=found, entry=found.entry,
                           event=found.entry.contest.event, role_labels=TEAM_ROLE_LABELS)


@blueprint.post("/contest-invitations/<token>/<any(accept, decline):answer>")
@login_required
def answer_invitation_link(token: str, answer: str):
    return _answer_invitation(_invitation_or_404(token), answer == "accept")


@blueprint.post("/my/contest-invitations/<int:invitation_id>/<any(accept, decline):answer>")
@login_required
def answer_invitation(invitation_id: int, answer: str):
    """From "My contest entries": the invitations to the account's own address."""
    found = db.session.get(TeamInvitation, invitation_id)
    if found is None or found.email != current_user.email:
        abort(404)
    return _answer_invitation(found, answer == "accept")


def _answer_invitation(invitation: TeamInvitation, accept: bool):
    user = current_user._get_current_object()
    try:
        if accept:
            entries.accept_invitation(invitation, user)
        else:
            entries.decline_invitation(invitation, user)
    except entries.EntryRefused as refusal:
        db.session.rollback()
        for reason in refusal.reasons:
            flash(reason, "warning")
        return redirect(url_for("contests.my_entries") if user.role == Role.CANDIDATE else url_for("main.index"))
    db.session.commit()
    if accept:
        flash(_("Welcome to the team!"), "success")
        return redirect(url_for("contests.entry", entry_id=invitation.entry_id))
    flash(_("The invitation has been declined."), "info")
    return redirect(url_for("contests.my_entries"))

