"""The API's request and response schemas (marshmallow): they validate what comes in and describe, in
the OpenAPI document, what goes out. Ids are strings; timestamps are ISO 8601 with their offset."""
from __future__ import annotations

import unicodedata

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from eventsapp.api.validation_messages import Length, OneOf, Range, Regexp, TranslatedField
from eventsapp.api.validation_messages import Schema as RequestSchema
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.registrations.models import RegistrationStatus

MAX_ID = 2**31 - 1
LIST_LIMIT_MAX = 100


def clean_text(text: str) -> str:
    """Without control characters (PostgreSQL refuses NUL) and lone surrogates (no encoding takes them);
    tabs and line breaks stay."""
    return "".join(char for char in text if char in "\t\n\r" or unicodedata.category(char) not in ("Cc", "Cs"))


class Text(TranslatedField, fields.String):
    """A string from a client, cleaned by ``clean_text`` before it is validated."""

    def _deserialize(self, value, attr, data, **kwargs):
        return clean_text(super()._deserialize(value, attr, data, **kwargs))


class Integer(TranslatedField, fields.Integer):
    """A whole number; written as text (a query string), in the digits 0-9 only: ``int()`` also reads '٣' as 3,
    and a question, a track or a page size is not named in other scripts' digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.strip().isascii():
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# What comes in is checked by these: their messages in the request's language (validation_messages).
class Enum(TranslatedField, fields.Enum):
    pass


class AwareDateTime(TranslatedField, fields.AwareDateTime):
    pass


class Date(TranslatedField, fields.Date):
    pass


class Dict(TranslatedField, fields.Dict):
    pass


class Raw(TranslatedField, fields.Raw):
    pass


class Strict(RequestSchema):
    class Meta:
        unknown = ma.RAISE


class ErrorDetailSchema(ma.Schema):
    code = fields.String(required=True, metadata={"description": "A stable code, e.g. not_found, insufficient_scope"})
    message = fields.String(required=True, metadata={"description": "For people, in the request's language"})
    fields_ = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields",
                          metadata={"description": "The message for each field at fault"})


class ErrorSchema(ma.Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class IdempotencyHeaderSchema(RequestSchema):
    class Meta:
        unknown = ma.EXCLUDE  # every other header

    idempotency_key = Text(data_key="Idempotency-Key", validate=Regexp(r"^[\x20-\x7e]{1,100}$"), metadata={
        "description": "Any unique text (e.g. a UUID): the same request sent again with it returns the first "
                       "answer and creates nothing twice."})


class ListArgs(Strict):
    limit = Integer(load_default=20, validate=Range(1, LIST_LIMIT_MAX))
    cursor = Text(validate=Length(1, 500), metadata={
        "description": "The next_cursor of the previous page"})


def list_of(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict({
        "data": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(required=True, allow_none=True,
                                     metadata={"description": "null on the last page"}),
    }, name=name)


# --- Events -------------------------------------------------------------------------------------

class EventListArgs(ListArgs):
    kind = Enum(EventKind, by_value=True)
    when = Text(load_default="upcoming", validate=OneOf(("upcoming", "past", "all")), metadata={
        "description": "upcoming (not ended, soonest first), past (ended, latest first) or all (latest first)"})
    series = Text(validate=Length(1, 80), metadata={"description": "A series' slug"})
    starts_after = AwareDateTime(metadata={"description": "Only events starting at or after this time"})
    starts_before = AwareDateTime(metadata={"description": "Only events starting before this time"})


class EventSchema(ma.Schema):
    id = fields.String(required=True)
    slug = fields.String(required=True)
    kind = Enum(EventKind, by_value=True, required=True)
    status = Enum(EventStatus, by_value=True, required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "In the request's language"})
    timezone = fields.String(required=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, metadata={"format": "date-time"})
    venue_name = fields.String(required=True)
    venue_address = fields.String(required=True)
    district = fields.String(required=True)
    series = fields.String(required=True, allow_none=True, metadata={"description": "The series' slug"})
    registration = fields.String(required=True, validate=OneOf(("not_yet_open", "open", "closed",
                                                                         "cancelled")))
    url = fields.String(required=True, metadata={"description": "The event's public page"})


class EventDetailSchema(EventSchema):
    description_zh = fields.String(required=True)
    description_en = fields.String(required=True)
    capacity = fields.Integer(required=True)
    requires_approval = fields.Boolean(required=True)
    registration_opens_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    registration_closes_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    cancellation_reason = fields.String(required=True)


class AgendaItemSchema(ma.Schema):
    id = fields.String(required=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    room = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    speaker = fields.String(required=True)


# --- Registrations ------------------------------------------------------------------------------

class RegistrationSchema(ma.Schema):
    id = fields.String(required=True)
    event_id = fields.String(required=True)
    status = Enum(RegistrationStatus, by_value=True, required=True)
    waitlist_position = fields.Integer(required=True, allow_none=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})
    confirmed_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    cancelled_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    attended = fields.Boolean(required=True)
    decision_reason = fields.String(required=True)


class RegistrantSchema(RegistrationSchema):
    """A registration as the event's organizers see it: with the person."""

    user_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class RegistrationCreated(ma.Schema):
    registration = fields.Nested(RegistrationSchema, required=True)
    created = fields.Boolean(required=True, metadata={"description": "false when already registered"})


class RegisterBody(Strict):
    answers = Dict(keys=Text(validate=Length(1, 12)), values=Raw(), load_default=dict, metadata={
        "description": "Answers to the event's questions by question id: a text, or a list of choices for a "
                       "multiple-choice question"})


class RegistrantArgs(ListArgs):
    status = Enum(RegistrationStatus, by_value=True)


class DecisionBody(Strict):
    status = Text(required=True, validate=OneOf(("confirmed", "rejected", "cancelled")),
                  metadata={"description": "confirmed approves a pending registration (confirmed or waitlisted as "
                                           "places last); rejected declines it; cancelled cancels an active one"})
    reason = Text(load_default="", validate=Length(0, 500),
                  metadata={"description": "Required to decline; sent to the person"})


# --- Check-ins ----------------------------------------------------------------------------------

class CheckInBody(Strict):
    token = Text(validate=Length(1, 2000), metadata={"description": "The badge's scanned code"})
    number = Text(validate=Length(1, 32), metadata={"description": "The badge number, typed"})
    holder_id = Text(validate=Regexp(r"^[1-9][0-9]{0,9}$"),
                     metadata={"description": "The person's user id (from a search)"})
    gate = Text(load_default="", validate=Length(0, 40))
    scanned_at = AwareDateTime(metadata={"description": "When the scan happened, for a queued offline scan"})
    scan_id = Text(load_default="", validate=Length(0, 40), metadata={
        "description": "The scanner's id for this scan: the same scan sent again is reported as repeated"})

    @ma.validates_schema
    def one_way(self, data, **kwargs):
        given = [name for name in ("token", "number", "holder_id") if name in data]
        if len(given) != 1:
            raise ma.ValidationError(_l("Send exactly one of token, number or holder_id."), "token")
        if "holder_id" in data and int(data["holder_id"]) > MAX_ID:
            raise ma.ValidationError(_l("Not a person's id."), "holder_id")


class CheckInResultSchema(ma.Schema):
    outcome = fields.String(required=True, validate=OneOf(("checked_in", "already", "refused")))
    verdict = fields.String(required=True)
    repeated = fields.Boolean(required=True)
    status = fields.String(required=True, validate=OneOf(("ok", "warn", "bad")),
                           metadata={"description": "green, amber or red at the door"})
    headline = fields.String(required=True)
    detail = fields.String()
    door = fields.String()
    check_in_id = fields.String(allow_none=True)
    checked_in_at = fields.String(metadata={"format": "date-time"})
    name = fields.String()
    name_latin = fields.String()
    role = fields.String()
    role_label = fields.String()
    organization = fields.String()
    booth = fields.String()
    number = fields.String()
    gate = fields.String()
    time = fields.String()
    checked_in_by = fields.String()


class CheckInSchema(ma.Schema):
    id = fields.String(required=True)
    holder_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, allow_none=True)
    badge_number = fields.String(required=True, allow_none=True)
    checked_in_at = fields.String(required=True, metadata={"format": "date-time"})
    recorded_at = fields.String(required=True, metadata={"format": "date-time"})
    gate = fields.String(required=True)
    method = fields.String(required=True)


# --- Fairs: halls, booths, openings; organizations --------------------------------------------

class HallSchema(ma.Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    rows = fields.Integer(required=True)
    cols = fields.Integer(required=True)


class OrganizationSchema(ma.Schema):
    id = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    name = fields.String(required=True)
    industry = fields.String(required=True)
    size = fields.String(required=True)
    city = fields.String(required=True)
    website = fields.String(required=True)
    description = fields.String(required=True)


class BoothSchema(ma.Schema):
    id = fields.String(required=True)
    code = fields.String(required=True, allow_none=True)
    hall = fields.String(required=True, allow_none=True)
    booth_type = fields.String(required=True)
    organization = fields.Nested(OrganizationSchema, required=True)


class OpeningSchema(ma.Schema):
    id = fields.String(required=True)
    organization_id = fields.String(required=True)
    booth_id = fields.String(required=True, allow_none=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    degree = fields.String(required=True, allow_none=True)
    majors = fields.List(fields.String(), required=True)
    skills = fields.List(fields.String(), required=True)
    headcount = fields.Integer(required=True)
    salary_min = fields.Integer(required=True, allow_none=True)
    salary_max = fields.Integer(required=True, allow_none=True)
    work_city = fields.String(required=True)


class OrganizationListArgs(ListArgs):
    q = Text(validate=Length(1, 100), metadata={"description": "Part of the name"})


# --- Interviews -----------------------------------------------------------------------------

class InterviewSchema(ma.Schema):
    id = fields.String(required=True)
    event_id = fields.String(required=True)
    booth_id = fields.String(required=True)
    booth_code = fields.String(required=True, allow_none=True)
    organization = fields.String(required=True)
    candidate_id = fields.String(required=True)
    candidate_name = fields.String(required=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, metadata={"format": "date-time"})
    status = fields.String(required=True)


# --- Contests -------------------------------------------------------------------------------

class TeamMemberSchema(ma.Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "leader or member"})


class RoundStandingSchema(ma.Schema):
    round_id = fields.String(required=True)
    round = fields.String(required=True)
    status = fields.String(required=True, allow_none=True, metadata={
        "description": "entered, advanced, eliminated; null: not (or not yet) in this round"})


class EntrySchema(ma.Schema):
    id = fields.String(required=True)
    event_id = fields.String(required=True)
    contest_id = fields.String(required=True)
    track_id = fields.String(required=True)
    track = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    summary_zh = fields.String(required=True)
    summary_en = fields.String(required=True)
    organization_name = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "draft, submitted or withdrawn"})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    submitted_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    team = fields.List(fields.Nested(TeamMemberSchema), required=True)


class MyEntrySchema(EntrySchema):
    standings = fields.List(fields.Nested(RoundStandingSchema), required=True)


class EntryListArgs(ListArgs):
    state = Text(validate=OneOf(("draft", "submitted", "withdrawn")))
    track_id = Integer(validate=Range(1, MAX_ID))


class ReviewSchema(ma.Schema):
    """An entry a judge reviews in an open round. In a blind round the team and its organization are not
    sent (null), as the score sheet page hides them."""
    event_id = fields.String(required=True)
    round_id = fields.String(required=True)
    round = fields.String(required=True)
    blind = fields.Boolean(required=True)
    round_ends_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    entry_id = fields.String(required=True)
    track = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    summary_zh = fields.String(required=True)
    summary_en = fields.String(required=True)
    sheet = fields.String(required=True, allow_none=True, metadata={
        "description": "draft or submitted; null: not begun"})
    organization_name = fields.String(required=True, allow_none=True)
    team = fields.List(fields.Nested(TeamMemberSchema), required=True, allow_none=True)


class AwardSchema(ma.Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    rank = fields.Integer(required=True)
    prize_amount = fields.String(required=True, metadata={"description": "In yuan, e.g. \"100000.00\""})
    entry_id = fields.String(required=True)
    title = fields.String(required=True)
    organization_name = fields.String(required=True)


class TrackResultsSchema(ma.Schema):
    track_id = fields.String(required=True, allow_none=True, metadata={"description": "null: the whole contest"})
    track = fields.String(required=True, allow_none=True)
    awards = fields.List(fields.Nested(AwardSchema), required=True)


class ResultsSchema(ma.Schema):
    event_id = fields.String(required=True)
    contest_id = fields.String(required=True)
    published_at = fields.String(required=True, metadata={"format": "date-time"})
    tracks = fields.List(fields.Nested(TrackResultsSchema), required=True)


# --- Analytics ------------------------------------------------------------------------------

class AnalyticsArgs(Strict):
    period = Text(load_default="year", validate=OneOf(("year", "half", "quarter", "series", "custom")),
                  metadata={"description": "year, half (with half), quarter (with quarter), series (with series) or "
                                           "custom (with start and end, at most three years)"})
    year = Integer(validate=Range(2000, 2100), metadata={"description": "Default: this year"})
    half = Integer(load_default=1, validate=OneOf((1, 2)))
    quarter = Integer(load_default=1, validate=OneOf((1, 2, 3, 4)))
    series = Integer(validate=Range(1, MAX_ID), metadata={"description": "A series' id"})
    start = Date()
    end = Date()
    kind = Enum(EventKind, by_value=True)
    district = Text(validate=Length(1, 40))


class FigureSchema(ma.Schema):
    value = fields.Float(required=True, allow_none=True, metadata={
        "description": "null when suppressed, or when there is nothing to divide"})
    suppressed = fields.Boolean(required=True, metadata={
        "description": "true: it counts 1 to 4 people, so it is not shown (<5)"})


class EventFiguresSchema(ma.Schema):
    event_id = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ended = fields.Boolean(required=True)
    registrations = fields.Nested(FigureSchema, required=True)
    confirmed = fields.Nested(FigureSchema, required=True)
    attended = fields.Nested(FigureSchema, required=True)
    no_show_rate = fields.Nested(FigureSchema, required=True)


class AnalyticsSchema(ma.Schema):
    ready = fields.Boolean(required=True, metadata={
        "description": "false while the figures of this period are first computed: ask again in a minute"})
    refresh_requested = fields.Boolean(required=True)
    computed_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    figures = fields.Dict(keys=fields.String(), values=fields.Nested(FigureSchema), required=True, allow_none=True)
    per_event = fields.List(fields.Nested(EventFiguresSchema), required=True)
