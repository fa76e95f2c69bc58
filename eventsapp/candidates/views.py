"""A candidate's own pages: the profile with the résumé, and privacy (consent, data export, deletion)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user
from werkzeug.exceptions import RequestEntityTooLarge

from eventsapp.accounts.models import Role, User
from eventsapp.candidates import erasure, services
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS, SKILL_SUGGESTIONS
from eventsapp.candidates.data_export import personal_data_export
from eventsapp.candidates.forms import ConsentForm, DeleteAccountForm, ProfileForm, ResumeForm
from eventsapp.candidates.models import CandidateProfile
from eventsapp.candidates.resumes import megabytes
from eventsapp.contests.personal_data import erasure_refusals
from eventsapp.extensions import db, limiter
from eventsapp.main.errors import render_error
from eventsapp.retention.services import kept_data_of
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("candidates", __name__, url_prefix="/my")
blueprint.add_app_template_filter(services.format_phone, "phone")


@blueprint.before_request
@login_required
def require_candidate():
    """Every page here is a candidate's own."""
    if current_user.role != Role.CANDIDATE:
        abort(403)


@blueprint.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    return render_error(413, _("The file is too large: a résumé can have at most %(max)s MB. "
                               "Go back and choose a smaller PDF.", max=_resume_megabytes()))


def _me() -> User:
    return current_user._get_current_object()


def _resume_megabytes() -> str:
    return megabytes(current_app.config["RESUME_MAX_BYTES"])


def file_size(size: int | None) -> str:
    if not size:
        return ""
    return f"{megabytes(size)} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def resume_response(profile: CandidateProfile | None) -> Response:
    """The profile's résumé as a download, for whoever the caller has allowed to see it; 404 when none."""
    path = services.resume_path(profile)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=profile.resume_filename or "resume.pdf", conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Profile --------------------------------------------------------------------------------------

def _render_profile(form: ProfileForm | None = None, resume_form: ResumeForm | None = None, status: int = 200):
    if form is None:
        form = ProfileForm(formdata=None)
        form.fill_from(services.profile_data_of(_me()))
    profile = services.find_profile(_me())
    resume_form = resume_form or ResumeForm(formdata=None, max_megabytes=_resume_megabytes())
    if profile is not None and profile.resume_storage_name:
        resume_form.resume.label.text = _("New résumé (PDF)")
    return render_template(
        "candidates/profile.html", form=form, resume_form=resume_form, profile=profile,
        districts=HANGZHOU_DISTRICTS, skill_suggestions=SKILL_SUGGESTIONS,
        resume_max_bytes=current_app.config["RESUME_MAX_BYTES"], resume_megabytes=_resume_megabytes(),
        max_skills=services.MAX_SKILLS, max_skill_length=services.MAX_SKILL_LENGTH, file_size=file_size), status


@blueprint.route("/profile", methods=["GET", "POST"])
def profile():
    form = ProfileForm()
    if not form.is_submitted():
        form.fill_from(services.profile_data_of(_me()))
    if form.validate_on_submit():
        try:
            services.save_profile(_me(), form.to_profile_data())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("candidates.profile"))
    return _render_profile(form=form)


@blueprint.post("/profile/resume")
def upload_resume():
    form = ResumeForm(max_megabytes=_resume_megabytes())
    if form.validate_on_submit():
        upload = form.resume.data
        try:
            pages = services.store_resume(_me(), upload.filename,
                                          upload.read(current_app.config["RESUME_MAX_BYTES"] + 1))
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(ngettext("Your résumé has been saved (%(num)d page).", "Your résumé has been saved (%(num)d pages).",
                           pages), "success")
            return redirect(url_for("candidates.profile", _anchor="my-resume"))
    return _render_profile(resume_form=form, status=422)


@blueprint.get("/profile/resume")
def resume():
    return resume_response(services.find_profile(_me()))


@blueprint.post("/profile/resume/delete")
def remove_resume():
    profile = services.find_profile(_me())
    if profile is not None and profile.resume_storage_name:
        services.remove_resume(profile)
        db.session.commit()
        flash(_("Your résumé has been removed."), "success")
    return redirect(url_for("candidates.profile", _anchor="my-resume"))


# --- Privacy --------------------------------------------------------------------------------------

def _render_privacy(delete_form: DeleteAccountForm | None = None, status: int = 200, delete_problems=()):
    profile = services.find_profile(_me())
    consent_form = ConsentForm(formdata=None, data={"show_to_employers": bool(profile and profile.show_to_employers)})
    return render_template("candidates/privacy.html", profile=profile, consent_form=consent_form,
                           delete_form=delete_form or DeleteAccountForm(formdata=None),
                           delete_problems=delete_problems, leading_entries=erasure_refusals(_me()),
                           kept_data=kept_data_of(_me().id, current_app.config["RETENTION_MONTHS"])), status


@blueprint.get("/privacy")
def privacy():
    return _render_privacy()


@blueprint.post("/privacy/consent")
def change_consent():
    form = ConsentForm()
    if form.validate_on_submit():
        profile = services.set_consent(_me(), form.show_to_employers.data)
        db.session.commit()
        if profile.show_to_employers:
            flash(_("Employers at the events you register for can now see your profile."), "success")
        else:
            flash(_("Your profile is hidden from employers."), "success")
    return redirect(url_for("candidates.privacy"))


@blueprint.get("/data.json")
def data_export():
    body = json.dumps(personal_data_export(_me()), ensure_ascii=False, indent=2)
    filename = f"my-data-{services.site_today().isoformat()}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def _failed_confirmation(response) -> bool:
    return response.status_code != 302


def _erase_account_key() -> str:
    # Checked before the login check runs, so an anonymous visitor has no id yet.
    return f"erase-account:{getattr(current_user, 'id', None)}"


@blueprint.post("/privacy/delete-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_erase_account_key,
               deduct_when=_failed_confirmation)  # guessing the password here is as limited as at the login
def delete_account():
    form = DeleteAccountForm()
    problems = []
    if form.validate_on_submit():
        try:
            erasure.erase_own_account(_me(), form.password.data)
        except ValidationFailed as failure:
            problems = apply_to_form(form, failure)
        else:
            db.session.commit()
            logout_user()
            flash(_("Your account and your personal data have been deleted. Goodbye, and good luck!"), "info")
            return redirect(url_for("main.index"))
    return _render_privacy(delete_form=form, status=422, delete_problems=problems)
