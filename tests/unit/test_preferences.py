"""The preference services without HTTP: the organizer's settings, a candidate's ranked booths and their
rules, what the matching reads (matchmaking.inputs) and ranks (matchmaking.ranking), and the employer's
ranking page."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.browse.models import ShortlistEntry
from eventsapp.candidates.models import CandidateSkill, Degree, TalentClass
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from eventsapp.matchmaking import preferences as services
from eventsapp.matchmaking.fitscore import DEFAULT_WEIGHTS
from eventsapp.matchmaking.inputs import read_choices, read_matching_inputs
from eventsapp.matchmaking.models import BoothExclusion, CandidateChoice, MatchingRound
from eventsapp.matchmaking.preferences import PreferenceRefused, RoundSettings
from eventsapp.openings.models import Opening
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.validation import ValidationFailed
from tests.factories import local


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def open_round(event, **overrides) -> MatchingRound:
    values = dict(event_id=event.id, deadline=now() + timedelta(days=10), max_ranked=10,
                  interviews_per_candidate=3, slot_minutes=30, interviews_start_at=event.starts_at,
                  interviews_end_at=event.ends_at, weights_json=json.dumps(DEFAULT_WEIGHTS))
    values.update(overrides)
    round_ = MatchingRound(**values)
    db.session.add(round_)
    db.session.commit()
    return round_


@pytest.fixture
def fair(ctx, make_event):
    return make_event(title_en="Autumn fair", starts_at=local(2031, 5, 10, 9), ends_at=local(2031, 5, 10, 17))


@pytest.fixture
def booth(fair, make_organization, make_booth):
    """An approved booth at the fair (a new organization each time)."""
    def make(status=BoothStatus.APPROVED, event=None, **organization):
        return db.session.get(Booth, make_booth(event or fair, make_organization(**organization), status=status).id)
    return make


@pytest.fixture
def person(fair, make_candidate):
    """A candidate with a registration at the fair (confirmed unless told)."""
    def make(status=RegistrationStatus.CONFIRMED, skills=(), consent=True, **profile):
        user = make_candidate(show_to_employers=consent, **profile)
        db.session.add(Registration(event_id=fair.id, user_id=user.id, status=status))
        db.session.add_all(CandidateSkill(user_id=user.id, name=name) for name in skills)
        db.session.commit()
        return user
    return make


def listed(fair, user) -> list[tuple[int, int]]:
    return [(choice.position, choice.booth_id) for choice in services.candidate_choices(fair.id, user.id)]


def booth_inputs(fair) -> dict[int, list[tuple[int, tuple]]]:
    """What a run ranks with: booth id → [(candidate id, sort key), ...], best first (ties by id)."""
    read = read_matching_inputs(fair.id, services.weights_of(services.matching_round(fair.id)))
    return {booth_id: [(row.candidate_id, row.sort_key) for row in read.booth_order(booth_id).ranked]
            for booth_id in read.fans}


def reasons(refusal) -> str:
    return " ".join(str(reason) for reason in refusal.value.reasons)


# --- Settings --------------------------------------------------------------------------------------

def settings(fair, **overrides) -> RoundSettings:
    values = dict(deadline=fair.starts_at - timedelta(days=1), interviews_start_at=fair.starts_at + timedelta(hours=1),
                  interviews_end_at=fair.starts_at + timedelta(hours=5))
    values.update(overrides)
    return RoundSettings(**values)


def failed_fields(fair, **overrides) -> dict[str | None, str]:
    with pytest.raises(ValidationFailed) as failure:
        services.save_round(fair, settings(fair, **overrides))
    errors: dict[str | None, str] = {}
    for name, message in failure.value.errors:
        errors[name] = f"{errors.get(name, '')} {message}".strip()
    return errors


def test_saving_settings_opens_the_round_with_its_weights(fair):
    round_ = services.save_round(fair, settings(fair, max_ranked=5, weights={**DEFAULT_WEIGHTS, "skills": 7}))
    db.session.commit()
    assert round_.max_ranked == 5 and round_.interviews_per_candidate == 3 and round_.slot_minutes == 30
    assert services.weights_of(round_) == {**DEFAULT_WEIGHTS, "skills": 7}
    assert services.is_open(round_)
    services.save_round(fair, settings(fair, slot_minutes=20))
    assert db.session.scalars(select(MatchingRound)).one().slot_minutes == 20


def test_the_defaults_propose_the_whole_fair_and_the_day_before(fair):
    proposal = services.default_settings(fair)
    assert (proposal.interviews_start_at, proposal.interviews_end_at) == (fair.starts_at, fair.ends_at)
    assert proposal.deadline == fair.starts_at - timedelta(days=1)
    assert (proposal.max_ranked, proposal.interviews_per_candidate, proposal.slot_minutes) == (10, 3, 30)
    assert proposal.weights == DEFAULT_WEIGHTS


def test_the_deadline_must_come_before_the_interviews(fair):
    assert "deadline" in failed_fields(fair, deadline=fair.starts_at + timedelta(hours=1))


def test_the_interviews_must_end_after_they_start(fair):
    errors = failed_fields(fair, interviews_end_at=fair.starts_at + timedelta(hours=1))
    assert "end after they start" in errors["interviews_end_at"]


def test_the_interviews_must_be_within_the_fair(fair):
    errors = failed_fields(fair, interviews_start_at=fair.starts_at - timedelta(hours=1),
                           interviews_end_at=fair.ends_at + timedelta(minutes=30))
    assert "while the fair is open" in errors["interviews_start_at"]
    assert "while the fair is open" in errors["interviews_end_at"]


def test_the_interviews_stay_on_one_day(make_event, ctx):
    long_fair = make_event(starts_at=local(2031, 5, 10, 9), ends_at=local(2031, 5, 11, 17))
    errors = failed_fields(long_fair, interviews_start_at=local(2031, 5, 10, 14),
                           interviews_end_at=local(2031, 5, 11, 10))
    assert "same day" in errors["interviews_end_at"]


def test_one_slot_must_fit(fair):
    errors = failed_fields(fair, interviews_end_at=fair.starts_at + timedelta(hours=1, minutes=20),
                           slot_minutes=45)
    assert "Not even one slot of 45 minutes" in errors["slot_minutes"]


@pytest.mark.parametrize(("name", "value"), [("max_ranked", 0), ("max_ranked", 51), ("interviews_per_candidate", 21),
                                             ("slot_minutes", 4), ("slot_minutes", 241)])
def test_numbers_out_of_range_are_refused(fair, name, value):
    assert name in failed_fields(fair, **{name: value})


def test_weights_out_of_range_are_refused(fair):
    errors = failed_fields(fair, weights={**DEFAULT_WEIGHTS, "major": 11})
    assert "weight_major" in errors


def test_only_fairs_have_matching(make_event, ctx):
    conference = make_event(kind=EventKind.CONFERENCE)
    assert None in failed_fields(conference)


def test_the_maximum_cannot_drop_below_a_list_already_made(fair, booth, person):
    open_round(fair)
    user = person()
    for _ in range(3):
        services.add_choice(fair, user, booth().id)
    errors = failed_fields(fair, max_ranked=2)
    assert "already ranked 3 booths" in errors["max_ranked"]
    services.save_round(fair, settings(fair, max_ranked=3))


def test_slot_count_floors_the_hours_by_the_slot_length():
    start = datetime(2030, 9, 28, 1, tzinfo=UTC)
    assert services.slot_count(start, start + timedelta(hours=7), 30) == 14
    assert services.slot_count(start, start + timedelta(minutes=100), 45) == 2
    assert services.slot_count(start, start, 30) == 0


# --- A candidate's list ----------------------------------------------------------------------------

def test_booths_go_to_the_end_of_the_list(fair, booth, person):
    open_round(fair)
    user, first, second = person(), booth(), booth()
    assert services.add_choice(fair, user, first.id).position == 1
    assert services.add_choice(fair, user, second.id).position == 2
    assert listed(fair, user) == [(1, first.id), (2, second.id)]


def test_ranking_a_booth_twice_is_refused(fair, booth, person):
    open_round(fair)
    user, chosen = person(), booth()
    services.add_choice(fair, user, chosen.id)
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, user, chosen.id)
    assert "already in your list" in reasons(refusal)
    assert len(listed(fair, user)) == 1


def test_the_database_refuses_a_duplicate_that_slips_past_the_check(fair, booth, person):
    user, chosen = person(), booth()
    db.session.add(CandidateChoice(event_id=fair.id, candidate_id=user.id, booth_id=chosen.id, position=1))
    db.session.commit()
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(CandidateChoice(event_id=fair.id, candidate_id=user.id, booth_id=chosen.id, position=2))


def test_a_concurrent_duplicate_is_reported_as_already_in_the_list(fair, booth, person, monkeypatch):
    """Two clicks at the same moment: both pass the check, the unique index stops the second."""
    open_round(fair)
    user, chosen = person(), booth()
    db.session.add(CandidateChoice(event_id=fair.id, candidate_id=user.id, booth_id=chosen.id, position=1))
    db.session.flush()
    monkeypatch.setattr(services, "_choices", lambda event_id, candidate_id: [])  # the check saw nothing yet
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, user, chosen.id)
    assert "already in your list" in reasons(refusal)


def test_the_list_has_a_maximum(fair, booth, person):
    open_round(fair, max_ranked=2)
    user = person()
    services.add_choice(fair, user, booth().id)
    services.add_choice(fair, user, booth().id)
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, user, booth().id)
    assert "at most 2 booths" in reasons(refusal)


def test_nothing_changes_after_the_deadline(fair, booth, person):
    open_round(fair, deadline=now() - timedelta(minutes=1))
    user = person()
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, user, booth().id)
    assert "Preferences closed on" in reasons(refusal)


def test_changes_are_refused_after_the_deadline_too(fair, booth, person):
    round_ = open_round(fair)
    user, chosen = person(), booth()
    services.add_choice(fair, user, chosen.id)
    services.add_choice(fair, user, booth().id)
    round_.deadline = now() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(PreferenceRefused):
        services.move_choice(fair, user, chosen.id, 2)
    with pytest.raises(PreferenceRefused):
        services.remove_choice(fair, user, chosen.id)


def test_without_a_round_nobody_ranks(fair, booth, person):
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, person(), booth().id)
    assert "not taking preferences" in reasons(refusal)


def test_a_booth_of_another_fair_is_refused(fair, booth, person, make_event):
    open_round(fair)
    elsewhere = booth(event=make_event())
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, person(), elsewhere.id)
    assert "not at this fair" in reasons(refusal)


@pytest.mark.parametrize("status", [BoothStatus.PENDING, BoothStatus.REJECTED, BoothStatus.WITHDRAWN])
def test_a_booth_that_is_not_approved_is_refused(fair, booth, person, status):
    open_round(fair)
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, person(), booth(status=status).id)
    assert "not taking part" in reasons(refusal)


def test_an_unknown_booth_is_refused(fair, person):
    open_round(fair)
    with pytest.raises(PreferenceRefused):
        services.add_choice(fair, person(), 999_999)


@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED,
                                    RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED])
def test_only_a_confirmed_registration_may_rank(fair, booth, person, status):
    open_round(fair)
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, person(status=status), booth().id)
    assert "confirmed registration" in reasons(refusal)


def test_a_candidate_without_a_registration_may_not_rank(fair, booth, make_candidate):
    open_round(fair)
    with pytest.raises(PreferenceRefused) as refusal:
        services.add_choice(fair, make_candidate(), booth().id)
    assert "confirmed registration" in reasons(refusal)


def test_moving_keeps_the_positions_contiguous(fair, booth, person):
    open_round(fair)
    user = person()
    a, b, c, d = (booth().id for _ in range(4))
    for booth_id in (a, b, c, d):
        services.add_choice(fair, user, booth_id)
    assert services.move_choice(fair, user, d, 1) == 1
    assert listed(fair, user) == [(1, d), (2, a), (3, b), (4, c)]
    assert services.move_choice(fair, user, d, 2) == 2  # "down"
    assert services.move_choice(fair, user, c, 99) == 4  # clamped: already last
    assert services.move_choice(fair, user, a, 0) == 1  # clamped: to the top
    assert listed(fair, user) == [(1, a), (2, d), (3, b), (4, c)]


def test_removing_moves_the_ones_below_up(fair, booth, person):
    open_round(fair)
    user = person()
    a, b, c = (booth().id for _ in range(3))
    for booth_id in (a, b, c):
        services.add_choice(fair, user, booth_id)
    services.remove_choice(fair, user, a)
    assert listed(fair, user) == [(1, b), (2, c)]
    services.add_choice(fair, user, a)
    assert listed(fair, user) == [(1, b), (2, c), (3, a)]


def test_moving_or_removing_a_booth_not_in_the_list_is_a_lookup_error(fair, booth, person):
    open_round(fair)
    user = person()
    with pytest.raises(LookupError):
        services.move_choice(fair, user, booth().id, 1)
    with pytest.raises(LookupError):
        services.remove_choice(fair, user, booth().id)


def test_the_booth_list_searches_names_codes_titles_and_industry(fair, booth, person):
    from eventsapp.organizations.models import Industry
    open_round(fair)
    user = person()
    robots = booth(name_en="West Lake Robotics", name_zh="西湖机器人", industry=Industry.C)
    bank = booth(name_en="Qiantang Bank", name_zh="钱塘银行", industry=Industry.J)
    booth(status=BoothStatus.PENDING, name_en="Pending Robotics")
    db.session.add(Opening(organization_id=bank.organization_id, event_id=fair.id, title="Risk analyst"))
    db.session.commit()
    services.add_choice(fair, user, bank.id)

    def found(search="", industry=None):
        _, rows = services.rankable_booths(fair.id, user.id, search, industry)
        return [(row.booth.id, row.position) for row in rows]

    assert sorted(found()) == sorted([(robots.id, None), (bank.id, 1)])
    assert found("robot") == [(robots.id, None)]
    assert found("银行") == [(bank.id, 1)]
    assert found("analyst") == [(bank.id, 1)]
    assert found(industry=Industry.C) == [(robots.id, None)]
    assert found("100%_") == []


# --- What the matching reads and ranks --------------------------------------------------------------------------

def test_the_choices_read_list_confirmed_candidates_and_approved_booths_in_order(fair, booth, person):
    open_round(fair)
    anna, ben, gone = person(), person(), person()
    a, b, c = booth(), booth(), booth()
    for user, booths in ((anna, (b, a, c)), (ben, (c,)), (gone, (a,))):
        for chosen in booths:
            services.add_choice(fair, user, chosen.id)
    db.session.scalars(select(Registration).where(Registration.user_id == gone.id)).one().status = \
        RegistrationStatus.CANCELLED
    b.status = BoothStatus.WITHDRAWN
    db.session.commit()
    assert read_choices(fair.id) == {anna.id: [a.id, c.id], ben.id: [c.id]}


def test_booth_inputs_put_the_shortlist_first_then_the_fit_score(fair, booth, person, make_organization):
    open_round(fair)
    chosen = booth()
    db.session.add(Opening(organization_id=chosen.organization_id, event_id=fair.id, title="Engineer",
                           degree=Degree.MASTER, skills="Python,SQL"))
    weak = person(degree=Degree.BACHELOR)
    strong = person(degree=Degree.PHD, skills=("Python", "SQL"), talent_class=TalentClass.E)
    middle = person(degree=Degree.MASTER, skills=("python",))
    favourite = person(degree=Degree.BACHELOR)
    second = person(degree=Degree.BACHELOR)
    for user in (weak, strong, middle, favourite, second):
        services.add_choice(fair, user, chosen.id)
    db.session.add_all([ShortlistEntry(booth_id=chosen.id, candidate_id=second.id, rank=2),
                        ShortlistEntry(booth_id=chosen.id, candidate_id=favourite.id, rank=1),
                        ShortlistEntry(booth_id=chosen.id, candidate_id=weak.id, rank=None)])
    db.session.commit()
    inputs = booth_inputs(fair)
    order = [candidate_id for candidate_id, _ in inputs[chosen.id]]
    assert order == [favourite.id, second.id, strong.id, middle.id, weak.id]
    keys = dict(inputs[chosen.id])
    assert keys[favourite.id] == (0, 1, 0.0)
    assert keys[strong.id][0] == 1 and keys[strong.id] < keys[middle.id] < keys[weak.id]


def test_booth_inputs_leave_out_candidates_marked_not_acceptable(fair, booth, person):
    open_round(fair)
    chosen, other = booth(), booth()
    kept, refused = person(), person()
    for user in (kept, refused):
        services.add_choice(fair, user, chosen.id)
        services.add_choice(fair, user, other.id)
    services.set_acceptable(chosen, refused.id, False, actor_id=None)
    inputs = booth_inputs(fair)
    assert [candidate for candidate, _ in inputs[chosen.id]] == [kept.id]
    assert {candidate for candidate, _ in inputs[other.id]} == {kept.id, refused.id}
    services.set_acceptable(chosen, refused.id, True, actor_id=None)
    assert {candidate for candidate, _ in booth_inputs(fair)[chosen.id]} == {kept.id, refused.id}


def test_equal_fits_share_a_sort_key_for_the_lottery(fair, booth, person):
    open_round(fair)
    chosen = booth()
    twins = [person(degree=Degree.MASTER, major="Law"), person(degree=Degree.MASTER, major="Law")]
    for user in twins:
        services.add_choice(fair, user, chosen.id)
    [(_, first_key), (_, second_key)] = booth_inputs(fair)[chosen.id]
    assert first_key == second_key


def test_the_round_weights_drive_the_score(fair, booth, person):
    open_round(fair, weights_json=json.dumps({"degree": 0, "major": 0, "skills": 0, "graduation_year": 0,
                                              "talent_class": 6}))
    chosen = booth()
    top, plain = person(talent_class=TalentClass.A), person(degree=Degree.PHD)
    for user in (plain, top):
        services.add_choice(fair, user, chosen.id)
    assert booth_inputs(fair)[chosen.id] == [(top.id, (1, 0, -6.0)), (plain.id, (1, 0, -0.0))]


# --- The employer's page -----------------------------------------------------------------------------

def test_the_booth_ranking_counts_candidates_without_consent_and_marks_ties(fair, booth, person):
    open_round(fair)
    chosen = booth()
    shown = person(name="王芳", degree=Degree.MASTER)
    twin = person(name="李明", degree=Degree.MASTER)
    hidden = person(consent=False, degree=Degree.MASTER)
    ranked = person(degree=Degree.BACHELOR)
    excluded = person()
    for user in (shown, twin, hidden, ranked, excluded):
        services.add_choice(fair, user, chosen.id)
    db.session.add(ShortlistEntry(booth_id=chosen.id, candidate_id=ranked.id, rank=1))
    db.session.add(BoothExclusion(booth_id=chosen.id, candidate_id=excluded.id))
    db.session.commit()
    ranking = services.booth_ranking(chosen)
    assert [row.candidate_id for row in ranking.rows][0] == ranked.id
    assert {row.candidate_id for row in ranking.rows[1:]} == {shown.id, twin.id}  # not the hidden one
    assert [row.place for row in ranking.rows] == [1, 2, 2]  # places among those the booth sees
    assert [row.tie for row in ranking.rows] == [False, True, True]
    assert ranking.hidden == 1
    profiles = {row.candidate_id: row.profile for row in ranking.rows}
    assert profiles[shown.id].name == "王芳"
    assert [row.candidate_id for row in ranking.excluded] == [excluded.id]
    assert ranking.weights == DEFAULT_WEIGHTS


def test_only_candidates_who_ranked_the_booth_can_be_marked(fair, booth, person):
    open_round(fair)
    with pytest.raises(LookupError):
        services.set_acceptable(booth(), person().id, False, actor_id=None)


def test_marking_twice_keeps_one_exclusion(fair, booth, person):
    open_round(fair)
    chosen, user = booth(), person()
    services.add_choice(fair, user, chosen.id)
    services.set_acceptable(chosen, user.id, False, actor_id=None)
    services.set_acceptable(chosen, user.id, False, actor_id=None)
    assert db.session.scalars(select(BoothExclusion)).all() != [] and len(db.session.scalars(
        select(BoothExclusion)).all()) == 1
