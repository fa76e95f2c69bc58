from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from eventsapp.accounts import services
from eventsapp.accounts.forms import ROLE_LABELS, ChangePasswordForm, LoginForm, SignupForm
from eventsapp.extensions import db, limiter
from eventsapp.i18n import select_locale
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("accounts", __name__)


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only follow redirects to paths on this site, never to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return fallback


def _login_account_key() -> str:
    return "login-account:" + services.normalize_email(request.form.get("email", ""))


def _failed_login(response) -> bool:
    # A successful login redirects; only failed attempts use up the allowance.
    return response.status_code != 302


@blueprint.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_account(form.email.data, form.password.data, form.display_name.data,
                                           form.chosen_role, locale=select_locale())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(safe_next_url(request.args.get("next"), url_for("main.index")))
    return render_template("accounts/signup.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The e-mail address or the password is not correct."))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            fallback = url_for("manage.dashboard") if user.is_organizer else url_for("main.index")
            return redirect(safe_next_url(request.args.get("next"), fallback))
    return render_template("accounts/login.html", form=form)


@blueprint.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            login_user(current_user._get_current_object(), fresh=True)  # the session id changed with the hash
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, role_labels=ROLE_LABELS)
