"""Candidates register and see their events; organizers manage an event's registrants."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from eventsapp import durability
from eventsapp.accounts.access import organizer_required
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.i18n import localized, title_in_quotes
from eventsapp.loaders import event_child_or_404, event_or_404, public_event_or_404
from eventsapp.matchmaking.preferences import hosts_matching
from eventsapp.matchmaking.run_results import events_with_published_run
from eventsapp.registrations import export, questions, services
from eventsapp.registrations.choices import (
    ACTION_LABELS,
    QUESTION_KIND_LABELS,
    STATUS_LABELS,
    answer_words,
    status_words,
)
from eventsapp.registrations.forms import (
    AddRegistrantForm,
    CapacityForm,
    DecisionForm,
    MoveForm,
    QuestionForm,
    ReasonForm,
    answers_from,
    registration_form,
)
from eventsapp.registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("registrations", __name__)
manage = Blueprint("registrants", __name__, url_prefix="/manage/events/<int:event_id>")


@blueprint.route("/events/<slug>/register", methods=["GET", "POST"])
@login_required
def register(slug: str):
    event, event_questions = services.event_and_questions(slug)  # the form is built from both
    if event is None or not event.is_public:
        abort(404)
    form = registration_form(event_questions)
    user = current_user._get_current_object()  # not the proxy: the services read it many times
    check = services.check_registration(event, user, event_questions)
    problems = check.problems
    if check.admission is not None and form.validate_on_submit():
        try:
            result = services.register_admitted(check.admission, answers_from(form, event_questions))
        except services.RegistrationRefused as refusal:
            problems = refusal.reasons
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            # In words before the commit, which ends the event's lock and expires what the words are read from.
            outcome = _outcome_message(result.status, result.created, result.waitlist_position)
            db.session.commit()
            flash(outcome, "success" if result.created else "info")
            return redirect(url_for("registrations.my_events"))
    # Showing the form: someone already registered is sent to their events instead.
    existing = services.find_registration(event.id, user.id)
    if existing is not None and existing.status in ACTIVE_STATUSES:
        # Its request may still be waiting for the disk (eventsapp.durability): so does this answer.
        durability.wait_for_disk_of(db.session, existing.queued_at)
        flash(_("You are already registered for this event."), "info")
        return redirect(url_for("registrations.my_events"))
    return render_template("registrations/register.html", event=event, form=form, problems=problems,
                           places_left=services.places_left(event))


def _outcome_message(status: RegistrationStatus, created: bool, position: int | None) -> str:
    if not created:
        return _("You are already registered for this event.")
    if status == RegistrationStatus.CONFIRMED:
        return _("You are registered. A confirmation is on its way to your e-mail.")
    if status == RegistrationStatus.WAITLISTED:
        return _("The event is full: you are number %(position)d on the waiting list. We will tell you when a "
                 "place frees up.", position=position)
    return _("Your registration is waiting for the organizer's approval. We will tell you either way.")


@blueprint.get("/events/<slug>/places.json")
def places(slug: str):
    event = public_event_or_404(slug)
    counts = services.count_by_status(event.id)
    places_left = max(event.capacity - counts[RegistrationStatus.CONFIRMED], 0)
    response = jsonify(capacity=event.capacity, places_left=places_left, waiting=counts[RegistrationStatus.WAITLISTED])
    response.cache_control.max_age = 5
    return response


@blueprint.get("/my/events")
@login_required
def my_events():
    now = utcnow()
    registrations = services.registrations_of(current_user.id)
    upcoming = [r for r in registrations if r.event.ends_at >= now]
    upcoming.reverse()  # soonest first
    past = [r for r in registrations if r.event.ends_at < now]
    positions = {r.id: services.waitlist_position(r) for r in upcoming if r.status == RegistrationStatus.WAITLISTED}
    # Confirmed at a fair: the booths to rank for the matching, and the interviews once a run is published.
    fairs = {r.event_id for r in registrations if r.status == RegistrationStatus.CONFIRMED
             and hosts_matching(r.event) and r.event.is_public}
    return render_template("registrations/my_events.html", upcoming=upcoming, past=past, positions=positions,
                           status_labels=STATUS_LABELS, now=now, fairs=fairs,
                           with_interviews=events_with_published_run(fairs))


@blueprint.post("/my/registrations/<int:registration_id>/cancel")
@login_required
def cancel_mine(registration_id: int):
    try:
        registration = services.cancel_own_registration(registration_id, current_user)
    except LookupError:
        abort(404)
    except services.RegistrationRefused as refusal:
        for reason in refusal.reasons:
            flash(str(reason), "warning")
    else:
        db.session.commit()
        title = title_in_quotes(localized(registration.event, "title"))
        flash(_("Your registration for %(event)s is cancelled.", event=title), "success")
    return redirect(url_for("registrations.my_events"))


# --- Organizers -------------------------------------------------------------------------------------

@manage.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _status_filter() -> RegistrationStatus | None:
    value = request.args.get("status", "")
    return RegistrationStatus(value) if value in {s.value for s in RegistrationStatus} else None


def _other_events(event: Event) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.id != event.id, Event.status != EventStatus.CANCELLED,
                                                       Event.ends_at >= utcnow()).order_by(Event.starts_at)))


@manage.get("/registrations")
def registrants(event_id: int, **forms):
    event = event_or_404(event_id)
    search = request.args.get("q", "").strip()[:100]
    query = services.registrants_query(event.id, _status_filter(), search)
    pagination = db.paginate(query, per_page=50, error_out=False)
    move_form = forms.get("move_form") or MoveForm()
    move_form.target_event_id.choices = [(other.id, localized(other, "title")) for other in _other_events(event)]
    capacity_form = forms.get("capacity_form") or CapacityForm(capacity=event.capacity)
    counts = services.count_by_status(event.id)
    return render_template(
        "registrations/registrants.html", event=event, pagination=pagination, search=search,
        status=request.args.get("status", ""), counts=counts,
        places_left=max(event.capacity - counts[RegistrationStatus.CONFIRMED], 0),
        pending_count=counts[RegistrationStatus.PENDING],
        positions=services.waitlist_positions(event.id), status_labels=STATUS_LABELS,
        decision_form=forms.get("decision_form") or DecisionForm(), reason_form=ReasonForm(),
        add_form=forms.get("add_form") or AddRegistrantForm(), move_form=move_form, capacity_form=capacity_form,
        history=services.history_of(event.id), answer_words=answer_words, action_labels=ACTION_LABELS,
        status_words=status_words), 422 if forms else 200


def _back(event: Event):
    return redirect(url_for("registrants.registrants", event_id=event.id, status=request.args.get("status", ""),
                            q=request.args.get("q", "")))


@manage.post("/registrations/decide")
def decide(event_id: int):
    event = event_or_404(event_id)
    form = DecisionForm()
    if not form.validate_on_submit() or not form.registration_ids.data:
        flash(_("Tick the registrations to approve or decline."), "warning")
        return _back(event)
    try:
        if form.decision.data == "approve":
            done = services.approve_registrations(event.id, form.registration_ids.data, current_user)
            message = _("%(count)d registrations approved.", count=len(done))
        else:
            done = services.reject_registrations(event.id, form.registration_ids.data, current_user,
                                                 form.reason.data or "")
            message = _("%(count)d registrations declined.", count=len(done))
    except ValidationFailed as failure:
        apply_to_form(form, failure)
        return registrants(event.id, decision_form=form)
    db.session.commit()
    flash(message, "success")
    return _back(event)


@manage.post("/registrations/<int:registration_id>/cancel")
def cancel(event_id: int, registration_id: int):
    event = event_or_404(event_id)
    registration = event_child_or_404(Registration, event.id, registration_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason: it is kept in the log."), "danger")
        return _back(event)
    try:
        promoted = services.cancel_registration(registration, actor=current_user, reason=form.reason.data)
    except services.RegistrationRefused as refusal:
        flash(str(refusal.reasons[0]), "warning")
        return _back(event)
    db.session.commit()
    flash(_("Registration cancelled; %(count)d promoted from the waiting list.", count=len(promoted)), "success")
    return _back(event)


@manage.post("/registrations/<int:registration_id>/move")
def move(event_id: int, registration_id: int):
    event = event_or_404(event_id)
    registration = event_child_or_404(Registration, event.id, registration_id)
    form = MoveForm()
    form.target_event_id.choices = [(other.id, "") for other in _other_events(event)]
    if form.validate_on_submit():
        try:
            moved = services.move_registration(registration, form.target_event_id.data, current_user,
                                               form.reason.data)
        except (ValidationFailed, services.RegistrationRefused) as failure:
            messages = [m for _f, m in failure.errors] if isinstance(failure, ValidationFailed) else failure.reasons
            for message in messages:
                flash(str(message), "danger")
        else:
            db.session.commit()
            flash(_("Moved to %(event)s (%(status)s).", event=title_in_quotes(localized(moved.event, "title")),
                    status=STATUS_LABELS[moved.status]), "success")
    else:
        flash(_("Choose an event and give a reason."), "danger")
    return _back(event)


@manage.post("/registrations/<int:registration_id>/attended")
def attended(event_id: int, registration_id: int):
    event = event_or_404(event_id)
    try:
        services.mark_attended(event_child_or_404(Registration, event.id, registration_id), current_user)
    except services.RegistrationRefused as refusal:
        flash(str(refusal.reasons[0]), "warning")
    else:
        db.session.commit()
    return _back(event)


@manage.post("/registrations/add")
def add(event_id: int):
    event = event_or_404(event_id)
    form = AddRegistrantForm()
    if form.validate_on_submit():
        try:
            registration = services.add_by_organizer(event.id, form.email.data, current_user, form.reason.data)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("%(email)s added (%(status)s).", email=registration.user.email,
                    status=STATUS_LABELS[registration.status]), "success")
            return _back(event)
    return registrants(event.id, add_form=form)


@manage.post("/capacity")
def capacity(event_id: int):
    event = event_or_404(event_id)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            promoted = services.change_capacity(event.id, form.capacity.data, current_user)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("Capacity is now %(capacity)d; %(count)d promoted from the waiting list.",
                    capacity=form.capacity.data, count=len(promoted)), "success")
            return _back(event)
    return registrants(event.id, capacity_form=form)


@manage.get("/registrations.csv")
def registrants_csv(event_id: int):
    event = event_or_404(event_id)
    registrations = db.session.scalars(services.registrants_query(event.id, _status_filter())).all()
    positions = services.waitlist_positions(event.id)
    body = export.registrants_csv([(registration, positions.get(registration.id)) for registration in registrations],
                                  services.questions_of(event.id))
    filename = f"registrants-{event.slug}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"})


@manage.route("/questions", methods=["GET", "POST"])
def question_list(event_id: int):
    event = event_or_404(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            questions.save_question(event.id, form.to_data())
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The question has been added."), "success")
            return redirect(url_for("registrants.question_list", event_id=event.id))
    return render_template("registrations/questions.html", event=event, form=form,
                           questions=services.questions_of(event.id), kind_labels=QUESTION_KIND_LABELS)


@manage.route("/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(event_id: int, question_id: int):
    event = event_or_404(event_id)
    question = event_child_or_404(RegistrationQuestion, event.id, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    if form.validate_on_submit():
        try:
            questions.save_question(event.id, form.to_data(), question)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The question has been saved."), "success")
            return redirect(url_for("registrants.question_list", event_id=event.id))
    return render_template("registrations/question_edit.html", event=event, form=form, question=question)


@manage.post("/questions/<int:question_id>/delete")
def delete_question(event_id: int, question_id: int):
    event = event_or_404(event_id)
    questions.delete_question(event_child_or_404(RegistrationQuestion, event.id, question_id))
    db.session.commit()
    flash(_("The question and its answers have been removed."), "success")
    return redirect(url_for("registrants.question_list", event_id=event.id))
