"""The jobs page (running, queued and failed background jobs; for administrators also the scheduled work
and the queue), a background job's page (progress, then the download or the error), its download and
"Run again" for a failed one. Who sees a job: ``services.can_see`` (administrators all; an organizer the
jobs they asked for and the jobs of events)."""
from __future__ import annotations

from flask import (
    Blueprint,
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from eventsapp import rqueue
from eventsapp.accounts.access import organizer_required
from eventsapp.accounts.models import User
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.formfields import WebForm
from eventsapp.jobs import services
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.scheduler import services as scheduler
from eventsapp.scheduler.models import ScheduledJob

STATUS_LABELS = {
    BackgroundJobStatus.RUNNING.value: _l("Running"),
    BackgroundJobStatus.QUEUED.value: _l("Queued"),
    BackgroundJobStatus.FAILED.value: _l("Failed"),
    BackgroundJobStatus.DONE.value: _l("Done"),
}

blueprint = Blueprint("jobs", __name__, url_prefix="/manage/jobs")


@blueprint.before_request
@organizer_required
def require_organizer():
    """Jobs are started by organizers; each is seen by whoever started it (and administrators)."""


def _job_or_404(job_id: int) -> BackgroundJob:
    job = db.session.get(BackgroundJob, job_id)
    if job is None or not services.can_see(job, current_user):
        abort(404)
    return job


def _params(job: BackgroundJob) -> dict:
    return {**services.job_params(job), "event_id": job.event_id}


@blueprint.get("/")
def job_list():
    status = request.args.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    pagination = db.paginate(services.jobs_query(current_user, status or None), per_page=25, error_out=False)
    jobs = pagination.items
    kinds = {job.id: services.kind_of(job) for job in jobs}
    titles = {job.id: kinds[job.id].title(_params(job)) if kinds[job.id] else job.kind for job in jobs}
    event_ids = {job.event_id for job in jobs if job.event_id}
    events = {event.id: event for event in db.session.scalars(select(Event).where(Event.id.in_(event_ids)))} \
        if event_ids else {}
    user_ids = {job.requested_by_id for job in jobs if job.requested_by_id}
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    scheduled = db.session.scalars(select(ScheduledJob).order_by(ScheduledJob.name)).all() \
        if current_user.is_admin else []
    return render_template(
        "jobs/list.html", pagination=pagination, status=status, status_labels=STATUS_LABELS,
        counts=services.count_by_status(current_user), titles=titles, events=events, people=people,
        states={job.id: _status(job) for job in jobs}, again={job.id for job in jobs if _can_run_again(job)},
        errors={job.id: services.error_text(job, stalled=_status(job) != job.status) for job in jobs},
        details={job.id: services.error_detail(job) for job in jobs} if current_user.is_admin else {},
        steps={job.id: services.step_text(job) for job in jobs},
        scheduled=scheduled, round_errors={row.name: scheduler.error_text(row) for row in scheduled},
        queue=services.queue_state(current_app, rqueue.rounds_queue_name(current_app)) if current_user.is_admin
        else None,
        zone=current_app.config["DEFAULT_EVENT_TIMEZONE"], form=WebForm())


def _can_run_again(job: BackgroundJob) -> bool:
    return job.kind in services.kinds(current_app) and _status(job) == BackgroundJobStatus.FAILED


@blueprint.post("/<int:job_id>/again")
def run_again(job_id: int):
    """Run a failed job again: a new job of the same kind, params and event (the failed one stays listed)."""
    job = _job_or_404(job_id)
    if not WebForm().validate_on_submit():
        abort(400)
    services.fail_stalled_jobs(job.kind)  # a job whose process died is failed from now on
    if not services.can_run_again(job):
        flash(_("Only a failed job can be run again."), "warning")
        return redirect(url_for("jobs.job_list"))
    again_id = services.run_again(job, current_user.id).id
    db.session.commit()
    services.start_job(again_id)
    flash(_("The job runs again."), "info")
    return redirect(url_for("jobs.show", job_id=again_id))


def _status(job: BackgroundJob) -> str:
    return BackgroundJobStatus.FAILED if services.is_stalled(job) else job.status


@blueprint.get("/<int:job_id>")
def show(job_id: int):
    job = _job_or_404(job_id)
    status = _status(job)
    live = status in services.LIVE
    kind, params = services.kind_of(job), _params(job)
    return render_template("jobs/show.html", job=job, status=status, live=live, stalled=status != job.status,
                           gone=services.result_gone(job), step_words=services.step_text(job),
                           error=services.error_text(job, stalled=status != job.status),
                           detail=services.error_detail(job) if current_user.is_admin else "",
                           title=kind.title(params) if kind else job.kind,
                           back=kind.back(params) if kind and kind.back else None,
                           zone=current_app.config["DEFAULT_EVENT_TIMEZONE"],
                           percent=int(100 * job.done / job.total) if job.total else 0)


@blueprint.get("/<int:job_id>.json")
def status(job_id: int):
    job = _job_or_404(job_id)
    state = _status(job)
    return jsonify(id=job.id, kind=job.kind, status=str(state), finished=state not in services.LIVE,
                   done=job.done, total=job.total, step=services.step_text(job),
                   error=services.error_text(job, stalled=state != job.status),
                   file_gone=services.result_gone(job),
                   download_url=url_for("jobs.download", job_id=job.id)
                   if state == BackgroundJobStatus.DONE and not services.result_gone(job) else None)


@blueprint.get("/<int:job_id>/download")
def download(job_id: int):
    job = _job_or_404(job_id)
    path = services.result_path(job)
    if path is None:
        if services.result_gone(job):  # a link kept from before: the job's page says what became of the file
            flash(_("The file %(name)s is no longer available.", name=job.filename), "warning")
            return redirect(url_for("jobs.show", job_id=job.id))
        abort(404)
    response = send_file(path, mimetype=job.mimetype or "application/octet-stream", as_attachment=True,
                         download_name=job.filename, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    current_app.logger.info("job %s downloaded by user %s", job.id, current_user.id)
    return response
