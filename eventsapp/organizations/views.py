"""Organizations: the employer's own organization and its staff; organizers verify them."""
from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from eventsapp.accounts.access import organizer_required
from eventsapp.accounts.models import Role, User
from eventsapp.audit import services as audit
from eventsapp.audit import views as activity_views
from eventsapp.audit.forms import ActivityFilterForm, label_values
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS
from eventsapp.extensions import db, limiter
from eventsapp.formfields import WebForm
from eventsapp.i18n import localized
from eventsapp.main.errors import render_error
from eventsapp.organizations import access, logos, services
from eventsapp.organizations.choices import INDUSTRY_LABELS, ORGANIZATION_SIZE_LABELS, ORGANIZATION_STATUS_LABELS
from eventsapp.organizations.forms import InvitationForm, OrganizationForm, RejectForm
from eventsapp.organizations.models import Invitation, MemberRole, Organization, OrganizationMember, OrganizationStatus
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("organizations", __name__)

LOGO_CACHE_SECONDS = 365 * 24 * 60 * 60  # the address changes with the file (?v=...)
UNVERSIONED_LOGO_CACHE_SECONDS = 60 * 60


@blueprint.app_template_global()
def logo_url(organization: Organization | None) -> str | None:
    """The organization's logo address, or None when it has none or the visitor may not see it yet;
    the address changes whenever the logo does."""
    if organization is None or not organization.logo_storage_name:
        return None
    if not access.can_see_organization_logo(current_user, organization):
        return None
    return url_for("organizations.logo", organization_id=organization.id, v=organization.logo_storage_name[:8])


@blueprint.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    return render_error(413, _("The file is too large: a logo can have at most %(max)s MB. "
                               "Go back and choose a smaller image.", max=_logo_megabytes()))


def _me() -> User:
    return current_user._get_current_object()


def _logo_megabytes() -> str:
    return logos.megabytes(current_app.config["LOGO_MAX_BYTES"])


def _organization_form(**kwargs) -> OrganizationForm:
    return OrganizationForm(max_megabytes=_logo_megabytes(), **kwargs)


def _flash_errors_without_field(form, failure: ValidationFailed) -> None:
    for message in apply_to_form(form, failure):
        flash(message, "danger")


# --- Who may open what ----------------------------------------------------------------------------

def employer_required(view):
    """Employer accounts only: others get 403."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != Role.EMPLOYER:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def member_required(view):
    """Staff of an organization; an employer without one is sent to create it. Sets ``g.member``."""
    @wraps(view)
    @employer_required
    def wrapped(*args, **kwargs):
        g.member = access.membership_of(_me())
        if g.member is None:
            return redirect(url_for("organizations.new_organization"))
        return view(*args, **kwargs)
    return wrapped


def owner_required(view):
    """The organization's owner; its other staff get 403."""
    @wraps(view)
    @member_required
    def wrapped(*args, **kwargs):
        if not access.can_edit_organization(_me(), g.member.organization):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


SAVED_MESSAGES = {
    services.SaveOutcome.SAVED: (_l("Your changes have been saved."), "success"),
    services.SaveOutcome.RESUBMITTED: (_l("Your changes have been saved and sent to the organizers for verification "
                                          "again."), "success"),
    services.SaveOutcome.CHANGE_PENDING: (_l("Your changes have been saved. The new name or credit code will be "
                                             "used once the organizers verify it; until then your verified details "
                                             "stay in use and everything keeps working."), "warning"),
}


# --- Creating the organization --------------------------------------------------------------------

@blueprint.route("/employer/organization/new", methods=["GET", "POST"])
@employer_required
def new_organization():
    if access.membership_of(_me()) is not None:
        return redirect(url_for("organizations.my_organization"))
    form = _organization_form()
    if form.validate_on_submit():
        try:
            services.create_organization(_me(), form.to_organization_data(),
                                         form.uploaded_logo(current_app.config["LOGO_MAX_BYTES"]))
        except ValidationFailed as failure:
            _flash_errors_without_field(form, failure)
        else:
            db.session.commit()
            flash(_("Your organization has been created. The organizers will check it; you will get an e-mail "
                    "once it is verified."), "success")
            return redirect(url_for("organizations.my_organization"))
    status = 422 if form.is_submitted() else 200
    return render_template("organizations/new.html", form=form, districts=HANGZHOU_DISTRICTS), status


# --- The organization's own page ------------------------------------------------------------------

def _render_organization(invitation_form: InvitationForm | None = None, status: int = 200):
    organization = g.member.organization
    is_owner = g.member.role == MemberRole.OWNER
    return render_template(
        "organizations/show.html", organization=organization, member=g.member, is_owner=is_owner,
        members=services.members_of(organization),
        invitations=services.open_invitations(organization) if is_owner else [],
        invite_problems=services.why_cannot_invite(organization, _me()) if is_owner else [],
        invitation_form=invitation_form or InvitationForm(formdata=None), industry_labels=INDUSTRY_LABELS,
        size_labels=ORGANIZATION_SIZE_LABELS, status_labels=ORGANIZATION_STATUS_LABELS), status


@blueprint.get("/employer/organization")
@member_required
def my_organization():
    return _render_organization()


@blueprint.route("/employer/organization/edit", methods=["GET", "POST"])
@owner_required
def edit_organization():
    organization = g.member.organization
    form = _organization_form()
    if not form.is_submitted():
        form.fill_from(services.organization_data_of(organization))
    if form.validate_on_submit():
        try:
            outcome = services.update_organization(
                organization, form.to_organization_data(), form.uploaded_logo(current_app.config["LOGO_MAX_BYTES"]))
        except ValidationFailed as failure:
            _flash_errors_without_field(form, failure)
        else:
            db.session.commit()
            flash(*SAVED_MESSAGES[outcome])
            return redirect(url_for("organizations.my_organization"))
    status = 422 if form.is_submitted() else 200
    return render_template("organizations/edit.html", form=form, organization=organization,
                           districts=HANGZHOU_DISTRICTS, status_labels=ORGANIZATION_STATUS_LABELS), status


@blueprint.post("/employer/organization/logo/delete")
@owner_required
def remove_logo():
    services.remove_logo(g.member.organization)
    db.session.commit()
    flash(_("The logo has been removed."), "success")
    return redirect(url_for("organizations.edit_organization"))


# --- Staff and invitations ------------------------------------------------------------------------

def _invitation_key() -> str:
    # Checked before the login check runs, so an anonymous visitor has no id yet.
    return f"invite:{getattr(current_user, 'id', None)}"


@blueprint.post("/employer/organization/invitations")
@limiter.limit(lambda: current_app.config["INVITATION_LIMIT"], key_func=_invitation_key)  # e-mails cost trust
@owner_required
def invite():
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation, _token = services.invite_colleague(g.member.organization, _me(), form.email.data)
        except ValidationFailed as failure:
            _flash_errors_without_field(form, failure)
        else:
            db.session.commit()
            flash(_("We have sent an invitation to %(email)s. The link works for %(days)d days.",
                    email=invitation.email, days=services.INVITATION_VALID_FOR.days), "success")
            return redirect(url_for("organizations.my_organization", _anchor="staff"))
    return _render_organization(invitation_form=form, status=422)


def _own_invitation_or_404(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != g.member.organization_id:
        abort(404)
    return invitation


@blueprint.post("/employer/organization/invitations/<int:invitation_id>/revoke")
@owner_required
def revoke_invitation(invitation_id: int):
    invitation = _own_invitation_or_404(invitation_id)
    services.revoke_invitation(invitation)
    db.session.commit()
    flash(_("The invitation to %(email)s has been revoked; its link no longer works.", email=invitation.email),
          "success")
    return redirect(url_for("organizations.my_organization", _anchor="staff"))


@blueprint.post("/employer/organization/members/<int:member_id>/remove")
@owner_required
def remove_member(member_id: int):
    member = db.session.get(OrganizationMember, member_id)
    if member is None or member.organization_id != g.member.organization_id:
        abort(404)
    name = member.user.display_name
    try:
        services.remove_member(g.member.organization, member)
    except ValidationFailed as failure:
        for _field, message in failure.errors:
            flash(str(message), "danger")
    else:
        db.session.commit()
        flash(_("%(name)s is no longer a member of your organization.", name=name), "success")
    return redirect(url_for("organizations.my_organization", _anchor="staff"))


@blueprint.post("/employer/organization/leave")
@member_required
def leave():
    name = localized(g.member.organization, "name")
    try:
        services.leave_organization(g.member)
    except ValidationFailed as failure:
        for _field, message in failure.errors:
            flash(str(message), "danger")
        return redirect(url_for("organizations.my_organization"))
    db.session.commit()
    flash(_("You have left %(name)s.", name=name), "success")
    return redirect(url_for("main.index"))


_INVITATION_PROBLEMS = {
    "invalid": (_l("This invitation link does not work"),
                _l("The link is incomplete or has been changed. Copy the whole link from the e-mail, or ask the "
                   "colleague who invited you to send a new invitation.")),
    "expired": (_l("This invitation has expired"),
                _l("Invitations work for %(days)d days. Ask the colleague who invited you to send a new one.",
                   days=services.INVITATION_VALID_FOR.days)),
    "revoked": (_l("This invitation has been withdrawn"),
                _l("The organization withdrew this invitation or sent a newer one. Open the newest invitation "
                   "e-mail, or ask for a new invitation.")),
    "used": (_l("This invitation has already been used"),
             _l("Each invitation works once. If you accepted it, log in with that account to see your "
                "organization.")),
    "wrong_account": (_l("This account cannot join an organization"),
                      _l("Only employer accounts belong to organizations, and you are logged in with another kind "
                         "of account. Log out, then log in or sign up as an employer to accept the invitation.")),
    "already_elsewhere": (_l("Your account already belongs to an organization"),
                          _l("An employer account belongs to one organization. To join this one, leave your "
                             "current organization first, or accept with another employer account.")),
}


def _invitation_problem(problem: services.InvitationProblem):
    title, message = _INVITATION_PROBLEMS[problem.reason]
    status = 400 if problem.is_about_the_link else 403
    page = render_template("organizations/invitation_problem.html", title=title, message=message,
                           reason=problem.reason, invitation=problem.invitation)
    return _without_referrer(make_response(page, status))


def _without_referrer(response):
    """The address holds the token: it must not reach other sites in the Referer header."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _is_member_of(organization_id: int) -> bool:
    member = access.membership_of(current_user)
    return member is not None and member.organization_id == organization_id


@blueprint.route("/employer/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    form = WebForm()  # the accept button: a CSRF token and nothing else
    try:
        invitation = services.invitation_for_token(token)
        if not current_user.is_authenticated:
            return _without_referrer(make_response(render_template(
                "organizations/invitation.html", invitation=invitation, form=None)))
        services.check_invitee(invitation, _me())
        if form.validate_on_submit():
            member = services.accept_invitation(token, _me())
            db.session.commit()
            flash(_("Welcome! You are now a member of %(name)s.", name=localized(member.organization, "name")),
                  "success")
            return redirect(url_for("organizations.my_organization"))
    except services.InvitationProblem as problem:
        if problem.reason == "already_member" or (
                problem.reason == "used" and _is_member_of(problem.invitation.organization_id)):
            flash(_("You are already a member of this organization."), "info")
            return redirect(url_for("organizations.my_organization"))
        return _invitation_problem(problem)
    return _without_referrer(make_response(render_template(
        "organizations/invitation.html", invitation=invitation, form=form)))


# --- The logo (public once verified: the floor plan shows it) -------------------------------------

@blueprint.get("/organizations/<int:organization_id>/logo")
def logo(organization_id: int):
    organization = db.session.get(Organization, organization_id)
    if organization is None or not access.can_see_organization_logo(current_user, organization):
        abort(404)
    path = services.logo_path(organization)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=logos.mimetype_of(organization.logo_storage_name), conditional=True,
                         etag=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    if organization.status != OrganizationStatus.VERIFIED:
        response.headers["Cache-Control"] = "private, no-cache"
    elif request.args.get("v") == organization.logo_storage_name[:8]:
        response.headers["Cache-Control"] = f"public, max-age={LOGO_CACHE_SECONDS}, immutable"
    else:
        response.headers["Cache-Control"] = f"public, max-age={UNVERSIONED_LOGO_CACHE_SECONDS}"
    return response


# --- Organizers: verification ---------------------------------------------------------------------

def _status_filter() -> OrganizationStatus | str | None:
    value = request.args.get("status", "")
    if value == services.CHANGES_FILTER:
        return value
    return OrganizationStatus(value) if value in OrganizationStatus._value2member_map_ else None


@blueprint.get("/manage/organizations")
@organizer_required
def manage_list():
    status = _status_filter()
    search = request.args.get("q", "").strip()[:100]
    pagination = db.paginate(services.organizations_query(status, search), per_page=25, error_out=False)
    return render_template("organizations/manage_list.html", pagination=pagination, status=status, search=search,
                           counts=services.count_organizations_by_status(), changes=services.count_pending_changes(),
                           changes_filter=services.CHANGES_FILTER, status_labels=ORGANIZATION_STATUS_LABELS,
                           industry_labels=INDUSTRY_LABELS)


def _reason_form(decision: str, formdata=None) -> RejectForm:
    """One reason form per decision on the page; rejecting keeps the plain field name it always had."""
    prefix = "" if decision == "reject" else decision
    return RejectForm(prefix=prefix) if formdata is not None else RejectForm(formdata=None, prefix=prefix)


label_values("organization", "status", ORGANIZATION_STATUS_LABELS)
audit.name_objects("organization", services.organization_names)


def _standing(organization: Organization) -> dict:
    """What an organizer's decision changes, for the audit log."""
    return {"status": organization.status, "name_zh": organization.name_zh, "name_en": organization.name_en,
            "credit_code": organization.credit_code}


def _record(action: str, organization: Organization, before: dict, **after) -> None:
    audit.record(current_user, action, organization, before, {**_standing(organization), **after},
                 address=request.remote_addr or "")


def _render_manage_detail(organization: Organization, failed: tuple[str, RejectForm] | None = None,
                          status: int = 200):
    forms = {decision: _reason_form(decision) for decision in REASON_DECISIONS}
    if failed is not None:
        forms[failed[0]] = failed[1]
    form = ActivityFilterForm(request.args)
    activity = {"form": form, "labels": activity_views.LABELS,
                "pagination": activity_views.activity_page(form, object_type="organization", object_id=organization.id)}
    activity["names"] = audit.object_names(activity["pagination"].items)
    return render_template(
        "organizations/manage_detail.html", organization=organization, members=services.members_of(organization),
        forms=forms, activity=activity, status_labels=ORGANIZATION_STATUS_LABELS,
        industry_labels=INDUSTRY_LABELS, size_labels=ORGANIZATION_SIZE_LABELS), status


@blueprint.get("/manage/organizations/<int:organization_id>")
@organizer_required
def manage_detail(organization_id: int):
    return _render_manage_detail(db.get_or_404(Organization, organization_id))


@blueprint.post("/manage/organizations/<int:organization_id>/verify")
@organizer_required
def verify(organization_id: int):
    """Verify a new organization, or a verified one's change of name or credit code."""
    organization = db.get_or_404(Organization, organization_id)
    was_change, before = organization.has_pending_change, _standing(organization)
    try:
        services.verify_organization(organization)
    except services.OrganizationStateError:
        flash(_("There is nothing to verify: this organization is verified, or suspended."), "info")
    except ValidationFailed as failure:
        for _field, message in failure.errors:
            flash(str(message), "danger")
    else:
        _record("change_verified" if was_change else "verified", organization, before)
        db.session.commit()
        flash(_("The new details of %(name)s are verified and public; its owner has been told by e-mail.",
                name=localized(organization, "name")) if was_change else
              _("%(name)s is verified; its owner has been told by e-mail.", name=localized(organization, "name")),
              "success")
    return redirect(url_for("organizations.manage_detail", organization_id=organization.id))


@blueprint.post("/manage/organizations/<int:organization_id>/reinstate")
@organizer_required
def reinstate(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    before = _standing(organization)
    try:
        services.reinstate_organization(organization)
    except services.OrganizationStateError:
        flash(_("This organization is not suspended."), "info")
    else:
        _record("reinstated", organization, before)
        db.session.commit()
        flash(_("%(name)s is reinstated; its owner has been told by e-mail.", name=localized(organization, "name")),
              "success")
    return redirect(url_for("organizations.manage_detail", organization_id=organization.id))


# A decision that needs a reason: the service, what "not possible now" means, and what was done.
DECISION_ACTIONS = {"reject": "rejected", "suspend": "suspended", "refuse": "change_refused"}
REASON_DECISIONS = {
    "reject": (services.reject_organization, _l("This organization is already rejected."),
               _l("%(name)s is rejected; its owner has been told the reason by e-mail.")),
    "suspend": (services.suspend_organization, _l("Only a verified organization can be suspended."),
                _l("%(name)s is suspended: its booths, browsing, shortlists and leads stopped at once. Its owner "
                   "has been told the reason by e-mail.")),
    "refuse": (services.refuse_change, _l("There is no change to refuse."),
               _l("The change was refused: %(name)s keeps its verified details. Its owner has been told the reason "
                  "by e-mail.")),
}


@blueprint.post("/manage/organizations/<int:organization_id>/<any(reject, suspend, refuse):decision>")
@organizer_required
def decide_with_reason(organization_id: int, decision: str):
    organization = db.get_or_404(Organization, organization_id)
    change, not_now, done = REASON_DECISIONS[decision]
    form = _reason_form(decision, request.form)
    if form.validate_on_submit():
        before = _standing(organization)
        try:
            change(organization, form.reason.data or "")
        except ValidationFailed as failure:
            _flash_errors_without_field(form, failure)
        except services.OrganizationStateError:
            flash(str(not_now), "info")
            return redirect(url_for("organizations.manage_detail", organization_id=organization.id))
        else:
            _record(DECISION_ACTIONS[decision], organization, before, reason=form.reason.data or "")
            db.session.commit()
            flash(str(done) % {"name": localized(organization, "name")}, "success")
            return redirect(url_for("organizations.manage_detail", organization_id=organization.id))
    return _render_manage_detail(organization, failed=(decision, form), status=422)
