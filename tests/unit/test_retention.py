"""Retention: an event's personal data goes once its period after the end has passed; the counts stay."""
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import select

from eventsapp.analytics import services as analytics
from eventsapp.audit.models import AuditEntry
from eventsapp.browse.models import ProfileView, ViewedItem
from eventsapp.candidates.models import CandidateProfile
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.registrations.models import Registration, RegistrationAnswer, RegistrationQuestion, RegistrationStatus
from eventsapp.retention import services as retention
from tests.factories import local

DEFAULT_MONTHS = 24


def test_data_is_kept_for_the_events_period_or_the_default_after_its_end(ctx, make_event):
    event = make_event(starts_at=local(2027, 8, 31, 9), ends_at=local(2027, 8, 31, 17))
    assert retention.kept_until(event, DEFAULT_MONTHS) == local(2029, 8, 31, 17)
    event.retention_months = 6  # 31 August + 6 months: the last day of February
    assert retention.kept_until(event, DEFAULT_MONTHS) == local(2028, 2, 29, 17)


def _event_with_personal_data(make_event, make_candidate, ends_at, slug, person=None, resume="resume.pdf"):
    event = make_event(slug=slug, starts_at=ends_at - timedelta(hours=8), ends_at=ends_at, capacity=5)
    person = person or make_candidate()
    profile = db.session.get(CandidateProfile, person.id)
    profile.resume_storage_name, profile.resume_filename = resume, "cv.pdf"
    question = RegistrationQuestion(event_id=event.id, kind="short_text", label_en="Why?")
    db.session.add(question)
    db.session.flush()
    registration = Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED,
                                queued_at=ends_at - timedelta(days=30), created_at=ends_at - timedelta(days=30),
                                attended_at=ends_at - timedelta(hours=6), decision_reason="called about her visa")
    db.session.add(registration)
    db.session.flush()
    db.session.add_all([
        RegistrationAnswer(registration_id=registration.id, question_id=question.id, value="I love Hangzhou"),
        ProfileView(candidate_id=person.id, event_id=event.id, item=ViewedItem.RESUME,
                    created_at=ends_at - timedelta(hours=7)),
        OutboxMessage(kind="registration_confirmed", to_email=person.email, subject="Confirmed", body_text="Dear Li",
                      locale="en", status=OutboxStatus.SENT, created_at=ends_at - timedelta(days=30))])
    db.session.commit()
    return event, person


def test_retention_erases_what_is_due_and_keeps_the_rest(ctx, make_event, make_candidate):
    now = utcnow()
    old, old_person = _event_with_personal_data(make_event, make_candidate, now - timedelta(days=800), "old")
    recent, recent_person = _event_with_personal_data(make_event, make_candidate, now - timedelta(days=100),
                                                      "recent")
    # Registered at both: the résumé stays while the recent event still keeps its data.
    db.session.add(Registration(event_id=old.id, user_id=recent_person.id, status=RegistrationStatus.CONFIRMED,
                                queued_at=now, created_at=now))
    db.session.commit()

    planned = retention.run_retention(now, default_months=DEFAULT_MONTHS, dry_run=True)
    assert [(e.slug, e.answers, e.registrations, e.profile_views, e.emails, e.resumes) for e in planned] == [
        ("old", 1, 2, 1, 1, 1)]
    assert db.session.get(Event, old.id).personal_data_erased_at is None  # a dry run changes nothing
    assert db.session.scalar(select(RegistrationAnswer.id).join(Registration).where(
        Registration.event_id == old.id)) is not None

    [erased] = retention.run_retention(now, default_months=DEFAULT_MONTHS)
    assert erased.slug == "old"
    assert db.session.get(Event, old.id).personal_data_erased_at is not None
    answers = db.session.scalars(select(RegistrationAnswer.value).join(Registration)).all()
    assert answers == ["I love Hangzhou"]  # the recent event's only
    old_registration = db.session.scalar(select(Registration).where(Registration.event_id == old.id,
                                                                     Registration.user_id == old_person.id))
    assert old_registration.decision_reason == "" and old_registration.attended_at is not None
    assert db.session.scalars(select(ProfileView.event_id)).all() == [recent.id]
    messages = {m.to_email: m for m in db.session.scalars(select(OutboxMessage))}
    assert old_person.email not in messages and recent_person.email in messages
    assert messages[retention.ERASED_ADDRESS].body_text == ""
    assert db.session.get(CandidateProfile, old_person.id).resume_storage_name is None
    assert db.session.get(CandidateProfile, recent_person.id).resume_storage_name == "resume.pdf"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "personal_data_erased"))
    assert entry.event_id == old.id and entry.after["answers"] == 1
    assert retention.run_retention(now, default_months=DEFAULT_MONTHS) == []  # erased once


def test_the_analytics_figures_of_an_erased_event_do_not_change(ctx, make_event, make_candidate):
    now = utcnow()
    ended = now - timedelta(days=800)
    event, _ = _event_with_personal_data(make_event, make_candidate, ended, "counted")
    for number in range(12):
        person = make_candidate(degree="phd" if number % 2 else "bachelor", talent_class="B")
        status = RegistrationStatus.CONFIRMED if number < 4 else RegistrationStatus.WAITLISTED
        db.session.add(Registration(event_id=event.id, user_id=person.id, queued_at=ended - timedelta(days=number),
                                    created_at=ended - timedelta(days=number), status=status))
    db.session.commit()
    period = analytics.Period.year(ended.year)
    figures = analytics.figures(period, now=now)
    assert dict(figures.registrations_by_status)[RegistrationStatus.CONFIRMED].value == 5
    before = asdict(figures)
    assert retention.run_retention(now, default_months=DEFAULT_MONTHS)
    db.session.expire_all()
    assert asdict(analytics.figures(period, now=now)) == before


def test_the_cli_says_what_it_would_erase_and_erases_it(app, ctx, runner, make_event, make_candidate):
    event, _ = _event_with_personal_data(make_event, make_candidate, utcnow() - timedelta(days=800), "cli-old")
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0 and "cli-old: would erase 1 answers" in dry.output and "1 event(s) due" in dry.output
    assert db.session.get(Event, event.id).personal_data_erased_at is None
    done = runner.invoke(args=["retention", "run"])
    assert done.exit_code == 0 and "1 event(s) erased" in done.output
    db.session.expire_all()
    assert db.session.get(Event, event.id).personal_data_erased_at is not None


def test_retention_is_a_scheduled_job(app):
    from eventsapp.scheduler.services import registered_jobs
    assert "retention" in {job.name for job in registered_jobs(app)}
