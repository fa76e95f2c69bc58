"""The demo covers two years (last year and this year) with the variety the analytics and the year report
need: every series, several districts, every registration status, no-shows, employers and interviews."""
from __future__ import annotations

from datetime import date

from sqlalchemy import distinct, func, select

from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass
from eventsapp.demo.history import history_events
from eventsapp.demo.seed import seed_demo
from eventsapp.events.models import Event, EventKind, Series
from eventsapp.extensions import db
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus
from eventsapp.openings.models import Opening
from eventsapp.registrations.models import Registration, RegistrationStatus

TODAY = date(2026, 12, 6)


def in_year(year: int):
    return func.extract("year", Event.starts_at) == year


def test_the_demo_covers_last_year_and_this_year(ctx):
    seed_demo(TODAY, "testing")
    for year in (2025, 2026):
        kinds = set(db.session.scalars(select(Event.kind).where(in_year(year))))
        assert {EventKind.FAIR, EventKind.TALENT_DAY, EventKind.COMPETITION, EventKind.CONFERENCE} <= kinds
        series = set(db.session.scalars(select(Series.slug).join(Event, Event.series_id == Series.id)
                                        .where(in_year(year))))
        assert {"spring-talent", "talent-day", "campus-fairs", "youth-season", "innovation-contest"} <= series
        assert len(set(db.session.scalars(select(Event.district).where(in_year(year), Event.district != "")))) >= 8
        statuses = dict(db.session.execute(select(Registration.status, func.count()).join(Event).where(
            in_year(year)).group_by(Registration.status)).all())
        assert set(statuses) == set(RegistrationStatus) and statuses[RegistrationStatus.CONFIRMED] > 1000
        came, no_shows = db.session.execute(select(
            func.count(Registration.attended_at), func.count()).join(Event).where(
            in_year(year), Registration.status == RegistrationStatus.CONFIRMED)).one()
        assert 0.6 < came / no_shows < 0.8  # about three in ten confirmed did not come
        assert db.session.scalar(select(func.count(distinct(Booth.organization_id))).join(Event).where(
            in_year(year), Booth.status == BoothStatus.APPROVED)) >= 20
        assert db.session.scalar(select(func.count()).select_from(Opening).join(Event).where(in_year(year))) >= 100
        assert db.session.scalar(select(func.count()).select_from(Interview).join(MatchRun).join(
            Event, Event.id == MatchRun.event_id).where(in_year(year), MatchRun.status == RunStatus.PUBLISHED)) >= 100
    assert len(history_events(TODAY)) == 2 * 13
    degrees = dict(db.session.execute(select(CandidateProfile.degree, func.count()).group_by(
        CandidateProfile.degree)).all())
    assert set(degrees) >= set(Degree) - {None} and degrees[Degree.PHD] >= 50 and degrees[Degree.POSTDOC] >= 20
    classes = set(db.session.scalars(select(distinct(CandidateProfile.talent_class))))
    assert set(TalentClass) <= classes
    under_35 = db.session.scalar(select(func.count()).select_from(CandidateProfile).where(
        CandidateProfile.birth_year > 2026 - 35))
    assert under_35 / sum(degrees.values()) > 0.7


def test_seeding_again_adds_nothing_to_the_history(ctx):
    seed_demo(TODAY, "testing")
    registrations = db.session.scalar(select(func.count()).select_from(Registration))
    again = seed_demo(TODAY, "testing")
    assert again["events"] == 0 and again["registrations"] == 0
    assert db.session.scalar(select(func.count()).select_from(Registration)) == registrations
