"""A booth's shortlist: add from the list or the profile, note and rank inline, remove, CSV export; people who
withdraw stay on it with their details hidden."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from eventsapp.browse.models import ShortlistEntry
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.factories import add_registrant
from tests.web import browsing
from tests.web.clients import EN

fair, registrant = browsing.fair, browsing.registrant  # the fixtures, shared


def entries(app) -> list[ShortlistEntry]:
    with app.app_context():
        rows = db.session.scalars(select(ShortlistEntry).order_by(ShortlistEntry.id)).all()
        db.session.expunge_all()
        return rows


def add(client, fair, candidate_id, **data):
    return client.post(f"/employer/booths/{fair.booth.id}/shortlist", data={"candidate_id": candidate_id, **data})


def shortlist_page(client, fair) -> str:
    return client.get(f"/employer/booths/{fair.booth.id}/shortlist", headers=EN).get_data(as_text=True)


def test_adding_from_the_list_returns_to_the_same_list(client, fair, registrant, app):
    user = registrant()
    back = f"{fair.url}?degree=master&page=1#candidate-{user.id}"
    response = add(client, fair, user.id, next=back)
    assert response.status_code == 302 and response.headers["Location"] == back
    [entry] = entries(app)
    assert (entry.booth_id, entry.candidate_id, entry.added_by_id, entry.rank, entry.note) == (
        fair.booth.id, user.id, fair.staff.id, None, "")
    page = client.get(fair.url, headers=EN).get_data(as_text=True)
    assert "On your shortlist" in page


def test_adding_from_the_profile_with_a_note_and_a_rank_opens_the_shortlist(client, fair, registrant, app):
    user = registrant(name="陈静", name_latin="Chen Jing")
    response = add(client, fair, user.id, note="Strong in control theory", rank="2")
    [entry] = entries(app)
    assert response.headers["Location"] == f"/employer/booths/{fair.booth.id}/shortlist#entry-{entry.id}"
    assert (entry.rank, entry.note) == (2, "Strong in control theory")
    page = shortlist_page(client, fair)
    assert "陈静" in page and "Strong in control theory" in page


def test_adding_twice_keeps_one_entry(client, fair, registrant, app):
    user = registrant()
    add(client, fair, user.id, rank="3")
    add(client, fair, user.id)
    assert [(entry.candidate_id, entry.rank) for entry in entries(app)] == [(user.id, 3)]


def test_only_candidates_the_booth_may_see_can_be_added(client, fair, registrant, app, make_candidate, make_event):
    hidden = registrant(consent=False)
    elsewhere = add_registrant(app, make_candidate, make_event())
    for candidate_id in (hidden.id, elsewhere.id, 999999):
        assert add(client, fair, candidate_id).status_code == 404
    assert add(client, fair, "abc").status_code == 400
    assert entries(app) == []


def test_a_redirect_to_another_site_is_ignored(client, fair, registrant):
    user = registrant()
    response = add(client, fair, user.id, next="https://evil.example/")
    assert response.headers["Location"].startswith(f"/employer/booths/{fair.booth.id}/shortlist")


@pytest.mark.parametrize("rank, note, message", [
    ("abc", "", "Enter a rank from 1 (the best) to 9999, or leave it empty."),
    ("0", "", "Enter a rank from 1 (the best) to 9999, or leave it empty."),
    ("10000", "", "Enter a rank from 1 (the best) to 9999, or leave it empty."),
    ("1", "x" * 2001, "At most 2000 characters."),
])
def test_bad_rank_or_note_from_the_profile_gets_a_message(client, fair, registrant, app, rank, note, message):
    user = registrant()
    response = client.post(f"/employer/booths/{fair.booth.id}/shortlist", headers=EN,
                           data={"candidate_id": user.id, "rank": rank, "note": note})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert entries(app) == []


def test_notes_and_ranks_are_edited_inline_and_the_list_is_sorted_by_rank(client, fair, registrant, app):
    first, second, third = registrant(name="甲"), registrant(name="乙"), registrant(name="丙")
    for user in (first, second, third):
        add(client, fair, user.id)
    ids = {entry.candidate_id: entry.id for entry in entries(app)}
    url = f"/employer/booths/{fair.booth.id}/shortlist"
    response = client.post(f"{url}/{ids[third.id]}", data={f"entry-{ids[third.id]}-rank": "1",
                                                          f"entry-{ids[third.id]}-note": "  Best so far  "})
    assert response.status_code == 302 and response.headers["Location"] == f"{url}#entry-{ids[third.id]}"
    client.post(f"{url}/{ids[first.id]}", data={f"entry-{ids[first.id]}-rank": "1"})
    page = shortlist_page(client, fair)
    order = [int(n) for n in re.findall(r'data-testid="entry-(\d+)"', page)]
    assert order == [ids[first.id], ids[third.id], ids[second.id]]  # equal ranks in the order added; no rank last
    saved = {entry.candidate_id: entry for entry in entries(app)}
    assert (saved[third.id].rank, saved[third.id].note) == (1, "Best so far")
    client.post(f"{url}/{ids[third.id]}", data={f"entry-{ids[third.id]}-rank": "", f"entry-{ids[third.id]}-note": ""})
    assert {e.candidate_id: e.rank for e in entries(app)}[third.id] is None


def test_a_bad_inline_edit_is_shown_beside_that_entry(client, fair, registrant, app):
    user = registrant()
    add(client, fair, user.id, rank="4", note="keep")
    [entry] = entries(app)
    response = client.post(f"/employer/booths/{fair.booth.id}/shortlist/{entry.id}", headers=EN,
                           data={f"entry-{entry.id}-rank": "-1", f"entry-{entry.id}-note": "changed"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter a rank from 1 (the best)" in page
    assert 'value="-1"' in page  # what was typed stays
    [unchanged] = entries(app)
    assert (unchanged.rank, unchanged.note) == (4, "keep")


def test_removing(client, fair, registrant, app):
    user = registrant()
    add(client, fair, user.id)
    [entry] = entries(app)
    response = client.post(f"/employer/booths/{fair.booth.id}/shortlist/{entry.id}/remove")
    assert response.status_code == 302 and entries(app) == []
    assert client.post(f"/employer/booths/{fair.booth.id}/shortlist/{entry.id}/remove").status_code == 404


def test_another_booths_entries_cannot_be_touched(client, fair, registrant, app, make_organization, make_booth):
    user = registrant()
    other_booth = make_booth(fair.event, make_organization())
    with app.app_context():
        entry = ShortlistEntry(booth_id=other_booth.id, candidate_id=user.id, note="theirs")
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
    mine = f"/employer/booths/{fair.booth.id}/shortlist/{entry_id}"
    assert client.post(mine, data={f"entry-{entry_id}-note": "mine"}).status_code == 404
    assert client.post(f"{mine}/remove").status_code == 404
    assert client.get(f"/employer/booths/{other_booth.id}/shortlist").status_code == 403
    assert client.post(f"/employer/booths/{other_booth.id}/shortlist/{entry_id}/remove").status_code == 403
    assert "theirs" not in shortlist_page(client, fair)
    assert [e.note for e in entries(app)] == ["theirs"]


@pytest.mark.parametrize("withdraw", ["consent", "cancel"])
def test_someone_who_withdraws_stays_on_the_list_with_details_hidden(client, fair, registrant, app, withdraw):
    user = registrant(name="赵磊", name_latin="Zhao Lei", school="浙江大学")
    add(client, fair, user.id, rank="1", note="call back")
    with app.app_context():
        if withdraw == "consent":
            db.session.get(CandidateProfile, user.id).show_to_employers = False
        else:
            db.session.scalar(select(Registration).where(Registration.user_id == user.id)).status = \
                RegistrationStatus.CANCELLED
        db.session.commit()
    page = shortlist_page(client, fair)
    assert "No longer visible" in page and "call back" in page
    assert "赵磊" not in page and "Zhao Lei" not in page and "浙江大学" not in page
    assert f"/candidates/{user.id}" not in page
    assert client.get(f"/employer/events/{fair.event.id}/candidates/{user.id}").status_code == 404


def test_csv_export_of_this_booths_shortlist(client, fair, registrant, app, make_organization, make_booth):
    ranked = registrant(name="李明", name_latin="Li Ming", degree=Degree.MASTER, school="浙江大学", major="计算机",
                        graduation_year=2026, talent_class=TalentClass.E, skills=("Python", "英语"))
    unranked = registrant(name="=HYPERLINK(\"http://x\")", name_latin="", school="-1+2", major="")
    gone = registrant(name="王芳")
    add(client, fair, unranked.id, note="@SUM(A1)")
    add(client, fair, ranked.id, rank="1", note="第一")
    add(client, fair, gone.id, rank="2", note="gone")
    with app.app_context():
        db.session.get(CandidateProfile, gone.id).show_to_employers = False
        other_booth = make_booth(fair.event, make_organization())
        db.session.add(ShortlistEntry(booth_id=other_booth.id, candidate_id=ranked.id, note="other booth"))
        db.session.commit()
    response = client.get(f"/employer/booths/{fair.booth.id}/shortlist.csv", headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="shortlist-autumn-fair-{fair.booth.id}.csv"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["Rank", "Name", "Name in Latin letters", "Degree", "School", "Major", "Graduation year", "Talent class",
         "Skills", "Private note", "Lead rating", "Lead scanned (UTC)"],
        ["1", "李明", "Li Ming", "Master's degree", "浙江大学", "计算机", "2026", "Talent class E", "Python, 英语",
         "第一", "", ""],
        ["2", "No longer visible", "", "", "", "", "", "", "", "gone", "", ""],
        ["", "'=HYPERLINK(\"http://x\")", "", "Master's degree", "'-1+2", "", "2027", "", "", "'@SUM(A1)", "", ""],
    ]
    # In Chinese for a Chinese reader, and the stable codes the README promises scripts with ?codes=1.
    chinese = client.get(f"/employer/booths/{fair.booth.id}/shortlist.csv", headers={"Accept-Language": "zh-CN"})
    rows = list(csv.reader(io.StringIO(chinese.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["名次", "姓名", "姓名拼音或英文名", "学历"] and rows[1][3] == "硕士"
    codes = client.get(f"/employer/booths/{fair.booth.id}/shortlist.csv?codes=1", headers=EN)
    rows = list(csv.reader(io.StringIO(codes.data.decode("utf-8-sig"))))
    assert rows[0] == ["rank", "name", "name_latin", "degree", "school", "major", "graduation_year", "talent_class",
                       "skills", "note", "lead_rating", "lead_captured_at_utc"]
    assert rows[1][3] == "master" and rows[1][7] == "E"
