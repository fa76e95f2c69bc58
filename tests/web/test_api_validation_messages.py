"""The schema's validation messages (marshmallow, webargs) come in the request's language, field by field."""
import marshmallow as ma
import pytest

from eventsapp.api import schemas
from eventsapp.api import validation_messages as vm
from tests.web.api_helpers import auth, make_token, patch_json, post_json

ZH = {"Accept-Language": "zh-CN"}
ENGLISH_OF_THE_LIBRARIES = ("Missing data", "Unknown field", "Not a valid", "Must be", "Invalid", "Length must",
                            "Longer than", "Shorter than", "does not match", "Send exactly one")


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= character <= "\u9fff" for character in text)


def assert_translated(answer, field: str) -> None:
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)
    message = answer.json["error"]["fields"][field]
    assert is_chinese(message), message
    assert not any(english in message for english in ENGLISH_OF_THE_LIBRARIES), message


@pytest.mark.parametrize("query,field", [
    ("limit=abc", "limit"), ("limit=0", "limit"), ("limit=٣", "limit"), ("when=someday", "when"),
    ("kind=party", "kind"), ("starts_after=yesterday", "starts_after"), ("starts_after=2026-05-01T09:00:00",
                                                                         "starts_after"),
    ("cursor=" + "c" * 501, "cursor"), ("series=" + "s" * 81, "series"),
])
def test_query_string_errors_are_in_the_request_s_language(app, query, field):
    assert_translated(app.test_client().get(f"/api/v1/events?{query}", headers=ZH), field)


def test_body_errors_are_in_the_request_s_language(app, make_event, make_organizer, make_candidate):
    event = make_event()
    client = app.test_client()
    organizer = make_token(app, make_organizer())
    path = f"/api/v1/events/{event.id}/registrations/1"
    assert_translated(patch_json(client, path, {}, organizer, **ZH), "status")  # required
    assert_translated(patch_json(client, path, {"status": "maybe"}, organizer, **ZH), "status")  # one of
    assert_translated(patch_json(client, path, {"status": 5}, organizer, **ZH), "status")  # not a text
    assert_translated(patch_json(client, path, {"status": None}, organizer, **ZH), "status")  # null
    assert_translated(patch_json(client, path, {"status": "rejected", "reason": "r" * 501}, organizer, **ZH),
                      "reason")  # too long
    assert_translated(patch_json(client, path, {"status": "rejected", "x": 1}, organizer, **ZH), "x")  # unknown
    candidate = make_token(app, make_candidate())
    register = f"/api/v1/events/{event.id}/registrations"
    assert_translated(post_json(client, register, {"answers": [1]}, candidate, **ZH), "answers")  # not a mapping
    assert_translated(post_json(client, register, [1, 2], candidate, **ZH), "_schema")  # not an object
    garbage = client.post(register, data=b"{", content_type="application/json", headers=auth(candidate, **ZH))
    assert_translated(garbage, "json")  # not JSON
    idempotent = post_json(client, register, {}, candidate, **{**ZH, "Idempotency-Key": "\u00e9"})
    assert is_chinese(idempotent.json["error"]["message"])


def test_the_check_in_body_s_own_rules_are_translated(app, make_event, make_organizer):
    event = make_event()
    secret = make_token(app, make_organizer())
    client = app.test_client()
    path = f"/api/v1/events/{event.id}/checkins"
    assert_translated(post_json(client, path, {}, secret, **ZH), "token")
    assert_translated(post_json(client, path, {"holder_id": "12x"}, secret, **ZH), "holder_id")
    assert_translated(post_json(client, path, {"token": "a", "scanned_at": "2026-01-01T10:00:00"}, secret, **ZH),
                      "scanned_at")


def test_english_stays_english(app):
    answer = app.test_client().get("/api/v1/events?limit=0", headers={"Accept-Language": "en"})
    assert answer.json["error"]["fields"]["limit"] == "Give a value from 1 to 100."
    required = app.test_client().get("/api/v1/events?when=someday")
    assert required.json["error"]["fields"]["when"] == "Give one of: upcoming, past, all."


def _request_schemas(app) -> set[type[ma.Schema]]:
    """Every schema a request is checked against: the ones the views' @arguments name."""
    found = set()
    for view in app.view_functions.values():
        for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            schema = parameter["schema"]
            found.add(schema if isinstance(schema, type) else type(schema))
    return found


def test_every_field_a_request_is_checked_by_speaks_both_languages(app):
    """A field or validator of a request schema whose library message would stay English fails here."""
    request_schemas = _request_schemas(app)
    assert {schemas.ListArgs, schemas.RegisterBody, schemas.CheckInBody, schemas.AnalyticsArgs,
            schemas.IdempotencyHeaderSchema} <= request_schemas
    for schema in request_schemas:
        assert issubclass(schema, vm.Schema), schema.__name__
        for name, field in schema().fields.items():
            for inner in (field, getattr(field, "key_field", None), getattr(field, "value_field", None)):
                if inner is None:
                    continue
                assert isinstance(inner, vm.TranslatedField), f"{schema.__name__}.{name}: {type(inner).__name__}"
                for key in inner.error_messages:
                    if key != "format":  # marshmallow's, when it writes a value out: never on a request
                        assert vm.field_message(inner, key, choices="a") is not None, (schema.__name__, name, key)
                for validator in inner.validators:
                    assert type(validator).__module__ == vm.__name__, (schema.__name__, name, validator)
