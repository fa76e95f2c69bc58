from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from eventsapp.events import services
from eventsapp.events.choices import KIND_LABELS
from eventsapp.events.choices import district_words as _district_words
from eventsapp.events.forms import EventFilterForm
from eventsapp.i18n import current_language
from eventsapp.loaders import public_event_or_404
from eventsapp.registrations import services as registrations
from eventsapp.registrations.choices import STATUS_LABELS
from eventsapp.registrations.eligibility import EligibilityRules

blueprint = Blueprint("events", __name__)


@blueprint.app_template_global()
def district_words(district: str) -> str:
    """A Hangzhou district in the page's language (see events.choices.district_words)."""
    return _district_words(district, current_language())


@blueprint.get("/events")
def event_list():
    form = EventFilterForm(request.args)
    form.validate()
    page = services.list_public_events(
        form.to_filters(), per_page=current_app.config["EVENTS_PER_PAGE"],
        zone_name=current_app.config["DEFAULT_EVENT_TIMEZONE"],
        after=request.args.get("after", type=int), before=request.args.get("before", type=int))
    visitor = current_user._get_current_object() if current_user.is_authenticated else None
    return render_template("events/list.html", form=form, page=page, kind_labels=KIND_LABELS,
                           facts=registrations.listing_facts(page.items, visitor))


@blueprint.get("/events/<slug>")
def event_detail(slug: str):
    event = public_event_or_404(slug, drafts_for_organizers=True)
    visitor = current_user if current_user.is_authenticated else None
    registration = registrations.find_registration(event.id, visitor.id) if visitor else None
    return render_template(
        "events/detail.html", event=event, kind_labels=KIND_LABELS,
        places_left=registrations.places_left(event), registration_state=services.registration_state(event),
        rules=EligibilityRules.of(event), registration=registration, status_labels=STATUS_LABELS,
        waitlist_position=registrations.waitlist_position(registration) if registration else None,
        problems=registrations.why_cannot_register(event, visitor))
