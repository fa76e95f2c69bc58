"""The account's personal access tokens: make one (its secret shown once, in the answer to the form), see
when each was last used, revoke one. Reached from the account page."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, HiddenField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from eventsapp.api import tokens
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.formfields import CheckboxesField, WebForm
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("api_tokens", __name__)
NONCE_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class TokenForm(WebForm):
    # One value per form shown (``fresh_form``): sent again (a reload of the answer, a double click), it makes
    # nothing. No default: a form posted without it is refused, not given a new one.
    nonce = HiddenField(validators=[DataRequired(), Regexp(NONCE_PATTERN)])
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


def fresh_form() -> TokenForm:
    form = TokenForm(formdata=None)
    form.nonce.data = tokens.new_form_nonce()
    return form


def _end_of_day(day) -> datetime:
    zone = ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


def _page(me, form: TokenForm, general: list[str], secret: str | None = None):
    response = make_response(render_template(
        "api/tokens.html", form=form, secret=secret, general=general, now=utcnow(), tokens=tokens.tokens_of(me),
        is_usable=tokens.is_usable, scope_labels=tokens.SCOPE_LABELS))
    response.cache_control.no_store = True  # the new secret is in it: no cache, the browser's included, keeps it
    return response


@blueprint.route("/account/tokens", methods=["GET", "POST"])
@login_required
def token_list():
    """The secret is in the POST's own answer, never in the (signed, not encrypted) session cookie."""
    me = current_user._get_current_object()
    form = TokenForm()
    if not form.is_submitted():
        return _page(me, fresh_form(), [])
    if not form.validate():
        if form.nonce.errors:
            form.nonce.data = tokens.new_form_nonce()
            return _page(me, form, [_("This form was out of date: check it and send it again.")])
        return _page(me, form, [])
    expires_at = _end_of_day(form.expires_on.data) if form.expires_on.data else None
    try:
        token, secret = tokens.create_token(me, form.name.data, form.scopes.data or [], expires_at,
                                            nonce=form.nonce.data)
    except tokens.TokenAlreadyMade as made:
        flash(_("This form was already sent: the token “%(name)s” was made then, and nothing more now. Its secret "
                "is shown only once; if you did not copy it, revoke that token and make a new one.",
                name=made.token.name), "warning")
        return _page(me, fresh_form(), [])
    except ValidationFailed as failure:
        return _page(me, form, apply_to_form(form, failure))
    db.session.commit()
    flash(_("Token “%(name)s” made. Copy it now: it will not be shown again.", name=token.name), "success")
    return _page(me, fresh_form(), [], secret)


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
