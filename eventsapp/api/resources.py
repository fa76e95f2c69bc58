"""Every resource blueprint of /api/v1, in the order the OpenAPI document lists them."""
from eventsapp.api import analytics, checkins, contests, events, fairs, interviews, registrations

BLUEPRINTS = [events.blp, registrations.blp, checkins.blp, fairs.blp, interviews.blp, contests.blp, analytics.blp]
