"""Judging pages. For judges (blueprint ``reviews``): the invitation, My reviews and the score sheet.
For organizers (``reviews.manage``, under the event's hub): judges, panels, rubric, assignment and the
leaderboard of each round.

A judge reaches an entry only through an assignment in an open round and without a conflict of interest;
anything else is answered 404, like an entry that does not exist. Organizer pages are addressed by the
event, and a round, judge, panel or entry of another contest is 404 too."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.access import organizer_required
from eventsapp.audit import services as audit
from eventsapp.contests.loaders import contest_child_or_404, contest_or_404, round_child_or_404
from eventsapp.contests.models import (
    Aggregation,
    ConflictOfInterest,
    Contest,
    ContestJudge,
    Entry,
    Panel,
    Round,
    RoundState,
    RubricCriterion,
    TeamMember,
)
from eventsapp.contests.services import find_contest
from eventsapp.contests.views import deck_response
from eventsapp.extensions import db
from eventsapp.formfields import WebForm
from eventsapp.i18n import current_language, localized
from eventsapp.loaders import event_or_404
from eventsapp.requestbounds import is_ascii_digits
from eventsapp.reviews import assignment, conflicts, judges, leaderboard, scoring
from eventsapp.reviews.forms import (
    ROUND_STATE_PAGES,
    AcceptJudgeForm,
    AssignForm,
    ConflictForm,
    CriterionForm,
    EditJudgeForm,
    HandChangeForm,
    InviteJudgeForm,
    MethodForm,
    PanelForm,
    PanelMemberForm,
    RoundStateForm,
    sheet_form_class,
)
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("reviews", __name__)
manage = Blueprint("manage", __name__, url_prefix="/manage/events/<int:event_id>/judging")
LEADERBOARD_PAGE_SIZE = 100


def _without_referrer(response):
    """The address holds the invitation's token: it must not reach other sites in the Referer header."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- Judges ---------------------------------------------------------------------------------------

INVITATION_PROBLEMS = {
    "invalid": lambda: _("This invitation link is not valid. Check that you copied all of it."),
    "expired": lambda: _("This invitation has expired. Ask the organizers for a new one."),
    "used": lambda: _("This invitation has already been accepted; the link works only once."),
    "taken": lambda: _("Your account already judges this contest."),
}


@blueprint.route("/judging/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        judge = judges.judge_for_token(token)
    except judges.JudgeInvitationProblem as problem:
        if problem.reason == "used" and current_user.is_authenticated and problem.judge.user_id == current_user.id:
            flash(_("You are already a judge of this contest."), "info")
            return redirect(url_for("reviews.my_reviews"))
        return _without_referrer(make_response(render_template(
            "reviews/invitation.html", problem=INVITATION_PROBLEMS[problem.reason](), judge=None), 400))
    form = AcceptJudgeForm(obj=judge) if current_user.is_authenticated else None
    if form is not None and form.validate_on_submit():
        try:
            judges.accept_invitation(token, current_user, form.organization.data, form.school.data)
        except judges.JudgeInvitationProblem as problem:
            db.session.rollback()
            flash(INVITATION_PROBLEMS[problem.reason](), "warning")
            return redirect(url_for("reviews.my_reviews"))
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Welcome to the jury of %(event)s. The entries assigned to you appear here when a round "
                    "opens.", event=_event_title(judge)),
                  "success")
            return redirect(url_for("reviews.my_reviews"))
    status = 422 if form is not None and form.errors else 200
    return _without_referrer(make_response(render_template(
        "reviews/invitation.html", judge=judge, form=form, problem=None,
        event=db.session.get(Contest, judge.contest_id).event), status))


def _event_title(judge: ContestJudge) -> str:
    return localized(db.session.get(Contest, judge.contest_id).event, "title")


@blueprint.get("/judging")
@login_required
def my_reviews():
    return render_template("reviews/my_reviews.html", groups=scoring.my_reviews(current_user.id))


def _team(entry: Entry) -> list[TeamMember]:
    return list(db.session.scalars(select(TeamMember).where(TeamMember.entry_id == entry.id)
                                   .options(selectinload(TeamMember.user)).order_by(TeamMember.role, TeamMember.id)))


def _sheet_form(criteria, review: scoring.Review, formdata=None):
    form_class = sheet_form_class(criteria)
    if formdata is not None:
        return form_class()
    sheet = review.sheet
    data = {"version": sheet.version if sheet else ""}
    if sheet is not None:
        data["comment"] = sheet.comment
        for criterion in criteria:
            given = sheet.points.get(str(criterion.id))
            data[f"points_{criterion.id}"] = None if given is None else (int(given) if given == int(given) else given)
            data[f"comment_{criterion.id}"] = sheet.comments.get(str(criterion.id), "")
    return form_class(formdata=None, data=data)


def _render_sheet(review: scoring.Review, criteria, form, status: int = 200):
    return render_template(
        "reviews/sheet.html", review=review, round=review.round, entry=review.entry, criteria=criteria, form=form,
        team=[] if review.round.blind else _team(review.entry), next_entry=scoring.next_entry(review),
        history=scoring.sheet_history(review.sheet) if review.sheet else [], conflict_form=ConflictForm(),
        accepts=scoring.accepts_scores(review.round)), status


@blueprint.route("/judging/rounds/<int:round_id>/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def sheet(round_id: int, entry_id: int):
    review = scoring.review_for(current_user.id, round_id, entry_id, open_only=request.method == "GET")
    if review is None:
        abort(404)
    criteria = scoring.criteria_of(review.round)
    if request.method == "GET":
        return _render_sheet(review, criteria, _sheet_form(criteria, review))
    form = _sheet_form(criteria, review, request.form)
    if form.validate():
        submit = form.action.data == "submit"
        version = int(form.version.data) if is_ascii_digits(form.version.data or "") else None
        try:
            scoring.save_sheet(
                review, {c.id: form[f"points_{c.id}"].data for c in criteria},
                {c.id: form[f"comment_{c.id}"].data or "" for c in criteria}, form.comment.data or "", submit,
                version, current_user)
        except ValidationFailed as failure:
            db.session.rollback()
            review = scoring.review_for(current_user.id, round_id, entry_id, open_only=False)
            for message in apply_to_form(form, failure):
                flash(message, "danger")
        else:
            db.session.commit()
            if review.sheet.state.value == "submitted":
                flash(_("Your scores are submitted. You can still change them until the round closes."), "success")
                following = scoring.next_entry(review)
                if following is not None and form.action.data == "submit":
                    return redirect(url_for("reviews.sheet", round_id=round_id, entry_id=following.id))
            else:
                flash(_("Draft saved."), "success")
            return redirect(url_for("reviews.sheet", round_id=round_id, entry_id=entry_id))
    if review is None or review.round.state != RoundState.OPEN:
        flash(_("The round is no longer open: nothing was saved."), "danger")
        return redirect(url_for("reviews.my_reviews"))
    return _render_sheet(review, criteria, form, 422)


@blueprint.get("/judging/rounds/<int:round_id>/entries/<int:entry_id>/deck")
@login_required
def deck(round_id: int, entry_id: int):
    """The entry's pitch deck, for the judge assigned to it in an open round without a conflict. In a blind
    round the file keeps no name the team gave it."""
    review = scoring.review_for(current_user.id, round_id, entry_id)
    if review is None:
        abort(404)
    return deck_response(review.entry, f"entry-{entry_id}.pdf" if review.round.blind else None)


@blueprint.post("/judging/rounds/<int:round_id>/entries/<int:entry_id>/conflict")
@login_required
def declare_conflict(round_id: int, entry_id: int):
    review = scoring.review_for(current_user.id, round_id, entry_id)
    if review is None:
        abort(404)
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            conflict = conflicts.declare_conflict(review.judge, review.entry, form.reason.data)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            audit.record(current_user, "conflict_declared", conflict, after={"entry_id": entry_id,
                                                                             "reason": conflict.reason},
                         event_id=review.round.contest.event_id)
            db.session.commit()
            flash(_("Thank you: this entry is no longer yours to judge, and the organizers will give it to "
                    "another judge."), "success")
            return redirect(url_for("reviews.my_reviews"))
    flash(form.reason.errors[0] if form.reason.errors else _("Say briefly why you cannot judge this entry."),
          "danger")
    return redirect(url_for("reviews.sheet", round_id=round_id, entry_id=entry_id))


# --- Organizers: loaders --------------------------------------------------------------------------

@manage.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _back_to_round(event_id: int, round_id: int, anchor: str | None = None):
    return redirect(url_for("reviews.manage.round_page", event_id=event_id, round_id=round_id, _anchor=anchor))


def _flash_failure(failure: ValidationFailed) -> None:
    for _field, message in failure.errors:
        flash(str(message), "danger")


# --- Organizers: judges ---------------------------------------------------------------------------

@manage.get("")
def overview(event_id: int, invite_form: InviteJudgeForm | None = None, status: int = 200):
    contest = find_contest(event_id)
    if contest is None:  # a competition not set up as a contest yet: the tab says so
        return render_template("reviews/no_contest.html", event=event_or_404(event_id))
    listed = judges.judges_of(contest)
    declared = db.session.scalars(
        select(ConflictOfInterest).join(ContestJudge, ContestJudge.id == ConflictOfInterest.judge_id)
        .where(ContestJudge.contest_id == contest.id).order_by(ConflictOfInterest.id.desc())).all()
    entry_titles = {entry.id: entry for entry in db.session.scalars(
        select(Entry).where(Entry.id.in_({conflict.entry_id for conflict in declared})))} if declared else {}
    return render_template(
        "reviews/manage_overview.html", event=contest.event, contest=contest, judges=listed,
        invite_form=invite_form or InviteJudgeForm(formdata=None), conflicts=declared, entries=entry_titles,
        judge_names={judge.id: judge.name or judge.email for judge in listed}, reason_text=conflicts.reason_text,
        judge_progress=scoring.judge_progress(contest.id),
        progress={round_.id: scoring.round_progress(round_) for round_ in contest.rounds}), status


@manage.post("/judges")
def invite(event_id: int):
    contest = contest_or_404(event_id)
    form = InviteJudgeForm()
    if form.validate():
        try:
            judge, _token = judges.invite_judge(contest, current_user, form.email.data, form.name.data,
                                                form.organization.data, form.school.data, form.max_load.data)
        except ValidationFailed as failure:
            db.session.rollback()
            for message in apply_to_form(form, failure):
                flash(message, "danger")
        else:
            audit.record(current_user, "judge_invited", judge, after={"email": judge.email}, event_id=event_id)
            db.session.commit()
            flash(_("We have sent an invitation to %(email)s.", email=judge.email), "success")
            return redirect(url_for("reviews.manage.overview", event_id=event_id, _anchor="judges"))
    return overview(event_id, invite_form=form, status=422)


@manage.route("/judges/<int:judge_id>", methods=["GET", "POST"])
def edit_judge(event_id: int, judge_id: int):
    contest = contest_or_404(event_id)
    judge = contest_child_or_404(ContestJudge, contest, judge_id)
    form = EditJudgeForm(obj=judge) if request.method == "GET" else EditJudgeForm()
    if form.validate_on_submit():
        before = {"organization": judge.organization, "school": judge.school, "max_load": judge.max_load}
        try:
            judges.update_judge(judge, form.name.data, form.organization.data, form.school.data, form.max_load.data)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_to_form(form, failure)
        else:
            audit.record(current_user, "judge_changed", judge, before, {
                "organization": judge.organization, "school": judge.school, "max_load": judge.max_load},
                event_id=event_id)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("reviews.manage.overview", event_id=event_id, _anchor="judges"))
    return render_template("reviews/judge_form.html", event=contest.event, judge=judge, form=form), \
        422 if form.errors else 200


@manage.post("/judges/<int:judge_id>/remove")
def remove_judge(event_id: int, judge_id: int):
    contest = contest_or_404(event_id)
    judge = contest_child_or_404(ContestJudge, contest, judge_id)
    if not WebForm().validate_on_submit():
        abort(400)
    try:
        audit.record(current_user, "judge_removed", judge, {"email": judge.email}, {}, event_id=event_id)
        judges.remove_judge(judge)
    except ValidationFailed as failure:
        db.session.rollback()
        _flash_failure(failure)
    else:
        db.session.commit()
        flash(_("The judge was removed."), "success")
    return redirect(url_for("reviews.manage.overview", event_id=event_id, _anchor="judges"))


@manage.post("/conflicts/detect")
def detect(event_id: int):
    contest = contest_or_404(event_id)
    if not WebForm().validate_on_submit():
        abort(400)
    added = conflicts.detect_conflicts(contest)
    db.session.commit()
    flash(_("Conflicts of interest checked again: %(count)d new.", count=added), "info")
    return redirect(url_for("reviews.manage.overview", event_id=event_id, _anchor="conflicts"))


# --- Organizers: a round's panels and rubric ------------------------------------------------------

@manage.get("/rounds/<int:round_id>")
def round_page(event_id: int, round_id: int, criterion_form: CriterionForm | None = None,
               panel_form: PanelForm | None = None, status: int = 200):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    contest_judges = judges.judges_of(contest)
    return render_template(
        "reviews/round.html", event=contest.event, contest=contest, round=round_,
        panels=assignment.panels_of(round_), judges=contest_judges,
        judge_names={judge.id: judge.name or judge.email for judge in contest_judges},
        tracks={track.id: track for track in contest.tracks}, criteria=scoring.criteria_of(round_),
        locked=scoring.rubric_locked(round_), criterion_form=criterion_form or CriterionForm(formdata=None),
        panel_form=panel_form or _panel_form(contest, formdata=None), member_form=_member_form(contest_judges),
        progress=scoring.round_progress(round_)), status


def _panel_form(contest: Contest, formdata=False) -> PanelForm:
    form = PanelForm() if formdata is not None else PanelForm(formdata=None)
    form.track.choices = [*form.track.choices, *((str(track.id), localized(track, "name")) for track in contest.tracks)]
    return form


def _member_form(contest_judges: list[ContestJudge]) -> PanelMemberForm:
    form = PanelMemberForm(formdata=None)
    form.judge.choices = [(str(judge.id), judge.name or judge.email) for judge in contest_judges]
    return form


ROUND_STATE_RETURNS = {
    "judging_round": lambda event_id, round_id: url_for("reviews.manage.round_page", event_id=event_id,
                                                        round_id=round_id),
    "judging": lambda event_id, round_id: url_for("reviews.manage.overview", event_id=event_id, _anchor="rounds"),
    "rounds": lambda event_id, round_id: url_for("contests_manage.round_list", event_id=event_id),
    "results": lambda event_id, round_id: url_for("awards.overview", event_id=event_id),
    "results_round": lambda event_id, round_id: url_for("awards.round_page", event_id=event_id, round_id=round_id,
                                                        _anchor="advance"),
}


def _confirm_close(event_id: int, round_: Round, back: str):
    return render_template("reviews/confirm_close.html", event=db.session.get(Contest, round_.contest_id).event,
                           round=round_, back=back, back_url=ROUND_STATE_RETURNS[back](event_id, round_.id),
                           consequences=scoring.closing_consequences(round_))


@manage.get("/rounds/<int:round_id>/close")
def confirm_close(event_id: int, round_id: int):
    """What closing the round does, before it is done: every page's "Close round" leads here."""
    round_ = contest_child_or_404(Round, contest_or_404(event_id), round_id)
    back = request.args.get("back", "")
    return _confirm_close(event_id, round_, back if back in ROUND_STATE_PAGES else "judging_round")


@manage.post("/rounds/<int:round_id>/state")
def round_state(event_id: int, round_id: int):
    """Open a round, or close it once the organizer has read what that does; then back to the page it was
    done from."""
    round_ = contest_child_or_404(Round, contest_or_404(event_id), round_id)
    form = RoundStateForm()
    if not form.validate_on_submit():
        abort(400)
    wanted, back = RoundState(form.state.data), form.back_page()
    if wanted == RoundState.CLOSED and form.confirmed.data != "yes":
        return _confirm_close(event_id, round_, back)  # nothing changes before the consequences are read
    try:
        scoring.set_round_state(round_, wanted, current_user)
    except ValidationFailed as failure:
        db.session.rollback()
        _flash_failure(failure)
    else:
        db.session.commit()
        flash(_("The round is open: judges can score.") if wanted == RoundState.OPEN else
              _("The round is closed: its scores are final."), "success")
    return redirect(ROUND_STATE_RETURNS[back](event_id, round_id))


@manage.post("/rounds/<int:round_id>/panels")
def add_panel(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    form = _panel_form(contest)
    if form.validate():
        try:
            assignment.add_panel(round_, int(form.track.data) if form.track.data else None, form.name.data,
                                 form.room.data)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_to_form(form, failure)
        else:
            db.session.commit()
            return _back_to_round(event_id, round_id, "panels")
    return round_page(event_id, round_id, panel_form=form, status=422)


@manage.post("/rounds/<int:round_id>/panels/<int:panel_id>/members")
def add_panel_member(event_id: int, round_id: int, panel_id: int):
    contest = contest_or_404(event_id)
    panel = round_child_or_404(Panel, contest_child_or_404(Round, contest, round_id), panel_id)
    judge_id = request.form.get("judge", "")
    if not WebForm().validate_on_submit() or not is_ascii_digits(judge_id) or len(judge_id) > 9:
        abort(400)
    assignment.add_panel_member(panel, contest_child_or_404(ContestJudge, contest, int(judge_id)))
    db.session.commit()
    return _back_to_round(event_id, round_id, f"panel-{panel.id}")


@manage.post("/rounds/<int:round_id>/panels/<int:panel_id>/members/<int:judge_id>/remove")
def remove_panel_member(event_id: int, round_id: int, panel_id: int, judge_id: int):
    contest = contest_or_404(event_id)
    panel = round_child_or_404(Panel, contest_child_or_404(Round, contest, round_id), panel_id)
    if not WebForm().validate_on_submit():
        abort(400)
    assignment.remove_panel_member(panel, judge_id)
    db.session.commit()
    return _back_to_round(event_id, round_id, f"panel-{panel.id}")


@manage.post("/rounds/<int:round_id>/panels/<int:panel_id>/delete")
def delete_panel(event_id: int, round_id: int, panel_id: int):
    panel = round_child_or_404(Panel, contest_child_or_404(Round, contest_or_404(event_id), round_id), panel_id)
    if not WebForm().validate_on_submit():
        abort(400)
    assignment.delete_panel(panel)
    db.session.commit()
    return _back_to_round(event_id, round_id, "panels")


def _criterion_data(form: CriterionForm) -> scoring.CriterionData:
    return scoring.CriterionData(
        name_zh=form.name_zh.data or "", name_en=form.name_en.data or "", description_zh=form.description_zh.data or "",
        description_en=form.description_en.data or "", weight=form.weight.data, max_points=form.max_points.data,
        comment_required=form.comment_required.data, position=form.position.data or 0)


@manage.post("/rounds/<int:round_id>/criteria")
def add_criterion(event_id: int, round_id: int):
    round_ = contest_child_or_404(Round, contest_or_404(event_id), round_id)
    form = CriterionForm()
    if form.validate():
        try:
            scoring.save_criterion(round_, _criterion_data(form), actor=current_user)
        except ValidationFailed as failure:
            db.session.rollback()
            for message in apply_to_form(form, failure):
                flash(message, "danger")
        else:
            db.session.commit()
            return _back_to_round(event_id, round_id, "rubric")
    return round_page(event_id, round_id, criterion_form=form, status=422)


@manage.route("/rounds/<int:round_id>/criteria/<int:criterion_id>", methods=["GET", "POST"])
def edit_criterion(event_id: int, round_id: int, criterion_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    criterion = round_child_or_404(RubricCriterion, round_, criterion_id)
    form = CriterionForm(obj=criterion) if request.method == "GET" else CriterionForm()
    if form.validate_on_submit():
        try:
            scoring.save_criterion(round_, _criterion_data(form), criterion, actor=current_user)
        except ValidationFailed as failure:
            db.session.rollback()
            for message in apply_to_form(form, failure):
                flash(message, "danger")
        else:
            db.session.commit()
            return _back_to_round(event_id, round_id, "rubric")
    return render_template("reviews/criterion_form.html", event=contest.event, round=round_, criterion=criterion,
                           form=form, locked=scoring.rubric_locked(round_)), 422 if form.errors else 200


@manage.post("/rounds/<int:round_id>/criteria/<int:criterion_id>/delete")
def delete_criterion(event_id: int, round_id: int, criterion_id: int):
    round_ = contest_child_or_404(Round, contest_or_404(event_id), round_id)
    criterion = round_child_or_404(RubricCriterion, round_, criterion_id)
    if not WebForm().validate_on_submit():
        abort(400)
    try:
        scoring.delete_criterion(round_, criterion, current_user)
    except ValidationFailed as failure:
        db.session.rollback()
        _flash_failure(failure)
    else:
        db.session.commit()
    return _back_to_round(event_id, round_id, "rubric")


# --- Organizers: assignment -----------------------------------------------------------------------

@manage.route("/rounds/<int:round_id>/assign", methods=["GET", "POST"])
def assign(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    form = AssignForm() if request.method == "POST" else AssignForm(formdata=None,
                                                                     data={"per_entry": round_.reviews_per_entry})
    status = 200
    if form.validate_on_submit():
        try:
            planned = assignment.assign_round(round_, form.per_entry.data, form.max_load.data, current_user)
        except assignment.AssignmentFailed as failure:
            db.session.rollback()
            flash(failure.message, "danger")
            status = 422
        else:
            db.session.commit()
            flash(_("%(count)d entries have their judges.", count=len(planned)), "success")
            return redirect(url_for("reviews.manage.assign", event_id=event_id, round_id=round_id))
    elif form.errors:
        status = 422
    return _render_assignment(contest, round_, form, status)


def _render_assignment(contest: Contest, round_: Round, form: AssignForm, status: int = 200):
    entries = assignment.round_entries(round_)
    panel = assignment.round_judges(round_)
    every_judge = {judge.id: judge for judge in judges.judges_of(contest)}
    pairs = conflicts.conflict_pairs(contest.id)
    current = assignment.current_assignment(round_)
    loads: dict[int, int] = {}
    for judge_ids in current.values():
        for judge_id in judge_ids:
            loads[judge_id] = loads.get(judge_id, 0) + 1
    addable = {entry.id: [every_judge[j] for j in sorted(panel.for_track(entry.track_id))
                          if j not in current.get(entry.id, []) and (j, entry.id) not in pairs] for entry in entries}
    return render_template(
        "reviews/assign.html", event=contest.event, contest=contest, round=round_, form=form, entries=entries,
        current=current, judges=every_judge, loads=loads, addable=addable, conflicted=pairs,
        tracks={track.id: track for track in contest.tracks}, hand_form=HandChangeForm(formdata=None)), status


@manage.post("/rounds/<int:round_id>/entries/<int:entry_id>/judges")
def add_entry_judge(event_id: int, round_id: int, entry_id: int):
    return _hand_change(event_id, round_id, entry_id, add=request.form.get("judge", ""))


@manage.post("/rounds/<int:round_id>/entries/<int:entry_id>/judges/<int:judge_id>/remove")
def remove_entry_judge(event_id: int, round_id: int, entry_id: int, judge_id: int):
    return _hand_change(event_id, round_id, entry_id, remove=judge_id)


def _hand_change(event_id: int, round_id: int, entry_id: int, add: str | None = None, remove: int | None = None):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    entry = contest_child_or_404(Entry, contest, entry_id)
    if not WebForm().validate_on_submit() or (add is not None and (not is_ascii_digits(add) or len(add) > 9)):
        abort(400)
    judge_id = int(add) if add is not None else remove
    judge = contest_child_or_404(ContestJudge, contest, judge_id)
    try:
        assignment.change_entry_judges(round_, entry, add=judge.id if add is not None else None,
                                       remove=judge.id if remove is not None else None, actor=current_user)
    except ValidationFailed as failure:
        db.session.rollback()
        _flash_failure(failure)
    else:
        db.session.commit()
        flash(_("Judges of entry #%(id)d changed.", id=entry.id), "success")
    return redirect(url_for("reviews.manage.assign", event_id=event_id, round_id=round_id, _anchor=f"entry-{entry.id}"))


# --- Organizers: leaderboard ----------------------------------------------------------------------

@manage.get("/rounds/<int:round_id>/leaderboard")
def leaderboard_page(event_id: int, round_id: int):
    contest = contest_or_404(event_id)
    round_ = contest_child_or_404(Round, contest, round_id)
    tracks = {track.id: track for track in contest.tracks}
    track_id = request.args.get("track", type=int)
    if track_id is not None and track_id not in tracks:
        track_id = None
    page = max(1, min(request.args.get("page", 1, type=int), 100_000))
    board = leaderboard.leaderboard(round_, track_id)
    pages = max(1, -(-board.count // LEADERBOARD_PAGE_SIZE))
    page = min(page, pages)
    rows = board.rows((page - 1) * LEADERBOARD_PAGE_SIZE, page * LEADERBOARD_PAGE_SIZE, contest.id,
                      current_language())
    page_html = render_template(
        "reviews/leaderboard.html", event=contest.event, contest=contest, round=round_, board=board, rows=rows,
        tracks=tracks, track_id=track_id, page=page, pages=pages,
        method_form=MethodForm(formdata=None, data={"method": round_.aggregation.value}))
    db.session.commit()  # the ranking, when computed here, stored for every process
    return page_html


@manage.post("/rounds/<int:round_id>/method")
def set_method(event_id: int, round_id: int):
    round_ = contest_child_or_404(Round, contest_or_404(event_id), round_id)
    form = MethodForm()
    if not form.validate_on_submit():
        abort(400)
    before = round_.aggregation.value
    round_.aggregation = Aggregation(form.method.data)
    audit.record(current_user, "method_changed", round_, {"aggregation": before},
                 {"aggregation": round_.aggregation.value}, event_id=event_id)
    db.session.commit()
    return redirect(url_for("reviews.manage.leaderboard_page", event_id=event_id, round_id=round_id,
                            track=request.args.get("track", type=int)))


blueprint.register_blueprint(manage)
