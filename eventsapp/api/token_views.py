"""The account's personal access tokens: make one (its secret shown once), see when each was last used,
revoke one. Reached from the account page."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from eventsapp.api import tokens
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.formfields import CheckboxesField, WebForm
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("api_tokens", __name__)
NEW_SECRET_KEY = "api_token_secret"


class TokenForm(WebForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Give the token a name, e.g. the system that will use it.")),
        Length(max=tokens.NAME_MAX_LENGTH, message=_l("At most %(max)d characters."))],
        description=_l("For you: which system or script uses it."))
    scopes = CheckboxesField(_l("Permissions"),
                             choices=[SelectChoice(scope, label) for scope, label in tokens.SCOPE_LABELS.items()],
                             validators=[DataRequired(_l("Choose at least one of the permissions listed."))],
                             description=_l("A token never has more rights than your account."))
    expires_on = DateField(_l("Expires on (optional)"), validators=[Optional()],
                           description=_l("At the end of that day. Empty: until you revoke it (at most a year)."))


def _end_of_day(day) -> datetime:
    zone = ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


@blueprint.route("/account/tokens", methods=["GET", "POST"])
@login_required
def token_list():
    me = current_user._get_current_object()
    form = TokenForm()
    general: list[str] = []
    if form.validate_on_submit():
        expires_at = _end_of_day(form.expires_on.data) if form.expires_on.data else None
        try:
            token, secret = tokens.create_token(me, form.name.data, form.scopes.data or [], expires_at)
        except ValidationFailed as failure:
            general = apply_to_form(form, failure)
        else:
            db.session.commit()
            # Shown by the page the browser is sent to, once: reloading that page neither shows it again nor
            # makes a second token.
            session[NEW_SECRET_KEY] = secret
            flash(_("Token “%(name)s” made. Copy it now: it will not be shown again.", name=token.name), "success")
            return redirect(url_for("api_tokens.token_list"))
    secret = session.pop(NEW_SECRET_KEY, None) if request.method == "GET" else None
    now = utcnow()
    return render_template("api/tokens.html", form=form, secret=secret, general=general, now=now,
                           tokens=tokens.tokens_of(me), is_usable=tokens.is_usable, scope_labels=tokens.SCOPE_LABELS)


@blueprint.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    try:
        token = tokens.revoke_token(current_user._get_current_object(), token_id)
    except LookupError:
        abort(404)
    db.session.commit()
    flash(_("Token “%(name)s” revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.token_list"))
