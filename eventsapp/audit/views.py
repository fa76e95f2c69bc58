"""The organizers' view of the audit log: an event's activity, under the event's hub."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from eventsapp.accounts.access import organizer_required
from eventsapp.audit import services
from eventsapp.audit.forms import ACTION_LABELS, FIELD_LABELS, OBJECT_LABELS, VALUE_LABELS, ActivityFilterForm
from eventsapp.extensions import db
from eventsapp.loaders import event_or_404

blueprint = Blueprint("activity", __name__, url_prefix="/manage/events/<int:event_id>")

PER_PAGE = 50


@blueprint.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def activity_page(form: ActivityFilterForm, **scope):
    """One page of entries in ``scope`` (an event, or one object) with the form's filters."""
    form.validate()
    query = services.activity_query(**{**form.filters(), **scope})  # the scope wins over a filter
    return db.paginate(query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)


LABELS = {"action_labels": ACTION_LABELS, "object_labels": OBJECT_LABELS,
          "field_labels": {"fields": FIELD_LABELS, "values": VALUE_LABELS}}


@blueprint.get("/activity")
def event_activity(event_id: int):
    event = event_or_404(event_id)
    form = ActivityFilterForm(request.args)
    pagination = activity_page(form, event_id=event.id)
    return render_template("audit/event_activity.html", event=event, form=form, pagination=pagination,
                           names=services.object_names(pagination.items), **LABELS)
