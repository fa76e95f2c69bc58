"""A background job's page (progress, then the download or the error) and its download, for the person who
asked for it and for administrators."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, send_file, url_for
from flask_login import current_user

from eventsapp.accounts.access import organizer_required
from eventsapp.extensions import db
from eventsapp.jobs import services
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus

blueprint = Blueprint("jobs", __name__, url_prefix="/manage/jobs")


@blueprint.before_request
@organizer_required
def require_organizer():
    """Jobs are started by organizers; each is seen by whoever started it (and administrators)."""


def _job_or_404(job_id: int) -> BackgroundJob:
    job = db.session.get(BackgroundJob, job_id)
    if job is None or not (job.requested_by_id == current_user.id or current_user.is_admin):
        abort(404)
    return job


def _status(job: BackgroundJob) -> str:
    return BackgroundJobStatus.FAILED if services.is_stalled(job) else job.status


@blueprint.get("/<int:job_id>")
def show(job_id: int):
    job = _job_or_404(job_id)
    status = _status(job)
    live = status in services.LIVE
    kind, params = services.kind_of(job), services.job_params(job)
    return render_template("jobs/show.html", job=job, status=status, live=live, stalled=status != job.status,
                           title=kind.title(params) if kind else job.kind,
                           back=kind.back(params) if kind and kind.back else None,
                           zone=current_app.config["DEFAULT_EVENT_TIMEZONE"],
                           percent=int(100 * job.done / job.total) if job.total else 0)


@blueprint.get("/<int:job_id>.json")
def status(job_id: int):
    job = _job_or_404(job_id)
    state = _status(job)
    return jsonify(id=job.id, kind=job.kind, status=str(state), finished=state not in services.LIVE,
                   done=job.done, total=job.total, step=job.step,
                   error=services.STALLED if state != job.status else job.error,
                   download_url=url_for("jobs.download", job_id=job.id) if state == BackgroundJobStatus.DONE
                   else None)


@blueprint.get("/<int:job_id>/download")
def download(job_id: int):
    job = _job_or_404(job_id)
    path = services.result_path(job)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=job.mimetype or "application/octet-stream", as_attachment=True,
                         download_name=job.filename, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    current_app.logger.info("job %s downloaded by user %s", job.id, current_user.id)
    return response
