"""An event's messages, for organizers: the reminder's timing, broadcasts written, previewed in both
languages and sent to a segment, and the list of broadcasts sent."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventsapp.accounts.access import organizer_required
from eventsapp.audit import services as audit
from eventsapp.audit.forms import label_values
from eventsapp.extensions import db
from eventsapp.loaders import event_or_404
from eventsapp.messages import emails, reminders, services
from eventsapp.messages.forms import BroadcastForm, ReminderForm
from eventsapp.messages.models import Broadcast, Segment
from eventsapp.notifications.services import preview, public_url
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("messages", __name__, url_prefix="/manage/events/<int:event_id>/messages")
# The activity page names a broadcast by its subject, and the group it went to in words.
audit.name_objects("broadcast", services.broadcast_names)
label_values("broadcast", "segment", services.SEGMENT_LABELS)


@blueprint.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _overview(event, reminder_form: ReminderForm | None = None, status: int = 200):
    choice = reminders.reminder_choice(event.id)
    if reminder_form is None:
        reminder_form = ReminderForm(formdata=None)
        reminder_form.fill_from(choice)
    due_at = reminders.reminder_due_at(event, choice, current_app.config["REMINDER_LOCAL_HOUR"])
    return render_template("messages/overview.html", event=event, broadcasts=services.list_broadcasts(event.id),
                           reminder_form=reminder_form, reminder_due_at=due_at,
                           segment_labels=services.SEGMENT_LABELS), status


@blueprint.get("/")
def overview(event_id: int):
    return _overview(event_or_404(event_id))


@blueprint.post("/reminder")
def save_reminder(event_id: int):
    event = event_or_404(event_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        return _overview(event, form, 422)
    reminders.save_reminder_choice(event.id, form.to_choice())
    db.session.commit()
    flash(_("The reminder is saved."), "success")
    return redirect(url_for("messages.overview", event_id=event.id))


def _previews(event, form: BroadcastForm) -> dict[str, tuple[str, str]]:
    """The e-mail as each language's recipients will read it."""
    sample = Broadcast(event_id=event.id, **{name: getattr(form, name).data for name in
                                             ("subject_zh", "subject_en", "body_zh", "body_en")})
    context = dict(event=event, user=None, broadcast=sample,
                   event_url=public_url("events.event_detail", slug=event.slug))
    return {locale: preview(emails.BROADCAST, locale, context) for locale in ("zh_CN", "en")}


@blueprint.route("/new", methods=["GET", "POST"])
def new_broadcast(event_id: int):
    """Write, then preview (both languages and the number of recipients), then send; or go back to edit."""
    event = event_or_404(event_id)
    form = BroadcastForm()
    if not form.validate_on_submit() or form.step.data == "edit":
        return _compose(event, form, 422 if form.is_submitted() and form.errors else 200)
    if form.step.data != "send":
        return render_template("messages/preview.html", event=event, form=form, previews=_previews(event, form),
                               recipients=services.count_segment(event.id, Segment(form.segment.data)),
                               segment_label=services.SEGMENT_LABELS[Segment(form.segment.data)])
    try:
        broadcast = services.send_broadcast(event, form.to_data(), current_user)
    except ValidationFailed as failure:
        return _compose(event, form, 422, general=apply_to_form(form, failure))
    db.session.commit()
    flash(ngettext("The message is on its way to %(num)d person.", "The message is on its way to %(num)d people.",
                   broadcast.recipients), "success")
    return redirect(url_for("messages.overview", event_id=event.id))


def _compose(event, form: BroadcastForm, status: int = 200, general: list[str] = ()):
    counts = {segment: services.count_segment(event.id, segment) for segment in Segment}
    return render_template("messages/new.html", event=event, form=form, counts=counts, general=general,
                           segment_labels=services.SEGMENT_LABELS), status
