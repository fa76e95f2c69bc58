"""Halls, placing booths and the public floor plan over HTTP."""
import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Industry

EN = {"Accept-Language": "en"}
HALL = {"name": "A", "rows": "3", "cols": "5", "aisle_rows": "", "aisle_cols": "3", "blocked_cells": "3:5"}


def halls_of(app, event_id):
    with app.app_context():
        return db.session.scalars(select(Hall).where(Hall.event_id == event_id).order_by(Hall.name)).all()


def booth(app, booth_id):
    with app.app_context():
        return db.session.get(Booth, booth_id)


def add(app, row):
    with app.app_context():
        db.session.add(row)
        db.session.commit()
        db.session.refresh(row)
        db.session.expunge(row)
        return row


# --- Halls ----------------------------------------------------------------------------------------

def test_organizers_add_edit_and_delete_halls(app, client, organizer, make_event):
    event = make_event()
    response = client.post(f"/manage/events/{event.id}/halls", data=dict(HALL, name="a", aisle_cols="3, 3"))
    assert response.status_code == 302
    [hall] = halls_of(app, event.id)
    assert (hall.name, hall.rows, hall.cols, hall.aisle_cols, hall.blocked_cells) == ("A", 3, 5, "3", "3:5")
    page = client.get(f"/manage/events/{event.id}/halls", headers=EN).get_data(as_text=True)
    assert "Hall A" in page and "3 rows × 5 columns" in page and "11 booth cells" in page
    form = client.get(f"/manage/events/{event.id}/halls/{hall.id}").get_data(as_text=True)
    assert 'value="3:5"' not in form and "3:5</textarea>" in form
    client.post(f"/manage/events/{event.id}/halls/{hall.id}", data=dict(HALL, rows="4"))
    assert halls_of(app, event.id)[0].rows == 4
    client.post(f"/manage/events/{event.id}/halls/{hall.id}/delete")
    assert halls_of(app, event.id) == []


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Give the hall a name, e.g. A."),
    ({"name": "A 1"}, "Use 1 to 15 letters or digits, e.g. A or B2."),
    ({"rows": ""}, "Enter a whole number from 1 to 60."),
    ({"rows": "61"}, "Enter a whole number from 1 to 60."),
    ({"cols": "0"}, "Enter a whole number from 1 to 60."),
    ({"cols": "many"}, "Not a valid integer value."),
    ({"aisle_rows": "2, two"}, "“two” is not a number."),
    ({"aisle_rows": "4"}, "4: not in the grid, which has 3 rows."),
    ({"aisle_cols": "9"}, "9: not in the grid, which has 5 columns."),
    ({"blocked_cells": "3:4:5"}, "“3:4:5” is not a cell."),
    ({"blocked_cells": "4:1"}, "4:1: not in the grid of 3 rows × 5 columns."),
])
def test_bad_hall_values_are_explained_beside_the_field_and_kept(app, client, organizer, make_event, changes,
                                                                 message):
    event = make_event()
    response = client.post(f"/manage/events/{event.id}/halls", data=dict(HALL, **changes), headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and "is-invalid" in page
    assert halls_of(app, event.id) == []


def test_shrinking_a_hall_under_a_booth_is_refused_naming_the_booth(app, client, organizer, make_event,
                                                                    make_organization, make_booth):
    event = make_event()
    hall = add(app, Hall(event_id=event.id, name="A", rows=3, cols=5))
    make_booth(event, make_organization(name_en="Cloud Tech"), hall_id=hall.id, row=3, col=2, code="A-12")
    response = client.post(f"/manage/events/{event.id}/halls/{hall.id}", data=dict(HALL, rows="2", aisle_cols="",
                                                                                     blocked_cells=""), headers=EN)
    assert response.status_code == 422
    assert "Booth A-12 (Cloud Tech) stands in row 3: unplace it first." in response.get_data(as_text=True)
    blocked = client.post(f"/manage/events/{event.id}/halls/{hall.id}", data=dict(HALL, aisle_cols="",
                                                                                   blocked_cells="3:2"), headers=EN)
    assert "stands on cell 3:2" in blocked.get_data(as_text=True)
    assert halls_of(app, event.id)[0].rows == 3
    refused = client.post(f"/manage/events/{event.id}/halls/{hall.id}/delete", headers=EN, follow_redirects=True)
    assert "Booths stand in hall A: A-12. Unplace them first." in refused.get_data(as_text=True)


def test_a_new_aisle_before_a_booth_renumbers_it_and_says_so(app, client, organizer, make_event, make_organization,
                                                             make_booth):
    event = make_event()
    hall = add(app, Hall(event_id=event.id, name="A", rows=2, cols=3))
    placed = make_booth(event, make_organization(), hall_id=hall.id, row=2, col=3, code="A-6")
    response = client.post(f"/manage/events/{event.id}/halls/{hall.id}", headers=EN, follow_redirects=True,
                           data=dict(HALL, rows="2", cols="3", aisle_cols="", blocked_cells="1:1"))
    assert "1 booth has a new code: A-6 → A-5." in response.get_data(as_text=True)
    assert booth(app, placed.id).code == "A-5"


def test_a_hall_of_another_event_is_not_found(client, organizer, make_event):
    event, other = make_event(), make_event()
    client.post(f"/manage/events/{other.id}/halls", data=HALL)
    hall_id = halls_of(client.application, other.id)[0].id
    assert client.get(f"/manage/events/{event.id}/halls/{hall_id}").status_code == 404
    assert client.post(f"/manage/events/{event.id}/halls/{hall_id}/delete").status_code == 404


# --- Placing booths -------------------------------------------------------------------------------

def test_organizers_place_by_code_or_cell_see_the_map_and_unplace(app, client, organizer, make_event,
                                                                  make_organization, make_booth):
    event = make_event()
    client.post(f"/manage/events/{event.id}/halls", data=HALL)
    hall = halls_of(app, event.id)[0]
    first = make_booth(event, make_organization(name_en="Cloud Tech"))
    second = make_booth(event, make_organization(name_en="Big Bank"), booth_type=BoothType.DOUBLE)
    make_booth(event, make_organization(name_en="Waiting Co"), status=BoothStatus.PENDING)
    page = client.get(f"/manage/events/{event.id}/floor-plan", headers=EN).get_data(as_text=True)
    assert '<svg class="hall-map"' in page and "Cloud Tech" in page and "Waiting Co" not in page
    assert "Place the rest automatically (2)" in page

    response = client.post(f"/manage/events/{event.id}/floor-plan/place", data={"booth_id": first.id, "code": "a-2"})
    assert response.status_code == 302 and booth(app, first.id).code == "A-2"
    client.post(f"/manage/events/{event.id}/floor-plan/place",
                data={"booth_id": second.id, "hall_id": hall.id, "row": "2", "col": "4"})
    assert (booth(app, second.id).code, booth(app, second.id).row) == ("A-7", 2)
    page = client.get(f"/manage/events/{event.id}/floor-plan", headers=EN).get_data(as_text=True)
    assert 'data-code="A-2"' in page and 'data-code="A-7"' in page

    client.post(f"/manage/events/{event.id}/booths/{first.id}/unplace")
    assert booth(app, first.id).code is None


@pytest.mark.parametrize("data, message", [
    ({"code": "A12"}, "Write a code like A-12"),
    ({"code": "B-1"}, "There is no hall B at this event."),
    ({"code": "A-99"}, "Hall A has booth numbers 1 to 11."),
    ({"code": "A-1"}, "Cell 1:1 is taken by booth A-1 (Cloud Tech)."),
    ({"row": "9", "col": "1"}, "Row 9 is outside hall A, which has rows 1 to 3."),
    ({"row": "1", "col": "3"}, "Column 3 of hall A is an aisle."),
    ({"row": "3", "col": "5"}, "Cell 3:5 of hall A is blocked."),
    ({"row": "1", "col": "x"}, "Not a valid integer value."),
    ({}, "Choose a hall, or type a code."),
])
def test_bad_places_are_explained_beside_the_field(app, client, organizer, make_event, make_organization,
                                                   make_booth, data, message):
    event = make_event()
    client.post(f"/manage/events/{event.id}/halls", data=HALL)
    hall = halls_of(app, event.id)[0]
    make_booth(event, make_organization(name_en="Cloud Tech"), hall_id=hall.id, row=1, col=1, code="A-1")
    target = make_booth(event, make_organization())
    if "row" in data:
        data = dict(data, hall_id=hall.id)
    response = client.post(f"/manage/events/{event.id}/floor-plan/place", data=dict(data, booth_id=target.id),
                           headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert booth(app, target.id).code is None


def test_placing_a_booth_that_is_not_approved_is_refused(app, client, organizer, make_event, make_organization,
                                                         make_booth):
    event = make_event()
    client.post(f"/manage/events/{event.id}/halls", data=HALL)
    pending = make_booth(event, make_organization(), status=BoothStatus.PENDING)
    response = client.post(f"/manage/events/{event.id}/floor-plan/place", data={"booth_id": pending.id,
                                                                               "code": "A-1"}, headers=EN)
    assert response.status_code == 422 and "Only approved booths can be placed." in response.get_data(as_text=True)


def test_the_rest_is_placed_automatically_and_what_does_not_fit_is_named(app, client, organizer, make_event,
                                                                         make_organization, make_booth):
    event = make_event()
    client.post(f"/manage/events/{event.id}/halls", data=dict(HALL, rows="1", cols="2", aisle_cols="",
                                                               blocked_cells=""))
    booths = [make_booth(event, make_organization(name_en=f"Org {n}", industry=Industry.I)) for n in range(3)]
    response = client.post(f"/manage/events/{event.id}/floor-plan/auto", headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "2 booths placed." in page and "1 booth did not fit: Org " in page
    assert sorted(str(booth(app, b.id).code) for b in booths) == ["A-1", "A-2", "None"]


# --- The public floor plan ------------------------------------------------------------------------

@pytest.fixture
def fair(app, make_event, make_organization, make_booth):
    event = make_event(slug="autumn-fair", title_en="Autumn fair")
    hall = add(app, Hall(event_id=event.id, name="A", rows=3, cols=6, aisle_rows="2", blocked_cells="3:6"))
    cloud = make_organization(name_zh="杭州云栖科技有限公司", name_en="Cloud Tech", industry=Industry.I)
    bank = make_organization(name_zh="杭州银行", name_en="Bank of Hangzhou", industry=Industry.J)
    make_booth(event, cloud, hall_id=hall.id, row=1, col=1, code="A-1", booth_type=BoothType.DOUBLE)
    make_booth(event, bank, hall_id=hall.id, row=3, col=1, code="A-7")
    make_booth(event, make_organization(name_en="Not Placed Yet"))
    add(app, Opening(organization_id=bank.id, event_id=event.id, title="Risk analyst"))
    return event


def test_the_public_floor_plan_shows_each_hall_and_booth_with_a_legend_and_a_list(client, fair):
    response = client.get("/events/autumn-fair/floor-plan", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('<svg class="hall-map"') == 1 and 'class="cell-blocked"' in page
    assert 'href="#booth-A-1"' in page and 'id="booth-A-1"' in page and 'id="booth-A-7"' in page
    assert "Information transmission, software and IT services" in page and "Finance" in page  # legend
    assert "Risk analyst" in page and "Not Placed Yet" not in page
    zh = client.get("/events/autumn-fair/floor-plan").get_data(as_text=True)
    assert "云栖科技" in zh and "杭州云栖科技有限公司" in zh  # short label on the map, full name in the list


@pytest.mark.parametrize("query, found, not_found", [
    ("q=cloud", "A-1", "A-7"),  # Cloud Tech
    ("q=%E4%BA%91%E6%A0%96", "A-1", "A-7"),  # 云栖
    ("q=risk+analyst", "A-7", "A-1"),  # Bank of Hangzhou's opening
    ("q=finance", "A-7", "A-1"),
    ("industry=I", "A-1", "A-7"),
])
def test_the_floor_plan_is_searched_by_organization_opening_or_industry(client, fair, query, found, not_found):
    page = client.get(f"/events/autumn-fair/floor-plan?{query}", headers=EN).get_data(as_text=True)
    assert f'id="booth-{found}"' in page and f'id="booth-{not_found}"' not in page
    assert "1 booth matches." in page
    assert f'class="booth booth-match" data-code="{found}"' in page
    assert f'class="booth booth-dim" data-code="{not_found}"' in page


def test_matches_are_highlighted_and_searches_are_escaped(client, fair):
    page = client.get("/events/autumn-fair/floor-plan?q=risk", headers=EN).get_data(as_text=True)
    assert "<mark>Risk</mark> analyst" in page
    page = client.get("/events/autumn-fair/floor-plan?q=%3Cscript%3E", headers=EN).get_data(as_text=True)
    assert "<script>" not in page.split("</footer>")[0] and "No booth matches your search." in page


def test_a_floor_plan_exists_for_published_fairs_only(client, make_event, make_user, login):
    draft = make_event(status=EventStatus.DRAFT, slug="draft-fair")
    make_event(kind=EventKind.CONFERENCE, slug="conference")
    make_event(status=EventStatus.CANCELLED, slug="cancelled-fair")
    assert client.get("/events/draft-fair/floor-plan").status_code == 404
    assert client.get("/events/conference/floor-plan").status_code == 404
    assert client.get("/events/nothing/floor-plan").status_code == 404
    cancelled = client.get("/events/cancelled-fair/floor-plan", headers=EN).get_data(as_text=True)
    assert "This event has been cancelled." in cancelled and "not ready yet" in cancelled
    login(make_user(Role.ORGANIZER))
    assert client.get(f"/events/{draft.slug}/floor-plan").status_code == 200  # organizers preview drafts


def test_the_floor_plan_is_public_for_every_role(client, fair, make_user, login):
    assert client.get("/events/autumn-fair/floor-plan").status_code == 200
    for role in (Role.CANDIDATE, Role.EMPLOYER):
        login(make_user(role))
        assert client.get("/events/autumn-fair/floor-plan").status_code == 200
        client.post("/logout")
