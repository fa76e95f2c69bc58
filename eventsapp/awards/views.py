"""The awards' pages: the organizer's Results tab (a round's ranking, advancing, the pitch schedule,
exports, awards and publication, certificates), the public results, the team's view of its entry and the
judges' running order."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from eventsapp import rqueue
from eventsapp.accounts.access import organizer_required
from eventsapp.awards import certificates, export, services, words
from eventsapp.awards import jobs as award_jobs
from eventsapp.awards.forms import AdvanceForm, AwardForm, ScheduleForm
from eventsapp.contests.loaders import contest_child_or_404, contest_or_404, contest_round_child_or_404
from eventsapp.contests.models import Award, Contest, Panel, PitchSlot, Round, RoundKind
from eventsapp.contests.services import find_contest
from eventsapp.events.models import Event, EventKind
from eventsapp.extensions import db
from eventsapp.i18n import current_language, localized
from eventsapp.jobs import services as background
from eventsapp.timezones import to_utc

blueprint = Blueprint("awards", __name__)
blueprint.context_processor(words.labels)
MANAGE = "/manage/events/<int:event_id>/results"
T = TypeVar("T")


def _address() -> str:
    return request.remote_addr or ""


def _refused(error: services.AwardsError, category: str = "danger") -> None:
    """A service refused: nothing it did is kept, and the organizer reads why."""
    db.session.rollback()
    flash(str(error.message), category)


def _carry_out(call: Callable[[], T], back: str, done: str | Callable[[T], str] | None = None,
               category: str = "danger") -> Response:
    """Run a service call and go ``back``: committed, with ``done`` (or ``done(result)``) as its message,
    or refused (``_refused``)."""
    try:
        result = call()
    except services.AwardsError as error:
        _refused(error, category)
    else:
        db.session.commit()
        if done is not None:
            flash(done(result) if callable(done) else done, "success")
    return redirect(back)


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


# --- The organizer's Results tab -----------------------------------------------------------------

@blueprint.get(MANAGE)
@organizer_required
def overview(event_id: int):
    contest = contest_or_404(event_id)
    form = AwardForm()
    _award_choices(form, contest)
    return _overview(contest, form)


def _award_choices(form: AwardForm, contest: Contest) -> None:
    form.entry_id.choices = [_entry_choice(entry) for entry in services.contest_entries(contest)]


def _entry_choice(entry) -> SelectChoice:
    return SelectChoice(entry.id, f"#{entry.id} {localized(entry, 'title')} · {localized(entry.track, 'name')}")


def _overview(contest: Contest, form: AwardForm, status: int = 200):
    return render_template("awards/overview.html", event=contest.event, contest=contest, form=form,
                           awards=services.contest_awards(contest)), status


@blueprint.post(f"{MANAGE}/awards")
@organizer_required
def add_award(event_id: int):
    contest = contest_or_404(event_id)
    form = AwardForm()
    _award_choices(form, contest)
    if not form.validate():
        return _overview(contest, form, 400)
    try:
        services.add_award(contest, entry_id=form.entry_id.data, name_zh=form.name_zh.data or "",
                           name_en=form.name_en.data or "", rank=form.rank.data,
                           prize_amount=Decimal(form.prize_amount.data), whole_contest=form.whole_contest.data)
    except services.AwardsError as error:
        _refused(error)
        return _overview(contest, form, 409)
    db.session.commit()
    flash(_("The award is added."), "success")
    return redirect(url_for("awards.overview", event_id=event_id))


@blueprint.post(f"{MANAGE}/awards/<int:award_id>/remove")
@organizer_required
def remove_award(event_id: int, award_id: int):
    contest = contest_or_404(event_id)
    award = contest_child_or_404(Award, contest, award_id)
    return _carry_out(lambda: services.remove_award(contest, award), url_for("awards.overview", event_id=event_id),
                      _("The award is removed."))


@blueprint.post(f"{MANAGE}/publish")
@organizer_required
def publish(event_id: int):
    contest = contest_or_404(event_id)
    return _carry_out(lambda: services.publish_results(contest, current_user, _address()),
                      url_for("awards.overview", event_id=event_id),
                      lambda sent: _("The results are published; %(count)d e-mails to the teams are on their way.",
                                     count=sent))


@blueprint.post(f"{MANAGE}/unpublish")
@organizer_required
def unpublish(event_id: int):
    contest = contest_or_404(event_id)
    return _carry_out(lambda: services.unpublish_results(contest, current_user, _address()),
                      url_for("awards.overview", event_id=event_id), _("The results are no longer public."))


@blueprint.get(f"{MANAGE}/certificates.pdf")
@organizer_required
def all_certificates(event_id: int):
    """Rendered here in the embedded default; with a queue, the overview's button queues a job instead."""
    contest = contest_or_404(event_id)
    if rqueue.configured(current_app):
        return redirect(url_for("awards.overview", event_id=event_id))
    pages = certificates.certificate_pages(services.contest_awards(contest))
    if not pages:
        flash(_("No award has a team member yet: there is no certificate to print."), "warning")
        return redirect(url_for("awards.overview", event_id=event_id))
    pdf = certificates.render_certificates(pages, current_app.static_folder)
    return _download(pdf, "application/pdf", f"certificates-{contest.event.slug}.pdf")


@blueprint.post(f"{MANAGE}/certificates")
@organizer_required
def certificates_job(event_id: int):
    """All certificates as a background job (its page shows the progress, then the PDF)."""
    contest = contest_or_404(event_id)
    if not certificates.certificate_pages(services.contest_awards(contest)):
        flash(_("No award has a team member yet: there is no certificate to print."), "warning")
        return redirect(url_for("awards.overview", event_id=event_id))
    job = background.create_job(award_jobs.KIND, {"event_id": contest.event_id, "lang": str(get_locale())},
                                current_user.id, event_id=contest.event_id)
    db.session.commit()
    background.start_job(job.id)
    return redirect(url_for("jobs.show", job_id=job.id))


# --- A round: ranking, advancing, schedule, exports ------------------------------------------------

@blueprint.get(f"{MANAGE}/rounds/<int:round_id>")
@organizer_required
def round_page(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    return _round_page(contest, round_, AdvanceForm(formdata=None), _schedule_form(contest, round_, None))


def _schedule_form(contest: Contest, round_: Round, formdata=...) -> ScheduleForm:
    form = ScheduleForm() if formdata is ... else ScheduleForm(formdata=formdata)
    panels = db.session.scalars(select(Panel).where(Panel.round_id == round_.id).order_by(Panel.id))
    form.panel_id.choices = [SelectChoice(0, _("No panel"))] + [
        SelectChoice(panel.id, panel.name or panel.room or f"#{panel.id}") for panel in panels]
    form.entry_ids.choices = [_entry_choice(entry) for entry in services.unscheduled_entries(round_)]
    return form


def _round_page(contest: Contest, round_: Round, form: AdvanceForm, schedule_form: ScheduleForm,
                plans=None, status: int = 200):
    try:
        scores, unreadable = services.round_scores(round_.id), None
    except services.ScoresUnreadable as error:
        scores, unreadable = [], error.message
    entries = {entry.id: entry for entry in services.entries_in_round(round_)}
    following = services.next_round(round_)
    return render_template(
        "awards/round.html", event=contest.event, contest=contest, round=round_, scores=scores,
        unreadable=unreadable, entries=entries, following=following, form=form, plans=plans,
        decided=services.round_decided(round_), schedule_form=schedule_form,
        slots=services.round_slots(round_) if round_.kind != RoundKind.ONLINE_REVIEW else None), status


@blueprint.post(f"{MANAGE}/rounds/<int:round_id>/advance")
@organizer_required
def advance(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    form = AdvanceForm()
    form.tie_winners.choices = [SelectChoice(entry.id, "") for entry in services.entries_in_round(round_)]
    schedule_form = _schedule_form(contest, round_, None)
    if not form.validate():
        return _round_page(contest, round_, form, schedule_form, status=400)
    try:
        result = services.advance_round(round_, current_user, **form.cut(),
                                        tie_winners=form.tie_winners.data if form.ties_decided.data else None,
                                        address=_address())
    except services.TiesUndecided as error:
        _refused(error, "warning")
        return _round_page(contest, round_, form, schedule_form, plans=error.plans, status=409)
    except services.AwardsError as error:
        _refused(error)
        return _round_page(contest, round_, form, schedule_form, status=409)
    db.session.commit()
    flash(_("%(advanced)d entries advance to %(round)s, %(eliminated)d stop here. The teams are told by e-mail.",
            advanced=len(result.advanced), eliminated=len(result.eliminated),
            round=localized(result.next_round, "name")), "success")
    return redirect(url_for("awards.round_page", event_id=event_id, round_id=round_id))


@blueprint.post(f"{MANAGE}/rounds/<int:round_id>/preview")
@organizer_required
def preview(event_id: int, round_id: int):
    """Who would advance with this cut, ties shown: nothing is saved."""
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    form = AdvanceForm()
    form.tie_winners.choices = [SelectChoice(entry.id, "") for entry in services.entries_in_round(round_)]
    schedule_form = _schedule_form(contest, round_, None)
    if not form.validate():
        return _round_page(contest, round_, form, schedule_form, status=400)
    try:
        plans = services.plan_advance(round_, **form.cut())
    except services.AwardsError as error:
        _refused(error)
        return _round_page(contest, round_, form, schedule_form, status=409)
    return _round_page(contest, round_, form, schedule_form, plans=plans)


@blueprint.get(f"{MANAGE}/rounds/<int:round_id>/entries.csv")
@organizer_required
def entries_csv(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    try:
        body = export.entries_csv(round_, current_language())
    except services.ScoresUnreadable as error:
        flash(str(error.message), "danger")
        return redirect(url_for("awards.round_page", event_id=event_id, round_id=round_id))
    return _download(body, "text/csv", f"entries-{contest.event.slug}-round-{round_.position}.csv")


@blueprint.get(f"{MANAGE}/rounds/<int:round_id>/sheets.csv")
@organizer_required
def sheets_csv(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    body = export.sheets_csv(round_, current_language())
    return _download(body, "text/csv", f"score-sheets-{contest.event.slug}-round-{round_.position}.csv")


@blueprint.post(f"{MANAGE}/rounds/<int:round_id>/schedule")
@organizer_required
def schedule(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    form = _schedule_form(contest, round_)
    if not form.validate():
        return _round_page(contest, round_, AdvanceForm(formdata=None), form, status=400)
    try:
        slots = services.schedule_pitches(
            round_, room=form.room.data, starts_at=to_utc(form.starts_at.data, contest.event.timezone),
            minutes=form.minutes.data, entry_ids=form.entry_ids.data, panel_id=form.panel_id.data or None)
    except services.AwardsError as error:
        _refused(error)
        return _round_page(contest, round_, AdvanceForm(formdata=None), form, status=409)
    db.session.commit()
    flash(_("%(count)d pitches are scheduled.", count=len(slots)), "success")
    return redirect(url_for("awards.round_page", event_id=event_id, round_id=round_id, _anchor="schedule"))


@blueprint.post(f"{MANAGE}/slots/<int:slot_id>/<any(earlier, later, remove):action>")
@organizer_required
def change_slot(event_id: int, slot_id: int, action: str):
    contest = contest_or_404(event_id)
    slot = contest_round_child_or_404(PitchSlot, contest, slot_id)
    back = url_for("awards.round_page", event_id=event_id, round_id=slot.round_id, _anchor="schedule")
    if action == "remove":
        return _carry_out(lambda: services.remove_slot(slot), back, category="warning")
    return _carry_out(lambda: services.move_slot(slot, later=action == "later"), back, category="warning")


# --- The public results --------------------------------------------------------------------------

@blueprint.get("/events/<slug>/results")
def public_results(slug: str):
    contest = contest_or_404(slug)
    event = contest.event
    if contest.results_published_at is None:
        abort(404)
    results = services.published_results(contest)
    track_id = request.args.get("track", type=int)
    if track_id is not None:
        results = [group for group in results if group.track is not None and group.track.id == track_id]
        if not results:
            abort(404)
    return render_template("awards/public_results.html", event=event, contest=contest, results=results,
                           tracks=contest.tracks, track_id=track_id)


@blueprint.app_template_global()
def contest_public_info(event: Event) -> dict | None:
    """For the public event page: the pitch schedule, whether results are published, the visitor's entries."""
    if event.kind != EventKind.COMPETITION:
        return None
    contest = find_contest(event.id)
    if contest is None:
        return None
    mine = services.user_entries(current_user, contest) if current_user.is_authenticated else []
    return {"contest": contest, "schedule": services.public_schedule(contest), "my_entries": mine,
            "published": contest.results_published_at is not None}


# --- The team ------------------------------------------------------------------------------------

@blueprint.get("/my/contest-entries/<int:entry_id>/results")
@login_required
def my_entry(entry_id: int):
    entry = services.team_entry(entry_id, current_user)
    if entry is None:
        abort(404)
    return render_template("awards/my_entry.html", entry=entry, event=entry.contest.event,
                           standings=services.entry_standings(entry), slots=services.entry_slots(entry),
                           awards=services.entry_awards(entry), shared=services.shared_scores(entry))


@blueprint.get("/my/contest-entries/<int:entry_id>/certificates.pdf")
@login_required
def my_certificates(entry_id: int):
    entry = services.team_entry(entry_id, current_user)
    if entry is None:
        abort(404)
    awards = services.entry_awards(entry)
    if not awards:
        abort(404)
    pages = certificates.certificate_pages(awards, entry)
    pdf = certificates.render_certificates(pages, current_app.static_folder)
    return _download(pdf, "application/pdf", f"certificates-entry-{entry.id}.pdf")


# --- Judges --------------------------------------------------------------------------------------

@blueprint.get("/judging/rounds/<int:round_id>/running-order")
@login_required
def running_order(round_id: int):
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    if round_.kind == RoundKind.ONLINE_REVIEW:
        abort(404)
    if current_user.is_organizer:
        rooms = services.all_rooms(round_)
    else:
        rooms = services.judge_rooms(round_, current_user)
        if not rooms:
            abort(404)  # not a judge of this round's panels: as if the page did not exist
    return render_template("awards/running_order.html", round=round_, event=round_.contest.event, rooms=rooms)

