"""A property-based run of the whole API from its OpenAPI document (Schemathesis), against the WSGI app
with seeded tokens: for every operation, valid and invalid requests generated from the document never
get a 5xx, and every answer conforms to the document (status, content type, schema, headers). The suite
runs on SQLite and on PostgreSQL, so this does too. Bounded: a few examples per operation, an
organizer's run with both modes, then one valid run per role (candidate, booth staff, judge, organizer)
on data where their own lists are not empty (about a minute in all)."""
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, find, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from eventsapp.accounts.models import Role
from tests.contest_factories import build_contest
from tests.factories import MatchingFair
from tests.web.api_helpers import auth, make_token, run_and_maybe_publish

MAX_EXAMPLES = 12
ROLE_EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def run_every_operation(app, secret: str, mode: GenerationMode, max_examples: int,
                        path_ids: dict[str, int] | None = None) -> set[tuple[str, int]]:
    """Every operation of the document, one after the other, with hypothesis' own loop (Schemathesis'
    pytest plugin does not work with this pytest's subtests). ``path_ids`` puts the seeded objects' ids
    in the path, so the run reads them instead of ids nothing holds. The (path, status) pairs checked."""
    operations = [result.ok() for result in api_schema(app).get_all_operations()]
    assert len(operations) >= 14
    headers = auth(secret)
    checked = set()

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def call(case):
            if path_ids:
                case.path_parameters = {name: path_ids.get(name, value)
                                        for name, value in case.path_parameters.items()}
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            checked.add((case.operation.path, response.status_code))

        call()
    return checked


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
    run_every_operation(app, seeded, mode, MAX_EXAMPLES)


@pytest.fixture
def roles(app, make_event, make_organization, make_booth, make_candidate, make_staff, factories):
    """A fair with a published matching run (a candidate with interviews at two booths, a booth with three
    interviews and its staff) and a contest (that candidate on the team of two entries, a judge assigned both
    in the open first round, an organizer who reads them): each role's token, and the ids its run puts in
    the path."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff,
                        hours=2, quota=2)
    busy, other = fair.booth(), fair.booth()
    candidate = fair.candidate(busy, other, name="安安")
    for number in range(2):
        fair.candidate(busy, name=f"候选{number}")
    staff = fair.make_staff(busy.organization_ref)
    run_and_maybe_publish(app, fair)
    contest = build_contest(factories)
    entries = [contest.entry(members=(candidate,)) for _ in range(2)]
    judge = contest.judge()
    contest.assign(contest.rounds[0], judge, *entries)
    ids = {"booth_id": busy.id, "organization_id": busy.organization_ref.id}
    return {
        "candidate": (candidate, {**ids, "event_id": fair.event.id}),
        "booth staff": (staff, {**ids, "event_id": fair.event.id}),
        "judge": (contest.user_of(judge), {**ids, "event_id": contest.event.id}),
        "organizer": (factories.make_organizer(), {**ids, "event_id": contest.event.id}),
    }


OWN_LISTS = {"candidate": ["/api/v1/me/interviews", "/api/v1/me/contest-entries"],
             "booth staff": ["/api/v1/booths/{booth_id}/interviews"], "judge": ["/api/v1/me/reviews"],
             "organizer": ["/api/v1/events/{event_id}/contest/entries"]}


@pytest.mark.parametrize("role", list(OWN_LISTS))
def test_each_role_keeps_the_document(app, roles, role):
    """The lists only a role reads (its interviews, entries, reviews) are not empty for it, and its valid
    requests over the whole document conform to it."""
    person, path_ids = roles[role]
    secret = make_token(app, person)
    client = app.test_client()
    for path in OWN_LISTS[role]:
        answer = client.get(path.format(**path_ids), headers=auth(secret))
        assert answer.status_code == 200 and answer.json["data"], (path, answer.json)
    checked = run_every_operation(app, secret, GenerationMode.POSITIVE, ROLE_EXAMPLES, path_ids)
    assert {(path, 200) for path in OWN_LISTS[role]} <= checked


def header(response, name: str) -> str:
    """One header of a Schemathesis response (its headers are lists, by lowercase name)."""
    return response.headers[name.lower()][0]


def test_a_304_and_a_429_conform_to_the_document(app, make_event, make_candidate, monkeypatch):
    """A real 304 (If-None-Match with the ETag) and a real 429 are answers the document describes: no body
    and an ETag; an error with Retry-After. Schemathesis itself sends If-None-Match, from the document."""
    make_event()
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    schema = api_schema(app)
    operation = schema["/api/v1/events"]["GET"]
    secret = make_token(app, make_candidate())

    first = operation.Case().call(headers=auth(secret))
    operation.Case().validate_response(first, checks=CHECKS)
    etag = header(first, "ETag")
    case = operation.Case(headers={"If-None-Match": etag})
    not_modified = case.call(headers=auth(secret))
    assert not_modified.status_code == 304 and not not_modified.content
    assert header(not_modified, "ETag") == etag
    case.validate_response(not_modified, checks=CHECKS)
    documented = operation.definition.raw["responses"]
    assert "304" in documented and "429" in documented

    operation.Case().call(headers=auth(secret))
    limited = operation.Case().call(headers=auth(secret))
    assert limited.status_code == 429 and header(limited, "Retry-After").isdigit()
    operation.Case().validate_response(limited, checks=CHECKS)

    sends = find(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                 lambda generated: "If-None-Match" in (generated.headers or {}),
                 settings=settings(database=None, suppress_health_check=list(HealthCheck), max_examples=200))
    assert isinstance(sends.headers["If-None-Match"], str)
