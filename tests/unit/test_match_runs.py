"""Matching runs as services (no HTTP): reading the preferences, running, saving, publishing,
e-mails, explanations and what candidates and employers see afterwards.

``MatchingFair`` (tests/factories.py) builds a fair with its matching settings in a line per booth
or candidate.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.matching import Reason
from eventsapp.matchmaking import preferences, run_results, runs, schedules
from eventsapp.matchmaking.models import (
    Interview,
    MatchRun,
    MatchRunBooth,
    MatchRunCandidate,
    RunStatus,
)
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import render_message
from eventsapp.registrations.models import RegistrationStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def fair_factory(matching_fair):
    return matching_fair


@pytest.fixture
def english(ctx):
    with force_locale("en"):
        yield


def interviews_of(run: MatchRun) -> set[tuple[int, int, int]]:
    return set(db.session.execute(select(Interview.candidate_id, Interview.booth_id, Interview.slot)
                                  .where(Interview.run_id == run.id)).tuples())


def ranking_of(run: MatchRun, booth: Booth) -> list[int]:
    return json.loads(db.session.scalar(select(MatchRunBooth.ranking_json).where(
        MatchRunBooth.run_id == run.id, MatchRunBooth.booth_id == booth.id)))


def outbox(kind: str) -> list[OutboxMessage]:
    """The messages of ``kind``, written as the outbox worker writes them (publishing queues them unwritten)."""
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                  .order_by(OutboxMessage.id)).all()
    for message in messages:
        render_message(message)
    return messages


# --- Running ----------------------------------------------------------------------------------------

def test_a_run_saves_the_matching_the_schedule_and_what_it_read(ctx, english, fair_factory, make_user):
    fair = fair_factory(hours=1, slot_minutes=30, quota=2)  # 2 slots a day
    big, small = fair.booth(interviewers=2), fair.booth(interviewers=1)
    ann = fair.candidate(big, small)
    bob = fair.candidate(small, big)
    organizer = make_user(email="runner@example.org")
    run = runs.run_matching(fair.event.id, organizer, seed=7)
    db.session.commit()

    assert (run.status, run.seed, run.created_by_id, run.slots) == (RunStatus.DRAFT, 7, organizer.id, 2)
    booths = {row.booth_id: row
              for row in db.session.scalars(select(MatchRunBooth).where(MatchRunBooth.run_id == run.id))}
    assert {booth_id: (row.capacity, row.interviewers) for booth_id, row in booths.items()} == {
        big.id: (4, 2), small.id: (2, 1)}  # interviewers × 2 slots
    choices = dict(db.session.execute(select(MatchRunCandidate.candidate_id, MatchRunCandidate.choices_json)
                                      .where(MatchRunCandidate.run_id == run.id)).tuples().all())
    assert {key: json.loads(value) for key, value in choices.items()} == {ann.id: [big.id, small.id],
                                                                          bob.id: [small.id, big.id]}
    interviews = db.session.scalars(select(Interview).where(Interview.run_id == run.id)).all()
    assert {(i.candidate_id, i.booth_id, i.choice_position) for i in interviews} == {
        (ann.id, big.id, 1), (ann.id, small.id, 2), (bob.id, small.id, 1), (bob.id, big.id, 2)}
    for interview in interviews:
        assert interview.starts_at == fair.at(interview.slot)
        assert interview.ends_at == fair.at(interview.slot + 1)
    # Nobody twice in a slot, and the one-interviewer booth never has two at once.
    assert len({(i.candidate_id, i.slot) for i in interviews}) == 4
    assert len({i.slot for i in interviews if i.booth_id == small.id}) == 2

    inputs, results = run_results.inputs_of(run), run_results.results_of(run)
    assert (inputs["candidates"], inputs["choices"], inputs["booths"], inputs["total_capacity"], inputs["seed"]) == (
        2, 4, 2, 6, 7)
    assert inputs["settings"]["slots_per_day"] == 2 and inputs["weights"]["degree"] == 3
    assert (results["matched"], results["share_matched"], results["first_choice"], results["interviews"],
            results["unmatched"], results["slots_used"]) == (2, 1.0, 2, 4, 0, 2)
    assert sorted(results["fill"]) == sorted([[big.id, 2, 4], [small.id, 2, 2]])


def test_capacity_is_interviewers_times_slots_and_the_best_ranked_get_the_places(ctx, fair_factory):
    fair = fair_factory(hours=1, quota=1)  # 2 slots: a one-interviewer booth takes 2 candidates
    booth = fair.booth(interviewers=1)
    people = [fair.candidate(booth) for _ in range(4)]
    for rank, person in enumerate(reversed(people), start=1):
        fair.shortlist(booth, person, rank)
    run = runs.run_matching(fair.event.id, None, seed=1)
    got = {candidate for candidate, _, _ in interviews_of(run)}
    assert got == {people[3].id, people[2].id}
    assert ranking_of(run, booth) == [person.id for person in reversed(people)]
    assert {slot for _, _, slot in interviews_of(run)} == {0, 1}
    assert [row.interviews for row in run_results.booth_fill(run)] == [2]


def test_a_booth_ranks_its_shortlist_first_then_the_fit_score_and_leaves_out_exclusions(ctx, fair_factory):
    fair = fair_factory()
    booth = fair.booth(interviewers=5)
    fair.opening(booth, degree=Degree.MASTER, skills="Python,SQL")
    weak = fair.candidate(booth, degree=Degree.BACHELOR)
    strong = fair.candidate(booth, degree=Degree.PHD, skills=["python", "SQL"])
    middle = fair.candidate(booth, degree=Degree.MASTER)
    picked = fair.candidate(booth, degree=Degree.BACHELOR)
    unwanted = fair.candidate(booth, degree=Degree.PHD, skills=["Python", "SQL"])
    unranked_entry = fair.candidate(booth, degree=Degree.BACHELOR)
    fair.shortlist(booth, picked, 1)
    fair.shortlist(booth, unranked_entry, None)  # on the shortlist without a rank: by fit score
    fair.exclude(booth, unwanted)
    run = runs.run_matching(fair.event.id, None, seed=3)
    ranking = ranking_of(run, booth)
    assert ranking[:3] == [picked.id, strong.id, middle.id]
    assert set(ranking[3:]) == {weak.id, unranked_entry.id}  # equal scores: the lottery orders them
    assert unwanted.id not in ranking
    assert unwanted.id not in {candidate for candidate, _, _ in interviews_of(run)}
    assert (run_results.inputs_of(run)["shortlisted_pairs"], run_results.inputs_of(run)["excluded_pairs"]) == (1, 1)


def test_the_same_inputs_and_seed_reproduce_a_run_exactly(ctx, fair_factory):
    fair = fair_factory(hours=1, quota=2)
    booths = [fair.booth(interviewers=1) for _ in range(3)]
    for number in range(8):
        fair.candidate(*(booths[(number + shift) % 3] for shift in range(3)))
    first = runs.run_matching(fair.event.id, None, seed=123456789)
    second = runs.run_matching(fair.event.id, None, seed=first.seed)
    assert interviews_of(first) == interviews_of(second)
    assert [ranking_of(first, booth) for booth in booths] == [ranking_of(second, booth) for booth in booths]
    assert first.results_summary == second.results_summary


def test_different_seeds_change_only_how_ties_are_broken(ctx, fair_factory):
    fair = fair_factory(hours=1, quota=1)
    tied_booth, ranked_booth = fair.booth(interviewers=1), fair.booth(interviewers=1)
    people = [fair.candidate(tied_booth, ranked_booth) for _ in range(6)]  # equal fit everywhere
    for rank, person in enumerate(people, start=1):
        fair.shortlist(ranked_booth, person, rank)  # no ties at this booth
    orders = {tuple(ranking_of(runs.run_matching(fair.event.id, None, seed=seed), tied_booth)) for seed in range(6)}
    assert len(orders) > 1  # the lottery decides the tied booth's order
    for seed in range(6):
        run = runs.run_matching(fair.event.id, None, seed=seed)
        assert ranking_of(run, ranked_booth) == [person.id for person in people]


def test_a_seed_drawn_at_random_is_stored_and_repeats_the_run(ctx, fair_factory):
    fair = fair_factory(quota=1)
    booth = fair.booth(interviewers=1)
    for _ in range(5):
        fair.candidate(booth)
    run = runs.run_matching(fair.event.id, None)
    assert 0 <= run.seed < 2 ** 63
    assert interviews_of(runs.run_matching(fair.event.id, None, seed=run.seed)) == interviews_of(run)


def test_only_confirmed_registrants_and_approved_booths_take_part(ctx, fair_factory):
    fair = fair_factory()
    approved = fair.booth()
    pending = fair.booth(status=BoothStatus.PENDING)
    withdrawn = fair.booth(status=BoothStatus.WITHDRAWN)
    fair.candidate(approved, status=RegistrationStatus.WAITLISTED)
    fair.candidate(pending, withdrawn)  # nothing left to rank
    counted = fair.candidate(pending, approved)
    run = runs.run_matching(fair.event.id, None, seed=1)
    assert run_results.inputs_of(run)["candidates"] == 1 and run_results.inputs_of(run)["booths"] == 1
    assert interviews_of(run) == {(counted.id, approved.id, 0)}
    assert db.session.scalar(select(Interview.choice_position).where(Interview.run_id == run.id)) == 1


@pytest.mark.parametrize(("settings", "message"), [
    (dict(settings=False), "not set up"),
    (dict(hours=1, slot_minutes=30, quota=3), "hold 2 slots, fewer than the 3 interviews"),
])
def test_a_run_needs_usable_settings(ctx, english, fair_factory, settings, message):
    fair = fair_factory(**settings)
    fair.candidate(fair.booth())
    with pytest.raises(runs.MatchingRefused) as refused:
        runs.run_matching(fair.event.id, None)
    assert message in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(MatchRun)) == 0


def test_a_run_needs_booths_and_preferences(ctx, english, fair_factory):
    fair = fair_factory()
    with pytest.raises(runs.MatchingRefused, match="no approved booths"):
        runs.run_matching(fair.event.id, None)
    fair.booth()
    fair.candidate()  # registered, but ranked nothing
    with pytest.raises(runs.MatchingRefused, match="No confirmed candidate has ranked"):
        runs.run_matching(fair.event.id, None)
    with pytest.raises(runs.MatchingRefused, match="from 0 to"):
        runs.run_matching(fair.event.id, None, seed=-1)


def test_the_schedule_always_fits_the_day(ctx, fair_factory):
    fair = fair_factory(hours=1.5, quota=3)  # 3 slots
    booths = [fair.booth(interviewers=count) for count in (1, 2, 3)]
    for number in range(12):
        fair.candidate(*booths[number % 3:], *booths[:number % 3])
    run = runs.run_matching(fair.event.id, None, seed=5)
    assert run.slots <= 3
    assert max(slot for _, _, slot in interviews_of(run)) <= 2
    for row in run_results.booth_fill(run):
        assert row.interviews <= row.capacity == row.booth.interviewers * 3


# --- The employer sees what the engine saw ---------------------------------------------------------

def test_the_employers_ranking_page_shows_the_order_the_engine_ranked_with(ctx, fair_factory):
    """The run and the page both rank with ranking.rank_booth over matchmaking.inputs: for every booth,
    the run's stored ranking, narrowed to the candidates the employer may see, goes through the page's
    places in order (ties — one place — in the run's lottery order), with the same scores and parts."""
    fair = fair_factory(graduation_year_min=2025, graduation_year_max=2027)
    booths = [fair.booth(interviewers=2) for _ in range(4)]
    fair.opening(booths[0], degree=Degree.BACHELOR, majors="计算机", skills="Python,Go")
    fair.opening(booths[1], degree=Degree.PHD, skills="Excel")
    fair.opening(booths[2], majors="会计")
    people = []
    for number in range(24):
        chosen = [booths[(number + shift) % 4] for shift in range(1 + number % 4)]
        people.append(fair.candidate(
            *chosen, degree=[Degree.BACHELOR, Degree.MASTER, Degree.PHD, None][number % 4],
            major=["计算机科学", "会计学", "法学"][number % 3], graduation_year=2024 + number % 5,
            talent_class=[None, "A", "C", "F"][number % 4], skills=["Python", "excel", "Go"][: number % 4],
            show_to_employers=number % 5 != 0))
    fair.shortlist(booths[0], people[4], 2)
    fair.shortlist(booths[0], people[8], 1)
    fair.exclude(booths[1], people[7])
    run = runs.run_matching(fair.event.id, None, seed=11)
    hidden = {person.id for number, person in enumerate(people) if number % 5 == 0}
    compared = 0
    for booth in booths:
        page = preferences.booth_ranking(db.session.get(Booth, booth.id))
        place_of = {row.candidate_id: row.place for row in page.rows}
        assert not hidden & {row.candidate_id for row in page.rows + page.excluded}
        engine = [candidate for candidate in ranking_of(run, booth) if candidate not in hidden]
        assert set(engine) == set(place_of)
        places = [place_of[candidate] for candidate in engine]
        assert places == sorted(places)
        assert {row.candidate_id for row in page.excluded} == ({people[7].id} if booth is booths[1] else set())
        compared += len(engine)
    assert compared > 20 and hidden
    # The scores and parts shown are fitscore's, from the candidate's profile and the booth's openings.
    from eventsapp.matchmaking import fitscore
    from eventsapp.matchmaking.inputs import read_booth_wants
    row = next(row for row in preferences.booth_ranking(db.session.get(Booth, booths[0].id)).rows
               if row.shortlist_rank is None)
    wants = read_booth_wants(fair.event.id, {booths[0].id})[booths[0].id]
    assert (row.score, row.parts) == fitscore.fit_score(fitscore.candidate_facts(row.profile), wants,
                                                        fitscore.DEFAULT_WEIGHTS)


# --- Publishing ------------------------------------------------------------------------------------

def test_publishing_supersedes_the_earlier_run_and_refuses_twice(ctx, english, fair_factory):
    fair = fair_factory(quota=1)
    fair.candidate(fair.booth())
    first = runs.run_matching(fair.event.id, None, seed=1)
    runs.publish_run(fair.event.id, first.id, before_deadline_confirmed=True)
    assert (first.status, first.published_at is not None) == (RunStatus.PUBLISHED, True)
    with pytest.raises(runs.MatchingRefused, match="already published"):
        runs.publish_run(fair.event.id, first.id, before_deadline_confirmed=True)
    second = runs.run_matching(fair.event.id, None, seed=2)
    assert second.status == RunStatus.DRAFT and run_results.published_run(fair.event.id) == first
    runs.publish_run(fair.event.id, second.id, before_deadline_confirmed=True)
    assert (first.status, second.status) == (RunStatus.SUPERSEDED, RunStatus.PUBLISHED)
    with pytest.raises(runs.MatchingRefused, match="replaced by a later one"):
        runs.publish_run(fair.event.id, first.id, before_deadline_confirmed=True)
    with pytest.raises(LookupError):
        runs.publish_run(fair.event.id + 1, second.id)  # another event's run
    assert db.session.scalar(select(func.count()).select_from(MatchRun).where(
        MatchRun.status == RunStatus.PUBLISHED)) == 1


def test_publishing_before_the_preferences_deadline_needs_an_explicit_yes(ctx, english, fair_factory):
    fair = fair_factory(quota=1)  # candidates may rank booths for another 29 days
    fair.candidate(fair.booth())
    run = runs.run_matching(fair.event.id, None, seed=1)
    assert runs.publishing_early(fair.event.id) is not None
    with pytest.raises(runs.PublishingBeforeDeadline, match="change their booth rankings until"):
        runs.publish_run(fair.event.id, run.id)
    assert run.status == RunStatus.DRAFT
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    assert run.status == RunStatus.PUBLISHED


def test_after_the_deadline_publishing_needs_no_extra_yes(ctx, english, fair_factory):
    fair = fair_factory(quota=1)
    fair.candidate(fair.booth())
    run = runs.run_matching(fair.event.id, None, seed=1)
    preferences.matching_round(fair.event.id).deadline = utcnow() - timedelta(minutes=1)
    assert runs.publishing_early(fair.event.id) is None
    runs.publish_run(fair.event.id, run.id)
    assert run.status == RunStatus.PUBLISHED


def test_publishing_emails_every_matched_candidate_and_the_booths_staff(ctx, english, fair_factory):
    fair = fair_factory(hours=1, quota=2)
    booth = fair.booth(interviewers=1, name_en="Westlake Robotics")
    other = fair.booth(interviewers=1)
    fair.make_staff(booth.organization_ref, email="colleague@example.com")
    ann = fair.candidate(booth, other, email="ann@example.com", locale="en", name="安", name_latin="An Ann")
    fair.shortlist(booth, ann, 1)
    fair.candidate(booth, other, email="ben@example.com")
    fair.candidate(booth, email="cat@example.com")
    fair.candidate(other, email="dan@example.com")
    fair.candidate(other, email="eve@example.com")  # one more than the places at both booths
    erased = fair.candidate(other, email="gone@example.com")
    db.session.get(User, erased.id).erased_at = utcnow()
    db.session.commit()
    run = runs.run_matching(fair.event.id, None, seed=4)
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    db.session.commit()

    matched = {candidate for candidate, _, _ in interviews_of(run)}
    sent_to = {message.to_email for message in outbox("interviews_candidate")}
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(matched))).tuples().all())
    assert sent_to == {emails[candidate] for candidate in matched} - {"gone@example.com"}
    employer_mail = {message.to_email for message in outbox("interviews_employer")}
    assert "colleague@example.com" in employer_mail and len(employer_mail) == 3  # 2 owners + the colleague

    message = next(m for m in outbox("interviews_candidate") if m.to_email == "ann@example.com")
    assert message.subject.startswith("Your interviews at") and message.locale == "en"
    assert "A-1" in message.body_text and "Westlake Robotics" in message.body_text
    assert "09:00–09:30" in message.body_text or "09:30–10:00" in message.body_text
    assert "/my/interviews" in message.body_text and "Westlake Robotics" in message.body_html
    staff_message = next(m for m in outbox("interviews_employer") if m.to_email == "colleague@example.com")
    assert "An Ann" in staff_message.body_text and f"/employer/booths/{booth.id}/interviews" in staff_message.body_text

    replacement = runs.run_matching(fair.event.id, None, seed=5)
    runs.publish_run(fair.event.id, replacement.id, before_deadline_confirmed=True)
    db.session.commit()
    assert any(m.subject.startswith("New interview times") for m in outbox("interviews_candidate"))


# --- What candidates and employers see -----------------------------------------------------------------

def test_candidates_see_published_interviews_with_explanations(ctx, english, fair_factory):
    fair = fair_factory(hours=0.5, quota=1)  # one slot: every booth takes one candidate per interviewer
    popular, picky, spare = fair.booth(interviewers=1), fair.booth(interviewers=1), fair.booth(interviewers=1)
    star = fair.candidate(popular, spare)
    fair.shortlist(popular, star, 1)
    me = fair.candidate(popular, picky, spare)
    fair.exclude(picky, me)
    run = runs.run_matching(fair.event.id, None, seed=9)
    assert schedules.schedules_of_candidate(me.id) == []  # a draft shows nothing

    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    db.session.commit()
    [schedule] = schedules.schedules_of_candidate(me.id)
    assert [interview.booth.id for interview in schedule.interviews] == [spare.id]
    assert schedule.interviews[0].starts_at == fair.start and schedule.interviews[0].choice_position == 3
    reasons = {item.booth.id: (item.reason, item.your_rank, item.last_admitted_rank) for item in schedule.explanations}
    assert reasons == {popular.id: (Reason.FILLED_WITH_PREFERRED, 2, 1), picky.id: (Reason.NOT_LISTED, None, None)}


def test_a_candidate_whose_interviews_are_full_is_told_so(ctx, fair_factory):
    fair = fair_factory(hours=1, quota=1)
    first, second = fair.booth(interviewers=1), fair.booth(interviewers=1)
    me = fair.candidate(first, second)
    run = runs.run_matching(fair.event.id, None, seed=1)
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    [schedule] = schedules.schedules_of_candidate(me.id)
    assert [item.reason for item in schedule.explanations] == [Reason.QUOTA_FILLED]
    assert schedule.explanations[0].interviews_held == 1


def test_a_booth_sees_its_interviews_by_slot_only_once_published(ctx, fair_factory):
    fair = fair_factory(hours=1, quota=1)
    booth = fair.booth(interviewers=2)
    people = [fair.candidate(booth, name=f"候选人{number}") for number in range(3)]
    run = runs.run_matching(fair.event.id, None, seed=2)
    assert schedules.schedule_of_booth(booth).run is None
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    schedule = schedules.schedule_of_booth(booth)
    assert schedule.count == 3 and [len(group.interviews) for group in schedule.slots] in ([2, 1], [1, 2])
    assert {item.candidate_id for group in schedule.slots for item in group.interviews} == {p.id for p in people}
    assert schedule.slots[0].starts_at == fair.start


def test_the_interview_csv_opens_in_excel_and_keeps_formulas_out(ctx, fair_factory):
    fair = fair_factory(hours=1, quota=1)
    booth = fair.booth(interviewers=1)
    fair.candidate(booth, name="=HYPERLINK(\"http://evil\")", name_latin="+Li")
    run = runs.run_matching(fair.event.id, None, seed=1)
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    schedule = schedules.schedule_of_booth(booth)
    body = schedules.interviews_csv(fair.event, [item for group in schedule.slots for item in group.interviews])
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Slot", "Starts", "Ends", "Name", "Name in Latin letters"]
    assert rows[1][0] == "1" and rows[1][1].endswith("+08:00")
    assert rows[1][3].startswith("'=") and rows[1][4] == "'+Li"


def test_unmatched_candidates_are_listed_with_how_many_booths_they_ranked(ctx, fair_factory):
    fair = fair_factory(hours=0.5, quota=1)
    booth, other = fair.booth(interviewers=1), fair.booth(interviewers=1)
    winner = fair.candidate(booth)
    fair.shortlist(booth, winner, 1)
    loser = fair.candidate(booth, name="落选", name_latin="Left Out")
    fair.shortlist(other, fair.candidate(other), 1)
    run = runs.run_matching(fair.event.id, None, seed=1)
    people, total = run_results.unmatched_candidates(run)
    assert total == 1 and [(p.candidate_id, p.name, p.name_latin, p.ranked) for p in people] == [
        (loser.id, "落选", "Left Out", 1)]
    assert run_results.results_of(run)["unmatched"] == 1
    assert [row.booth.id for row in run_results.booth_fill(run, "fill")][-1] in (booth.id, other.id)
    span = schedules.schedule_span(run)
    assert span == (fair.start, fair.start + timedelta(minutes=30))
