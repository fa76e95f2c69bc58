"""Matching runs: organizers run, review and publish; candidates and employers see the interviews.

- /manage/events/<id>/matching ... organizers: the runs, a new run, a run's result, publishing;
- /my/interviews: a candidate's interviews from published runs, and why not the other booths;
- /employer/booths/<id>/interviews (+ .csv): the booth's interview list, for its organization's staff.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional

from eventsapp.accounts.access import organizer_required
from eventsapp.audit.forms import label_values
from eventsapp.booths.models import Booth
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.formfields import WebForm
from eventsapp.loaders import booth_or_404, event_or_404
from eventsapp.main.errors import render_error
from eventsapp.matchmaking import run_results, runs, schedules
from eventsapp.matchmaking.forms import CRITERION_LABELS
from eventsapp.matchmaking.models import RunStatus
from eventsapp.matchmaking.preferences import hosts_matching, matching_round
from eventsapp.organizations import access

blueprint = Blueprint("match_runs", __name__)

UNMATCHED_PER_PAGE = 50
LARGE_RUN = 5_000  # matched candidates: beyond this, publishing (one e-mail each) is better done from the CLI
STATUS_LABELS = {RunStatus.DRAFT: _l("Draft"), RunStatus.PUBLISHED: _l("Published"),
                 RunStatus.SUPERSEDED: _l("Replaced")}
label_values("match_run", "status", STATUS_LABELS)  # the activity page shows a run's status in words


class RunForm(WebForm):
    seed = IntegerField(_l("Seed (optional)"), validators=[Optional(), NumberRange(0, runs.SEED_LIMIT - 1)],
                        description=_l("Leave it empty for a new lottery; enter the seed of an earlier run to "
                                       "repeat it with today's preferences."))


class PublishForm(WebForm):
    """Sent from the confirmation page: ``confirmed`` says the organizer read what publishing does, and
    ``before_deadline`` that they read why publishing before the preferences' deadline is different."""

    confirmed = HiddenField()
    before_deadline = HiddenField()


# --- Organizers ------------------------------------------------------------------------------------

def _run(event: Event, run_id: int):
    run = run_results.run_of_event(event.id, run_id)
    if run is None:
        abort(404)
    return run


@blueprint.get("/manage/events/<int:event_id>/matching")
@organizer_required
def run_list(event_id: int, form: RunForm | None = None):
    event = event_or_404(event_id, hosts_matching)
    settings = matching_round(event.id)
    return render_template("matchmaking/run_list.html", event=event, settings=settings,
                           runs=run_results.runs_of(event.id), form=form or RunForm(),
                           results_of=run_results.results_of, inputs_of=run_results.inputs_of,
                           status_labels=STATUS_LABELS, slots=runs.slots_per_day(settings) if settings else 0)


@blueprint.post("/manage/events/<int:event_id>/matching/run")
@organizer_required
def start_run(event_id: int):
    event = event_or_404(event_id, hosts_matching)
    form = RunForm()
    if not form.validate_on_submit():
        return run_list(event.id, form=form), 422
    try:
        run = runs.run_matching(event.id, current_user, form.seed.data)
    except runs.MatchingRefused as refusal:
        for reason in refusal.reasons:
            flash(str(reason), "warning")
        return redirect(url_for("match_runs.run_list", event_id=event.id))
    db.session.commit()
    flash(_("The matching is done. Check the result below before you publish it: nobody sees it until then."),
          "success")
    return redirect(url_for("match_runs.run_detail", event_id=event.id, run_id=run.id))


@blueprint.get("/manage/events/<int:event_id>/matching/runs/<int:run_id>")
@organizer_required
def run_detail(event_id: int, run_id: int):
    event = event_or_404(event_id, hosts_matching)
    run = _run(event, run_id)
    order = request.args.get("order", "fill")
    if order not in run_results.FILL_ORDERS:
        order = "fill"
    pages = max(-(-run_results.results_of(run).get("unmatched", 0) // UNMATCHED_PER_PAGE), 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    unmatched, unmatched_total = run_results.unmatched_candidates(run, page, UNMATCHED_PER_PAGE)
    return render_template(
        "matchmaking/run_detail.html", event=event, run=run, inputs=run_results.inputs_of(run),
        results=run_results.results_of(run), fill=run_results.booth_fill(run, order), order=order,
        unmatched=unmatched, unmatched_total=unmatched_total, page=page, pages=pages, status_labels=STATUS_LABELS,
        criterion_labels=CRITERION_LABELS,
        schedule=schedules.schedule_span(run), published=run_results.published_run(event.id),
        early=runs.publishing_early(event.id) if run.status == RunStatus.DRAFT else None, large_run=LARGE_RUN)


def _confirm_publishing(event: Event, run, status: int = 200):
    """What publishing does, said plainly, with the button that does it."""
    return render_template("matchmaking/run_publish.html", event=event, run=run, results=run_results.results_of(run),
                           published=run_results.published_run(event.id), early=runs.publishing_early(event.id)), status


@blueprint.get("/manage/events/<int:event_id>/matching/runs/<int:run_id>/publish")
@organizer_required
def confirm_publish(event_id: int, run_id: int):
    event = event_or_404(event_id, hosts_matching)
    run = _run(event, run_id)
    if run.status != RunStatus.DRAFT:
        return redirect(url_for("match_runs.run_detail", event_id=event.id, run_id=run.id))
    return _confirm_publishing(event, run)


@blueprint.post("/manage/events/<int:event_id>/matching/runs/<int:run_id>/publish")
@organizer_required
def publish(event_id: int, run_id: int):
    event = event_or_404(event_id, hosts_matching)
    draft = _run(event, run_id)
    form = PublishForm()
    if draft.status == RunStatus.DRAFT and (not form.validate_on_submit() or form.confirmed.data != "yes"):
        return _confirm_publishing(event, draft)  # not confirmed yet: say what it does first
    try:
        run = runs.publish_run(event.id, run_id, before_deadline_confirmed=form.before_deadline.data == "yes",
                               actor=current_user._get_current_object())
    except runs.PublishingBeforeDeadline as refusal:
        flash(str(refusal.reasons[0]), "warning")
        return _confirm_publishing(event, draft, 409)
    except runs.MatchingRefused as refusal:
        for reason in refusal.reasons:
            flash(str(reason), "warning")
        return redirect(url_for("match_runs.run_detail", event_id=event.id, run_id=run_id))
    db.session.commit()
    matched = run_results.results_of(run).get("matched", 0)
    flash(ngettext("Published. %(num)d candidate and the staff of every booth with interviews are being told by "
                   "e-mail.", "Published. %(num)d candidates and the staff of every booth with interviews are "
                   "being told by e-mail.", matched), "success")
    return redirect(url_for("match_runs.run_detail", event_id=event.id, run_id=run.id))


# --- Candidates ------------------------------------------------------------------------------------

@blueprint.get("/my/interviews")
@login_required
def my_interviews():
    return render_template("matchmaking/run_my_interviews.html",
                           schedules=schedules.schedules_of_candidate(current_user.id))


# --- Employers -------------------------------------------------------------------------------------

def _own_booth(booth_id: int) -> Booth:
    """The booth, for staff of its organization while it is active (403 after it was withdrawn or
    rejected, or the organization rejected or suspended); everyone else gets a 404 for its id."""
    booth = booth_or_404(booth_id)
    if not access.owns_booth(current_user, booth):
        abort(404)
    if not access.can_use_shortlist(current_user, booth):
        abort(make_response(render_error(403, _("Only the staff of this booth's organization can see its "
                                                "interviews, and only while the booth is approved."))))
    return booth


@blueprint.get("/employer/booths/<int:booth_id>/interviews")
@login_required
def booth_interviews(booth_id: int):
    booth = _own_booth(booth_id)
    return render_template("matchmaking/run_booth_interviews.html", booth=booth, event=booth.event,
                           organization=booth.organization, schedule=schedules.schedule_of_booth(booth))


@blueprint.get("/employer/booths/<int:booth_id>/interviews.csv")
@login_required
def booth_interviews_csv(booth_id: int):
    booth = _own_booth(booth_id)
    schedule = schedules.schedule_of_booth(booth)
    if schedule.run is None:
        abort(404)
    body = schedules.interviews_csv(booth.event, [item for group in schedule.slots for item in group.interviews])
    name = f"interviews-{booth.event.slug}-{booth.code or booth.id}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})

