"""Organizers' view of the outbox: what was sent, what waits, what failed and why."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsapp.accounts.access import organizer_required
from eventsapp.extensions import db
from eventsapp.notifications import services
from eventsapp.notifications.models import OutboxMessage, OutboxStatus

blueprint = Blueprint("outbox", __name__, url_prefix="/manage/outbox")
# E-mail templates describe events with these, in the recipient's language.
blueprint.add_app_template_global(services.event_when, "event_when")
blueprint.add_app_template_global(services.event_where, "event_where")
blueprint.add_app_template_global(services.greeting, "greeting")
blueprint.add_app_template_filter(services.subject_text, "subject_text")
blueprint.add_app_template_filter(services.written_text, "written")

STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Waiting to be sent"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.LOGGED: _l("Written to the log"),
    OutboxStatus.FAILED: _l("Failed"),
}
KIND_LABELS = {
    "verify_email": _l("E-mail address confirmation"),
    "signup_existing": _l("Sign-up with an address that has an account"),
    "password_reset": _l("Password reset"),
    "registration_confirmed": _l("Registration confirmed"),
    "registration_waitlisted": _l("Put on the waiting list"),
    "registration_pending": _l("Registration waiting for approval"),
    "registration_promoted": _l("Moved from the waiting list"),
    "registration_rejected": _l("Registration not accepted"),
    "registration_cancelled": _l("Registration cancelled"),
    "interviews_candidate": _l("Interviews (candidate)"),
    "interviews_employer": _l("Interview list (booth)"),
    "event_cancelled": _l("Event cancelled"),
    "event_changed": _l("Event changed"),
    "event_reminder": _l("Reminder"),
    "event_reminder_booth": _l("Reminder (booth)"),
    "event_broadcast": _l("Message from the organizers"),
}


@blueprint.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


@blueprint.get("/")
def message_list():
    status = request.args.get("status")
    chosen = OutboxStatus(status) if status in {s.value for s in OutboxStatus} else None
    pagination = db.paginate(services.outbox_query(chosen), per_page=25, error_out=False)
    return render_template("notifications/outbox.html", pagination=pagination, status=chosen,
                           subjects=_subjects_to_write(pagination.items),
                           counts=services.count_messages_by_status(), status_labels=STATUS_LABELS,
                           kind_labels=KIND_LABELS, smtp_configured=bool(current_app.config.get("SMTP_HOST")))


def _subjects_to_write(messages) -> dict[int, str]:
    """The subjects of messages the worker has not written yet, written for this page only (not saved)."""
    subjects = {}
    for message in messages:
        if message.render_context is not None:
            try:
                subjects[message.id] = services.rendered(message)[0]
            except services.CannotRender:
                subjects[message.id] = ""
    return subjects


@blueprint.post("/<int:message_id>/retry")
def retry(message_id: int):
    db.get_or_404(OutboxMessage, message_id)
    try:
        services.retry_message(message_id)
    except services.CannotRetry as problem:
        flash(str(problem), "warning")
    else:
        db.session.commit()
        flash(_("The message is back in the queue and will be sent in a moment."), "success")
    status = request.args.get("status")
    return redirect(url_for("outbox.message_list", status=status if status in STATUS_LABELS else None))
