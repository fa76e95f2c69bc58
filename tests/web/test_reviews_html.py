"""The judging pages are valid HTML (Nu HTML Checker), as organizers and judges see them, in Chinese."""
from __future__ import annotations

from tests.checkers import validate
from tests.contest_factories import build_contest
from tests.factories import PASSWORD


def test_the_judging_pages_are_valid_html(app, factories, tmp_path, monkeypatch, chinese_by_default):
    world = build_contest(factories)
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10), comment_required=True)
    entry = world.entry(organization_name="示例科技")
    judge = world.judge(organization="西湖大学")
    invited = world.judge(accepted=False)
    world.panel(round_, [judge], world.tracks[0])
    world.assign(round_, judge, entry)
    world.sheet(round_, judge, entry, {criterion: 6})
    organizer = factories.make_organizer()
    visits = []
    for user, paths in (
            (organizer, [f"/manage/events/{world.event.id}/judging{suffix}" for suffix in (
                "", f"/judges/{invited.id}", f"/rounds/{round_.id}", f"/rounds/{round_.id}/assign",
                f"/rounds/{round_.id}/leaderboard", f"/rounds/{round_.id}/criteria/{criterion.id}")]),
            (world.user_of(judge), ["/judging", f"/judging/rounds/{round_.id}/entries/{entry.id}"])):
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        visits.append((client, paths))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # every form as a browser gets it
    pages = {}
    for client, paths in visits:
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            pages[path] = response.get_data(as_text=True)
    errors = validate(pages, tmp_path)
    report = "\n".join(f"{page}\n  " + "\n  ".join(found) for page, found in errors.items())
    assert not errors, f"the Nu HTML Checker found errors:\n{report}"
