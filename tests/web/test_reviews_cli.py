"""`flask contest assign EVENT_SLUG --round N`, and the e-mail it leaves for each judge, written later by
the outbox worker in the judge's language."""
from sqlalchemy import func, select

from eventsapp.contests.models import ReviewAssignment
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import rendered
from tests.contest_factories import build_contest


def test_the_command_assigns_a_round_and_says_how_it_went(app, runner, factories):
    world = build_contest(factories, slug="innovation-2027")
    round_ = world.rounds[0]
    for _ in range(4):
        world.entry()
    world.panel(round_, [world.judge(), world.judge(), world.judge()])

    result = runner.invoke(args=["contest", "assign", "innovation-2027", "--round", "1", "--per-entry", "2"])

    assert result.exit_code == 0, result.output
    assert "4 entries, 8 reviews by 3 judges; the largest load is 3." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 8
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reviews_assigned"))
        subject, text, html = rendered(message)
    assert "to review at" in subject and "/judging" in text and "Round 1" in text


def test_the_command_names_what_is_wrong(runner, factories):
    world = build_contest(factories, slug="small-contest")
    world.entry(title_zh="没有评委的项目")
    assert "No event with the slug 'nowhere'" in runner.invoke(
        args=["contest", "assign", "nowhere", "--round", "1"]).output
    assert "has no round 7" in runner.invoke(args=["contest", "assign", "small-contest", "--round", "7"]).output
    result = runner.invoke(args=["contest", "assign", "small-contest", "--round", "1"])
    assert result.exit_code == 1 and "没有评委的项目" in result.output
