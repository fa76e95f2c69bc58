"""Awards' services: a round's scores from submitted sheets, advancing with ties decided by the organizer
(once only, even by two organizers at once), the pitch schedule, awards, publication and the teams' e-mails."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import icalendar
import pytest
from sqlalchemy import func, select

from eventsapp.audit.models import AuditEntry
from eventsapp.awards import services
from eventsapp.awards.emails import ADVANCED, ELIMINATED, RESULTS
from eventsapp.calendars import ical
from eventsapp.calendars.services import personal_feed
from eventsapp.contests.models import (
    Contest,
    Entry,
    EntryRound,
    EntryRoundStatus,
    PitchSlot,
    Round,
    RoundState,
    ScoreSheet,
    SheetState,
)
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import rendered
from tests.contest_factories import build_judged_contest

# Weights 2 and 1, 10 points each: (10, 10) → 100, (8, 8) → 80, (5, 5) → 50.


def _round(contest, index: int = 0) -> Round:
    return db.session.get(Round, contest.rounds[index].id)


def _statuses(round_id: int) -> dict[int, EntryRoundStatus]:
    return dict(db.session.execute(select(EntryRound.entry_id, EntryRound.status)
                                   .where(EntryRound.round_id == round_id)).tuples().all())


def test_round_scores_read_only_submitted_sheets_with_the_rounds_method(ctx, factories):
    contest = build_judged_contest(factories)
    judge = contest.judge(accepted=False)
    first, second = contest.entry().id, contest.entry().id
    contest.sheet(contest.rounds[0], judge, first, (8, 8))
    contest.sheet(contest.rounds[0], judge, second, (10, 10), state=SheetState.DRAFT)
    scores = services.round_scores(contest.rounds[0].id)
    assert [(detail.entry, round(detail.score, 6), detail.rank, detail.sheets) for detail in scores] == [
        (first, 80.0, 1, 1)]


def test_sheets_that_no_longer_fit_the_rubric_are_a_clear_message_not_a_crash(ctx, factories):
    contest = build_judged_contest(factories)
    entry = contest.entry().id
    sheet_id = contest.sheet(contest.rounds[0], contest.judge(accepted=False), entry, (8, 8)).id
    sheet = db.session.get(ScoreSheet, sheet_id)
    sheet.points = {str(contest.criteria[0].id): 8, "999999": 3}
    db.session.commit()
    with pytest.raises(services.ScoresUnreadable, match="unknown criterion"):
        services.round_scores(contest.rounds[0].id)


def test_the_top_n_per_track_shows_entries_tied_at_the_cut_off(ctx, factories):
    contest = build_judged_contest(factories)
    made = contest.scored_entries({0: [(10, 10), (8, 8), (8, 8), (5, 5)], 1: [(9, 9)]})
    plans = services.plan_advance(_round(contest), top=2)
    digital, bio = plans
    assert [s.entry.id for s in digital.advancing] == [made[0][0]]
    assert sorted(s.entry.id for s in digital.tied) == sorted(made[0][1:3]) and digital.seats_for_tied == 1
    assert [s.entry.id for s in digital.eliminated] == [made[0][3]]
    assert [s.entry.id for s in bio.advancing] == made[1] and not bio.tied


def test_a_lowest_score_advances_everyone_at_or_above_it_and_stops_entries_without_a_sheet(ctx, factories):
    contest = build_judged_contest(factories)
    made = contest.scored_entries({0: [(10, 10), (8, 8), (5, 5)]})
    unscored = contest.entry().id
    plan, = services.plan_advance(_round(contest), min_score=80)
    assert [s.entry.id for s in plan.advancing] == made[0][:2]
    assert [s.entry.id for s in plan.eliminated] == [made[0][2], unscored]


@pytest.mark.parametrize("cut, message", [({}, "either"), ({"top": 2, "min_score": 50}, "either"),
                                          ({"top": 0}, "At least one"), ({"min_score": 101}, "between 0 and 100")])
def test_a_cut_that_makes_no_sense_is_refused(ctx, factories, cut, message):
    contest = build_judged_contest(factories)
    with pytest.raises(services.BadCut, match=message):
        services.plan_advance(_round(contest), **cut)


def test_advancing_waits_for_the_ties_then_records_decides_tells_and_audits(ctx, factories, make_organizer):
    organizer = make_organizer()
    contest = build_judged_contest(factories)
    english = factories.make_candidate(locale="en")
    chinese = factories.make_candidate(locale="zh_CN")
    judge = contest.judge(accepted=False)
    best = contest.entry(leader=english, members=(chinese,), title_zh="第一名", title_en="The best").id
    contest.sheet(contest.rounds[0], judge, best, (10, 10))
    tied_a, tied_b = contest.entry().id, contest.entry().id
    contest.sheet(contest.rounds[0], judge, tied_a, (8, 8))
    contest.sheet(contest.rounds[0], judge, tied_b, (8, 8))
    round_ = _round(contest)

    with pytest.raises(services.TiesUndecided) as undecided:
        services.advance_round(round_, organizer, top=2)
    assert sorted(s.entry.id for s in undecided.value.plans[0].tied) == sorted([tied_a, tied_b])
    db.session.rollback()
    assert _statuses(round_.id) == {}  # nothing half-saved
    with pytest.raises(services.BadCut):
        services.advance_round(_round(contest), organizer, top=2, tie_winners=[best])
    db.session.rollback()

    result = services.advance_round(_round(contest), organizer, top=2, tie_winners=[tied_b])
    db.session.commit()
    assert {entry.id for entry in result.advanced} == {best, tied_b}
    assert _statuses(contest.rounds[0].id) == {best: EntryRoundStatus.ADVANCED, tied_b: EntryRoundStatus.ADVANCED,
                                            tied_a: EntryRoundStatus.ELIMINATED}
    assert _statuses(contest.rounds[1].id) == {best: EntryRoundStatus.ENTERED, tied_b: EntryRoundStatus.ENTERED}
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [message.kind for message in messages].count(ADVANCED) == 3  # two members of the best team, one of tied_b
    assert [message.kind for message in messages].count(ELIMINATED) == 1
    to_english = next(m for m in messages if m.to_email == english.email)
    to_chinese = next(m for m in messages if m.to_email == chinese.email)
    english_subject, english_text, _ = rendered(to_english)
    chinese_subject, chinese_text, _ = rendered(to_chinese)
    assert "Roadshow" in english_subject and "The best" in english_text
    assert "复赛路演" in chinese_subject and "第一名" in chinese_text
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "advanced"))
    assert audit.actor_id == organizer.id and audit.after["advanced"] == 2
    assert audit.after["ties_chosen"] == f"#{tied_b}"

    with pytest.raises(services.AlreadyAdvanced):
        services.advance_round(_round(contest), organizer, top=2, tie_winners=[])


def test_an_empty_round_has_nothing_to_advance(ctx, factories):
    contest = build_judged_contest(factories)
    with pytest.raises(services.BadCut, match="No entry"):
        services.advance_round(_round(contest), None, top=1)


def test_an_open_round_or_the_last_one_cannot_be_advanced(ctx, factories):
    contest = build_judged_contest(factories, first_round_state=RoundState.OPEN)
    contest.scored_entries({0: [(10, 10)]})
    with pytest.raises(services.RoundNotClosed):
        services.advance_round(_round(contest), None, top=1)
    db.session.rollback()
    last = _round(contest, 2)
    last.state = RoundState.CLOSED
    db.session.commit()
    with pytest.raises(services.NoNextRound):
        services.advance_round(last, None, top=1)


def test_a_second_advance_that_missed_the_first_one_is_stopped_by_the_database(ctx, factories, monkeypatch):
    """What two organizers at once come to without the round's lock (SQLite has none): the unique rows."""
    contest = build_judged_contest(factories)
    contest.scored_entries({0: [(10, 10), (5, 5)]})
    services.advance_round(_round(contest), None, top=1)
    db.session.commit()
    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    monkeypatch.setattr(services, "already_advanced", lambda round_, following: False)
    monkeypatch.setattr(services, "round_decided", lambda round_: False)
    with pytest.raises(services.AlreadyAdvanced):
        services.advance_round(_round(contest), None, top=1)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == queued
    assert len(_statuses(contest.rounds[1].id)) == 1


def test_two_organizers_advancing_at_the_same_moment_advance_once(app, real_commits, factories):
    with app.app_context():
        contest = build_judged_contest(factories)
        contest.scored_entries({0: [(10, 10), (8, 8), (5, 5)], 1: [(9, 9), (4, 4)]})
        online_review, roadshow = contest.rounds[0].id, contest.rounds[1].id
    barrier = threading.Barrier(2)
    outcomes = []

    def advance():
        barrier.wait()
        with app.app_context():
            round_ = db.session.get(Round, online_review)
            try:
                services.advance_round(round_, None, top=1)
                db.session.commit()
                outcomes.append("advanced")
            except services.AlreadyAdvanced:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=advance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["advanced", "refused"]
    with app.app_context():
        assert len(_statuses(roadshow)) == 2
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.kind == ADVANCED)) == 2


def test_pitches_follow_each_other_in_a_room_and_the_running_order_can_change(ctx, factories):
    contest = build_judged_contest(factories)
    entries = [contest.entry().id for _ in range(3)]
    for entry in entries:
        contest.in_round(entry, contest.rounds[1])
    roadshow = _round(contest, 1)
    start = datetime(2027, 5, 20, 1, 0, tzinfo=UTC)
    slots = services.schedule_pitches(roadshow, room="A101", starts_at=start, minutes=15, entry_ids=entries[::-1])
    db.session.commit()
    assert [(slot.entry_id, slot.starts_at, slot.ends_at) for slot in slots] == [
        (entries[2], start, start + timedelta(minutes=15)),
        (entries[1], start + timedelta(minutes=15), start + timedelta(minutes=30)),
        (entries[0], start + timedelta(minutes=30), start + timedelta(minutes=45))]
    first_sequence = slots[0].sequence
    services.move_slot(slots[0], later=True)
    db.session.commit()
    assert [slot.entry_id for slot in services.round_slots(roadshow)] == [entries[1], entries[2], entries[0]]
    assert slots[0].sequence > first_sequence
    with pytest.raises(services.SlotTaken, match="end of the running order"):
        services.move_slot(slots[0], later=False)
    with pytest.raises(services.NotInRound, match="without a slot"):
        services.schedule_pitches(roadshow, room="B", starts_at=start, minutes=15, entry_ids=[entries[0]])
    services.remove_slot(slots[2])
    db.session.commit()
    with pytest.raises(services.SlotTaken, match="already has pitches"):
        services.schedule_pitches(roadshow, room="A101", starts_at=start + timedelta(minutes=20), minutes=15,
                                  entry_ids=[entries[0]])
    with pytest.raises(services.NotInRound, match="online review"):
        services.schedule_pitches(_round(contest), room="A", starts_at=start, minutes=15, entry_ids=[entries[0]])


def pitches_in_feed(user) -> list[icalendar.Event]:
    body = ical.feed_bytes(personal_feed(db.session.merge(user), "en", "http://talent.test"))
    return [event for event in icalendar.Calendar.from_ical(body).walk("VEVENT")
            if str(event["UID"]).startswith("pitch-")]


def pitch_in_feed(user, uid: str) -> icalendar.Event:
    (event,) = [event for event in pitches_in_feed(user) if str(event["UID"]) == uid]
    return event


def test_a_removed_pitch_stays_in_the_teams_calendar_cancelled_and_the_pages_hide_it(ctx, factories):
    contest = build_judged_contest(factories)
    leader = factories.make_candidate()
    kept, removed = contest.entry(leader=leader).id, contest.entry().id
    for entry in (kept, removed):
        contest.in_round(entry, contest.rounds[1])
    roadshow = _round(contest, 1)
    start = datetime(2027, 5, 20, 1, 0, tzinfo=UTC)
    slots = services.schedule_pitches(roadshow, room="A101", starts_at=start, minutes=15, entry_ids=[removed, kept])
    db.session.commit()
    uid = ical.pitch_uid(roadshow.id, kept)
    before = pitch_in_feed(leader, uid)
    assert str(before["STATUS"]) == "CONFIRMED"

    services.remove_slot(slots[1])
    db.session.commit()
    after = pitch_in_feed(leader, uid)
    assert str(after["STATUS"]) == "CANCELLED" and int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == before.decoded("DTSTART")
    assert db.session.get(PitchSlot, slots[1].id).cancelled_at is not None  # kept, as a tombstone
    assert [slot.entry_id for slot in services.round_slots(roadshow)] == [removed]
    assert services.entry_slots(db.session.get(Entry, kept)) == []
    assert kept in [entry.id for entry in services.unscheduled_entries(roadshow)]
    with pytest.raises(services.SlotTaken, match="already been removed"):
        services.remove_slot(slots[1])

    # Its time and the entry are free again: scheduled anew, the same calendar entry comes back, newer still.
    services.schedule_pitches(roadshow, room="A101", starts_at=start + timedelta(minutes=15), minutes=15,
                              entry_ids=[kept])
    db.session.commit()
    again = pitch_in_feed(leader, uid)  # one calendar entry, not two
    assert str(again["STATUS"]) == "CONFIRMED" and int(again["SEQUENCE"]) > int(after["SEQUENCE"])


def test_awards_are_published_once_with_an_e_mail_to_every_team_and_locked_while_public(ctx, factories, make_organizer):
    organizer = make_organizer()
    contest = build_judged_contest(factories)
    winner = contest.entry().id
    contest.entry(contest.tracks[1])
    row = db.session.get(Contest, contest.contest.id)
    with pytest.raises(services.NothingToPublish):
        services.publish_results(row, organizer)
    award = services.add_award(row, entry_id=winner, name_zh="一等奖", name_en="First prize", rank=1,
                               prize_amount=Decimal("100000"))
    with pytest.raises(services.AwardTaken):
        services.add_award(row, entry_id=winner, name_zh="一等奖", name_en="First prize", rank=1,
                           prize_amount=Decimal(0))
    with pytest.raises(services.AwardTaken):
        services.add_award(row, entry_id=999_999, name_zh="二等奖", name_en="", rank=2, prize_amount=Decimal(0))
    assert services.published_results(row) == []
    assert services.publish_results(row, organizer) == 2
    db.session.commit()
    assert [group.awards for group in services.published_results(row)] == [[award]]
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == RESULTS)).all()
    texts = {message.to_email: rendered(message)[1] for message in messages}
    assert len(texts) == 2 and any("First prize" in text for text in texts.values())
    with pytest.raises(services.ResultsPublished):
        services.remove_award(row, award)
    with pytest.raises(services.ResultsPublished):
        services.publish_results(row, organizer)
    db.session.rollback()
    services.unpublish_results(db.session.get(Contest, contest.contest.id), organizer)
    db.session.commit()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["results_published", "results_unpublished"]
