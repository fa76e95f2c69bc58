"""Badge downloads for their holders, and the organizers' badge page: print runs, jobs, reissue, crew."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from eventsapp.accounts.access import organizer_required
from eventsapp.accounts.models import User
from eventsapp.badges import batches, crew, jobs, rendering
from eventsapp.badges.forms import BadgeCodeForm, BatchForm, CrewForm
from eventsapp.badges.models import Badge, BadgeRole
from eventsapp.badges.roles import ROLE_COLOURS, ROLE_LABELS
from eventsapp.badges.services import (
    AlreadyReplaced,
    current_badge,
    entitled_badge_condition,
    entitlements,
    names_of,
    reissue,
)
from eventsapp.badges.tokens import normalize_number
from eventsapp.booths.models import Hall
from eventsapp.candidates.models import CandidateProfile
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.formfields import WebForm
from eventsapp.jobs.models import BackgroundJobStatus
from eventsapp.loaders import event_child_or_404, event_or_404, public_event_or_404
from eventsapp.main.errors import json_error
from eventsapp.textsearch import contains_pattern
from eventsapp.urls import safe_next_url
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("badges", __name__)
manage = Blueprint("badges_manage", __name__, url_prefix="/manage/events/<int:event_id>/badges")


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _single_pdf(badge: Badge) -> bytes:
    cards = batches.cards_for(badge.event, [badge])
    db.session.commit()  # a personal code made for the card is kept
    return rendering.render_pdf(cards, rendering.LAYOUTS["single"])


@blueprint.get("/events/<slug>/badge.pdf")
@login_required
def my_badge(slug: str):
    """The signed-in person's own badge: candidates, booth staff and crew alike."""
    event = public_event_or_404(slug)
    badge = current_badge(event.id, current_user.id)
    if badge is None and entitlements(event.id, [current_user.id]):
        # Entitled a moment ago and not issued yet (on SQLite the outbox worker issues a new registration's
        # badge with its confirmation): say so, and let the page that linked here be tried again.
        flash(_("Your badge is being prepared: try again in a few seconds."), "info")
        came_from = urlsplit(request.referrer or "")
        back = urlunsplit(("", "", came_from.path, came_from.query, "")) if came_from.netloc == request.host else None
        return redirect(safe_next_url(back, url_for("registrations.my_events")))
    if badge is None:
        abort(404)
    return pdf_response(_single_pdf(badge), f"badge-{event.slug}-{badge.number}.pdf")


# --- Organizers -------------------------------------------------------------------------------------

@manage.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _batch_form(event: Event, formdata) -> BatchForm:
    # The preview reads the query string (no token to check); rendering posts with its CSRF token.
    form = BatchForm(formdata=formdata, meta={"csrf": False}) if formdata is request.args else BatchForm(formdata)
    halls = db.session.scalars(select(Hall.name).where(Hall.event_id == event.id).order_by(Hall.position, Hall.name))
    form.hall.choices = [*form.hall.choices, *(SelectChoice(name, name) for name in halls)]
    return form


def _options(form: BatchForm) -> batches.BatchOptions:
    return batches.BatchOptions(layout=form.layout.data or "a4-2x4", role=form.role.data or "",
                                hall=form.hall.data or "", booth=form.booth.data or "", sort=form.sort.data or "name")


def _badge_rows(event: Event):
    search = request.args.get("q", "").strip()[:100]
    query = (select(Badge).join(Badge.holder).outerjoin(CandidateProfile, CandidateProfile.user_id == Badge.holder_id)
             .where(Badge.event_id == event.id, entitled_badge_condition())
             .options(selectinload(Badge.holder), selectinload(Badge.booth))
             .order_by(Badge.role, User.display_name, Badge.id))
    if search:
        like = contains_pattern(search)  # % and _ typed are taken literally
        query = query.where(or_(Badge.number == normalize_number(search), *(
            column.ilike(like, escape="\\") for column in (User.display_name, User.email, CandidateProfile.name,
                                                            CandidateProfile.name_latin))))
    pagination = db.paginate(query, per_page=25, error_out=False)
    holder_ids = [badge.holder_id for badge in pagination.items]
    profiles = {profile.user_id: profile for profile in db.session.scalars(
        select(CandidateProfile).where(CandidateProfile.user_id.in_(holder_ids)))} if holder_ids else {}
    names = {badge.id: names_of(badge.holder, profiles.get(badge.holder_id)) for badge in pagination.items}
    return search, pagination, names


@manage.get("")
def overview(event_id: int, batch_form: BatchForm | None = None, crew_form: CrewForm | None = None,
             code_form: BadgeCodeForm | None = None,
             problems=None, status: int = 200, cards: list[rendering.BadgeCard] | None = None):
    event = event_or_404(event_id)
    form = batch_form or _batch_form(event, request.args)
    if batch_form is None and request.args and not form.validate():
        status = 422  # a hand-made query string: the errors show next to the fields
    options = _options(form) if form.layout.data in rendering.LAYOUTS else batches.BatchOptions()
    if cards is None:
        cards = batches.batch_cards(event, options, printing=False)  # a preview: counts and names only
    if problems is None:
        problems = batches.preprint_check(cards, options.layout_spec)
    search, pagination, names = _badge_rows(event)
    recent_jobs = jobs.event_jobs(event.id)
    return render_template(
        "badges/manage.html", event=event, form=form, options=options, matching=len(cards), problems=problems,
        counts=batches.role_counts(event.id), role_labels=ROLE_LABELS, colours=ROLE_COLOURS,
        jobs=recent_jobs, stalled={job.id for job in jobs.stalled_jobs(event.id)},
        job_error=jobs.error_text, gone={job.id for job in recent_jobs if jobs.result_gone(job)},
        again_form=WebForm(),
        inline_limit=current_app.config["BADGE_INLINE_LIMIT"], crew=crew.crew_of(event.id),
        crew_form=crew_form or CrewForm(),
        code_form=code_form or BadgeCodeForm(formdata=None, qr="personal" if event.badge_personal_code else "event"),
        pagination=pagination, search=search, names=names), status


@manage.post("/render")
def render(event_id: int):
    event = event_or_404(event_id)
    form = _batch_form(event, request.form)
    if not form.validate():
        return overview(event_id, batch_form=form, status=422)
    options = _options(form)
    cards = batches.batch_cards(event, options)
    if not cards:
        flash(_("No badges match these filters: nobody to print."), "warning")
        return overview(event_id, batch_form=form, status=422, cards=cards)
    problems = batches.preprint_check(cards, options.layout_spec)
    if problems and not form.print_anyway.data:
        flash(_("Some names cannot be printed as written. Fix them, leave them out with the filters, "
                "or tick “Print anyway”."), "danger")
        return overview(event_id, batch_form=form, problems=problems, status=422, cards=cards)
    if len(cards) <= current_app.config["BADGE_INLINE_LIMIT"]:
        db.session.commit()  # personal codes made for the cards are kept
        pdf = rendering.render_pdf(cards, options.layout_spec, processes=current_app.config["BADGE_RENDER_PROCESSES"])
        return pdf_response(pdf, f"badges-{event.slug}-{options.layout}.pdf")
    jobs.fail_stalled_jobs(event.id)  # a dead run shows as failed once a new one starts
    job_id = jobs.create_job(event, options, current_user.id, len(cards), locale=str(get_locale())).id
    db.session.commit()
    jobs.start_job(job_id)
    flash(_("%(count)d badges are being rendered in the background; the file appears below when it is ready.",
            count=len(cards)), "info")
    return redirect(url_for("badges_manage.overview", event_id=event_id, _anchor=f"job-{job_id}"))


def _event_job_or_404(event_id: int, job_id: int):
    job = jobs.event_job_or_none(event_id, job_id)
    if job is None:
        abort(404)
    return job


@manage.get("/jobs/<int:job_id>")
def job_status(event_id: int, job_id: int):
    job = jobs.event_job_or_none(event_id, job_id)
    if job is None:  # a job's event exists: the foreign key cascades deletes
        return json_error(404, _("There is no print run %(id)d for this event.", id=job_id))
    stalled = job in jobs.stalled_jobs(event_id)  # shown as failed; the next write marks it
    ready = job.status == BackgroundJobStatus.DONE and not jobs.result_gone(job)
    zone = db.session.get(Event, event_id).timezone
    return jsonify(id=job.id, status=BackgroundJobStatus.FAILED.value if stalled else str(job.status),
                   done=job.done, total=job.total, error=jobs.error_text(job, zone, stalled=stalled),
                   download_url=url_for("badges_manage.job_download", event_id=event_id, job_id=job.id)
                   if ready else None)


@manage.post("/jobs/<int:job_id>/again")
def job_again(event_id: int, job_id: int):
    """Run a failed print run again, with the same filters, layout and language."""
    job = _event_job_or_404(event_id, job_id)
    if not WebForm().validate_on_submit():
        abort(400)
    jobs.fail_stalled_jobs(event_id)  # a run whose process died is failed from now on
    try:
        again_id = jobs.run_again(job, current_user.id).id
    except ValueError:
        flash(_("Only a failed print run can be run again."), "warning")
        return redirect(url_for("badges_manage.overview", event_id=event_id, _anchor=f"job-{job.id}"))
    db.session.commit()
    jobs.start_job(again_id)
    flash(_("The print run is running again; the file appears below when it is ready."), "info")
    return redirect(url_for("badges_manage.overview", event_id=event_id, _anchor=f"job-{again_id}"))


@manage.get("/jobs/<int:job_id>/download")
def job_download(event_id: int, job_id: int):
    job = _event_job_or_404(event_id, job_id)
    path = jobs.job_path(job)
    if path is None:
        if jobs.result_gone(job):  # a link kept from before: the print runs' list says what became of the file
            flash(_("The file %(name)s is no longer available.", name=job.filename), "warning")
            return redirect(url_for("badges_manage.overview", event_id=event_id, _anchor=f"job-{job.id}"))
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=job.filename,
                         conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@manage.get("/<int:badge_id>.pdf")
def badge_pdf(event_id: int, badge_id: int):
    badge = event_child_or_404(Badge, event_id, badge_id)
    if badge.revoked_at is not None:
        abort(404)
    return pdf_response(_single_pdf(badge), f"badge-{badge.event.slug}-{badge.number}.pdf")


@manage.post("/<int:badge_id>/reissue")
def reissue_badge(event_id: int, badge_id: int):
    event = event_or_404(event_id)
    badge = event_child_or_404(Badge, event.id, badge_id)
    try:
        replacement = reissue(badge, reason=f"reissued by {current_user.email}")
    except AlreadyReplaced:
        db.session.rollback()
        flash(_("Badge %(number)s was already replaced.", number=badge.number), "warning")
    else:
        db.session.commit()
        flash(_("Badge %(old)s is void; the new badge is %(new)s.", old=badge.number, new=replacement.number),
              "success")
    return redirect(url_for("badges_manage.overview", event_id=event.id, q=request.args.get("q", "")))


@manage.post("/code")
def badge_code(event_id: int):
    """Whether the event's badges carry its own code or each holder's personal code."""
    event = event_or_404(event_id)
    form = BadgeCodeForm()
    if not form.validate():
        return overview(event_id, code_form=form, status=422)
    event.badge_personal_code = form.qr.data == "personal"
    db.session.commit()
    flash(_("Badges printed from now on carry each person's personal code.") if event.badge_personal_code
          else _("Badges printed from now on carry this event's own code."), "success")
    return redirect(url_for("badges_manage.overview", event_id=event.id, _anchor="badge-code"))


@manage.post("/crew")
def add_crew(event_id: int):
    event = event_or_404(event_id)
    form = CrewForm()
    if form.validate():
        try:
            member = crew.add_to_crew(event.id, form.email.data, BadgeRole(form.role.data), current_user.id)
        except ValidationFailed as failure:
            for message in apply_to_form(form, failure):
                flash(message, "danger")
        else:
            db.session.commit()
            flash(_("%(name)s is on the crew as %(role)s.", name=member.user.display_name,
                    role=ROLE_LABELS[member.role]), "success")
            return redirect(url_for("badges_manage.overview", event_id=event.id, _anchor="crew"))
    return overview(event_id, crew_form=form, status=422)


@manage.post("/crew/<int:crew_id>/remove")
def remove_crew(event_id: int, crew_id: int):
    event = event_or_404(event_id)
    member = crew.remove_from_crew(event.id, crew_id)
    if member is None:
        abort(404)
    name = member.user.display_name
    db.session.commit()
    flash(_("%(name)s is no longer on the crew; their badge no longer opens the door.", name=name), "success")
    return redirect(url_for("badges_manage.overview", event_id=event.id, _anchor="crew"))
