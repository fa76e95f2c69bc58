"""A property-based run of the whole API from its OpenAPI document (Schemathesis), against the WSGI app
with a seeded token: for every operation, valid and invalid requests generated from the document never
get a 5xx, and every answer conforms to the document (status, content type, schema). The suite runs on
SQLite and on PostgreSQL, so this does too. Bounded: a few examples per operation (under a minute)."""
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from eventsapp.accounts.models import Role
from tests.web.api_helpers import make_token

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def seeded(app, make_event, make_organization, make_booth, make_hall, make_opening, make_candidate, make_user,
           factories):
    """Something behind the ids the run will try (1, 2, ...): events with agendas, a fair with a hall, a
    booth and an opening, registrations, and an organizer's token with every scope."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    event = make_event(starts_at=start, agenda=[{"starts_at": start, "title_en": "Opening", "title_zh": "开幕"}])
    make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    hall = make_hall(event)
    booth = make_booth(event, make_organization(), hall_id=hall.id, row=1, col=1, code="A-1")
    make_opening(booth, title="Engineer")
    factories.make_registrant(event)
    return make_token(app, make_user(Role.ORGANIZER))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_document(app, seeded, mode):
    """Every operation of the document, one after the other, with hypothesis' own loop (Schemathesis'
    pytest plugin does not work with this pytest's subtests)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    headers = {"Authorization": f"Bearer {seeded}"}

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
