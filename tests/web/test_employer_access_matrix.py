"""Who may open each page and file of browsing, shortlists and the record of views: the whole matrix.

302 is the way to the login page for anonymous visitors (and, for the approved booth's staff, the redirect
after a POST that worked). The browse list says 403 to everyone without an approved booth at the fair; a
candidate's profile and résumé say 404 to everyone who may not see them, so nobody learns who exists.
"""
from types import SimpleNamespace

import pytest

from eventsapp.accounts.models import Role
from eventsapp.booths.models import BoothStatus
from eventsapp.browse.models import ShortlistEntry
from eventsapp.extensions import db
from eventsapp.registrations.models import RegistrationStatus
from tests.factories import add_registrant
from tests.web.browsing import ids_on

ACTORS = ("anonymous", "candidate", "other_organization", "other_organization_at_this_fair", "rejected_booth",
          "withdrawn_booth", "pending_booth", "approved_booth", "organizer")

# resource -> expected status per actor, in the order of ACTORS
MATRIX = {
    "browse list":       (302, 403, 403, 200, 403, 403, 403, 200, 403),
    "profile":           (302, 404, 404, 200, 404, 404, 404, 200, 404),
    "résumé":            (302, 404, 404, 200, 404, 404, 404, 200, 404),
    "shortlist":         (302, 403, 403, 403, 403, 403, 403, 200, 403),
    "shortlist CSV":     (302, 403, 403, 403, 403, 403, 403, 200, 403),
    "shortlist add":     (302, 403, 403, 403, 403, 403, 403, 302, 403),
    "shortlist edit":    (302, 403, 403, 403, 403, 403, 403, 302, 403),
    "shortlist remove":  (302, 403, 403, 403, 403, 403, 403, 302, 403),
    "profile views":     (302, 200, 403, 403, 403, 403, 403, 403, 403),
}


@pytest.fixture
def world(app, tmp_path, monkeypatch, make_event, make_user, make_candidate, make_organization, make_staff,
          make_booth):
    """One fair with an approved booth (with a shortlist entry), a visible candidate with a résumé, and one
    account for each actor."""
    monkeypatch.setitem(app.config, "RESUME_FOLDER", str(tmp_path))
    fair, elsewhere = make_event(slug="the-fair"), make_event(slug="another-fair")
    candidate = add_registrant(app, make_candidate, fair, resume=tmp_path)
    approved = make_organization()
    booth = make_booth(fair, approved)
    with app.app_context():
        entry = ShortlistEntry(booth_id=booth.id, candidate_id=candidate.id, note="n")
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id

    def staff_with_booth(event, status):
        organization = make_organization()
        make_booth(event, organization, status=status)
        return make_staff(organization)

    actors = {
        "anonymous": None,
        "candidate": make_candidate(),
        "other_organization": staff_with_booth(elsewhere, BoothStatus.APPROVED),
        "other_organization_at_this_fair": staff_with_booth(fair, BoothStatus.APPROVED),
        "rejected_booth": staff_with_booth(fair, BoothStatus.REJECTED),
        "withdrawn_booth": staff_with_booth(fair, BoothStatus.WITHDRAWN),
        "pending_booth": staff_with_booth(fair, BoothStatus.PENDING),
        "approved_booth": make_staff(approved),
        "organizer": make_user(Role.ORGANIZER),
    }
    return SimpleNamespace(fair=fair, booth=booth, candidate=candidate, entry_id=entry_id, actors=actors)


def request_for(world, resource: str) -> tuple[str, str, dict]:
    fair, booth, candidate, entry = world.fair.id, world.booth.id, world.candidate.id, world.entry_id
    shortlist = f"/employer/booths/{booth}/shortlist"
    return {
        "browse list": ("GET", f"/employer/events/{fair}/registrants", {}),
        "profile": ("GET", f"/employer/events/{fair}/candidates/{candidate}", {}),
        "résumé": ("GET", f"/employer/events/{fair}/candidates/{candidate}/resume", {}),
        "shortlist": ("GET", shortlist, {}),
        "shortlist CSV": ("GET", f"{shortlist}.csv", {}),
        "shortlist add": ("POST", shortlist, {"candidate_id": candidate}),
        "shortlist edit": ("POST", f"{shortlist}/{entry}", {f"entry-{entry}-rank": "1"}),
        "shortlist remove": ("POST", f"{shortlist}/{entry}/remove", {}),
        "profile views": ("GET", "/my/profile-views", {}),
    }[resource]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("resource", MATRIX)
def test_access(client, login, world, resource, actor):
    user = world.actors[actor]
    if user is not None:
        login(user)
    method, path, data = request_for(world, resource)
    response = client.open(path, method=method, data=data)
    expected = MATRIX[resource][ACTORS.index(actor)]
    assert response.status_code == expected, f"{actor} {method} {path}"
    if expected == 302 and user is None:
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("status", [BoothStatus.PENDING, BoothStatus.REJECTED, BoothStatus.WITHDRAWN])
def test_a_booth_that_is_not_approved_has_no_shortlist_even_for_its_own_staff(app, client, login, world,
                                                                             make_organization, make_booth,
                                                                             make_staff, status):
    organization = make_organization()
    booth = make_booth(world.fair, organization, status=status)
    with app.app_context():  # e.g. kept from the time it was approved
        db.session.add(ShortlistEntry(booth_id=booth.id, candidate_id=world.candidate.id))
        db.session.commit()
    login(make_staff(organization))
    for path in (f"/employer/booths/{booth.id}/shortlist", f"/employer/booths/{booth.id}/shortlist.csv"):
        assert client.get(path).status_code == 403
    assert client.post(f"/employer/booths/{booth.id}/shortlist",
                       data={"candidate_id": world.candidate.id}).status_code == 403


def test_an_unknown_booth_is_404(client, login, world):
    login(world.actors["approved_booth"])
    assert client.get("/employer/booths/999999/shortlist").status_code == 404


@pytest.mark.parametrize("consent, status", [
    (False, RegistrationStatus.CONFIRMED),
    (True, RegistrationStatus.WAITLISTED),
    (True, RegistrationStatus.PENDING),
    (True, RegistrationStatus.CANCELLED),
    (True, RegistrationStatus.REJECTED),
])
def test_registrants_not_confirmed_or_without_consent_are_invisible(app, client, login, world, make_candidate,
                                                                    tmp_path, consent, status):
    invisible = add_registrant(app, make_candidate, world.fair, status=status, consent=consent, resume=tmp_path)
    login(world.actors["approved_booth"])
    fair = world.fair.id
    assert ids_on(client.get(f"/employer/events/{fair}/registrants").get_data(as_text=True)) == [world.candidate.id]
    assert client.get(f"/employer/events/{fair}/candidates/{invisible.id}").status_code == 404
    assert client.get(f"/employer/events/{fair}/candidates/{invisible.id}/resume").status_code == 404
    assert client.post(f"/employer/booths/{world.booth.id}/shortlist",
                       data={"candidate_id": invisible.id}).status_code == 404
