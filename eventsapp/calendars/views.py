"""Calendar feeds and the "My calendar" page.

- GET /events.ics (?kind=, ?series=, ?lang=), /events/<slug>.ics, /talent-day.ics: public, cached;
- GET /calendar/<token>.ics: a person's private feed (no login: calendar apps have no session);
- /calendar/: "My calendar", where a signed-in user creates (and so replaces) their feed URL.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.http import is_resource_modified

from eventsapp.calendars import ical, services
from eventsapp.calendars.cache import cached_bytes, init_feed_cache
from eventsapp.calendars.links import add_to_calendar_links, subscribe_links
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import current_language
from eventsapp.notifications.services import public_path_url

blueprint = Blueprint("calendars", __name__)
blueprint.record_once(lambda state: init_feed_cache(state.app))

PUBLIC_MAX_AGE = 5 * 60
PUBLIC_FEEDS = ("calendars.events_feed", "calendars.talent_day_feed")  # offered on "My calendar"
NEW_TOKEN_KEY = "calendar_new_token"  # shown once after it is created, then dropped from the session


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


def _language() -> str:
    return services.parse_language(request.args.get("lang"), str(get_locale()))


def _fingerprint() -> services.Fingerprint:
    return services.current_fingerprint(db.engine.url.render_as_string(),
                                        current_app.config["CALENDAR_FINGERPRINT_SECONDS"])


@blueprint.errorhandler(services.FeedFilterError)
def _bad_request(error: services.FeedFilterError) -> Response:
    return Response(f"{error}\n", 400, mimetype="text/plain")


def _calendar_response(etag: str, last_modified: datetime | None, body=None, *, private: bool = False,
                       filename: str | None = None) -> Response:
    """A text/calendar response with validators; 304 when the client's copy is current.

    ``body`` is bytes or a callable that makes them, called only when the client needs the body.
    """
    response = Response(mimetype="text/calendar")  # Flask adds "; charset=utf-8"
    response.set_etag(etag)
    response.last_modified = last_modified
    response.vary.update(("Accept-Language", "Cookie"))  # without ?lang= the language follows the visitor
    if private:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response.set_data(body() if callable(body) else body)
    return response.make_conditional(request)


def _cached_feed(etag: str, last_modified: datetime | None, build, **options) -> Response:
    return _calendar_response(etag, last_modified,
                              lambda: cached_bytes(etag, lambda: ical.feed_bytes(build())), **options)


@blueprint.get("/events.ics")
def events_feed():
    filters = services.parse_public_filters(request.args)
    language = _language()
    fingerprint = _fingerprint()
    return _cached_feed(fingerprint.etag("events", filters.key(), language), fingerprint.last_modified,
                        lambda: services.public_feed(filters, language, _base_url()))


@blueprint.get("/events/<slug>.ics")
def event_feed(slug: str):
    services.check_parameters(request.args.keys(), ("lang",))
    language = _language()
    event = services.find_public_event(slug)
    if event is None:
        abort(404)
    fingerprint = _fingerprint()
    return _cached_feed(fingerprint.etag("event", str(event.id), language), event.updated_at,
                        lambda: services.event_feed(event, language, _base_url()), filename=f"{event.slug}.ics")


@blueprint.get("/talent-day.ics")
def talent_day_feed():
    services.check_parameters(request.args.keys(), ("lang",))
    language = _language()
    zone = current_app.config["DEFAULT_EVENT_TIMEZONE"]
    year = datetime.now(ZoneInfo(zone)).year  # the series starts this year while no Talent Day exists
    fingerprint = _fingerprint()
    return _cached_feed(fingerprint.etag("talent-day", language, str(year)), fingerprint.last_modified,
                        lambda: services.talent_day_feed(language, _base_url(), zone))


@blueprint.get("/calendar/<token>.ics")
def personal_feed(token: str):
    feed = services.find_feed(token)
    if feed is None:
        abort(404)  # unknown, malformed and replaced tokens alike
    services.check_parameters(request.args.keys(), ("lang",))
    language = services.parse_language(request.args.get("lang"), feed.user.locale or str(get_locale()))
    if services.record_fetch(feed):
        db.session.commit()
    calendar = services.personal_feed(feed.user, language, _base_url())
    # The entries say everything the bytes will: hashing them lets a 304 skip writing the feed.
    etag = services.feed_etag(repr(calendar))
    return _calendar_response(etag, calendar.last_modified, lambda: ical.feed_bytes(calendar), private=True)


@blueprint.get("/calendar/")
@login_required
def my_calendar():
    token = session.pop(NEW_TOKEN_KEY, None)
    url = public_path_url(url_for("calendars.personal_feed", token=token)) if token else None
    webcal, google = subscribe_links(url) if url else (None, None)
    public_webcal = {endpoint: subscribe_links(public_path_url(url_for(endpoint)))[0] for endpoint in PUBLIC_FEEDS}
    return render_template("calendars/my_calendar.html", feed=services.feed_of(current_user), url=url,
                           webcal=webcal, google=google, public_webcal=public_webcal)


@blueprint.post("/calendar/new")
@login_required
def new_feed_url():
    session[NEW_TOKEN_KEY] = services.create_feed_token(current_user)
    db.session.commit()
    flash(_("Your new calendar address is ready. Any address you made before no longer works."), "success")
    return redirect(url_for("calendars.my_calendar"))


@blueprint.app_template_global()
def calendar_links(event: Event):
    """For the "Add to calendar" menu on event pages: the same text as the event's VEVENT."""
    entry = ical.event_entry(event, current_language(), _base_url())
    return add_to_calendar_links(entry.summary, entry.starts_at, entry.ends_at, entry.description,
                                 entry.location, entry.zone)
