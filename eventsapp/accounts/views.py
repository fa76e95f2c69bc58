from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from eventsapp.accounts import onboarding, services
from eventsapp.accounts.forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
)
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


def landing_page(user) -> str:
    """Where a person arrives after signing up or logging in without a ``next`` address: organizers
    at their dashboard, accounts that still miss their profile or organization where they add it."""
    if user.is_organizer:
        return url_for("manage.dashboard")
    step = onboarding.next_step(user)
    return url_for(onboarding.STEP_ENDPOINTS[step]) if step else url_for("main.index")


@blueprint.app_template_global()
def onboarding_step() -> onboarding.NextStep | None:
    """The signed-in account's missing step, for the reminders in the menu and on the home page."""
    if "onboarding_step" not in g:
        g.onboarding_step = onboarding.next_step(current_user) if current_user.is_authenticated else None
    return g.onboarding_step


def _login_account_key() -> str:
    return "login-account:" + services.normalize_email(request.form.get("email", ""))


def _password_reset_account_key() -> str:
    return "password-reset:" + services.normalize_email(request.form.get("email", ""))


def _verification_resend_key() -> str:
    who = current_user.get_id() if current_user.is_authenticated else request.remote_addr
    return f"verification-resend:{who}"


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
            user = services.sign_up(form.email.data, form.password.data, form.display_name.data,
                                    form.chosen_role, locale=select_locale())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            flash(_("We have sent a link to %(email)s: please open it to confirm your address.", email=user.email),
                  "info")
            return redirect(safe_next_url(request.args.get("next"), landing_page(user)))
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
            return redirect(safe_next_url(request.args.get("next"), landing_page(user)))
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


@blueprint.post("/account/verify-email")
@login_required
@limiter.limit(lambda: current_app.config["VERIFICATION_RESEND_LIMIT"], key_func=_verification_resend_key)
def resend_verification():
    if current_user.email_verified_at is not None:
        flash(_("Your e-mail address is already confirmed."), "info")
    else:
        services.send_email_verification(current_user._get_current_object())
        db.session.commit()
        flash(_("We have sent a new link to %(email)s. It works for %(days)d days.", email=current_user.email,
                days=services.EMAIL_VERIFICATION_MAX_AGE.days), "success")
    return redirect(url_for("accounts.account"))


@blueprint.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        user = services.verify_email(token)
    except services.TokenProblem as problem:
        return _link_problem("verify_email", problem.reason)
    db.session.commit()
    flash(_("Thank you: your e-mail address %(email)s is confirmed.", email=user.email), "success")
    if not current_user.is_authenticated:
        return redirect(url_for("main.index"))
    step = onboarding.next_step(current_user)
    return redirect(url_for(onboarding.STEP_ENDPOINTS[step]) if step else url_for("accounts.account"))


@blueprint.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_password_reset_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, locale=select_locale())
        db.session.commit()
        # The same answer whether or not the account exists, so this page cannot be used to find accounts.
        flash(_("If there is an account for %(email)s, we have sent it a link to choose a new password. "
                "The link works for one hour.", email=form.email.data), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        services.user_for_password_reset(token)
        if form.validate_on_submit():
            user = services.reset_password(token, form.password.data)
            db.session.commit()
            login_user(user)
            flash(_("Your new password is set and you are logged in. Other devices have been logged out."),
                  "success")
            return redirect(landing_page(user))
    except services.TokenProblem as problem:
        return _link_problem("password_reset", problem.reason)
    except ValidationFailed as failure:
        apply_to_form(form, failure)
    return _without_referrer(render_template("accounts/reset_password.html", form=form))


_LINK_PROBLEMS = {
    ("verify_email", "expired"): (
        _l("This link has expired"),
        _l("Links that confirm an e-mail address work for %(days)d days. Ask for a new one on your account page.",
           days=services.EMAIL_VERIFICATION_MAX_AGE.days)),
    ("verify_email", "invalid"): (
        _l("This link does not work"),
        _l("The link is incomplete or has been changed. Copy the whole link from the e-mail, "
           "or ask for a new one on your account page.")),
    ("password_reset", "expired"): (
        _l("This link has expired"),
        _l("Links that reset a password work for one hour. Ask for a new one below.")),
    ("password_reset", "used"): (
        _l("This link has already been used"),
        _l("A password reset link works only once, and not after the password has changed. "
           "If you still need a new password, ask for a new link.")),
    ("password_reset", "invalid"): (
        _l("This link does not work"),
        _l("The link is incomplete or has been changed. Copy the whole link from the e-mail, "
           "or ask for a new one.")),
}


def _link_problem(purpose: str, reason: str):
    title, message = _LINK_PROBLEMS.get((purpose, reason), _LINK_PROBLEMS[(purpose, "invalid")])
    page = render_template("accounts/link_problem.html", purpose=purpose, title=title, message=message)
    return _without_referrer(make_response(page, 400))


def _without_referrer(page):
    """Pages whose address holds a token must not pass it on to other sites in the Referer header."""
    response = make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
