"""Organizers' area: dashboard, each event's hub with its agenda and calendar, series."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import or_, select

from eventsapp.accounts.access import organizer_required
from eventsapp.booths.services import hosts_booths
from eventsapp.calendars.links import subscribe_links
from eventsapp.events import services
from eventsapp.events.choices import KIND_LABELS, STATUS_LABELS
from eventsapp.events.forms import AgendaItemForm, CancelEventForm, ConfirmForm, EventForm, SeriesForm
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.i18n import localized
from eventsapp.loaders import event_child_or_404, event_or_404
from eventsapp.manage import hub, moving
from eventsapp.manage.services import decisions_waiting, event_overview
from eventsapp.messages import services as event_messages
from eventsapp.notifications.services import public_path_url
from eventsapp.registrations import services as registrations
from eventsapp.registrations.models import ACTIVE_STATUSES
from eventsapp.talentday.services import ensure_talent_days, next_talent_day
from eventsapp.textsearch import contains_pattern
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("manage", __name__, url_prefix="/manage")
blueprint.add_app_template_global(STATUS_LABELS, "event_status_labels")


@blueprint.app_template_global()
def event_tabs(event: Event) -> list[hub.ShownTab]:
    """The event's hub tabs for templates/manage/_event_nav.html, the current page's marked."""
    return hub.tabs_for(event, request.endpoint)


@blueprint.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _site_today():
    return datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).date()


def _event_form(**kwargs) -> EventForm:
    return EventForm(series_choices=[(series, localized(series, "title")) for series in services.list_series()],
                     **kwargs)


@blueprint.get("/")
def dashboard():
    return render_template("manage/dashboard.html", upcoming=services.events_to_manage_next(limit=10),
                           talent_day=next_talent_day(_site_today()), decisions=decisions_waiting(),
                           counts=services.count_events_by_status(), kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS)


@blueprint.post("/talent-day/<int:year>/ensure")
def ensure_talent_day(year: int):
    if year < _site_today().year or year > _site_today().year + 10:
        abort(404)
    created = ensure_talent_days(year, 1, current_app.config["DEFAULT_EVENT_TIMEZONE"])
    db.session.commit()
    event = created[0] if created else next_talent_day(_site_today()).event
    flash(_("The Talent Day %(year)d draft is ready: check it and publish it.", year=year), "success")
    return redirect(url_for("manage.edit_event", event_id=event.id))


@blueprint.get("/events")
def event_list():
    status = request.args.get("status")
    query = select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if status in STATUS_LABELS:
        query = query.where(Event.status == EventStatus(status))
    search = request.args.get("q", "").strip()[:100]
    if search:
        pattern = contains_pattern(search)  # % and _ typed are taken literally
        query = query.where(or_(*(column.ilike(pattern, escape="\\")
                                  for column in (Event.title_zh, Event.title_en, Event.slug))))
    pagination = db.paginate(query, per_page=25, error_out=False)
    return render_template("manage/events.html", pagination=pagination, status=status, search=search,
                           kind_labels=KIND_LABELS, status_labels=STATUS_LABELS)


@blueprint.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = _event_form()
    if request.method == "GET":
        form.timezone.data = current_app.config["DEFAULT_EVENT_TIMEZONE"]
    if form.validate_on_submit():
        try:
            event = services.save_event(form.to_event_data())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The event has been saved as a draft."), "success")
            return redirect(url_for("manage.edit_event", event_id=event.id))
    return render_template("manage/event_form.html", form=form, event=None)


def _event_page(event: Event, form: EventForm, agenda_form: AgendaItemForm | None = None, status: int = 200):
    """The event's hub: its overview with links into every tool, then its details and programme."""
    return render_template("manage/event_form.html", form=form, event=event,
                           agenda_form=agenda_form or AgendaItemForm(), overview=event_overview(event),
                           kind_labels=KIND_LABELS, status_labels=STATUS_LABELS,
                           registration_state=services.registration_state(event)), status


@blueprint.route("/events/<int:event_id>", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = event_or_404(event_id)
    form = _event_form()
    if request.method == "GET":
        form.fill_from(services.event_data_from(event))
    if event.status != EventStatus.CANCELLED and form.validate_on_submit():
        data = form.to_event_data()
        before = event_messages.notice_snapshot(event)
        # A public event's change notice carries everyone's new interview times: one e-mail per person.
        notice = event.status == EventStatus.PUBLISHED
        try:
            registrations.check_capacity(event.id, data.capacity)
            moving.save_moving_event(data=data, event=event, confirmed=request.form.get("confirmed") == "yes",
                                     announce_interviews=not notice)
        except moving.MoveNeedsConfirmation as question:
            fields = [(name, value) for name, value in request.form.items(multi=True)
                      if name not in ("csrf_token", "confirmed")]
            return render_template("manage/confirm_move.html", event=event, consequences=question.consequences,
                                   fields=fields)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            registrations.promote_from_waitlist(registrations.lock_event(event.id), actor=current_user)
            told = event_messages.tell_changed(event, before) if notice else 0
            db.session.commit()
            flash(_("The event has been saved.") + (" " + ngettext(
                "%(num)d person is told what changed.", "%(num)d people are told what changed.", told)
                if told else ""), "success")
            return redirect(url_for("manage.edit_event", event_id=event.id))
    return _event_page(event, form)


def _cancel(event: Event, form: CancelEventForm) -> None:
    """Cancel with the organizer's reason and tell everyone concerned, in the same commit."""
    services.cancel_event(event, form.reason.data)
    event_messages.tell_cancelled(event)


_STATUS_ACTIONS = {
    "publish": (lambda event, form: services.publish_event(event), lambda: _("The event is published.")),
    "unpublish": (lambda event, form: services.unpublish_event(event),
                  lambda: _("The event is back to draft and no longer public.")),
    "cancel": (_cancel, lambda: _("The event is cancelled; everyone concerned is being told.")),
}
# Unpublishing hides a live event and cancelling cannot be undone: both are confirmed on a page that
# says what they do. Publishing a draft is undone by unpublishing it, and e-mails nobody.
_CONFIRMED_ACTIONS = ("unpublish", "cancel")


def _confirm_status(event: Event, action: str, form: CancelEventForm | None = None, status: int = 200):
    active = sum(count for status, count in registrations.count_by_status(event.id).items()
                 if status in ACTIVE_STATUSES)
    if action == "unpublish":
        consequences = services.unpublishing_consequences(event, active, hosts_booths(event))
    else:
        consequences = services.cancellation_consequences(event, active)
    return render_template("manage/confirm_status.html", event=event, action=action, consequences=consequences,
                           form=form or CancelEventForm(formdata=None)), status


@blueprint.get("/events/<int:event_id>/<any(unpublish, cancel):action>")
def confirm_status(event_id: int, action: str):
    return _confirm_status(event_or_404(event_id), action)


@blueprint.post("/events/<int:event_id>/<any(publish, unpublish, cancel):action>")
def change_status(event_id: int, action: str):
    event = event_or_404(event_id)
    form = CancelEventForm() if action == "cancel" else ConfirmForm()
    if action in _CONFIRMED_ACTIONS and not form.is_confirmed:
        # nothing changes before the organizer has read what it does (and, to cancel, given a reason)
        return _confirm_status(event, action, form if action == "cancel" else None,
                               422 if form.confirmed.data == "yes" else 200)
    change, message = _STATUS_ACTIONS[action]
    try:
        change(event, form)
    except services.EventStateError:
        flash(_("This cannot be done while the event is %(status)s.", status=STATUS_LABELS[event.status.value]),
              "danger")
    except ValidationFailed as failure:
        apply_to_form(form, failure)
        return _confirm_status(event, action, form, 422)
    else:
        db.session.commit()
        flash(message(), "success")
    return redirect(url_for("manage.edit_event", event_id=event.id))


@blueprint.get("/events/<int:event_id>/calendar")
def event_calendar(event_id: int):
    """Where the event appears in calendars: the feeds that hold it, to share or subscribe to."""
    event = event_or_404(event_id)
    feeds = [(_("This event"), url_for("calendars.event_feed", slug=event.slug)),
             (_("All events"), url_for("calendars.events_feed")),
             (_("Every event of this kind (%(kind)s)", kind=KIND_LABELS[event.kind]),
              url_for("calendars.events_feed", kind=event.kind.value))]
    if event.series is not None:
        feeds.append((_("The series %(series)s", series=localized(event.series, "title")),
                      url_for("calendars.events_feed", series=event.series.slug)))
    if event.kind == EventKind.TALENT_DAY:
        feeds.append((_("Talent Day, every 28 September"), url_for("calendars.talent_day_feed")))
    feeds = [(label, public_path_url(path), subscribe_links(public_path_url(path))[0]) for label, path in feeds]
    return render_template("manage/event_calendar.html", event=event, feeds=feeds)


@blueprint.post("/events/<int:event_id>/duplicate")
def duplicate_event(event_id: int):
    copy = services.duplicate_event(event_or_404(event_id))
    db.session.commit()
    flash(_("This is a draft copy with the same programme. Check the dates and publish it when ready."), "success")
    return redirect(url_for("manage.edit_event", event_id=copy.id))


@blueprint.post("/events/<int:event_id>/agenda")
def add_agenda_item(event_id: int):
    event = event_or_404(event_id)
    form = AgendaItemForm()
    if form.validate_on_submit():
        try:
            services.save_agenda_item(event, form.to_item_data(event.timezone))
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The agenda item has been added."), "success")
            return redirect(url_for("manage.edit_event", event_id=event.id, _anchor="agenda"))
    event_form = _event_form()
    event_form.fill_from(services.event_data_from(event))
    return _event_page(event, event_form, form, 422)


@blueprint.route("/events/<int:event_id>/agenda/<int:item_id>", methods=["GET", "POST"])
def edit_agenda_item(event_id: int, item_id: int):
    event = event_or_404(event_id)
    item = event_child_or_404(AgendaItem, event.id, item_id)
    form = AgendaItemForm()
    if request.method == "GET":
        form.fill_from(item, event.timezone)
    if form.validate_on_submit():
        try:
            services.save_agenda_item(event, form.to_item_data(event.timezone), item)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The agenda item has been saved."), "success")
            return redirect(url_for("manage.edit_event", event_id=event.id, _anchor="agenda"))
    return render_template("manage/agenda_item.html", form=form, event=event, item=item)


@blueprint.post("/events/<int:event_id>/agenda/<int:item_id>/delete")
def delete_agenda_item(event_id: int, item_id: int):
    event = event_or_404(event_id)
    services.delete_agenda_item(event_child_or_404(AgendaItem, event.id, item_id))
    db.session.commit()
    flash(_("The agenda item has been removed."), "success")
    return redirect(url_for("manage.edit_event", event_id=event.id, _anchor="agenda"))


@blueprint.route("/series", methods=["GET", "POST"])
def series_list():
    form = SeriesForm()
    if form.validate_on_submit():
        try:
            services.create_series(form.slug.data, form.title_zh.data or "", form.title_en.data or "")
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The series has been created."), "success")
            return redirect(url_for("manage.series_list"))
    return render_template("manage/series.html", form=form, series=services.list_series())
