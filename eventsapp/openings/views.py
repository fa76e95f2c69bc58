"""Openings: employers list their jobs at a fair; candidates search them and bookmark booths."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsapp.booths.services import fairs_open_for_booths, hosts_booths
from eventsapp.candidates.choices import DEGREE_LABELS, HANGZHOU_DISTRICTS, SKILL_SUGGESTIONS
from eventsapp.candidates.degrees import DEGREE_LADDER
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import localized, title_in_quotes
from eventsapp.loaders import event_or_404, public_event_or_404
from eventsapp.main.errors import render_error
from eventsapp.openings import services
from eventsapp.openings.forms import BookmarkForm, DeleteForm, OpeningForm, OpeningSearchForm
from eventsapp.openings.models import Opening
from eventsapp.organizations import access
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.urls import safe_next_url
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("openings", __name__)
blueprint.add_app_template_filter(services.tags_of, "tags")


@blueprint.app_template_global()
def salary_range(opening: Opening) -> str:
    return services.format_salary(opening.salary_min, opening.salary_max)


@blueprint.app_template_global()
def degree_requirement(opening: Opening) -> str:
    """“Bachelor's degree or higher”, or “Any degree”."""
    if opening.degree is None:
        return _("Any degree")
    if opening.degree == DEGREE_LADDER[-1]:
        return str(DEGREE_LABELS[opening.degree])
    return _("%(degree)s or higher", degree=DEGREE_LABELS[opening.degree])


def employer_required(view):
    """Employer accounts only; which organization they belong to is checked per page."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not access.is_employer(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _employer_event(event_id: int) -> Event:
    return event_or_404(event_id, lambda event: event.is_public and hosts_booths(event))


def _own_opening(opening_id: int) -> Opening:
    opening = db.session.get(Opening, opening_id)
    if opening is None or not access.owns_opening(current_user, opening):
        abort(404)  # someone else's opening does not exist for this account
    return opening


# --- Employers --------------------------------------------------------------------------------------

@blueprint.get("/employer/openings")
@employer_required
def employer_events():
    member = access.membership_of(current_user)
    events = fairs_open_for_booths()  # where employers can still list openings
    counts, booths = {}, {}
    if member is not None:
        event_ids = [event.id for event in events]
        counts = services.count_openings_by_event(member.organization_id, event_ids)
        booths = services.booths_of_organization(member.organization_id, event_ids)
    return render_template("openings/employer_events.html", member=member, events=events, counts=counts,
                           booths=booths, problems=services.why_organization_cannot_list(current_user))


def _render_manage(event: Event, form: OpeningForm, problems: list[str], status: int = 200):
    member = access.membership_of(current_user)
    openings = services.openings_of_organization(member.organization_id, event.id) if member else []
    booths = services.booths_of_organization(member.organization_id, [event.id]).get(event.id, []) if member else []
    return render_template("openings/manage.html", event=event, member=member, form=form, problems=problems,
                           openings=openings, booths=booths, delete_form=DeleteForm(),
                           districts=HANGZHOU_DISTRICTS, skill_suggestions=SKILL_SUGGESTIONS), status


@blueprint.route("/employer/events/<int:event_id>/openings", methods=["GET", "POST"])
@employer_required
def manage_openings(event_id: int):
    event = _employer_event(event_id)
    member = access.membership_of(current_user)
    problems = services.why_cannot_change_openings(current_user, event)
    form = OpeningForm()
    if request.method == "GET":
        return _render_manage(event, form, problems)
    if problems:
        return _render_manage(event, form, problems, status=403)
    if form.validate_on_submit():
        try:
            opening = services.save_opening(member.organization_id, event.id, form.to_opening_data())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("%(title)s has been added.", title=title_in_quotes(opening.title)), "success")
            return redirect(url_for("openings.manage_openings", event_id=event.id))
    return _render_manage(event, form, problems, status=422)


@blueprint.route("/employer/openings/<int:opening_id>", methods=["GET", "POST"])
@employer_required
def edit_opening(opening_id: int):
    opening = _own_opening(opening_id)
    event = _employer_event(opening.event_id)
    problems = services.why_cannot_change_openings(current_user, event)
    form = OpeningForm()
    if request.method == "GET":
        form.fill_from(services.opening_data_of(opening))
    elif problems:
        return _render_edit(event, opening, form, problems, status=403)
    elif form.validate_on_submit():
        try:
            services.save_opening(opening.organization_id, event.id, form.to_opening_data(), opening)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("%(title)s has been saved.", title=title_in_quotes(opening.title)), "success")
            return redirect(url_for("openings.manage_openings", event_id=event.id))
    return _render_edit(event, opening, form, problems, status=200 if request.method == "GET" else 422)


def _render_edit(event: Event, opening: Opening, form: OpeningForm, problems: list[str], status: int):
    return render_template("openings/edit.html", event=event, opening=opening, form=form, problems=problems,
                           delete_form=DeleteForm(), districts=HANGZHOU_DISTRICTS,
                           skill_suggestions=SKILL_SUGGESTIONS), status


@blueprint.post("/employer/openings/<int:opening_id>/delete")
@employer_required
def delete_opening(opening_id: int):
    opening = _own_opening(opening_id)
    event = _employer_event(opening.event_id)
    problems = services.why_cannot_change_openings(current_user, event)
    if problems:
        return render_error(403, " ".join(str(problem) for problem in problems))
    if not DeleteForm().validate_on_submit():
        abort(400)
    title = opening.title
    services.delete_opening(opening)
    db.session.commit()
    flash(_("%(title)s has been deleted.", title=title_in_quotes(title)), "success")
    return redirect(url_for("openings.manage_openings", event_id=event.id))


# --- Everyone: searching a fair's openings ---------------------------------------------------------

@blueprint.get("/events/<slug>/openings")
def search(slug: str):
    # Organizers preview a draft fair, as on its floor plan (and through the API); other kinds have no booths.
    event = public_event_or_404(slug, drafts_for_organizers=True, hosts=hosts_booths)
    form = OpeningSearchForm(request.args)
    form.validate()
    filters = form.to_filters()
    pagination = services.search_openings(event.id, filters, page=request.args.get("page", 1, type=int))
    booths = services.approved_booths_by_organization(event.id, [o.organization_id for o in pagination.items])
    can_bookmark = access.can_bookmark(current_user)
    bookmarked = services.bookmarked_booth_ids(
        current_user, [booth.id for group in booths.values() for booth in group]) if can_bookmark else set()
    organization = (services.organization_at_event(event.id, filters.organization_id)
                    if filters.organization_id else None)
    return render_template("openings/search.html", event=event, form=form, filters=filters, pagination=pagination,
                           booths=booths, bookmarked=bookmarked, can_bookmark=can_bookmark,
                           organization=organization, industry_labels=INDUSTRY_LABELS,
                           cities=services.cities_at_event(event.id), bookmark_form=BookmarkForm())


# --- Candidates: bookmarks ---------------------------------------------------------------------------

@blueprint.post("/my/bookmarks/<int:booth_id>")
def set_bookmark(booth_id: int):
    form = BookmarkForm()
    back = safe_next_url(form.next.data, url_for("openings.my_bookmarks"))
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=back.split("#")[0]))
    if not access.can_bookmark(current_user):
        abort(403)
    if not form.validate_on_submit():
        abort(400)
    wanted = form.bookmarked.data == "on"
    try:
        booth = services.set_bookmark(current_user, booth_id, wanted)
    except LookupError:
        abort(404)
    db.session.commit()
    name = localized(booth.organization, "name")
    flash(_("%(organization)s is in your bookmarks.", organization=name) if wanted
          else _("%(organization)s is no longer in your bookmarks.", organization=name), "success")
    return redirect(back)


@blueprint.get("/my/bookmarks")
@login_required
def my_bookmarks():
    if not access.can_bookmark(current_user):
        abort(403)
    return render_template("openings/bookmarks.html", groups=services.bookmarks_of(current_user),
                           bookmark_form=BookmarkForm(), is_visible=services.is_bookmark_visible)
