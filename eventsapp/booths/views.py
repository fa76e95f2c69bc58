"""Booths: applications, organizers' approval, halls and placement, the public floor plan.

Three areas, each with its own access rule declared once on a nested blueprint:
``booths.employer`` (/employer/..., employer accounts), ``booths.manage``
(/manage/events/<id>/..., organizers) and the public floor plan on ``booths`` itself.
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from eventsapp.accounts.access import organizer_required
from eventsapp.accounts.models import Role
from eventsapp.audit import services as audit
from eventsapp.audit.forms import label_values
from eventsapp.booths import services
from eventsapp.booths.forms import (
    BOOTH_STATUS_LABELS,
    BOOTH_TYPE_LABELS,
    BoothApplicationForm,
    HallForm,
    MaxBoothsForm,
    PlaceForm,
    RejectForm,
)
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall
from eventsapp.booths.svgmap import INDUSTRY_COLORS, BoothMark, hall_svg
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import localized, title_in_quotes
from eventsapp.loaders import booth_or_404, event_child_or_404, event_or_404, public_event_or_404
from eventsapp.organizations import access
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.organizations.models import Industry
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("booths", __name__)
employer = Blueprint("employer", __name__, url_prefix="/employer")
manage = Blueprint("manage", __name__, url_prefix="/manage/events/<int:event_id>")

OPENINGS_PATH = "/employer/events/{event_id}/openings"  # the openings editor (eventsapp/openings)


@employer.before_request
@login_required
def require_employer():
    """Every page here is for employer accounts; what each may do depends on its organization."""
    if current_user.role != Role.EMPLOYER:
        abort(403)


@manage.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


@manage.url_defaults
def keep_event_id(endpoint: str, values: dict) -> None:
    """Links between an event's booth pages (e.g. the pagination) stay on the event being shown."""
    if "event_id" not in values and has_request_context() and "event_id" in (request.view_args or {}):
        values["event_id"] = request.view_args["event_id"]


def _enum_arg(name: str, enum_type):
    value = request.args.get(name, "")
    return enum_type(value) if value in {member.value for member in enum_type} else None


def _booth_marks(hall_plan, searching: bool, link: bool = True) -> list[BoothMark]:
    marks = []
    for entry in hall_plan.booths:
        booth, organization = entry.booth, entry.booth.organization
        name = localized(organization, "name")
        marks.append(BoothMark(
            row=booth.row, col=booth.col, double=booth.booth_type == BoothType.DOUBLE, code=booth.code,
            label=name, title=f"{booth.code} · {name} · {INDUSTRY_LABELS[organization.industry]}",
            color=INDUSTRY_COLORS[organization.industry.value], href=f"#booth-{booth.code}" if link else "",
            state=("match" if entry.matches else "dim") if searching else ""))
    return marks


def _maps(plan, organizer: bool = False) -> dict[int, Markup]:
    """Hall id → its SVG map (escaped inside hall_svg)."""
    return {hall_plan.hall.id: Markup(hall_svg(  # hall_svg escapes every text it writes
        hall_plan.grid, _booth_marks(hall_plan, plan.searching, link=not organizer),
        title=_("Hall %(hall)s", hall=hall_plan.hall.name), organizer=organizer)) for hall_plan in plan.halls}


# --- The public floor plan ------------------------------------------------------------------------

def highlight(text: str, search: str) -> Markup:
    """The text, escaped, with what was searched for marked wherever it occurs (ignoring case)."""
    needle = " ".join(search.split())
    if not needle:
        return escape(text)
    parts, last = [], 0
    for match in re.finditer(re.escape(needle), text, re.IGNORECASE):
        parts += [escape(text[last:match.start()]), Markup("<mark>"), escape(match.group()), Markup("</mark>")]
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@blueprint.get("/events/<slug>/floor-plan")
def floor_plan(slug: str):
    event = public_event_or_404(slug, drafts_for_organizers=True, hosts=services.hosts_booths)
    search = request.args.get("q", "").strip()[:100]
    industry = _enum_arg("industry", Industry)
    plan = services.floor_plan(event, search, industry)
    return render_template("booths/floor_plan.html", event=event, plan=plan, maps=_maps(plan), search=search,
                           industry=industry.value if industry else "", industry_labels=INDUSTRY_LABELS,
                           industry_colors=INDUSTRY_COLORS, type_labels=BOOTH_TYPE_LABELS, highlight=highlight)


# --- Employers ------------------------------------------------------------------------------------

def _organization():
    member = access.membership_of(current_user)
    return member.organization if member else None


@employer.get("/booths")
def booth_list():
    organization = _organization()
    booths = services.booths_of_organization(organization.id) if organization else []
    return render_template("booths/my_booths.html", organization=organization, booths=booths,
                           fairs=services.fairs_open_for_booths(), can_apply=access.can_apply_for_booths(current_user),
                           status_labels=BOOTH_STATUS_LABELS, type_labels=BOOTH_TYPE_LABELS)


def _event_for_application(event_id: int) -> Event:
    return event_or_404(event_id, lambda event: services.hosts_booths(event) and event.is_public)


@employer.route("/events/<int:event_id>/booth", methods=["GET", "POST"])
def apply(event_id: int):
    event = _event_for_application(event_id)
    organization = _organization()
    form = BoothApplicationForm()
    problems = services.why_cannot_apply(event, organization)
    if not problems and form.validate_on_submit():
        try:
            services.apply_for_booth(event.id, organization, form.to_application())
        except services.BoothRefused as refusal:
            problems = refusal.reasons
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Your booth application has been sent. The organizers will tell you their decision by e-mail."),
                  "success")
            return redirect(url_for("booths.employer.booth_list"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "booths/apply.html", event=event, organization=organization, form=form, problems=problems,
        booths=services.booths_at_event(event.id, organization.id) if organization else [],
        openings=services.openings_at_event(event.id, organization.id) if organization else [],
        openings_url=OPENINGS_PATH.format(event_id=event.id), status_labels=BOOTH_STATUS_LABELS,
        type_labels=BOOTH_TYPE_LABELS), status


label_values("booth", "status", BOOTH_STATUS_LABELS)
audit.name_objects("booth", services.booth_names)


def _booth_state(booth: Booth | None) -> dict:
    """What decisions and placing change about a booth, for the audit log."""
    if booth is None:
        return {}
    return {"status": booth.status, "code": booth.code, "hall_id": booth.hall_id, "row": booth.row, "col": booth.col}


def _record(action: str, booth: Booth, before: dict, **after) -> None:
    audit.record(current_user, action, booth, before, {**_booth_state(booth), **after},
                 address=request.remote_addr or "")


@employer.post("/booths/<int:booth_id>/withdraw")
def withdraw(booth_id: int):
    booth = booth_or_404(booth_id)
    if not access.owns_booth(current_user, booth):
        abort(404)
    before = _booth_state(booth)
    try:
        services.withdraw_booth(booth)
    except services.BoothRefused as refusal:
        flash(str(refusal.reasons[0]), "warning")
    else:
        _record("withdrawn", booth, before)
        db.session.commit()
        title = title_in_quotes(localized(booth.event, "title"))
        flash(_("Your booth application for %(event)s is withdrawn.", event=title), "success")
    return redirect(url_for("booths.employer.booth_list"))


# --- Organizers: applications ---------------------------------------------------------------------

def _event(event_id: int) -> Event:
    """The blueprint's loader: the event, if it is one with booths."""
    event = event_or_404(event_id)
    if not services.hosts_booths(event):
        abort(404)
    return event


@manage.get("/booths")
def applications(event_id: int, max_form: MaxBoothsForm | None = None, rejecting: tuple | None = None):
    event = _event(event_id)
    search = request.args.get("q", "").strip()[:100]
    status, industry = _enum_arg("status", BoothStatus), _enum_arg("industry", Industry)
    pagination = db.paginate(services.booths_query(event.id, status, industry, search), per_page=50,
                             error_out=False)
    return render_template(
        "booths/manage_booths.html", event=event, pagination=pagination, search=search,
        status=status.value if status else "", industry=industry.value if industry else "",
        counts=services.count_by_status(event.id), status_labels=BOOTH_STATUS_LABELS, type_labels=BOOTH_TYPE_LABELS,
        industry_labels=INDUSTRY_LABELS,
        max_form=max_form or MaxBoothsForm(max_booths_per_organization=event.max_booths_per_organization),
        rejecting=rejecting), 422 if (max_form or rejecting) else 200


def _back_to_applications(event: Event):
    return redirect(url_for("booths.manage.applications", event_id=event.id, **{
        key: request.args[key] for key in ("status", "industry", "q", "page") if request.args.get(key)}))


@manage.post("/booths/<int:booth_id>/approve")
def approve(event_id: int, booth_id: int):
    event = _event(event_id)
    before = _booth_state(db.session.get(Booth, booth_id))
    try:
        booth = services.approve_booth(event.id, booth_id)
    except LookupError:
        abort(404)
    except services.BoothRefused as refusal:
        flash(str(refusal.reasons[0]), "warning")
    else:
        _record("approved", booth, before)
        db.session.commit()
        flash(_("The booth of %(organization)s is approved; its owner has been told.",
                organization=localized(booth.organization, "name")), "success")
    return _back_to_applications(event)


@manage.post("/booths/<int:booth_id>/reject")
def reject(event_id: int, booth_id: int):
    event = _event(event_id)
    form = RejectForm()
    if form.validate_on_submit():
        before = _booth_state(db.session.get(Booth, booth_id))
        try:
            booth = services.reject_booth(event.id, booth_id, form.reason.data)
        except LookupError:
            abort(404)
        except services.BoothRefused as refusal:
            flash(str(refusal.reasons[0]), "warning")
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            _record("rejected", booth, before, reason=form.reason.data)
            db.session.commit()
            flash(_("The booth of %(organization)s is rejected; its owner has been told.",
                    organization=localized(booth.organization, "name")), "success")
            return _back_to_applications(event)
    if form.errors:
        return applications(event.id, rejecting=(booth_id, form))
    return _back_to_applications(event)


@manage.post("/booths/limit")
def booth_limit(event_id: int):
    event = _event(event_id)
    form = MaxBoothsForm()
    if form.validate_on_submit():
        try:
            services.set_max_booths(event.id, form.max_booths_per_organization.data)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("An organization may now hold %(count)d booths at this event.",
                    count=form.max_booths_per_organization.data), "success")
            return _back_to_applications(event)
    return applications(event.id, max_form=form)


# --- Organizers: halls ----------------------------------------------------------------------------

def _renumbered_message(saved: services.SavedHall) -> None:
    if saved.renumbered:
        changes = ", ".join(f"{old} → {new}" for old, new in saved.renumbered[:20])
        flash(ngettext("%(num)d booth has a new code: %(changes)s.", "%(num)d booths have new codes: %(changes)s.",
                       len(saved.renumbered), changes=changes), "warning")


@manage.route("/halls", methods=["GET", "POST"])
def hall_list(event_id: int):
    event = _event(event_id)
    form = HallForm()
    if form.validate_on_submit():
        try:
            saved = services.save_hall(event.id, form.to_hall_data())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Hall %(hall)s has been added.", hall=saved.hall.name), "success")
            return redirect(url_for("booths.manage.hall_list", event_id=event.id))
    halls = services.halls_of(event.id)
    return render_template("booths/halls.html", event=event, form=form, halls=halls,
                           grids={hall.id: services.grid_of(hall) for hall in halls},
                           placed={hall.id: len(services.placed_booths(event.id, hall.id)) for hall in halls}), (
        422 if form.errors else 200)


@manage.route("/halls/<int:hall_id>", methods=["GET", "POST"])
def edit_hall(event_id: int, hall_id: int):
    event = _event(event_id)
    hall = event_child_or_404(Hall, event.id, hall_id)
    form = HallForm(obj=hall if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            saved = services.save_hall(event.id, form.to_hall_data(), hall)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Hall %(hall)s has been saved.", hall=saved.hall.name), "success")
            _renumbered_message(saved)
            return redirect(url_for("booths.manage.hall_list", event_id=event.id))
    return render_template("booths/hall_edit.html", event=event, hall=hall, form=form), 422 if form.errors else 200


@manage.post("/halls/<int:hall_id>/delete")
def delete_hall(event_id: int, hall_id: int):
    event = _event(event_id)
    hall = event_child_or_404(Hall, event.id, hall_id)
    name = hall.name
    try:
        services.delete_hall(hall)
    except services.BoothRefused as refusal:
        flash(str(refusal.reasons[0]), "danger")
    else:
        db.session.commit()
        flash(_("Hall %(hall)s has been deleted.", hall=name), "success")
    return redirect(url_for("booths.manage.hall_list", event_id=event.id))


# --- Organizers: placing booths -------------------------------------------------------------------

def _place_form(event: Event, formdata=None) -> PlaceForm:
    form = PlaceForm(formdata=formdata) if formdata is not None else PlaceForm()
    form.hall_id.choices = [("", "—")] + [(hall.id, hall.name) for hall in services.halls_of(event.id)]
    return form


@manage.get("/floor-plan")
def placement(event_id: int, form: PlaceForm | None = None):
    event = _event(event_id)
    plan = services.floor_plan(event)
    approved = sorted(db.session.scalars(services.booths_query(event.id, BoothStatus.APPROVED)),
                      key=lambda booth: (booth.code is not None, booth.hall.name if booth.hall else "",
                                         booth.row or 0, booth.col or 0))
    form = form or _place_form(event)
    if request.method == "GET" and request.args.get("booth", type=int):
        form.booth_id.data = request.args.get("booth", type=int)
    return render_template("booths/placement.html", event=event, plan=plan, maps=_maps(plan, organizer=True),
                           approved=approved, unplaced=[booth for booth in approved if booth.code is None],
                           form=form, type_labels=BOOTH_TYPE_LABELS, industry_labels=INDUSTRY_LABELS,
                           industry_colors=INDUSTRY_COLORS), 422 if form.errors else 200


@manage.post("/floor-plan/place")
def place(event_id: int):
    event = _event(event_id)
    form = _place_form(event, request.form)
    if form.validate_on_submit():
        before = _booth_state(db.session.get(Booth, form.booth_id.data))
        try:
            booth = services.place_booth(event.id, form.booth_id.data, code=form.code.data or "",
                                         hall_id=form.hall_id.data, row=form.row.data, col=form.col.data)
        except ValidationFailed as failure:
            db.session.rollback()
            for message in apply_to_form(form, failure):
                flash(message, "danger")
        else:
            _record("placed" if before.get("code") is None else "moved", booth, before)
            db.session.commit()
            flash(_("%(organization)s is at %(code)s.", organization=localized(booth.organization, "name"),
                    code=booth.code), "success")
            return redirect(url_for("booths.manage.placement", event_id=event.id))
    return placement(event.id, form=form)


@manage.post("/floor-plan/auto")
def place_automatically(event_id: int):
    event = _event(event_id)
    result = services.place_remaining(event.id)
    db.session.commit()
    flash(ngettext("%(num)d booth placed.", "%(num)d booths placed.", len(result.placed)), "success")
    if result.not_placed:
        names = ", ".join(localized(booth.organization, "name") for booth in result.not_placed[:20])
        flash(ngettext("%(num)d booth did not fit: %(names)s. Add a hall or free some cells.",
                       "%(num)d booths did not fit: %(names)s. Add a hall or free some cells.",
                       len(result.not_placed), names=names), "warning")
    return redirect(url_for("booths.manage.placement", event_id=event.id))


@manage.post("/booths/<int:booth_id>/unplace")
def unplace(event_id: int, booth_id: int):
    event = _event(event_id)
    before = _booth_state(db.session.get(Booth, booth_id))
    try:
        booth = services.unplace_booth(event.id, booth_id)
    except LookupError:
        abort(404)
    _record("unplaced", booth, before)
    db.session.commit()
    flash(_("%(organization)s has no place now.", organization=localized(booth.organization, "name")), "success")
    return redirect(url_for("booths.manage.placement", event_id=event.id))


blueprint.register_blueprint(employer)
blueprint.register_blueprint(manage)
