"""A person's contest data in their data export, and what erasing their account does to it: teams left,
drafts deleted, a leader of a submitted entry refused, a judge's submitted sheets kept de-identified."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventsapp.candidates import erasure
from eventsapp.candidates.data_export import personal_data_export
from eventsapp.contests.models import (
    ConflictOfInterest,
    ConflictSource,
    ContestJudge,
    Entry,
    EntryState,
    PanelMember,
    ReviewAssignment,
    RoundState,
    ScoreSheet,
    ScoreSheetHistory,
    SheetState,
    TeamInvitation,
    TeamMember,
)
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed
from tests.contest_factories import build_judged_contest


@pytest.fixture
def world(ctx, factories):
    return build_judged_contest(factories, first_round_state=RoundState.OPEN)


def _invite(entry, email):
    db.session.add(TeamInvitation(entry_id=entry.id, email=email, token_hash=email.ljust(64, "x")[:64]))
    db.session.flush()


def test_a_leader_of_a_submitted_entry_withdraws_it_before_erasing(world, factories):
    leader = factories.make_candidate(email="lead@example.org")
    entry = world.entry(leader=leader, title_zh="智能水务")
    with pytest.raises(ValidationFailed) as failure:
        erasure.erase_account(leader)
    assert "智能水务" in str(failure.value.errors[0][1])
    assert leader.erased_at is None and db.session.get(Entry, entry.id).members


def test_erasing_leaves_teams_deletes_own_drafts_and_keeps_withdrawn_entries(world, factories):
    person = factories.make_candidate(email="person@example.org")
    other = factories.make_candidate(email="other@example.org")
    joined = world.entry(leader=other, members=(person,))
    draft = world.entry(leader=person, state=EntryState.DRAFT)
    withdrawn = world.entry(leader=person, members=(other,), state=EntryState.WITHDRAWN,
                            overseas_experience="MIT, 2019-2021")
    _invite(joined, "person@example.org")
    erasure.erase_account(person)
    db.session.commit()
    assert db.session.get(Entry, draft.id) is None
    assert [m.user_id for m in db.session.get(Entry, joined.id).members] == [other.id]
    kept = db.session.get(Entry, withdrawn.id)
    assert [m.user_id for m in kept.members] == [other.id]
    assert kept.overseas_experience == "" and kept.created_by_id is None
    assert db.session.scalar(select(TeamMember.id).where(TeamMember.user_id == person.id)) is None
    assert db.session.scalar(select(TeamInvitation.id)) is None


def test_a_judge_with_submitted_sheets_stays_de_identified(world, factories):
    entry, other_entry, declared = world.entry(), world.entry(), world.entry()
    judge = world.judge(organization="浙江大学", name="王教授")
    user = world.user_of(judge)
    round_ = world.rounds[0]
    world.panel(round_, [judge])
    world.assign(round_, judge, entry, other_entry)
    sheet = world.sheet(round_, judge, entry, (8, 7), comment="清晰")
    world.sheet(round_, judge, other_entry, (5, 5), state=SheetState.DRAFT)
    db.session.add(ScoreSheetHistory(sheet_id=sheet.id, version=1, state=SheetState.SUBMITTED,
                                     points=sheet.points, comments={}, comment="清晰", changed_by_id=user.id))
    db.session.add(ConflictOfInterest(judge_id=judge.id, entry_id=declared.id, source=ConflictSource.DECLARED,
                                      reason="我的学生"))
    db.session.flush()
    erasure.erase_account(user)
    db.session.commit()
    kept = db.session.get(ContestJudge, judge.id)
    assert (kept.user_id, kept.name, kept.organization) == (None, "—", "")
    assert kept.email == f"erased-judge-{judge.id}@invalid"
    assert db.session.get(ScoreSheet, sheet.id).comment == "清晰"  # the results keep their sheets
    assert db.session.scalars(select(ScoreSheet.entry_id)).all() == [entry.id]  # the draft is gone
    assert db.session.scalars(select(ReviewAssignment.entry_id)).all() == [entry.id]  # the unscored one too
    assert db.session.scalar(select(PanelMember.id)) is None
    assert db.session.scalar(select(ConflictOfInterest.reason)) == ""
    assert db.session.scalar(select(ScoreSheetHistory.changed_by_id)) is None


def test_a_judge_without_submitted_sheets_leaves_the_contest(world):
    entry = world.entry()
    judge = world.judge()
    world.assign(world.rounds[0], judge, entry)
    world.sheet(world.rounds[0], judge, entry, (1, 1), state=SheetState.DRAFT)
    erasure.erase_account(world.user_of(judge))
    db.session.commit()
    assert db.session.get(ContestJudge, judge.id) is None
    assert db.session.scalar(select(ReviewAssignment.id)) is None


def test_the_export_lists_entries_invitations_judging_and_certificates(world, factories):
    person = factories.make_candidate(email="person@example.org")
    entry = world.entry(leader=person, title_zh="智能水务")
    other = world.entry()
    _invite(other, "person@example.org")
    judge = world.judge(user=person)
    sheet = world.sheet(world.rounds[0], judge, other, (9, 8), comment="好")
    db.session.add(ScoreSheetHistory(sheet_id=sheet.id, version=1, state=SheetState.SUBMITTED,
                                     points=sheet.points, comments={}, comment="好", changed_by_id=person.id))
    world.award(entry)
    world.contest.results_published_at = datetime.now(UTC)
    db.session.commit()
    contests = personal_data_export(person)["contests"]
    [mine] = contests["entries"]
    assert (mine["title_zh"], mine["role"], mine["state"]) == ("智能水务", "leader", "submitted")
    assert [invitation["entry_id"] for invitation in contests["team_invitations"]] == [other.id]
    [role] = contests["judging"]
    [exported] = role["score_sheets"]
    assert (exported["entry_id"], exported["comment"], len(exported["history"])) == (other.id, "好", 1)
    [certificate] = contests["certificates"]
    assert (certificate["award_en"], certificate["prize_amount"]) == ("First prize", "100000.00")


def test_the_export_has_no_certificate_before_results_are_published(world, factories):
    person = factories.make_candidate()
    world.award(world.entry(leader=person))
    assert personal_data_export(person)["contests"]["certificates"] == []
