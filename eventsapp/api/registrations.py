"""Registrations: a candidate's own (list, register, cancel) and an event's for its organizers (list,
approve, decline, cancel). The same services as the pages: eventsapp.registrations.services."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.api import access, core
from eventsapp.api import schemas as s
from eventsapp.api.errors import ApiError
from eventsapp.api.events import local_iso
from eventsapp.extensions import db
from eventsapp.registrations import services
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.requestbounds import is_ascii_digits
from eventsapp.validation import ValidationFailed

blp = core.blueprint("registrations", "Registrations: your own, and an event's for its organizers.")
SECURED = {"security": [{core.BEARER_SCHEME: []}]}


def registration_json(registration: Registration, position: int | None = None) -> dict:
    zone = registration.event.timezone
    return {
        "id": str(registration.id), "event_id": str(registration.event_id), "status": registration.status,
        "waitlist_position": position, "created_at": local_iso(registration.created_at, zone),
        "updated_at": local_iso(registration.updated_at, zone),
        "confirmed_at": local_iso(registration.confirmed_at, zone),
        "cancelled_at": local_iso(registration.cancelled_at, zone),
        "attended": registration.attended, "decision_reason": registration.decision_reason,
    }


def registrant_json(registration: Registration, position: int | None) -> dict:
    profile = registration.profile
    return {**registration_json(registration, position), "user_id": str(registration.user_id),
            "name": (profile.name if profile and profile.name else registration.user.display_name),
            "email": registration.user.email}


def _refused(refusal: services.RegistrationRefused) -> ApiError:
    return ApiError(409, "registration_refused", "; ".join(str(reason) for reason in refusal.reasons))


def _invalid(failure: ValidationFailed, prefix: str = "") -> ApiError:
    fields = {}
    for field, message in failure.errors:
        name = field or "_"
        if name.startswith("question_"):
            name = "answers." + name.removeprefix("question_")
        fields[prefix + name] = message
    return ApiError(422, "invalid", _("Some of what you sent is not valid."), fields)


def _answers(raw: dict) -> dict[int, str | list[str]]:
    """Answers by question id, each a text or a list of texts; anything else is a 422 naming it."""
    answers: dict[int, str | list[str]] = {}
    problems = {}
    for key, value in raw.items():
        if not is_ascii_digits(key) or len(key) > 10 or int(key) > s.MAX_ID:
            problems[f"answers.{key}"] = _("Not a question of this event: question ids are written in the "
                                              "digits 0-9.")
        elif isinstance(value, str):
            answers[int(key)] = s.clean_text(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            answers[int(key)] = [s.clean_text(v) for v in value]
        else:
            problems[f"answers.{key}"] = _("Give a text, or a list of texts for a multiple-choice question.")
    if problems:
        raise ApiError(422, "invalid", _("Some of what you sent is not valid."), problems)
    return answers


# --- A candidate's own ------------------------------------------------------------------------

@blp.route("/me/registrations")
@blp.doc(**SECURED)
@blp.arguments(s.ListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.RegistrationSchema, "RegistrationList"))
def my_registrations(limit: int, cursor: str | None = None):
    """Your registrations, the newest first (scope: read)"""
    user = access.candidate(access.READ)
    query = (select(Registration).where(Registration.user_id == user.id)
             .options(selectinload(Registration.event)).order_by(Registration.id.desc()))
    if cursor is not None:
        (before,) = core.decode_cursor(cursor, int)
        query = query.where(Registration.id < before)
    rows, next_cursor = core.page(list(db.session.scalars(query.limit(limit + 1))), limit, lambda row: (row.id,))
    return {"data": [registration_json(row, services.waitlist_position(row)) for row in rows],
            "next_cursor": next_cursor}


@blp.route("/events/<int:event_id>/registrations", methods=["POST"])
@blp.doc(**SECURED)
@core.creating
@blp.arguments(s.IdempotencyHeaderSchema, location="headers", as_kwargs=True)
@blp.arguments(s.RegisterBody, as_kwargs=True)
@blp.response(201, s.RegistrationCreated)
@blp.alt_response(200, schema=s.RegistrationCreated, description="Already registered: nothing changed")
def register(event_id: int, answers: dict, idempotency_key: str | None = None):
    """Register for an event (scope: registrations:write)

    Confirmed while places last, then on the waiting list, or pending when the organizer approves each
    registration. Registering again while registered changes nothing (200, created false)."""
    user = access.candidate(access.REGISTRATIONS_WRITE)
    event = access.visible_event(event_id)
    try:
        result = services.register_for_event(event.id, user, _answers(answers))
    except services.RegistrationRefused as refusal:
        raise _refused(refusal) from None
    except ValidationFailed as failure:
        raise _invalid(failure) from None
    registration = result.registration
    position = result.waitlist_position or services.waitlist_position(registration)
    body = {"registration": registration_json(registration, position), "created": result.created}
    return body, 201 if result.created else 200


@blp.route("/me/registrations/<int:registration_id>/cancel", methods=["POST"])
@blp.doc(**SECURED)
@blp.response(200, s.RegistrationSchema)
def cancel_mine(registration_id: int):
    """Cancel your registration (scope: registrations:write), until the event starts"""
    user = access.candidate(access.REGISTRATIONS_WRITE)
    try:
        registration = services.cancel_own_registration(registration_id, user)
    except LookupError:
        raise core.not_found(_("There is no such registration.")) from None
    except services.RegistrationRefused as refusal:
        raise _refused(refusal) from None
    db.session.commit()
    return registration_json(registration)


# --- An event's, for its organizers -------------------------------------------------------------

@blp.route("/events/<int:event_id>/registrations")
@blp.doc(**SECURED)
@blp.arguments(s.RegistrantArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.RegistrantSchema, "RegistrantList"))
def event_registrations(event_id: int, limit: int, cursor: str | None = None,
                        status: RegistrationStatus | None = None):
    """An event's registrations, in the order they came (organizers; scope: read)"""
    _user, event = access.manages_registrations(event_id, access.READ)
    query = (select(Registration).where(Registration.event_id == event.id)
             .options(selectinload(Registration.user), selectinload(Registration.profile),
                      selectinload(Registration.event))
             .order_by(Registration.id))
    if status is not None:
        query = query.where(Registration.status == status)
    if cursor is not None:
        (after,) = core.decode_cursor(cursor, int)
        query = query.where(Registration.id > after)
    rows, next_cursor = core.page(list(db.session.scalars(query.limit(limit + 1))), limit, lambda row: (row.id,))
    positions = services.waitlist_positions(event.id) if any(
        row.status == RegistrationStatus.WAITLISTED for row in rows) else {}
    return {"data": [registrant_json(row, positions.get(row.id)) for row in rows], "next_cursor": next_cursor}


@blp.route("/events/<int:event_id>/registrations/<int:registration_id>", methods=["PATCH"])
@blp.doc(**SECURED)
@blp.arguments(s.DecisionBody, as_kwargs=True)
@blp.response(200, s.RegistrantSchema)
def decide(event_id: int, registration_id: int, status: str, reason: str):
    """Approve, decline or cancel a registration (organizers; scope: registrations:write)

    `confirmed` approves a pending registration (it is confirmed while places last, else waitlisted);
    `rejected` declines a pending one; `cancelled` cancels an active one and promotes from the waiting
    list. Declining and cancelling need a `reason`."""
    user, event = access.manages_registrations(event_id, access.REGISTRATIONS_WRITE)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise core.not_found(_("There is no such registration."))
    if status in ("rejected", "cancelled") and not reason.strip():
        raise ApiError(422, "invalid", _("Some of what you sent is not valid."),
                       {"reason": _("Give a reason: it is sent to the people concerned.")})
    try:
        if status == "confirmed":
            if registration.status != RegistrationStatus.PENDING:
                raise ApiError(409, "not_pending", _("Only pending registrations can be approved."))
            services.approve_registrations(event.id, [registration.id], user)
        elif status == "rejected":
            if registration.status != RegistrationStatus.PENDING:
                raise ApiError(409, "not_pending", _("Only pending registrations can be declined."))
            services.reject_registrations(event.id, [registration.id], user, reason)
        else:
            services.cancel_registration(registration, actor=user, reason=reason.strip())
    except services.RegistrationRefused as refusal:
        raise _refused(refusal) from None
    except ValidationFailed as failure:
        raise _invalid(failure) from None
    db.session.commit()
    db.session.refresh(registration)
    return registrant_json(registration, services.waitlist_position(registration))
