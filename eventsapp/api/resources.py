"""Every resource blueprint of /api/v1, in the order the OpenAPI document lists them."""
from eventsapp.api import checkins, events, fairs, interviews, registrations

BLUEPRINTS = [events.blp, registrations.blp, checkins.blp, fairs.blp, interviews.blp]
