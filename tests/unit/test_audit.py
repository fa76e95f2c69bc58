"""The audit log's service: what an entry keeps, and reading entries back by event and by object."""
from datetime import UTC, datetime, timedelta

from eventsapp.accounts.models import Role
from eventsapp.audit.models import AuditEntry
from eventsapp.audit.services import activity_query, record
from eventsapp.booths.models import BoothStatus
from eventsapp.extensions import db
from eventsapp.organizations.models import OrganizationStatus


def test_an_entry_keeps_who_what_which_object_and_only_what_changed(ctx, make_user, make_event, make_organization,
                                                                    make_booth):
    organizer = make_user(Role.ORGANIZER)
    event = make_event()
    booth = make_booth(event, make_organization(), status=BoothStatus.PENDING)
    when = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)
    entry = record(organizer, "approved", booth, {"status": BoothStatus.PENDING, "code": None},
                   {"status": BoothStatus.APPROVED, "code": None}, address="203.0.113.7", now=when)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AuditEntry, entry.id)
    assert (stored.actor_id, stored.action, stored.object_type, stored.object_id) == (
        organizer.id, "approved", "booth", booth.id)
    assert stored.event_id == event.id  # taken from the object
    assert stored.before == {"status": "pending"} and stored.after == {"status": "approved"}
    assert stored.address == "203.0.113.7" and stored.created_at == when


def test_an_organization_has_no_event_and_the_system_no_actor(ctx, make_organization):
    organization = make_organization(status=OrganizationStatus.PENDING)
    entry = record(None, "verified", organization, after={"reason": "checked"})
    db.session.commit()
    assert (entry.event_id, entry.actor_id, entry.before, entry.after) == (None, None, {}, {"reason": "checked"})


def test_the_log_reads_back_newest_first_by_event_object_and_action(ctx, make_user, make_event, make_organization,
                                                                    make_booth):
    organizer = make_user(Role.ORGANIZER)
    fair, other = make_event(), make_event()
    organization = make_organization()
    booth, elsewhere = make_booth(fair, organization), make_booth(other, make_organization())
    start = datetime(2027, 3, 1, tzinfo=UTC)
    first = record(organizer, "approved", booth, now=start)
    placed = record(organizer, "placed", booth, now=start + timedelta(minutes=1))
    record(organizer, "approved", elsewhere, now=start + timedelta(minutes=2))
    verified = record(organizer, "verified", organization, now=start + timedelta(minutes=3))
    db.session.commit()

    def ids(**filters):
        return [entry.id for entry in db.session.scalars(activity_query(**filters))]

    assert ids(event_id=fair.id) == [placed.id, first.id]
    assert ids(event_id=fair.id, action="approved") == [first.id]
    assert ids(object_type="organization", object_id=organization.id) == [verified.id]
    assert len(ids()) == 4
