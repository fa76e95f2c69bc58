"""Contests' services: setting a contest up, entries and their teams, decks, the rules in words, the
export. Each test one rule, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsapp.audit.models import AuditEntry
from eventsapp.contests import entries, services
from eventsapp.contests.export import entries_csv
from eventsapp.contests.models import (
    Contest,
    EntryRoundStatus,
    EntryState,
    TeamInvitation,
    TeamMember,
    TeamRole,
    Track,
)
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations.models import QuestionKind
from eventsapp.registrations.questions import QuestionData
from eventsapp.validation import ValidationFailed
from tests.factories import credit_code, make_pdf

NOW = datetime.now(UTC).replace(microsecond=0)


def settings(**overrides) -> services.ContestData:
    values = dict(entries_open_at=NOW - timedelta(days=1), entries_close_at=NOW + timedelta(days=10), team_min=1,
                  team_max=3)
    values.update(overrides)
    return services.ContestData(**values)


def data(contest, **overrides) -> entries.EntryData:
    values = dict(track_id=contest.tracks[0].id, title_zh="智能质检", summary_zh="一个项目")
    values.update(overrides)
    return entries.EntryData(**values)


@pytest.fixture
def deck_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DECK_FOLDER", str(tmp_path))
    return tmp_path


# --- Setting up -------------------------------------------------------------------------------------------

def test_only_a_competition_becomes_a_contest_and_the_change_is_in_the_audit_log(ctx, make_event, make_organizer):
    organizer = make_organizer()
    with pytest.raises(ValidationFailed):
        services.save_contest(make_event(kind=EventKind.FAIR), settings(), organizer)
    event = make_event(kind=EventKind.COMPETITION)
    contest = services.save_contest(event, settings(rules_zh="  规则  "), organizer)
    assert contest.rules_zh == "规则" and services.find_contest(event.id) is contest
    logged = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "contest"))
    assert logged.action == "contest_created" and logged.event_id == event.id and logged.actor_id == organizer.id


@pytest.mark.parametrize(("overrides", "field"), [
    (dict(entries_close_at=NOW - timedelta(days=2)), "entries_close_at"),
    (dict(team_min=4, team_max=3), "team_max"),
    (dict(team_max=51), "team_max"),
    (dict(leader_max_age=12), "leader_max_age"),
])
def test_impossible_settings_are_refused_next_to_their_field(ctx, make_event, make_organizer, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        services.save_contest(make_event(kind=EventKind.COMPETITION), settings(**overrides), make_organizer())
    assert field in [name for name, _message in refused.value.errors]


def test_the_team_limit_cannot_fall_below_a_team_already_formed(ctx, make_contest, make_entry, make_candidate,
                                                                 make_organizer):
    contest = make_contest(team_max=3)
    make_entry(contest, make_candidate(), make_candidate(), make_candidate())
    with pytest.raises(ValidationFailed) as refused:
        services.save_contest(contest.event, settings(team_max=2), make_organizer())
    assert refused.value.errors[0][0] == "team_max"


def test_track_names_are_unique_and_a_track_with_entries_stays(ctx, make_contest, make_entry, make_candidate,
                                                                make_organizer):
    contest, organizer = make_contest(), make_organizer()
    with pytest.raises(ValidationFailed):
        services.save_named(contest, Track, services.NameData(name_zh="数字经济"), organizer)
    empty = services.save_named(contest, Track, services.NameData(name_en="Advanced manufacturing"), organizer)
    make_entry(contest, make_candidate(), track=contest.tracks[0])
    with pytest.raises(ValidationFailed):
        services.delete_named(contest, contest.tracks[0], organizer)
    services.delete_named(contest, empty, organizer)
    assert db.session.get(Track, empty.id) is None


def test_rounds_follow_one_another_and_only_the_last_unstarted_one_can_go(ctx, make_contest, make_organizer):
    contest, organizer = make_contest(rounds=1), make_organizer()
    second = services.save_round(contest, services.RoundData(kind="roadshow", name_zh="复赛"), organizer)
    assert second.position == 2
    with pytest.raises(ValidationFailed):
        services.delete_round(contest, contest.rounds[0], organizer)
    with pytest.raises(ValidationFailed) as refused:
        services.save_round(contest, services.RoundData(kind="final", name_en="Final", starts_at=NOW,
                                                        ends_at=NOW - timedelta(hours=1)), organizer)
    assert refused.value.errors[0][0] == "ends_at"
    services.delete_round(contest, second, organizer)


def test_entry_form_questions_are_checked_like_registration_questions(ctx, make_contest, make_organizer):
    contest = make_contest()
    with pytest.raises(ValidationFailed):
        services.save_question(contest, QuestionData(kind=QuestionKind.SINGLE_CHOICE, label_zh="阶段",
                                                     options_text="只有一个"), make_organizer())
    question = services.save_question(contest, QuestionData(kind=QuestionKind.YES_NO, label_zh="已融资？",
                                                            required=True), make_organizer())
    assert services.questions_of(contest) == [question]


def test_the_rules_are_explained_in_words(ctx, make_contest):
    contest = make_contest(team_min=2, team_max=5, leader_max_age=45, requires_overseas_experience=True)
    words = [str(line) for line in services.describe_rules(contest)]
    assert words == ["Teams of 2 to 5 people, the leader included.",
                     "The team leader is under 45 years old (by the birth year on their profile).",
                     "The team leader has studied or worked abroad, and says where and when on the entry."]


# --- Entering ---------------------------------------------------------------------------------------------

def test_entering_makes_a_draft_led_by_the_candidate_and_logs_it(ctx, make_contest, make_candidate):
    contest, leader = make_contest(), make_candidate()
    entry = entries.create_entry(contest, leader, data(contest, organization_name="西子智能",
                                                       organization_credit_code=credit_code(3).lower()))
    assert entry.state == EntryState.DRAFT and entry.organization_credit_code == credit_code(3)
    assert [(member.user_id, member.role) for member in entry.members] == [(leader.id, TeamRole.LEADER)]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "contest_entry")) == \
        "entry_created"


@pytest.mark.parametrize(("overrides", "field"), [
    (dict(title_zh="", title_en=""), "title_zh"),
    (dict(organization_name="西子", organization_credit_code="91330106MA2000001X"), "organization_credit_code"),
    (dict(video_url="javascript:alert(1)"), "video_url"),
    (dict(title_en="x" * 201), "title_en"),
])
def test_bad_entries_are_refused_next_to_their_field(ctx, make_contest, make_candidate, overrides, field):
    contest = make_contest()
    with pytest.raises(ValidationFailed) as refused:
        entries.create_entry(contest, make_candidate(), data(contest, **overrides))
    assert field in [name for name, _message in refused.value.errors]


def test_a_track_of_another_contest_is_refused(ctx, make_contest, make_candidate):
    contest, other = make_contest(), make_contest()
    with pytest.raises(ValidationFailed) as refused:
        entries.create_entry(contest, make_candidate(), data(contest, track_id=other.tracks[0].id))
    assert refused.value.errors == [("track_id", refused.value.errors[0][1])]


def test_the_leader_must_be_young_enough_by_their_profile(ctx, make_contest, make_candidate):
    contest = make_contest(leader_max_age=45)
    this_year = NOW.year
    assert entries.eligibility_problems(contest, make_candidate(birth_year=this_year - 30)) == []
    with pytest.raises(entries.EntryRefused):
        entries.create_entry(contest, make_candidate(birth_year=this_year - 45), data(contest))
    assert "birth year" in entries.eligibility_problems(contest, make_candidate(birth_year=None))[0]


def test_nobody_enters_before_the_window_or_after_the_deadline(ctx, make_contest, make_candidate):
    early = make_contest(entries_open_at=NOW + timedelta(days=1), entries_close_at=NOW + timedelta(days=3))
    late = make_contest(entries_open_at=NOW - timedelta(days=3), entries_close_at=NOW - timedelta(days=1))
    for contest in (early, late):
        with pytest.raises(entries.EntryRefused):
            entries.create_entry(contest, make_candidate(), data(contest))


def test_a_person_is_on_one_team_per_contest(ctx, make_contest, make_entry, make_candidate):
    contest, person = make_contest(), make_candidate()
    make_entry(contest, person)
    with pytest.raises(entries.EntryRefused):
        entries.create_entry(contest, person, data(contest))
    other = make_contest()
    assert entries.create_entry(other, person, data(other)).state == EntryState.DRAFT


def test_a_withdrawn_entry_does_not_keep_its_team_from_entering_again(ctx, make_contest, make_entry, make_candidate):
    contest, person = make_contest(), make_candidate()
    make_entry(contest, person, state=EntryState.WITHDRAWN)
    assert entries.create_entry(contest, person, data(contest)).state == EntryState.DRAFT


def test_the_entry_locks_at_the_deadline(ctx, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader)
    entries.update_entry(entry, leader, data(contest, title_zh="新标题"))
    with pytest.raises(entries.EntryRefused):
        entries.update_entry(entry, leader, data(contest), now=contest.entries_close_at)
    assert entry.title_zh == "新标题"


# --- The deck -----------------------------------------------------------------------------------------------

def test_a_deck_is_checked_by_its_content(ctx, make_contest, make_entry, make_candidate, deck_folder):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader, state=EntryState.DRAFT)
    with pytest.raises(ValidationFailed) as refused:
        entries.store_deck(entry, leader, "deck.pdf", b"PK\x03\x04 a zip file renamed")
    assert refused.value.errors[0][0] == "deck" and "not a PDF" in str(refused.value.errors[0][1])
    with pytest.raises(ValidationFailed):
        entries.store_deck(entry, leader, "deck.pdf", make_pdf(1, password="secret"))
    assert entries.store_deck(entry, leader, "路演/我们的项目.pdf", make_pdf(3)) == 3
    assert entry.deck_pages == 3 and entry.deck_filename == "我们的项目.pdf"
    assert entries.deck_path(entry).parent == deck_folder


def test_a_deck_larger_than_the_limit_is_refused(app, ctx, make_contest, make_entry, make_candidate, deck_folder,
                                                 monkeypatch):
    monkeypatch.setitem(app.config, "DECK_MAX_BYTES", 100)
    contest, leader = make_contest(), make_candidate()
    with pytest.raises(ValidationFailed) as refused:
        entries.store_deck(make_entry(contest, leader), leader, "deck.pdf", make_pdf(1))
    assert "at most" in str(refused.value.errors[0][1])


# --- The team -----------------------------------------------------------------------------------------------

def test_the_leader_invites_by_e_mail_within_the_team_size(ctx, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(team_max=2), make_candidate()
    entry = make_entry(contest, leader)
    invitation = entries.invite_member(entry, leader, " Friend@Example.org ")
    assert invitation.email == "friend@example.org" and len(invitation.token_hash) == 64
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "friend@example.org"))
    assert message.kind == "contest_team_invitation" and "/contest-invitations/" in message.body_text
    with pytest.raises(ValidationFailed):  # one leader + one open invitation = the largest team
        entries.invite_member(entry, leader, "second@example.org")


def test_only_the_leader_invites(ctx, make_contest, make_entry, make_candidate):
    contest, member = make_contest(), make_candidate()
    entry = make_entry(contest, make_candidate(), member)
    with pytest.raises(entries.EntryRefused):
        entries.invite_member(entry, member, "someone@example.org")


def test_an_invitation_is_accepted_by_the_invited_address_only(ctx, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader)
    invitation = entries.invite_member(entry, leader, "friend@example.org")
    with pytest.raises(entries.EntryRefused):
        entries.accept_invitation(invitation, make_candidate(email="stranger@example.org"))
    friend = make_candidate(email="friend@example.org")
    member = entries.accept_invitation(invitation, friend)
    assert member.role == TeamRole.MEMBER and not invitation.is_open and invitation.accepted_by_id == friend.id
    with pytest.raises(entries.EntryRefused):  # only once
        entries.accept_invitation(invitation, friend)


def test_nobody_joins_a_full_team(ctx, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(team_max=2), make_candidate()
    entry = make_entry(contest, leader)
    invitation = entries.invite_member(entry, leader, "late@example.org")
    db.session.add(TeamMember(entry_id=entry.id, user_id=make_candidate().id, role=TeamRole.MEMBER))
    db.session.flush()
    with pytest.raises(entries.EntryRefused, match="full"):
        entries.accept_invitation(invitation, make_candidate(email="late@example.org"))


def test_the_database_keeps_one_leader_per_entry(ctx, make_contest, make_entry, make_candidate):
    entry = make_entry(make_contest(), make_candidate())
    db.session.add(TeamMember(entry_id=entry.id, user_id=make_candidate().id, role=TeamRole.LEADER))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_one_open_invitation_per_address(ctx, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader)
    entries.invite_member(entry, leader, "friend@example.org")
    with pytest.raises(ValidationFailed):
        entries.invite_member(entry, leader, "FRIEND@example.org")
    assert len(db.session.scalars(select(TeamInvitation)).all()) == 1


def test_a_member_leaves_but_the_leader_stays(ctx, make_contest, make_entry, make_candidate):
    contest, leader, member = make_contest(), make_candidate(), make_candidate()
    entry = make_entry(contest, leader, member)
    with pytest.raises(entries.EntryRefused):
        entries.remove_member(entry, member, entry.leader)
    entries.remove_member(entry, member, next(m for m in entry.members if m.user_id == member.id))
    assert [m.user_id for m in entry.members] == [leader.id]


def test_nobody_leaves_a_submitted_team_that_would_fall_below_the_smallest_size(ctx, make_contest, make_entry,
                                                                                make_candidate):
    contest, leader, first, second = make_contest(team_min=2), make_candidate(), make_candidate(), make_candidate()
    entry = make_entry(contest, leader, first, second)
    entries.remove_member(entry, leader, next(m for m in entry.members if m.user_id == second.id))
    staying = next(m for m in entry.members if m.user_id == first.id)
    with pytest.raises(entries.EntryRefused, match="replacement"):
        entries.remove_member(entry, first, staying)
    with pytest.raises(entries.EntryRefused, match="replacement"):
        entries.remove_member(entry, leader, staying)
    assert sorted(m.user_id for m in entry.members) == sorted([leader.id, first.id])
    removals = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "team_member_removed")).all()
    assert len(removals) == 1


def test_a_draft_team_may_shrink_below_the_smallest_size(ctx, make_contest, make_entry, make_candidate):
    contest, leader, member = make_contest(team_min=2), make_candidate(), make_candidate()
    entry = make_entry(contest, leader, member, state=EntryState.DRAFT)
    entries.remove_member(entry, member, next(m for m in entry.members if m.user_id == member.id))
    assert [m.user_id for m in entry.members] == [leader.id]


# --- Submitting and withdrawing -----------------------------------------------------------------------------

def test_submitting_needs_a_deck_the_overseas_experience_and_a_big_enough_team(
        ctx, make_contest, make_candidate, deck_folder):
    contest = make_contest(team_min=2, requires_overseas_experience=True)
    leader = make_candidate()
    entry = entries.create_entry(contest, leader, data(contest))
    with pytest.raises(entries.EntryRefused) as refused:
        entries.submit_entry(entry, leader)
    assert len(refused.value.reasons) == 3
    entries.store_deck(entry, leader, "deck.pdf", make_pdf(2))
    entries.update_entry(entry, leader, data(contest, overseas_experience="PhD, Cambridge, 2016–2020"))
    db.session.add(TeamMember(entry_id=entry.id, user_id=make_candidate().id, role=TeamRole.MEMBER))
    db.session.flush()
    db.session.expire(entry, ["members"])
    entries.submit_entry(entry, leader)
    assert entry.state == EntryState.SUBMITTED and entry.submitted_at is not None
    assert [standing.status for standing in entries.standings(entry)] == [EntryRoundStatus.ENTERED]


def test_withdrawing_keeps_the_entry_and_ends_its_invitations(ctx, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader)
    invitation = entries.invite_member(entry, leader, "friend@example.org")
    with pytest.raises(entries.EntryRefused):
        entries.withdraw_entry(entry, make_candidate())
    entries.withdraw_entry(entry, leader)
    assert entry.state == EntryState.WITHDRAWN and not invitation.is_open
    with pytest.raises(entries.EntryRefused):
        entries.update_entry(entry, leader, data(contest))
    assert [standing.status for standing in entries.standings(entry)] == [None]


def test_a_draft_is_deleted_not_withdrawn(ctx, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(), make_candidate()
    draft = make_entry(contest, leader, state=EntryState.DRAFT)
    with pytest.raises(entries.EntryRefused):
        entries.withdraw_entry(draft, leader)
    entries.delete_draft(draft, leader)
    assert db.session.scalar(select(Contest).where(Contest.id == contest.id)) is not None
    assert entries.entries_of(leader) == []


# --- The organizers' list and export -------------------------------------------------------------------------

def test_entries_are_filtered_by_state_track_and_words(ctx, make_contest, make_entry, make_candidate):
    contest = make_contest()
    first = make_entry(contest, make_candidate(), title_zh="量子传感", track=contest.tracks[0])
    second = make_entry(contest, make_candidate(), title_en="Stents 100%", track=contest.tracks[1],
                        state=EntryState.DRAFT)
    make_entry(make_contest(), make_candidate(), title_zh="量子传感")  # another contest's

    def found(**filters):
        return db.session.scalars(services.entries_query(contest, services.EntryFilters(**filters))).all()

    assert found() == [second, first]
    assert found(state=EntryState.DRAFT) == [second]
    assert found(track_id=contest.tracks[0].id) == [first]
    assert found(search="量子") == [first] and found(search="100%") == [second] and found(search="%") == [second]


def test_the_export_opens_in_excel_and_keeps_formulas_out(ctx, make_contest, make_entry, make_candidate):
    contest = make_contest()
    make_entry(contest, make_candidate(), make_candidate(), title_zh="=HYPERLINK(\"x\")", organization_name="西子")
    data_bytes = entries_csv(db.session.scalars(services.entries_query(contest, services.EntryFilters())).all(), [])
    text = data_bytes.decode("utf-8")
    assert data_bytes.startswith("\ufeff".encode()) and "'=HYPERLINK" in text and "西子" in text
    assert text.splitlines()[0].startswith("\ufeffEntry no.,State,Track")
