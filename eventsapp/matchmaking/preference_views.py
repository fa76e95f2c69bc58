"""Matching preferences: the organizer's settings, candidates' ranked booths, employers' view of their ranking."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsapp.accounts.access import organizer_required
from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth
from eventsapp.candidates.choices import DEGREE_LABELS, TALENT_CLASS_DESCRIPTIONS
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import localized
from eventsapp.loaders import event_or_404, public_event_or_404, staff_booth_or_403
from eventsapp.main.errors import json_error, render_error
from eventsapp.matchmaking import fitscore
from eventsapp.matchmaking import preferences as services
from eventsapp.matchmaking.forms import (
    CRITERION_LABELS,
    CRITERION_RULES,
    AcceptableForm,
    AddBoothForm,
    BoothSearchForm,
    MatchingSettingsForm,
    MoveBoothForm,
)
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.urls import safe_next_url
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("preferences", __name__)


@blueprint.app_template_global("ranked_positions")
def ranked_positions_for_visitor(event):
    """Lets the floor plan and the openings list offer "Rank this booth" to candidates who can."""
    return services.ranked_positions(event, current_user)


@blueprint.app_template_global("ranking_closed_notice")
def ranking_closed_notice(event):
    """Tells a candidate on those pages why the buttons are gone once the schedule is published."""
    return services.closed_by_schedule(event, current_user)


def _me() -> User:
    return current_user._get_current_object()


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


# --- Organizers: the settings -----------------------------------------------------------------------

@blueprint.route("/manage/events/<int:event_id>/matching/settings", methods=["GET", "POST"])
@organizer_required
def settings(event_id: int):
    event = event_or_404(event_id, services.hosts_matching)
    round_ = services.matching_round(event.id)
    form = MatchingSettingsForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.save_round(event, form.to_settings(event))
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Matching settings saved. Candidates can rank booths until the deadline."), "success")
            return redirect(url_for("preferences.settings", event_id=event.id))
    elif request.method == "GET":
        form.fill_from(services.settings_of(round_) if round_ else services.default_settings(event), event)
    shown = round_ and services.settings_of(round_)
    return render_template(
        "matchmaking/preferences_settings.html", event=event, form=form, round=round_, general=general,
        slots=services.slot_count(shown.interviews_start_at, shown.interviews_end_at, shown.slot_minutes)
        if shown else None,
        rankers=services.count_rankers(event.id) if round_ else 0, is_open=services.is_open(round_),
        criterion_labels=CRITERION_LABELS, criterion_rules=CRITERION_RULES), 422 if form.errors or general else 200


# --- Candidates: their ranked booths ----------------------------------------------------------------

def _candidate_only() -> None:
    if _me().role != Role.CANDIDATE:
        abort(make_response(render_error(403, _("Only candidates rank booths."))))


@blueprint.get("/events/<slug>/my-booths")
@login_required
def my_booths(slug: str):
    event = public_event_or_404(slug, hosts=services.hosts_matching)
    _candidate_only()
    round_ = services.matching_round(event.id)
    problems = services.why_cannot_rank(event, _me())
    search = BoothSearchForm(formdata=request.args)
    search.validate()
    pagination, booths = None, []
    if not problems:
        pagination, booths = services.rankable_booths(event.id, _me().id, search.q.data or "",
                                                      search.industry_filter(),
                                                      page=request.args.get("page", 1, type=int))
    choices = services.candidate_choices(event.id, _me().id)
    titles = services.opening_titles(event.id, {choice.booth.organization_id for choice in choices})
    return render_template(
        "matchmaking/preferences_my_booths.html", event=event, round=round_, problems=problems, choices=choices,
        editable=not problems, titles=titles, booths=booths, pagination=pagination, search=search,
        published=services.schedule_published(event.id),
        industry_labels=INDUSTRY_LABELS)


def _back_to_list(event: Event, fallback: str | None = None):
    return redirect(safe_next_url(request.form.get("next"), fallback or url_for("preferences.my_booths",
                                                                                 slug=event.slug)))


def _login_first(event: Event):
    back = safe_next_url(request.form.get("next"), url_for("preferences.my_booths", slug=event.slug))
    return redirect(url_for("accounts.login", next=back.split("#")[0]))


@blueprint.post("/events/<slug>/my-booths/<int:booth_id>/add")
def add_booth(slug: str, booth_id: int):
    """"Rank this booth": also from the floor plan and the openings list (send ``next`` to come back)."""
    event = public_event_or_404(slug, hosts=services.hosts_matching)
    if not current_user.is_authenticated:
        return _login_first(event)
    _candidate_only()
    if not AddBoothForm().validate_on_submit():
        abort(400)
    try:
        choice = services.add_choice(event, _me(), booth_id)
    except services.PreferenceRefused as refusal:
        for reason in refusal.reasons:
            flash(str(reason), "warning")
    else:
        db.session.commit()
        flash(_("%(organization)s is number %(position)d in your list.",
                organization=localized(choice.booth.organization, "name"), position=choice.position), "success")
    return _back_to_list(event)


@blueprint.post("/events/<slug>/my-booths/<int:booth_id>/remove")
@login_required
def remove_booth(slug: str, booth_id: int):
    event = public_event_or_404(slug, hosts=services.hosts_matching)
    _candidate_only()
    if not AddBoothForm().validate_on_submit():
        abort(400)
    try:
        services.remove_choice(event, _me(), booth_id)
    except LookupError:
        abort(404)
    except services.PreferenceRefused as refusal:
        for reason in refusal.reasons:
            flash(str(reason), "warning")
    else:
        db.session.commit()
        flash(_("The booth is no longer in your list."), "success")
    return _back_to_list(event)


@blueprint.post("/events/<slug>/my-booths/<int:booth_id>/move")
@login_required
def move_booth(slug: str, booth_id: int):
    """Up or Down by one (buttons), or to ``position`` (the script); JSON for the script."""
    event = public_event_or_404(slug, hosts=services.hosts_matching)
    _candidate_only()
    form = MoveBoothForm()
    if not form.validate_on_submit() or not (form.direction.data or form.position.data):
        abort(400)
    current = next((c.position for c in services.candidate_choices(event.id, _me().id) if c.booth_id == booth_id),
                   None)
    if current is None:
        abort(404)
    target = form.position.data or (current - 1 if form.direction.data == "up" else current + 1)
    try:
        place = services.move_choice(event, _me(), booth_id, target)
    except services.PreferenceRefused as refusal:
        if _wants_json():
            return json_error(409, " ".join(str(reason) for reason in refusal.reasons))
        for reason in refusal.reasons:
            flash(str(reason), "warning")
        return _back_to_list(event)
    db.session.commit()
    if _wants_json():
        return jsonify(ok=True, position=place,
                       order=[c.booth_id for c in services.candidate_choices(event.id, _me().id)])
    return redirect(url_for("preferences.my_booths", slug=event.slug, _anchor=f"choice-{booth_id}"))


# --- Employers: their booth's ranking ----------------------------------------------------------------

def _own_booth(booth_id: int) -> Booth:
    return staff_booth_or_403(booth_id, _("Only the staff of this booth's organization can see its ranking, "
                                          "and only while the booth is approved."))


@blueprint.get("/employer/booths/<int:booth_id>/ranking")
@login_required
def booth_ranking(booth_id: int):
    booth = _own_booth(booth_id)
    ranking = services.booth_ranking(booth)
    return render_template(
        "matchmaking/preferences_booth_ranking.html", booth=booth, event=booth.event, ranking=ranking,
        closed=services.why_booth_ranking_closed(booth.event_id),
        max_score=fitscore.max_score(ranking.weights), criteria=fitscore.CRITERIA,
        criterion_labels=CRITERION_LABELS, criterion_rules=CRITERION_RULES, degree_labels=DEGREE_LABELS,
        talent_classes=TALENT_CLASS_DESCRIPTIONS, now=utcnow())


@blueprint.post("/employer/booths/<int:booth_id>/ranking/<int:candidate_id>")
@login_required
def set_acceptable(booth_id: int, candidate_id: int):
    booth = _own_booth(booth_id)
    form = AcceptableForm()
    if not form.validate_on_submit():
        abort(400)
    acceptable = form.acceptable.data == "yes"
    try:
        services.set_acceptable(booth, candidate_id, acceptable, _me().id)
    except LookupError:
        abort(404)
    except services.PreferenceRefused as refusal:
        for reason in refusal.reasons:
            flash(str(reason), "warning")
        return redirect(url_for("preferences.booth_ranking", booth_id=booth.id))
    db.session.commit()
    flash(_("The candidate is acceptable again.") if acceptable
          else _("The candidate is marked as not acceptable: the matching will not give them an interview at "
                 "your booth."), "success")
    return redirect(url_for("preferences.booth_ranking", booth_id=booth.id, _anchor=f"candidate-{candidate_id}"))
