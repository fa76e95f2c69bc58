"""Webhook endpoints, for organizers and employers: list, make, change, remove, the delivery log, a test
ping, redelivery and switching a disabled endpoint back on. Nothing here sends: the worker does."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import localized
from eventsapp.loaders import event_or_404
from eventsapp.validation import ValidationFailed, apply_to_form
from eventsapp.webhooks import delivery as deliveries
from eventsapp.webhooks import emit, problems, services
from eventsapp.webhooks.events import EVENT_TYPES, PING
from eventsapp.webhooks.forms import ALL_EVENTS, EndpointForm
from eventsapp.webhooks.signing import REPLAY_WINDOW, SIGNATURE_HEADER

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@blueprint.before_request
@login_required
def require_owner_kind():
    """Organizers, and employers with an organization, have endpoints; nobody else."""
    if services.owner_kind(current_user) is None:
        abort(403)


@blueprint.context_processor
def labels():
    return {"event_type_labels": {**EVENT_TYPES, PING: _("Test ping")}, "owner_kind": services.owner_kind(current_user),
            "signature_header": SIGNATURE_HEADER, "replay_window": REPLAY_WINDOW,
            "problem_message": problems.message, "problems": problems}


def _endpoint_or_404(endpoint_id: int):
    endpoint = services.endpoint_for(current_user, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def _form(endpoint=None, event_id: int | None = None) -> EndpointForm:
    form = EndpointForm(obj=endpoint) if endpoint is not None else EndpointForm()
    events = None
    if services.owner_kind(current_user) == "organizer":
        events = services.events_to_choose()
        chosen = endpoint.event_id if endpoint is not None else event_id
        if chosen is not None and chosen not in {event.id for event in events}:
            extra = db.session.get(Event, chosen)
            events = [extra, *events] if extra is not None else events
    form.offer(services.allowed_types(current_user), events, localized)
    if request.method == "GET":
        if endpoint is not None:
            form.event_types.data = endpoint.types
            if events is not None:
                form.event_id.data = str(endpoint.event_id) if endpoint.event_id else ALL_EVENTS
        elif events is not None and event_id is not None:
            form.event_id.data = str(event_id)
    return form


def _secret_page(endpoint, secret: str, status: int = 200):
    """The secret, once: not kept anywhere the browser might show it again."""
    response = make_response(render_template("webhooks/secret.html", endpoint=endpoint, secret=secret), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/")
def endpoint_list():
    return render_template("webhooks/list.html", endpoints=services.endpoints_of(current_user), event=None)


@blueprint.get("/events/<int:event_id>")
def event_endpoints(event_id: int):
    """An event's tab: the organizer's endpoints that hear about this event (its own and "all events")."""
    if services.owner_kind(current_user) != "organizer":
        abort(403)
    event = event_or_404(event_id)
    endpoints = [endpoint for endpoint in services.endpoints_of(current_user)
                 if endpoint.event_id in (None, event.id)]
    return render_template("webhooks/list.html", endpoints=endpoints, event=event)


@blueprint.route("/new", methods=["GET", "POST"])
def new_endpoint():
    event_id = request.args.get("event_id", type=int)
    form = _form(event_id=event_id)
    general = []
    if form.validate_on_submit():
        try:
            endpoint, secret = services.create_endpoint(current_user, form.to_data())
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            return _secret_page(endpoint, secret, 201)
    status = 422 if request.method == "POST" else 200
    return render_template("webhooks/form.html", form=form, endpoint=None, general=general), status


@blueprint.get("/<int:endpoint_id>")
def detail(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    return render_template("webhooks/detail.html", endpoint=endpoint, deliveries=services.deliveries_of(endpoint),
                           event=db.session.get(Event, endpoint.event_id) if endpoint.event_id else None)


@blueprint.route("/<int:endpoint_id>/edit", methods=["GET", "POST"])
def edit_endpoint(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    form = _form(endpoint)
    general = []
    if form.validate_on_submit():
        try:
            services.update_endpoint(current_user, endpoint, form.to_data())
        except ValidationFailed as failure:
            db.session.rollback()
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The endpoint is saved."), "success")
            return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id))
    status = 422 if request.method == "POST" else 200
    return render_template("webhooks/form.html", form=form, endpoint=endpoint, general=general), status


@blueprint.post("/<int:endpoint_id>/delete")
def delete_endpoint(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    services.delete_endpoint(endpoint)
    db.session.commit()
    flash(_("The endpoint and its delivery log are deleted."), "success")
    return redirect(url_for("webhooks.endpoint_list"))


@blueprint.post("/<int:endpoint_id>/ping")
def send_ping(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    emit.queue_ping(endpoint)
    db.session.commit()
    flash(_("A test ping is on its way: its answer appears in the log below within a few seconds."), "success")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id))


@blueprint.post("/<int:endpoint_id>/enable")
def enable(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    services.reenable(endpoint)
    db.session.commit()
    flash(_("The endpoint is on again: the deliveries waiting for it are sent now."), "success")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id))


@blueprint.post("/<int:endpoint_id>/secret")
def new_secret(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    secret = services.replace_secret(endpoint)
    db.session.commit()
    return _secret_page(endpoint, secret)


@blueprint.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
def redeliver(endpoint_id: int, delivery_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    delivery = services.delivery_of(endpoint, delivery_id)
    if delivery is None:
        abort(404)
    try:
        deliveries.redeliver(delivery)
    except deliveries.RedeliveryRefused as refused:
        flash(str(refused.reason), "danger")
        return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id))
    db.session.commit()
    flash(_("The delivery is queued again, with a new id.") + (
        " " + _("It leaves when the endpoint is switched on again.") if not endpoint.is_enabled else ""), "success")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id))
