"""Issuing badges, the signed code on them, and what a scan means at the door."""
from datetime import timedelta

import pytest

from eventsapp.badges import services, tokens
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.badges.services import Verdict
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.registrations.services import cancel_registration, register_for_event


def test_confirmed_candidates_get_one_badge_each_and_the_code_verifies(ctx, make_event, make_candidate):
    event = make_event(capacity=1)
    first, second = make_candidate(), make_candidate()
    register_for_event(event.id, first)
    register_for_event(event.id, second)  # waiting list: no badge
    db.session.commit()
    badges = services.sync_badges(event.id)
    assert [b.holder_id for b in badges] == [first.id]
    assert services.sync_badges(event.id)[0].id == badges[0].id  # idempotent
    token = services.token_of(badges[0])
    assert token.split(".")[0] == badges[0].code and first.email not in token  # nothing personal inside
    result = services.verify_token(token, event)
    assert result.verdict == Verdict.VALID and result.badge.holder_id == first.id
    assert services.find_by_number(event.id, badges[0].number.lower()).id == badges[0].id


def test_tampered_foreign_revoked_cancelled_and_expired_codes(app, ctx, make_event, make_candidate):
    event, other = make_event(), make_event()
    person = make_candidate()
    registration = register_for_event(event.id, person).registration
    db.session.commit()
    badge = services.badge_of(event.id, person.id)
    token = services.token_of(badge)
    assert services.verify_token(token[:-2] + "xx", event).verdict == Verdict.INVALID
    assert services.verify_token("", event).verdict == Verdict.INVALID
    assert services.verify_token(token, other).verdict == Verdict.OTHER_EVENT
    assert services.verify_token(token, event, now=event.ends_at + timedelta(days=2)).verdict == Verdict.EXPIRED
    new = services.reissue(badge)
    assert services.verify_token(token, event).verdict == Verdict.REVOKED
    assert services.verify_token(services.token_of(new), event).verdict == Verdict.VALID
    cancel_registration(registration)
    assert services.verify_token(services.token_of(new), event).verdict == Verdict.CANCELLED
    app.config["SECRET_KEY"], key = "another installation's key", app.config["SECRET_KEY"]
    try:
        foreign = tokens.sign(new.code)  # the right secret, signed by someone else
    finally:
        app.config["SECRET_KEY"] = key
    assert foreign != services.token_of(new)
    assert services.verify_token(foreign, event).verdict == Verdict.INVALID


def test_crew_outranks_candidate_and_losing_the_role_voids_the_badge(ctx, make_event, make_candidate, make_user):
    event = make_event()
    helper = make_candidate()
    register_for_event(event.id, helper)
    db.session.add(EventCrew(event_id=event.id, user_id=helper.id, role=BadgeRole.VOLUNTEER))
    db.session.commit()
    [badge] = services.issue_badges(event.id, [helper.id])  # reissued as crew if registering issued one
    assert badge.role == BadgeRole.VOLUNTEER
    db.session.execute(db.delete(EventCrew))
    assert services.judge(badge, event).verdict == Verdict.NOT_ENTITLED
    # Asking for the person's badge gives them the one they are still entitled to: a candidate's.
    renewed = services.badge_of(event.id, helper.id)
    assert renewed.role == BadgeRole.CANDIDATE and renewed.code != badge.code
    assert services.sync_badges(event.id) == [renewed]
    assert services.judge(badge, event).verdict == Verdict.REVOKED


def test_losing_the_race_to_issue_badges_takes_the_winners(ctx, make_event, make_candidate, monkeypatch):
    event = make_event()
    person = make_candidate()
    db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()  # written directly: no badge yet
    # Another request issued this person's badge between our read and our insert.
    real_active = services.active_badges
    calls = []

    def stale_then_real(event_id, holder_ids=None):
        calls.append(event_id)
        if len(calls) == 1:
            with db.session.begin_nested():
                db.session.add(services._new_badge(event_id, services.entitlements(event_id)[person.id], set()))
            return {}
        return real_active(event_id, holder_ids)

    monkeypatch.setattr(services, "active_badges", stale_then_real)
    [badge] = services.sync_badges(event.id)
    assert badge.holder_id == person.id and len(calls) == 2
    db.session.commit()  # the session is still usable
    assert db.session.scalar(db.select(db.func.count()).select_from(services.Badge)) == 1


def test_a_badge_is_reissued_once_however_often_it_is_asked(ctx, make_event, make_candidate):
    event = make_event()
    person = make_candidate()
    register_for_event(event.id, person)
    db.session.commit()
    badge = services.badge_of(event.id, person.id)
    services.reissue(badge)
    db.session.commit()
    with pytest.raises(services.AlreadyReplaced):
        services.reissue(badge)
    db.session.rollback()
    assert len([b for b in services.active_badges(event.id).values()]) == 1
