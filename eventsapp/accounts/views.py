from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

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
from eventsapp.urls import safe_next_url
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("accounts", __name__)


# A browser where an account logged in before carries a signed "known device" cookie. Its failed
# logins count apart from everyone else's: someone guessing the password elsewhere can lock the
# account for at most LOGIN_LIMIT_PER_ACCOUNT's window, but never locks its owner out of their own devices.
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "eventsapp.accounts.known-device"
KNOWN_DEVICE_LIFETIME = timedelta(days=365)


def _account_digest(email: str) -> str:
    return hashlib.sha256(services.normalize_email(email).encode()).hexdigest()[:32]


def _known_device(email: str) -> str | None:
    """The device id in this browser's cookie, if it was set by a login to this account."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=KNOWN_DEVICE_SALT)
    try:
        data = serializer.loads(request.cookies.get(KNOWN_DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("account", "")), _account_digest(email)):
        return None
    return str(data.get("device", "")) or None


def _remember_device(response, email: str):
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=KNOWN_DEVICE_SALT)
    device = _known_device(email) or secrets.token_urlsafe(16)
    response.set_cookie(KNOWN_DEVICE_COOKIE, serializer.dumps({"account": _account_digest(email), "device": device}),
                        max_age=int(KNOWN_DEVICE_LIFETIME.total_seconds()), httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
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
    email = services.normalize_email(request.form.get("email", ""))
    device = _known_device(email)
    return f"login-account:{email}" + (f":device:{device}" if device else "")


def _password_reset_account_key() -> str:
    return "password-reset:" + services.normalize_email(request.form.get("email", ""))


def _verification_resend_key() -> str:
    who = current_user.id if current_user.is_authenticated else request.remote_addr
    return f"verification-resend:{who}"


def _log_in(user, remember: bool = False) -> None:
    """A new login (its own token in the cookies), so that logging out can end exactly this one."""
    services.start_login_session(user, request.user_agent.string or "")
    db.session.commit()
    login_user(user, remember=remember)


def _failed_login(response) -> bool:
    # A successful login redirects; only failed attempts use up the allowance.
    return response.status_code != 302


def _signed_up(response) -> bool:
    # A sign-up that went through (for a new address or not) redirects; a form with mistakes does not count.
    return response.status_code == 302


@blueprint.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_signed_up)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            services.sign_up(form.email.data, form.password.data, form.display_name.data, form.chosen_role,
                             locale=select_locale())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            # The same answer whether or not the address had an account, so this form cannot find accounts.
            flash(_("Check your e-mail: we have sent a message to %(email)s. Open the link in it to confirm "
                    "your address, then log in.", email=services.normalize_email(form.email.data)), "info")
            return redirect(url_for("accounts.login", next=safe_next_url(request.args.get("next"), None)))
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
            _log_in(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            fallback = landing_page(user)
            return _remember_device(redirect(safe_next_url(request.args.get("next"), fallback)), user.email)
    return render_template("accounts/login.html", form=form)


@blueprint.post("/logout")
@login_required
def logout():
    services.end_login_session(current_user.login_token)  # copies of the cookies stop working too
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@blueprint.post("/account/logins/end-others")
@login_required
def end_other_logins():
    ended = services.end_other_login_sessions(current_user._get_current_object())
    db.session.commit()
    flash(ngettext("%(num)d other device has been logged out.", "%(num)d other devices have been logged out.",
                   ended), "success")
    return redirect(url_for("accounts.account", _anchor="logins"))


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
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, role_labels=ROLE_LABELS, device_name=device_name,
                           logins=services.login_sessions_of(current_user._get_current_object()))


_BROWSERS = (("MicroMessenger", "WeChat"), ("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"),
             ("Chrome", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("HarmonyOS", "HarmonyOS"), ("Linux", "Linux"))


def device_name(user_agent: str) -> str:
    """ "Chrome on Android": enough for a person to recognise their own devices in the list."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")


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
        return redirect(url_for("accounts.login"))
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
            _log_in(user)
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
