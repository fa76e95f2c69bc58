"""Booth services: applications, decisions, halls, placement, the public plan (no HTTP)."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from eventsapp.booths import services
from eventsapp.booths.models import BoothStatus, BoothType, Hall
from eventsapp.booths.services import BoothApplication, BoothRefused, HallData
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Industry, OrganizationStatus
from eventsapp.validation import ValidationFailed

STANDARD = BoothApplication(BoothType.STANDARD, 2, "")


@pytest.fixture(autouse=True)
def english(ctx):
    """Messages are checked in English."""
    with force_locale("en"):
        yield


def messages(failure) -> dict:
    return {field: str(message) for field, message in failure.value.errors}


def outbox(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def hall(event, name="A", rows=4, cols=6, **text) -> Hall:
    saved = services.save_hall(event.id, HallData(name=name, rows=rows, cols=cols, **text))
    db.session.commit()
    return saved.hall


def place(event, booth, code):
    placed = services.place_booth(event.id, booth.id, code=code)
    db.session.commit()
    return placed


# --- Applications -------------------------------------------------------------------------------

def test_a_verified_organization_applies_once_per_event(ctx, make_event, make_organization):
    event, organization = make_event(), make_organization()
    booth = services.apply_for_booth(event.id, organization, BoothApplication(BoothType.DOUBLE, 3, "  Power, please "))
    db.session.commit()
    assert (booth.status, booth.booth_type, booth.interviewers, booth.note) == (
        BoothStatus.PENDING, BoothType.DOUBLE, 3, "Power, please")
    with pytest.raises(BoothRefused) as refused:
        services.apply_for_booth(event.id, organization, STANDARD)
    assert "as many as this event allows" in str(refused.value.reasons[0])


def test_the_organizer_may_allow_more_booths_and_withdrawn_or_rejected_ones_do_not_count(
        ctx, make_event, make_organization, make_booth):
    event, organization = make_event(), make_organization()
    make_booth(event, organization, status=BoothStatus.WITHDRAWN)
    make_booth(event, organization, status=BoothStatus.REJECTED)
    make_booth(event, organization, status=BoothStatus.APPROVED)
    assert services.why_cannot_apply(event, organization)
    services.set_max_booths(event.id, 2)
    assert services.why_cannot_apply(event, organization) == []
    services.apply_for_booth(event.id, organization, STANDARD)
    assert services.active_booth_count(event.id, organization.id) == 2


@pytest.mark.parametrize("limit", [None, 0, 51])
def test_the_booth_limit_is_a_sensible_number(ctx, make_event, limit):
    with pytest.raises(ValidationFailed) as failure:
        services.set_max_booths(make_event().id, limit)
    assert "from 1 to 50" in messages(failure)["max_booths_per_organization"]


@pytest.mark.parametrize("status, expected", [
    (OrganizationStatus.PENDING, "waiting to be verified"),
    (OrganizationStatus.REJECTED, "not verified: Credit code does not match"),
])
def test_organizations_not_verified_are_told_why_they_cannot_apply(ctx, make_event, make_organization, status,
                                                                    expected):
    event = make_event()
    organization = make_organization(status=status, status_reason="Credit code does not match")
    with pytest.raises(BoothRefused) as refused:
        services.apply_for_booth(event.id, organization, STANDARD)
    assert expected in str(refused.value.reasons[0])
    assert "organization yet" in str(services.why_cannot_apply(event, None)[0])


def test_only_published_fairs_and_talent_days_that_have_not_ended_take_applications(ctx, make_event,
                                                                                      make_organization):
    organization = make_organization()
    past = utcnow() - timedelta(days=2)
    fair, talent_day = make_event(), make_event(kind=EventKind.TALENT_DAY)
    assert services.why_cannot_apply(fair, organization) == services.why_cannot_apply(talent_day, organization) == []
    assert "not open" in str(services.why_cannot_apply(make_event(status=EventStatus.DRAFT), organization)[0])
    assert "cancelled" in str(services.why_cannot_apply(make_event(status=EventStatus.CANCELLED), organization)[0])
    assert "over" in str(services.why_cannot_apply(make_event(starts_at=past), organization)[0])
    assert not services.hosts_booths(make_event(kind=EventKind.COMPETITION))
    assert services.fairs_open_for_booths() == [fair, talent_day]


@pytest.mark.parametrize("application, field", [
    (BoothApplication(BoothType.STANDARD, 0, ""), "interviewers"),
    (BoothApplication(BoothType.STANDARD, 51, ""), "interviewers"),
    (BoothApplication(BoothType.STANDARD, None, ""), "interviewers"),
    (BoothApplication(BoothType.STANDARD, 1, "x" * 1001), "note"),
])
def test_bad_applications_are_explained_beside_the_field(ctx, make_event, make_organization, application, field):
    with pytest.raises(ValidationFailed) as failure:
        services.apply_for_booth(make_event().id, make_organization(), application)
    assert field in messages(failure)


# --- Decisions ------------------------------------------------------------------------------------

def test_approving_tells_the_owner_by_e_mail(ctx, make_event, make_organization, make_booth, make_user):
    event = make_event(title_en="Autumn fair")
    organization = make_organization(name_en="Cloud Tech")
    booth = make_booth(event, organization, status=BoothStatus.PENDING)
    services.approve_booth(event.id, booth.id)
    db.session.commit()
    assert booth.status == BoothStatus.APPROVED and booth.decided_at is not None
    [message] = outbox("booth_approved")
    owner_email = db.session.get(type(make_user()), organization.owner_id).email
    assert message.to_email == owner_email
    assert "http://talent.test/employer/booths" in message.body_text and message.body_html
    with pytest.raises(BoothRefused):
        services.approve_booth(event.id, booth.id)


def test_rejecting_needs_a_reason_which_the_owner_receives(ctx, make_event, make_organization, make_booth):
    event, organization = make_event(), make_organization()
    booth = make_booth(event, organization, status=BoothStatus.PENDING)
    with pytest.raises(ValidationFailed) as failure:
        services.reject_booth(event.id, booth.id, "   ")
    assert "reason" in messages(failure)
    services.reject_booth(event.id, booth.id, "The hall is full")
    db.session.commit()
    assert (booth.status, booth.status_reason) == (BoothStatus.REJECTED, "The hall is full")
    [message] = outbox("booth_rejected")
    assert "The hall is full" in message.body_text and "The hall is full" in message.body_html
    with pytest.raises(BoothRefused):
        services.reject_booth(event.id, booth.id, "again")


def test_a_booth_of_another_event_is_not_found(ctx, make_event, make_organization, make_booth):
    booth = make_booth(make_event(), make_organization(), status=BoothStatus.PENDING)
    with pytest.raises(LookupError):
        services.approve_booth(make_event().id, booth.id)


def test_taking_back_an_approved_booth_frees_its_place(ctx, make_event, make_organization, make_booth):
    event = make_event()
    hall(event)
    booth = place(event, make_booth(event, make_organization()), "A-1")
    services.reject_booth(event.id, booth.id, "Did not pay")
    db.session.commit()
    assert (booth.code, booth.hall_id, booth.row, booth.col) == (None, None, None, None)


def test_withdrawing_frees_the_place_and_the_code_for_another_booth(ctx, make_event, make_organization, make_booth):
    event = make_event()
    hall(event)
    first = place(event, make_booth(event, make_organization()), "A-3")
    services.withdraw_booth(first)
    db.session.commit()
    assert first.status == BoothStatus.WITHDRAWN and first.code is None
    assert place(event, make_booth(event, make_organization()), "A-3").code == "A-3"
    with pytest.raises(BoothRefused):
        services.withdraw_booth(first)


def test_a_booth_cannot_be_withdrawn_after_the_fair(ctx, make_event, make_organization, make_booth):
    start = utcnow() - timedelta(days=1)
    booth = make_booth(make_event(starts_at=start, ends_at=start + timedelta(hours=2)), make_organization())
    with pytest.raises(BoothRefused):
        services.withdraw_booth(booth)


def test_the_owner_who_deleted_the_account_gets_no_mail(ctx, make_event, make_organization, make_booth):
    from eventsapp.accounts.models import User
    organization = make_organization()
    db.session.get(User, organization.owner_id).erased_at = utcnow()
    booth = make_booth(make_event(), organization, status=BoothStatus.PENDING)
    services.approve_booth(booth.event_id, booth.id)
    assert outbox() == []


# --- Halls ----------------------------------------------------------------------------------------

def test_a_hall_is_saved_with_tidy_values(ctx, make_event):
    event = make_event()
    saved = hall(event, name=" b2 ", rows=10, cols=12, aisle_rows="8,4，4", aisle_cols="6",
                 blocked_cells="3:5 3:4")
    assert (saved.name, saved.aisle_rows, saved.aisle_cols, saved.blocked_cells) == ("B2", "4, 8", "6", "3:4, 3:5")
    assert len(services.grid_of(saved).booth_cells) == 8 * 11 - 2


@pytest.mark.parametrize("data, field, expected", [
    (HallData("", 5, 5), "name", "Give the hall a name"),
    (HallData("A-1", 5, 5), "name", "letters or digits"),
    (HallData("甲", 5, 5), "name", "letters or digits"),
    (HallData("A" * 16, 5, 5), "name", "1 to 15"),
    (HallData("A", None, 5), "rows", "from 1 to 60"),
    (HallData("A", 0, 5), "rows", "from 1 to 60"),
    (HallData("A", 5, 61), "cols", "from 1 to 60"),
    (HallData("A", 5, 5, aisle_rows="2, x"), "aisle_rows", "“x” is not a number"),
    (HallData("A", 5, 5, aisle_rows="6, 9"), "aisle_rows", "6, 9: not in the grid, which has 5 rows"),
    (HallData("A", 5, 5, aisle_cols="0"), "aisle_cols", "0: not in the grid, which has 5 columns"),
    (HallData("A", 5, 5, blocked_cells="3-4"), "blocked_cells", "“3-4” is not a cell"),
    (HallData("A", 5, 5, blocked_cells="6:1, 1:9"), "blocked_cells", "1:9, 6:1: not in the grid of 5 rows × 5"),
])
def test_every_bad_hall_value_is_explained_beside_its_field(ctx, make_event, data, field, expected):
    with pytest.raises(ValidationFailed) as failure:
        services.save_hall(make_event().id, data)
    assert expected in messages(failure)[field]


def test_hall_names_are_unique_per_event_ignoring_case(ctx, make_event):
    event = make_event()
    hall(event, name="A")
    hall(make_event(), name="A")  # another event may have its own hall A
    with pytest.raises(ValidationFailed) as failure:
        services.save_hall(event.id, HallData("a", 3, 3))
    assert "already has a hall A" in messages(failure)["name"]


def test_a_hall_cannot_shrink_or_gain_an_aisle_or_blocked_cell_under_a_booth(ctx, make_event, make_organization,
                                                                            make_booth):
    event = make_event()
    the_hall = hall(event, rows=4, cols=6)
    place(event, make_booth(event, make_organization(name_en="Cloud Tech")), "A-23")  # row 4, column 5
    double = make_booth(event, make_organization(name_en="Big Bank"), booth_type=BoothType.DOUBLE)
    place(event, double, "A-1")  # 1:1 and 1:2
    cases = [
        (HallData("A", 3, 6), "rows", "Booth A-23 (Cloud Tech) stands in row 4"),
        (HallData("A", 4, 4), "cols", "Booth A-23 (Cloud Tech) stands in column 5"),
        (HallData("A", 4, 6, aisle_rows="4"), "aisle_rows", "A-23 (Cloud Tech) stands in row 4"),
        (HallData("A", 4, 6, aisle_cols="2"), "aisle_cols", "A-1 (Big Bank) stands in column 2"),
        (HallData("A", 4, 6, blocked_cells="1:2"), "blocked_cells", "A-1 (Big Bank) stands on cell 1:2"),
    ]
    for data, field, expected in cases:
        with pytest.raises(ValidationFailed) as failure:
            services.save_hall(event.id, data, the_hall)
        assert expected in messages(failure)[field]
        db.session.rollback()


def test_changing_a_hall_renumbers_the_booths_in_it(ctx, make_event, make_organization, make_booth):
    event = make_event()
    the_hall = hall(event, rows=2, cols=3)
    first = place(event, make_booth(event, make_organization()), "A-2")  # 1:2
    second = place(event, make_booth(event, make_organization()), "A-3")  # 1:3
    saved = services.save_hall(event.id, HallData("H", 2, 3, blocked_cells="1:1"), the_hall)
    db.session.commit()
    assert (first.code, second.code) == ("H-1", "H-2")
    assert saved.renumbered == [("A-2", "H-1"), ("A-3", "H-2")]


def test_codes_shift_along_a_hall_without_clashing(ctx, make_event, make_organization, make_booth):
    event = make_event()
    the_hall = hall(event, rows=1, cols=4)
    booths = [place(event, make_booth(event, make_organization()), code) for code in ("A-4", "A-3", "A-2")]
    services.save_hall(event.id, HallData("A", 1, 4, blocked_cells="1:1"), the_hall)  # each code moves down one
    db.session.commit()
    assert [booth.code for booth in booths] == ["A-3", "A-2", "A-1"]


def test_a_hall_with_booths_cannot_be_deleted(ctx, make_event, make_organization, make_booth):
    event = make_event()
    the_hall, empty = hall(event, "A"), hall(event, "B")
    place(event, make_booth(event, make_organization()), "A-2")
    with pytest.raises(BoothRefused) as refused:
        services.delete_hall(the_hall)
    assert "A-2" in str(refused.value.reasons[0])
    services.delete_hall(empty)
    db.session.commit()
    assert [h.name for h in services.halls_of(event.id)] == ["A"]


# --- Placement ------------------------------------------------------------------------------------

def test_a_booth_is_placed_by_code_or_by_cell_and_can_move(ctx, make_event, make_organization, make_booth):
    event = make_event()
    the_hall = hall(event, rows=3, cols=5, aisle_cols="3")
    booth = place(event, make_booth(event, make_organization()), "a-5")
    assert (booth.hall_id, booth.row, booth.col, booth.code) == (the_hall.id, 2, 1, "A-5")
    services.place_booth(event.id, booth.id, hall_id=the_hall.id, row=3, col=5)
    db.session.commit()
    assert booth.code == "A-12"
    services.unplace_booth(event.id, booth.id)
    db.session.commit()
    assert booth.code is None and booth.hall_id is None


@pytest.mark.parametrize("target, field, expected", [
    (dict(code="A12"), "code", "Write a code like A-12"),
    (dict(code="Z-1"), "code", "There is no hall Z"),
    (dict(code="A-12"), "code", "booth numbers 1 to 11"),
    (dict(code="A-3"), "code", "Cell 1:4 is taken by booth A-3"),
    (dict(row=4, col=1), "row", "Row 4 is outside hall A, which has rows 1 to 3"),
    (dict(row=1, col=6), "col", "Column 6 is outside hall A"),
    (dict(row=0, col=1), "row", "outside"),
    (dict(row=1, col=3), "col", "Column 3 of hall A is an aisle"),
    (dict(row=3, col=5), "col", "Cell 3:5 of hall A is blocked"),
    (dict(row=1, col=4), "col", "Cell 1:4 is taken by booth A-3 (Cloud Tech)"),
    (dict(row=None, col=None), "row", "Enter the row"),
])
def test_bad_places_are_refused_with_a_clear_message(ctx, make_event, make_organization, make_booth, target, field,
                                                     expected):
    event = make_event()
    the_hall = hall(event, rows=3, cols=5, aisle_cols="3", blocked_cells="3:5")
    place(event, make_booth(event, make_organization(name_en="Cloud Tech")), "A-3")
    booth = make_booth(event, make_organization())
    with pytest.raises(ValidationFailed) as failure:
        services.place_booth(event.id, booth.id, code=target.get("code", ""),
                             hall_id=the_hall.id if "row" in target else None, row=target.get("row"),
                             col=target.get("col"))
    assert expected in messages(failure)[field]


def test_double_booths_need_two_free_booth_cells_side_by_side(ctx, make_event, make_organization, make_booth):
    event = make_event()
    hall(event, rows=2, cols=5, aisle_cols="3")  # booth cells: 1:1 1:2 | 1:4 1:5
    single = place(event, make_booth(event, make_organization(name_en="Cloud Tech")), "A-4")  # 1:5
    double = make_booth(event, make_organization(), booth_type=BoothType.DOUBLE)
    for code, expected in (("A-2", "cell 1:3 to the right is not a booth cell"),
                           ("A-3", "Cell 1:5 is taken by booth A-4 (Cloud Tech)"),
                           ("A-4", "cell 1:6 to the right is not a booth cell")):
        with pytest.raises(ValidationFailed) as failure:
            services.place_booth(event.id, double.id, code=code)
        assert expected in messages(failure)["code"]
    assert place(event, double, "A-1").code == "A-1"
    with pytest.raises(ValidationFailed) as failure:  # a standard booth on the double's second cell
        services.place_booth(event.id, single.id, code="A-2")
    assert "taken by booth A-1" in messages(failure)["code"]


def test_only_approved_booths_of_the_event_are_placed(ctx, make_event, make_organization, make_booth):
    event = make_event()
    hall(event)
    for status in (BoothStatus.PENDING, BoothStatus.REJECTED, BoothStatus.WITHDRAWN):
        with pytest.raises(ValidationFailed) as failure:
            services.place_booth(event.id, make_booth(event, make_organization(), status=status).id, code="A-1")
        assert "Only approved booths" in messages(failure)["booth_id"]
    elsewhere = make_booth(make_event(), make_organization())
    with pytest.raises(ValidationFailed) as failure:
        services.place_booth(event.id, elsewhere.id, code="A-1")
    assert "booth_id" in messages(failure)


def test_a_code_already_used_in_the_event_is_refused(ctx, make_event, make_organization, make_booth):
    event = make_event()
    hall(event, "A")
    other = hall(event, "B")
    # An inconsistent row (placed in hall B under hall A's code), as a bad import might leave.
    make_booth(event, make_organization(name_en="Old Import"), hall_id=other.id, row=1, col=1, code="A-1")
    with pytest.raises(ValidationFailed) as failure:
        services.place_booth(event.id, make_booth(event, make_organization()).id, code="A-1")
    assert "Code A-1 is already used by Old Import" in messages(failure)["code"]


def test_the_rest_is_placed_automatically_by_industry_and_what_does_not_fit_is_reported(
        ctx, make_event, make_organization, make_booth):
    event = make_event()
    hall(event, "A", rows=1, cols=4)
    hall(event, "B", rows=1, cols=2)
    by_hand = place(event, make_booth(event, make_organization(industry=Industry.C)), "A-1")
    bank = make_booth(event, make_organization(industry=Industry.J, name_zh="银行"), booth_type=BoothType.DOUBLE)
    software = [make_booth(event, make_organization(industry=Industry.I, name_zh=f"软件{n}")) for n in range(3)]
    make_booth(event, make_organization(), status=BoothStatus.PENDING)  # not approved: left alone
    result = services.place_remaining(event.id)
    db.session.commit()
    assert [booth.code for booth in software] == ["A-2", "A-3", "A-4"]
    assert bank.code == "B-1" and by_hand.code == "A-1"
    assert result.not_placed == [] and len(result.placed) == 4
    late = make_booth(event, make_organization())
    assert services.place_remaining(event.id).not_placed == [late]


# --- The public floor plan ------------------------------------------------------------------------

def test_the_floor_plan_finds_booths_by_organization_industry_opening_or_code(ctx, make_event, make_organization,
                                                                             make_booth):
    event = make_event()
    hall(event)
    cloud = make_organization(name_zh="云栖科技", name_en="Cloud Tech", industry=Industry.I)
    bank = make_organization(name_zh="杭州银行", name_en="Bank of Hangzhou", industry=Industry.J)
    place(event, make_booth(event, cloud), "A-2")
    place(event, make_booth(event, bank), "A-1")
    db.session.add(Opening(organization_id=bank.id, event_id=event.id, title="Risk analyst"))
    make_booth(event, make_organization(name_en="Unplaced"))
    db.session.commit()

    def found(search="", industry=None):
        return [entry.booth.organization.name_en for entry in services.floor_plan(event, search, industry).listed]

    assert found() == ["Bank of Hangzhou", "Cloud Tech"]  # in code order
    assert found("cloud") == found("云栖") == found("information transmission") == found("a-2") == ["Cloud Tech"]
    assert found("RISK") == found(industry=Industry.J) == ["Bank of Hangzhou"]
    assert found("cloud", Industry.J) == [] and found("nothing") == []
    plan = services.floor_plan(event, "risk")
    assert plan.searching and plan.booth_count == 2 and plan.industries == [Industry.I, Industry.J]
