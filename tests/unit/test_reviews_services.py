"""Judging services without HTTP: conflicts detected, the round assigned by the engine, hand changes,
score sheets saved with their history, and the leaderboard."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.audit.models import AuditEntry
from eventsapp.badges.models import Badge, BadgeRole
from eventsapp.badges.services import badge_of, entitled_badge_condition
from eventsapp.contests.models import (
    ConflictOfInterest,
    ConflictSource,
    EntryState,
    ReviewAssignment,
    RoundState,
    ScoreSheetHistory,
    SheetState,
)
from eventsapp.extensions import db
from eventsapp.judging import score_details, sheet_totals
from eventsapp.notifications.models import OutboxMessage
from eventsapp.reviews import assignment, conflicts, judges, leaderboard, scoring
from eventsapp.validation import ValidationFailed
from tests.contest_factories import build_contest


@pytest.fixture
def world(ctx, factories):
    return build_contest(factories)


def test_public_providers_say_nothing_and_names_compare_loosely():
    assert conflicts.email_domain("Someone@QQ.com") == ""
    assert conflicts.email_domain("a@zju.edu.cn") == "zju.edu.cn"
    assert conflicts.normalized_name("  Ｚｈｅｊｉａｎｇ  University ") == "zhejiang university"


def test_conflicts_are_detected_from_school_organization_and_domain_and_recomputed(world, factories):
    member = factories.make_candidate(email="member@zju.edu.cn", school="浙江大学")
    by_school = world.entry(members=(member,))
    by_organization = world.entry(organization_name="Hangzhou Robotics Ltd")
    unrelated = world.entry()
    gmail_team = world.entry(leader=factories.make_candidate(email="someone@gmail.com", school="复旦大学"))
    professor = world.judge(school="浙江大学", email="prof@gmail.com")
    engineer = world.judge(organization="hangzhou robotics ltd")
    colleague = world.judge(email="dean@zju.edu.cn")

    added = conflicts.detect_conflicts(world.contest)

    pairs = conflicts.conflict_pairs(world.contest.id)
    assert (professor.id, by_school.id) in pairs and (engineer.id, by_organization.id) in pairs
    assert (colleague.id, by_school.id) in pairs  # the member's address at zju.edu.cn
    others = {(judge.id, entry.id) for judge in (professor, engineer, colleague) for entry in (unrelated, gmail_team)}
    assert not others & pairs
    assert added == 3
    engineer.organization = "Another company"
    assert conflicts.detect_conflicts(world.contest) == 0
    assert (engineer.id, by_organization.id) not in conflicts.conflict_pairs(world.contest.id)


def test_a_declared_conflict_ends_the_assignment_and_the_draft(world):
    entry = world.entry()
    judge = world.judge()
    round_ = world.rounds[0]
    criteria = world.rubric(round_, (1, 10))
    world.assign(round_, judge, entry)
    world.sheet(round_, judge, entry, {criteria[0]: 5}, state=SheetState.DRAFT)
    with pytest.raises(ValidationFailed):
        conflicts.declare_conflict(judge, entry, "   ")
    conflicts.declare_conflict(judge, entry, "I advise this team")
    db.session.commit()
    conflict = db.session.scalar(select(ConflictOfInterest))
    assert conflict.source == ConflictSource.DECLARED
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 0
    assert scoring.review_for(judge.user_id, round_.id, entry.id) is None


def test_accepting_an_invitation_makes_a_judge_with_a_badge(world, factories):
    organizer = factories.make_organizer()
    judge, token = judges.invite_judge(world.contest, organizer, " Expert@Lab.example.com ", "王教授", "", "")
    db.session.commit()
    assert judge.email == "expert@lab.example.com"
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "judge_invitation"))
    assert token in message.body_text
    user = factories.make_user(Role.EMPLOYER, email="expert@lab.example.com")
    assert badge_of(world.event.id, user.id) is None

    judges.accept_invitation(token, user, "Westlake Lab", "")
    db.session.commit()

    assert judge.user_id == user.id and judge.organization == "Westlake Lab"
    badge = badge_of(world.event.id, user.id)
    assert badge is not None and badge.role == BadgeRole.JUDGE
    assert db.session.scalar(select(func.count()).select_from(Badge).where(entitled_badge_condition())) == 1
    with pytest.raises(judges.JudgeInvitationProblem) as used:
        judges.judge_for_token(token)
    assert used.value.reason == "used"


def test_an_old_invitation_expires(world, factories):
    judge, token = judges.invite_judge(world.contest, factories.make_organizer(), "late@example.com")
    judge.invited_at = datetime.now(UTC) - judges.INVITATION_VALID_FOR - timedelta(minutes=1)
    with pytest.raises(judges.JudgeInvitationProblem) as expired:
        judges.judge_for_token(token)
    assert expired.value.reason == "expired"


def test_the_engine_assigns_each_track_from_its_panels_and_skips_conflicts(world, factories):
    round_ = world.rounds[0]
    first, second = world.tracks
    member = factories.make_candidate(email="x@acme.example.org")
    conflicted_entry = world.entry(first, members=(member,))
    other_entries = [world.entry(first), world.entry(second), world.entry(second)]
    track_one = [world.judge(), world.judge(), world.judge(organization="", email="boss@acme.example.org")]
    track_two = [world.judge(), world.judge()]
    world.panel(round_, track_one, first)
    world.panel(round_, track_two, second)

    planned = assignment.assign_round(round_, 2, None, None)
    db.session.commit()

    assert set(planned) == {conflicted_entry.id, *(entry.id for entry in other_entries)}
    assert track_one[2].id not in planned[conflicted_entry.id]
    for entry in other_entries[1:]:
        assert set(planned[entry.id]) == {judge.id for judge in track_two}
    assert all(len(judge_ids) == 2 for judge_ids in planned.values())
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 8
    assert db.session.scalar(select(AuditEntry.action)) == "reviews_assigned"
    told = db.session.scalars(select(OutboxMessage.kind)).all()
    assert told.count("reviews_assigned") == 5


def test_an_entry_that_cannot_be_served_is_named(world):
    round_ = world.rounds[0]
    world.entry(world.tracks[0])
    lonely = world.entry(world.tracks[1], title_zh="孤独的项目")
    world.panel(round_, [world.judge(), world.judge()], world.tracks[0])
    world.panel(round_, [world.judge()], world.tracks[1])
    with pytest.raises(assignment.AssignmentFailed) as failed:
        assignment.assign_round(round_, 2, None, None)
    assert failed.value.entry.id == lonely.id and "孤独的项目" in failed.value.message
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 0


def test_a_hand_change_that_creates_a_conflict_is_refused(world):
    round_ = world.rounds[0]
    entry = world.entry(organization_name="Acme")
    judge, conflicted = world.judge(), world.judge(organization="ACME")
    world.panel(round_, [judge, conflicted])
    conflicts.detect_conflicts(world.contest)
    assignment.change_entry_judges(round_, entry, add=judge.id)
    with pytest.raises(ValidationFailed) as refused:
        assignment.change_entry_judges(round_, entry, add=conflicted.id)
    assert "conflict of interest" in str(refused.value.errors[0][1])
    with pytest.raises(ValidationFailed):
        assignment.change_entry_judges(round_, entry, add=judge.id)  # twice
    assignment.change_entry_judges(round_, entry, remove=judge.id)
    assert assignment.current_assignment(round_) == {}


def _review(world, judge, entry, round_=None):
    return scoring.review_for(judge.user_id, (round_ or world.rounds[0]).id, entry.id, open_only=False)


def test_a_sheet_is_drafted_submitted_changed_and_every_save_is_kept(world):
    round_ = world.rounds[0]
    criteria = world.rubric(round_, (2, 10), (1, 5), comment_required=True)
    entry, judge = world.entry(), world.judge()
    world.assign(round_, judge, entry)
    first, second = (criterion.id for criterion in criteria)
    user = judge.user

    sheet = scoring.save_sheet(_review(world, judge, entry), {first: Decimal(7), second: None}, {}, "", False, None,
                               user)
    assert sheet.state == SheetState.DRAFT and sheet.points == {str(first): 7.0}
    with pytest.raises(ValidationFailed) as incomplete:
        scoring.save_sheet(_review(world, judge, entry), {first: Decimal(7), second: None}, {}, "", True,
                           sheet.version, user)
    assert {name for name, _ in incomplete.value.errors} == {f"points_{second}", f"comment_{first}"}
    scoring.save_sheet(_review(world, judge, entry), {first: Decimal(7), second: Decimal("4.5")},
                       {first: "Strong team"}, "Good", True, sheet.version, user)
    scoring.save_sheet(_review(world, judge, entry), {first: Decimal(8), second: Decimal("4.5")},
                       {first: "Strong team"}, "Good", False, sheet.version, user)  # stays submitted
    db.session.commit()
    assert sheet.state == SheetState.SUBMITTED and sheet.points[str(first)] == 8.0
    history = db.session.scalars(select(ScoreSheetHistory).order_by(ScoreSheetHistory.version)).all()
    assert [(row.version, row.state) for row in history] == [
        (1, SheetState.DRAFT), (2, SheetState.SUBMITTED), (3, SheetState.SUBMITTED)]


def test_bad_points_a_stale_page_and_a_closed_round_save_nothing(world):
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    entry, judge = world.entry(), world.judge()
    world.assign(round_, judge, entry)
    with pytest.raises(ValidationFailed):
        scoring.save_sheet(_review(world, judge, entry), {criterion.id: Decimal(11)}, {}, "", True, None, judge.user)
    sheet = scoring.save_sheet(_review(world, judge, entry), {criterion.id: Decimal(5)}, {}, "", False, None,
                               judge.user)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="another window"):
        scoring.save_sheet(_review(world, judge, entry), {criterion.id: Decimal(6)}, {}, "", False,
                           sheet.version - 1, judge.user)
    round_.state = RoundState.CLOSED
    with pytest.raises(ValidationFailed, match="closed"):
        scoring.save_sheet(_review(world, judge, entry), {criterion.id: Decimal(6)}, {}, "", True, sheet.version,
                           judge.user)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ScoreSheetHistory)) == 1


def test_the_rubric_is_locked_once_scoring_began(world):
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    with pytest.raises(ValidationFailed):
        scoring.save_criterion(round_, scoring.CriterionData(name_en="Zero", weight=Decimal(0)), criterion)
    entry, judge = world.entry(), world.judge()
    world.sheet(round_, judge, entry, {criterion: 3}, state=SheetState.DRAFT)
    with pytest.raises(ValidationFailed, match="begun scoring"):
        scoring.save_criterion(round_, scoring.CriterionData(name_en="Market", weight=Decimal(1)))


def test_the_leaderboard_ranks_by_the_rounds_method_without_conflicted_or_withdrawn_sheets(world):
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    entries = [world.entry() for _ in range(4)]
    harsh, generous, conflicted = world.judge(), world.judge(), world.judge()
    for entry, (low, high) in zip(entries, ((2, 8), (3, 9), (1, 7), (4, 10)), strict=True):
        world.sheet(round_, harsh, entry, {criterion: low})
        world.sheet(round_, generous, entry, {criterion: high})
    world.sheet(round_, conflicted, entries[2], {criterion: 10})
    db.session.add(ConflictOfInterest(judge_id=conflicted.id, entry_id=entries[2].id, source=ConflictSource.DECLARED,
                                      reason="cousin"))
    entries[1].state, entries[1].withdrawn_at = EntryState.WITHDRAWN, datetime.now(UTC)
    db.session.commit()

    board = leaderboard.leaderboard(round_)

    expected = score_details({(judge.id, entry.id): {str(criterion.id): points}
                              for judge, entry, points in ((harsh, entries[0], 2), (generous, entries[0], 8),
                                                           (harsh, entries[2], 1), (generous, entries[2], 7),
                                                           (harsh, entries[3], 4), (generous, entries[3], 10))},
                             {str(criterion.id): (1, 10)}, "mean")
    assert board.scores == expected
    assert [score.entry for score in board.scores] == [entries[3].id, entries[0].id, entries[2].id]
    assert board.scores[0].spread == pytest.approx(60) and board.flagged == 3
    world.sheet(round_, conflicted, entries[0], {criterion: 0})  # a new sheet changes the ranking at once
    assert leaderboard.leaderboard(round_).scores[0].sheets == 2
    assert [score.entry for score in leaderboard.leaderboard(round_).scores][-1] == entries[0].id


def test_the_leaderboard_follows_a_changed_sheet(world):
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    first, second = world.entry(), world.entry()
    judge = world.judge()
    sheet = world.sheet(round_, judge, first, {criterion: 9})
    world.sheet(round_, judge, second, {criterion: 5})
    assert [score.entry for score in leaderboard.leaderboard(round_).scores] == [first.id, second.id]
    sheet.points = {str(criterion.id): 1.0}
    db.session.commit()
    board = leaderboard.leaderboard(round_)
    assert [score.entry for score in board.scores] == [second.id, first.id]
    assert board.scores[1].score == pytest.approx(10)


def test_the_leaderboard_ranks_kept_totals_and_adds_up_points_only_after_the_rubric_changed(world, monkeypatch):
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    first, second = world.entry(), world.entry()
    judge = world.judge()
    sheet = world.sheet(round_, judge, first, {criterion: 9})
    world.sheet(round_, judge, second, {criterion: 5})
    assert sheet.total == pytest.approx(90)
    added = []
    monkeypatch.setattr(leaderboard, "sheet_totals",
                        lambda sheets, criteria: added.append(len(sheets)) or sheet_totals(sheets, criteria))
    leaderboard.leaderboard(round_)
    sheet.points = {str(criterion.id): 1.0}
    db.session.commit()
    assert sheet.total == pytest.approx(10)
    assert leaderboard.leaderboard(round_).scores[1].score == pytest.approx(10)
    assert added == []  # every sheet's total was written with its points
    criterion.max_points = 20  # past the service's lock: the round's totals are cleared
    db.session.commit()
    assert leaderboard.leaderboard(round_).scores[0].score == pytest.approx(25)
    assert added == [2]


def test_a_first_save_racing_another_window_is_refused_not_crashed(world):
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    entry, judge = world.entry(), world.judge()
    world.assign(round_, judge, entry)
    review = _review(world, judge, entry)  # the page opened before the other window's first save
    world.sheet(round_, judge, entry, {criterion: 4}, state=SheetState.DRAFT)
    with pytest.raises(ValidationFailed, match="another window"):
        scoring.save_sheet(review, {criterion.id: Decimal(6)}, {}, "", False, None, judge.user)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ScoreSheetHistory)) == 0
