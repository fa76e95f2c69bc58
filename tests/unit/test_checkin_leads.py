"""Lead capture at the booth: consent decides whether anything is saved; only candidates' valid
badges of the booth's own event become leads."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.badges import services as badges
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.badges.services import Verdict
from eventsapp.browse.models import ShortlistEntry
from eventsapp.browse.services import add_to_shortlist
from eventsapp.checkin import leads
from eventsapp.checkin.leads import LeadOutcome
from eventsapp.extensions import db
from eventsapp.registrations.services import cancel_registration, register_for_event
from eventsapp.validation import ValidationFailed


@pytest.fixture
def booth(ctx, make_event, make_organization, make_booth):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    organization = make_organization()
    return make_booth(event, organization)


@pytest.fixture
def visitor(make_candidate):
    """A candidate confirmed at the booth's event; ``consent`` says whether employers may see them."""
    def make(booth, consent=True, **profile):
        person = make_candidate(show_to_employers=consent, **profile)
        register_for_event(booth.event_id, person)
        db.session.commit()
        return person, badges.badge_of(booth.event_id, person.id)
    return make


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(ShortlistEntry))


def test_a_consenting_candidate_becomes_a_lead_with_rating_and_note(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    person, badge = visitor(booth, name="李明", school="浙江大学")
    result = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), rating=3, note="Strong in Rust")
    db.session.commit()
    assert result.outcome == LeadOutcome.SAVED and result.profile.name == "李明"
    entry = result.entry
    assert (entry.booth_id, entry.candidate_id, entry.lead_rating, entry.note) == (booth.id, person.id, 3,
                                                                                   "Strong in Rust")
    assert entry.lead_captured_by_id == staff.id and entry.lead_captured_at is not None
    first_capture = entry.lead_captured_at

    again = leads.capture_lead(booth, actor=staff, number=badge.number, rating=4)
    assert again.outcome == LeadOutcome.UPDATED and again.entry.id == entry.id
    assert (entry.lead_rating, entry.note, entry.lead_captured_at) == (4, "Strong in Rust", first_capture)
    assert entries() == 1
    [row] = leads.leads_of(booth)
    assert row.profile.user_id == person.id and row.captured_by == staff.display_name


def test_someone_already_shortlisted_becomes_a_lead_and_keeps_the_rank(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    person, badge = visitor(booth)
    add_to_shortlist(booth, person.id, staff, note="from the browse", rank=2)
    result = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge))
    assert result.outcome == LeadOutcome.SAVED and result.entry.rank == 2 and result.entry.note == "from the browse"
    assert result.entry.lead_captured_at is not None and entries() == 1


def test_without_consent_nothing_personal_is_saved(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    _person, badge = visitor(booth, consent=False)
    result = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), rating=4, note="nice")
    assert result.outcome == LeadOutcome.NOT_CONSENTED
    assert result.entry is None and result.profile is None and result.badge is None
    assert entries() == 0


def test_staff_crew_other_events_revoked_and_cancelled_badges_are_not_leads(booth, visitor, make_staff, make_event,
                                                                            make_candidate, make_user):
    staff = make_staff(booth.organization)
    helper = make_user(Role.CANDIDATE)
    db.session.add(EventCrew(event_id=booth.event_id, user_id=helper.id, role=BadgeRole.VOLUNTEER))
    db.session.commit()
    elsewhere = make_candidate(show_to_employers=True)
    other_event = make_event()
    register_for_event(other_event.id, elsewhere)
    _person, replaced = visitor(booth)
    badges.reissue(replaced)
    leaving, leaving_badge = visitor(booth)
    cancel_registration(leaving_badge.registration)
    db.session.commit()

    def scan(badge):
        return leads.capture_lead(booth, actor=staff, token=badges.token_of(badge))

    assert scan(badges.badge_of(booth.event_id, staff.id)).outcome == LeadOutcome.NOT_CANDIDATE
    assert scan(badges.badge_of(booth.event_id, helper.id)).outcome == LeadOutcome.NOT_CANDIDATE
    foreign = scan(badges.badge_of(other_event.id, elsewhere.id))
    assert (foreign.outcome, foreign.verdict) == (LeadOutcome.REFUSED, Verdict.OTHER_EVENT)
    assert scan(replaced).verdict == Verdict.REVOKED
    assert scan(leaving_badge).verdict == Verdict.CANCELLED
    assert leads.capture_lead(booth, actor=staff, token="x" * 5000).verdict == Verdict.INVALID
    assert leads.capture_lead(booth, actor=staff, number="").verdict == Verdict.INVALID
    assert entries() == 0


def test_a_rating_outside_one_to_four_or_a_huge_note_is_refused(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    _person, badge = visitor(booth)
    for rating in (0, 5, -1):
        with pytest.raises(ValidationFailed) as failure:
            leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), rating=rating)
        assert failure.value.errors[0][0] == "rating"
    with pytest.raises(ValidationFailed):
        leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), note="x" * 2001)
    assert entries() == 0
    entry = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge)).entry
    with pytest.raises(ValidationFailed):
        leads.update_lead(entry, 7, "")
    assert leads.update_lead(entry, None, "  cleared  ").lead_rating is None and entry.note == "cleared"


def test_the_leads_csv_has_local_times_and_no_formulas(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    shown, shown_badge = visitor(booth, name="王小雨", name_latin="Wang Xiaoyu", school="=cmd")
    _gone, gone_badge = visitor(booth)
    at = datetime(2026, 11, 29, 1, 5, tzinfo=UTC)
    leads.capture_lead(booth, actor=staff, token=badges.token_of(shown_badge), rating=2, note="+1 follow up",
                       now=at)
    leads.capture_lead(booth, actor=staff, token=badges.token_of(gone_badge), now=at - timedelta(hours=1))
    cancel_registration(gone_badge.registration)
    body = leads.leads_csv(leads.leads_of(booth), "Asia/Shanghai", "hidden")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Scanned", "Rating", "Name", "Name in Latin letters", "Degree", "School", "Major",
                       "Graduation year", "Note", "Scanned by"]
    assert rows[1] == ["2026-11-29T09:05+08:00", "2", "王小雨", "Wang Xiaoyu", "Master's degree", "'=cmd", "计算机科学",
                       "2027", "'+1 follow up", staff.display_name]
    assert rows[2][:3] == ["2026-11-29T08:05+08:00", "", "hidden"] and rows[2][3:8] == [""] * 5
