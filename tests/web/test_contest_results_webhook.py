"""The webhook event contest_results.published: the organizer's "Publish the results" button writes one
delivery for each organizer endpoint that picked it (for that event or for all events), none for other
events' or employers' endpoints, none when publishing is refused, and the worker sends it signed."""
from __future__ import annotations

import json

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.webhooks import delivery, signing
from eventsapp.webhooks.events import CONTEST_RESULTS_PUBLISHED, REGISTRATION_CREATED
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.contest_factories import build_judged_contest
from tests.webhook_receiver import start_receiver


def hook(app, owner, url: str, types: str, event_id: int | None = None, organization_id: int | None = None) -> int:
    with app.app_context():
        row = WebhookEndpoint(created_by_id=owner.id, organization_id=organization_id, event_id=event_id, url=url,
                              event_types=types, secret=signing.new_secret(), consecutive_failures=0,
                              disabled_reason="")
        db.session.add(row)
        db.session.commit()
        return row.id


def deliveries_of(app, endpoint_id: int) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)))


def test_publishing_results_is_announced_to_the_organizers_endpoints_and_sent_signed(
        app, client, organizer, factories, make_event, make_organization, make_staff):
    contest = build_judged_contest(factories)
    entry = contest.entry()
    receiver = start_receiver()
    try:
        event_id = contest.event.id
        all_events = hook(app, organizer, receiver.url, CONTEST_RESULTS_PUBLISHED)
        this_event = hook(app, organizer, "https://hooks.example.com/this", CONTEST_RESULTS_PUBLISHED, event_id)
        other_event = hook(app, organizer, "https://hooks.example.com/other", CONTEST_RESULTS_PUBLISHED,
                           make_event().id)
        other_type = hook(app, organizer, "https://hooks.example.com/reg", REGISTRATION_CREATED)
        organization = make_organization()
        employer = hook(app, make_staff(organization), "https://hooks.example.com/hr", CONTEST_RESULTS_PUBLISHED,
                        organization_id=organization.id)
        base = f"/manage/events/{event_id}/results"

        client.post(f"{base}/publish")  # refused: no award yet
        assert deliveries_of(app, all_events) == []

        client.post(f"{base}/awards", data={"entry_id": str(entry.id), "name_zh": "一等奖", "name_en": "First prize",
                                            "rank": "1", "prize_amount": "1000"})
        assert client.post(f"{base}/publish").status_code == 302
        [sent] = deliveries_of(app, all_events)
        assert len(deliveries_of(app, this_event)) == 1
        assert deliveries_of(app, other_event) == deliveries_of(app, other_type) == deliveries_of(app, employer) == []
        body = json.loads(sent.body)
        assert body["type"] == CONTEST_RESULTS_PUBLISHED
        assert body["data"]["event"]["id"] == str(event_id)
        assert body["data"]["contest"]["id"] == str(contest.contest.id) and body["data"]["contest"]["awards"] == 1
        assert body["data"]["contest"]["results_published_at"].endswith("+00:00")

        with app.app_context():
            secret = db.session.get(WebhookEndpoint, all_events).secret
            for row in db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id != all_events)):
                db.session.delete(row)  # the others go to hosts the test does not run
            db.session.commit()
            assert delivery.deliver_due().sent == 1
        [received] = receiver.received
        assert received.headers["X-Talentday-Event"] == CONTEST_RESULTS_PUBLISHED
        assert signing.verify(secret, received.headers["X-Talentday-Signature"], received.body)
        assert [row.status for row in deliveries_of(app, all_events)] == [DeliveryStatus.SUCCEEDED]

        # Taken back and published again: a second announcement.
        assert client.post(f"{base}/unpublish").status_code == 302
        assert client.post(f"{base}/publish").status_code == 302
        assert len(deliveries_of(app, all_events)) == 2
    finally:
        receiver.close()
