from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from eventsapp import charts
from eventsapp.config import SUPPORTED_LOCALES
from eventsapp.events.choices import KIND_LABELS
from eventsapp.events.services import next_public_events
from eventsapp.extensions import db
from eventsapp.i18n import SESSION_LOCALE_KEY
from eventsapp.registrations.services import listing_facts
from eventsapp.urls import safe_next_url

blueprint = Blueprint("main", __name__)


@blueprint.get("/")
def index():
    events = next_public_events(limit=6)
    visitor = current_user._get_current_object() if current_user.is_authenticated else None
    return render_template("main/index.html", events=events, kind_labels=KIND_LABELS,
                           facts=listing_facts(events, visitor))


@blueprint.get("/language/<locale>")
def set_language(locale: str):
    """Remember the chosen language (in the session, and on the account when logged in)."""
    target = safe_next_url(request.args.get("next"), url_for("main.index"))
    if locale not in SUPPORTED_LOCALES:
        return redirect(target)
    session[SESSION_LOCALE_KEY] = locale
    if current_user.is_authenticated and current_user.locale != locale:
        current_user.locale = locale
        db.session.commit()
    return redirect(target)


@blueprint.get("/charts.css")
def chart_stylesheet():
    """The one stylesheet of the server-drawn charts (eventsapp/charts.py), the same for everyone."""
    response = current_app.response_class(charts.stylesheet(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@blueprint.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure of the database means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
