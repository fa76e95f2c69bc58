import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.contests.models import Round, RoundState
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventKind
from eventsapp.extensions import db


def test_create_user_reads_the_password_from_the_environment(app, runner):
    result = runner.invoke(args=["create-user", "--role", "organizer", "Boss@Example.com"],
                           env={"NEW_USER_PASSWORD": "a long organizer phrase"})
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role) == ("boss@example.com", Role.ORGANIZER)


def test_create_user_asks_for_the_password_twice(app, runner):
    result = runner.invoke(args=["create-user", "admin@example.org", "--role", "admin"],
                           input="a long board phrase\na long board phrase\n")
    assert result.exit_code == 0, result.output
    assert "Created admin account admin@example.org." in result.output


def test_create_user_refuses_a_weak_password_or_a_taken_email(runner, make_user):
    make_user(email="taken@example.com")
    weak = runner.invoke(args=["create-user", "new@example.com"], env={"NEW_USER_PASSWORD": "short"})
    assert weak.exit_code == 1
    taken = runner.invoke(args=["create-user", "taken@example.com"], env={"NEW_USER_PASSWORD": "a long good phrase"})
    assert taken.exit_code == 1 and "email" in taken.output


def test_talent_day_ensure_is_idempotent(app, runner):
    first = runner.invoke(args=["talent-day", "ensure", "--years", "3"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["talent-day", "ensure", "--years", "3"])
    assert "0 created, 3 already there" in second.output
    this_year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    with app.app_context():
        years = db.session.scalars(select(Event.talent_day_year).order_by(Event.talent_day_year)).all()
    assert years == [this_year, this_year + 1, this_year + 2]


def test_talent_day_ensure_refuses_a_silly_number_of_years(runner):
    assert runner.invoke(args=["talent-day", "ensure", "--years", "0"]).exit_code == 2


def test_seed_demo_is_idempotent_and_has_every_kind(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    again = runner.invoke(args=["seed-demo"]).output
    assert "0 accounts, 0 events, 0 registrations, 0 booths and 0 contest entries added" in again
    with app.app_context():
        kinds = set(db.session.scalars(select(Event.kind)))
        assert kinds == set(EventKind)
        emails = set(db.session.scalars(select(User.email)))
        assert {"organizer@example.com", "employer@example.com", "candidate@example.com"} <= emails
        assert db.session.scalar(select(func.count()).select_from(Event).where(Event.talent_day_year.is_not(None))) >= 2


def test_seed_demo_refuses_to_run_in_production(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_demo_accounts_log_in_with_the_documented_password(client, runner):
    runner.invoke(args=["seed-demo"])
    for email in ("organizer@example.com", "employer@example.com", "candidate@example.com"):
        assert client.post("/login", data={"email": email, "password": "talentday-demo"}).status_code == 302
        client.post("/logout")


def test_the_demo_contests_rounds_follow_their_dates_and_the_demo_judge_has_entries_to_score(app, runner, client):
    """Past rounds are closed (this year's edition is over); next year's online review, open now by its dates,
    gives judge@example.com entries to score."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    now = utcnow()
    with app.app_context():
        for round_ in db.session.scalars(select(Round)):
            if round_.ends_at is not None and round_.ends_at <= now:
                assert round_.state == RoundState.CLOSED, round_.name_en
            if round_.state == RoundState.OPEN:
                assert round_.starts_at is not None and round_.starts_at <= now < round_.ends_at, round_.name_en
    assert client.post("/login", data={"email": "judge@example.com", "password": "talentday-demo"}).status_code == 302
    reviews = client.get("/judging", headers={"Accept-Language": "en"}).get_data(as_text=True)
    sheets = set(re.findall(r'href="(/judging/rounds/\d+/entries/\d+)"', reviews))
    assert len(sheets) >= 5 and "Heats (online review)" in reviews
    assert client.get(sorted(sheets)[0]).status_code == 200
