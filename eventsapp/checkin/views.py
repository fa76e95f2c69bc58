"""The door page for organizers and volunteers, and the leads page for booth staff, with the small
JSON API their scripts call. JSON endpoints answer errors as JSON with a 4xx status."""
from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from eventsapp.accounts.models import User
from eventsapp.audit import services as audit
from eventsapp.badges.roles import ROLE_LABELS
from eventsapp.booths.models import Booth
from eventsapp.candidates.choices import DEGREE_LABELS
from eventsapp.checkin import answers, services
from eventsapp.checkin import leads as lead_services
from eventsapp.checkin.access import can_run_door
from eventsapp.checkin.forms import RATING_LABELS, LeadForm
from eventsapp.checkin.services import Door
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import format_local_time
from eventsapp.loaders import event_or_404
from eventsapp.main.errors import json_error, render_error
from eventsapp.organizations.access import can_use_shortlist
from eventsapp.requestbounds import DB_INT_MAX, is_database_id
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("checkin", __name__)
audit.name_objects("check_in", services.check_in_names)  # the activity page names a check-in by who came in

MAX_SCAN_BYTES = 4 * 1024
MAX_LEAD_BYTES = 32 * 1024  # a 2,000-character note, JSON-escaped
MAX_BATCH_BYTES = 256 * 1024
MAX_BATCH_SCANS = 500


class ApiError(Exception):
    """Bad input to a JSON endpoint: answered in the JSON error shape (eventsapp/main/errors.py) with a
    4xx status; a bad field gives 422 and its name."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


def _bad_field(field: str, message: str) -> ApiError:
    return ApiError(message, 422, field)


@blueprint.errorhandler(ApiError)
def _bad_request(error: ApiError):
    return json_error(error.status, error.message, {error.field: error.message} if error.field else None)


def _me() -> User:
    return current_user._get_current_object()


def _json_abort(status: int, message: str):
    abort(json_error(status, message))


def _payload(max_bytes: int) -> dict:
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(_("What you sent is too large."), 413)
    if not request.is_json:
        raise ApiError(_("Send JSON, with the Content-Type application/json."), 415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(_("Send a JSON object."))
    return data


def _text(data: dict, key: str, limit: int = 1000) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _bad_field(key, _("“%(field)s” must be a text of at most %(max)d characters.", field=key, max=limit))
    return value


def _scan_fields(data: dict) -> dict:
    """The badge fields of one scan: exactly one of token, number or holder_id."""
    fields = {"token": _text(data, "token"), "number": _text(data, "number")}
    holder_id = data.get("holder_id")
    if holder_id is not None and not is_database_id(holder_id):  # a person's id: 1 to 2**31 - 1
        raise _bad_field("holder_id", _("“%(field)s” must be a whole number from 1 to %(max)d.", field="holder_id",
                                        max=DB_INT_MAX))
    fields["holder_id"] = holder_id
    if sum(value is not None for value in fields.values()) != 1:
        raise ApiError(_("Send one of a scanned code (“token”), a badge number (“number”) or a person "
                         "(“holder_id”)."), 422)
    return fields


def _scanned_at(data: dict) -> datetime | None:
    value = _text(data, "scanned_at", 40)
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _bad_field("scanned_at", _("“%(field)s” must be a date and time.", field="scanned_at")) from None
    if when.tzinfo is None:
        raise _bad_field("scanned_at", _("“%(field)s” needs a time zone.", field="scanned_at"))
    return when


# --- The door ---------------------------------------------------------------------------------

def _door_event(event_id: int) -> Event:
    event = event_or_404(event_id)
    if not can_run_door(_me(), event.id):
        abort(make_response(render_error(403, _("Only organizers and this event's door volunteers can check "
                                                "people in."))))
    return event


def _door_event_json(event_id: int) -> Event:
    if not current_user.is_authenticated:
        _json_abort(401, _("Please log in again."))
    event = db.session.get(Event, event_id)
    if event is None:
        _json_abort(404, _("There is no such event."))
    if not can_run_door(_me(), event.id):
        _json_abort(403, _("Only organizers and this event's door volunteers can check people in."))
    return event


def _client_id(data: object) -> str | int | None:
    """The phone's id for a scan, if it sent a usable one (a text or a whole number, not true/false)."""
    key = data.get("id") if isinstance(data, dict) else None
    return key if isinstance(key, str | int) and not isinstance(key, bool) else None


def _check_in(event: Event, data: dict) -> dict:
    fields = _scan_fields(data)
    key = _client_id(data)
    result = services.check_in(event, **fields, actor=_me(), gate=_text(data, "gate", 200) or "",
                               scanned_at=_scanned_at(data), scan_id="" if key is None else str(key),
                               opens_before=answers.opens_before())
    body = answers.result_json(event, result)  # before the commit expires the rows it reads
    db.session.commit()
    return body


@blueprint.get("/checkin/<int:event_id>/")
@login_required
def door(event_id: int):
    event = _door_event(event_id)
    door_now = answers.door_window(event).state(utcnow())
    closed = answers.door_closed_message(event, door_now) if door_now != Door.OPEN else None
    return render_template("checkin/door.html", event=event, counts=services.live_counts(event),
                           role_labels=ROLE_LABELS, closed=closed)


@blueprint.post("/checkin/<int:event_id>/scan")
def scan(event_id: int):
    event = _door_event_json(event_id)
    return jsonify(_check_in(event, _payload(MAX_SCAN_BYTES)))


@blueprint.post("/checkin/<int:event_id>/sync")
def sync(event_id: int):
    """Scans queued in the browser while offline, each with its own answer (and the client's id for it)."""
    event = _door_event_json(event_id)
    scans = _payload(MAX_BATCH_BYTES).get("scans")
    if not isinstance(scans, list) or len(scans) > MAX_BATCH_SCANS:
        raise _bad_field("scans", _("“%(field)s” must be a list of at most %(max)d scans.", field="scans",
                                    max=MAX_BATCH_SCANS))
    results = []
    for item in scans:
        key = _client_id(item)
        try:
            if not isinstance(item, dict):
                raise ApiError(_("Send a JSON object."))
            results.append({"id": key, **_check_in(event, item)})
        except ApiError as error:
            db.session.rollback()
            results.append(_not_sent(key, error.message))
        except Exception:  # noqa: BLE001 - one bad scan must not block the phone's whole queue
            db.session.rollback()
            current_app.logger.exception("Check-in sync: scan %r of event %s failed", key, event.id)
            results.append(_not_sent(key, _("This scan could not be recorded. Check the person in again.")))
    return jsonify(results=results)


def _not_sent(key: str | int | None, detail: str) -> dict:
    return {"id": key, "outcome": "error", "status": "bad", "headline": _("Not sent"), "detail": detail}


@blueprint.get("/checkin/<int:event_id>/counts")
def counts(event_id: int):
    event = _door_event_json(event_id)
    live = services.live_counts(event)
    return jsonify(
        checked_in=live.checked_in, expected=live.expected,
        roles=[{"role": row.role.value, "label": str(ROLE_LABELS[row.role]), "checked_in": row.checked_in,
                "expected": row.expected} for row in live.roles],
        hours=[{"hour": hour.strftime("%H:00"), "count": count} for hour, count in live.hours])


@blueprint.get("/checkin/<int:event_id>/search")
def search(event_id: int):
    event = _door_event_json(event_id)
    matches = services.search_holders(event.id, request.args.get("q", ""))
    return jsonify(matches=[{
        "holder_id": match.badge.holder_id, "name": match.name,
        "name_latin": match.name_latin if match.name_latin != match.name else "",
        "role_label": str(ROLE_LABELS[match.badge.role]), "number": match.badge.number,
        "organization": answers.badge_organization(match.badge)[0],
        "checked_in": format_local_time(match.checked_in_at, event.timezone) if match.checked_in_at else "",
    } for match in matches])


# --- Leads at the booth -------------------------------------------------------------------------

def _lead_booth(booth_id: int, as_json: bool = False) -> Booth:
    """The booth if the user is its staff while it is approved; 404 for no booth, 403 for others'."""
    if as_json and not current_user.is_authenticated:
        _json_abort(401, _("Please log in again."))
    booth = db.session.get(Booth, booth_id)
    if booth is None:
        if as_json:
            _json_abort(404, _("There is no such booth."))
        abort(404)
    if not can_use_shortlist(_me(), booth):
        message = _("Only the staff of this booth's organization can capture leads, while the booth is approved.")
        if as_json:
            _json_abort(403, message)
        abort(make_response(render_error(403, message)))
    return booth


LEAD_MESSAGES = {
    lead_services.LeadOutcome.SAVED: ("ok", _l("Lead saved")),
    lead_services.LeadOutcome.UPDATED: ("ok", _l("Already in your leads")),
    lead_services.LeadOutcome.NOT_CONSENTED: ("warn", _l("Nothing saved")),
    lead_services.LeadOutcome.NOT_CANDIDATE: ("warn", _l("Not a candidate")),
    lead_services.LeadOutcome.REFUSED: ("bad", _l("Not valid")),
}


def _lead_json(booth: Booth, result: lead_services.LeadResult) -> dict:
    status, headline = LEAD_MESSAGES[result.outcome]
    body = {"outcome": result.outcome.value, "verdict": result.verdict.value, "status": status,
            "headline": str(headline)}
    if result.outcome == lead_services.LeadOutcome.NOT_CONSENTED:
        body["detail"] = _("This visitor has not agreed to share their profile; nothing was saved.")
    elif result.outcome == lead_services.LeadOutcome.NOT_CANDIDATE:
        body["detail"] = _("This is a %(role)s badge, not a candidate's: nothing was saved.",
                           role=ROLE_LABELS[result.badge.role])
    elif result.outcome == lead_services.LeadOutcome.REFUSED:
        body["detail"] = str(answers.VERDICT_LABELS[result.verdict])
    else:
        profile, lead = result.profile, result.lead
        body.update(
            entry_id=lead.shortlist_entry_id, name=profile.name, name_latin=profile.name_latin,
            school=profile.school, major=profile.major,
            degree=str(DEGREE_LABELS[profile.degree]) if profile.degree else "",
            graduation_year=profile.graduation_year, rating=lead.rating, note=lead.entry.note,
            update_url=url_for("checkin.lead_update", booth_id=booth.id, entry_id=lead.shortlist_entry_id),
            detail=" · ".join(part for part in (profile.school, profile.major) if part))
    return body


@blueprint.get("/employer/booths/<int:booth_id>/leads")
@login_required
def leads(booth_id: int, failed: tuple[int, LeadForm] | None = None):
    booth = _lead_booth(booth_id)
    rows = lead_services.leads_of(booth)
    forms = {row.lead.shortlist_entry_id: LeadForm(formdata=None, prefix=f"lead-{row.lead.shortlist_entry_id}",
                                                   data={"rating": str(row.lead.rating or ""),
                                                         "note": row.lead.entry.note})
             for row in rows}
    if failed is not None:
        forms[failed[0]] = failed[1]
    page = render_template("checkin/leads.html", booth=booth, event=booth.event, rows=rows, forms=forms,
                           rating_labels=RATING_LABELS, degree_labels=DEGREE_LABELS)
    return page, 422 if failed else 200


@blueprint.post("/employer/booths/<int:booth_id>/leads/scan")
def lead_scan(booth_id: int):
    booth = _lead_booth(booth_id, as_json=True)
    data = _payload(MAX_LEAD_BYTES)
    token, number = _text(data, "token"), _text(data, "number")
    if (token is None) == (number is None):
        raise ApiError(_("Send a scanned code (“token”) or a badge number (“number”)."), 422)
    rating = data.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)):
        raise _bad_field("rating", str(lead_services.RATING_MESSAGE))
    try:
        result = lead_services.capture_lead(booth, actor=_me(), token=token, number=number, rating=rating,
                                            note=_text(data, "note", MAX_LEAD_BYTES) or "")
    except ValidationFailed as failure:
        raise ApiError(" ".join(str(message) for _field, message in failure.errors), 422,
                       next((field for field, _message in failure.errors if field), None)) from None
    body = _lead_json(booth, result)
    db.session.commit()
    return jsonify(body)


@blueprint.post("/employer/booths/<int:booth_id>/leads/<int:entry_id>")
def lead_update(booth_id: int, entry_id: int):
    """The rating and note of one lead: a form on the leads list, or the scan page's script (JSON answer)."""
    wants_json = request.accept_mimetypes.best == "application/json"
    if not wants_json and not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.path))
    booth = _lead_booth(booth_id, as_json=wants_json)
    lead = lead_services.find_lead(booth, entry_id)
    if lead is None:
        if wants_json:
            _json_abort(404, _("There is no such lead."))
        abort(404)
    form = LeadForm(prefix=f"lead-{entry_id}")
    if form.validate_on_submit():
        try:
            lead_services.update_lead(lead, form.rating_value, form.note.data or "")
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            if wants_json:
                return jsonify(entry_id=entry_id, rating=lead.rating, note=lead.entry.note, message=_("Saved."))
            flash(_("The lead has been saved."), "success")
            return redirect(url_for("checkin.leads", booth_id=booth.id, _anchor=f"lead-{entry_id}"))
    if wants_json:
        fields = {name: " ".join(str(message) for message in errors) for name, errors in form.errors.items()}
        return json_error(422, " ".join(fields.values()), fields)
    return leads(booth.id, failed=(entry_id, form))


@blueprint.get("/employer/booths/<int:booth_id>/leads.csv")
@login_required
def leads_csv(booth_id: int):
    booth = _lead_booth(booth_id)
    body = lead_services.leads_csv(lead_services.leads_of(booth), booth.event.timezone, _("No longer visible"))
    filename = f"leads-{booth.event.slug}-{booth.id}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})
