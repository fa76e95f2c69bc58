"""A GET only reads: every GET address of the app, opened as each role on the demo data, sends no INSERT,
UPDATE or DELETE to the database. Work that must happen when something changes happens in that change
(or in a job it queues), never when a page is looked at.

The exceptions, each with its reason, are in ``WRITES_ALLOWED``.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob as BadgeJob
from eventsapp.jobs.models import BackgroundJobStatus as JobStatus
from tests.factories import PASSWORD
from tests.web.routes import DEMO_LOGINS, log_in, paths, seed

# A statement that changes rows: INSERT, UPDATE, DELETE, or a WITH whose parts do.
WRITE = re.compile(r"^\s*(?:INSERT|UPDATE|DELETE)\b|^\s*WITH\b.*\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+SET)\b",
                   re.IGNORECASE | re.DOTALL)

# endpoint -> (the one table it may write on GET, why). Both record what the GET itself is: following the
# link, or looking.
WRITES_ALLOWED: dict[str, tuple[str, str]] = {
    "main.set_language": ("user_account", "the language switch is a link on every page (no form, no script): "
                          "following it is the choice, kept on the account so e-mails use it too"),
    "browse.candidate": ("profile_view", "an employer opening a candidate's profile is the fact recorded: "
                         "candidates see who looked at them (/my/profile-views)"),
    "browse.candidate_resume": ("profile_view", "likewise for opening the résumé"),
    "analytics.overview": ("analytics_snapshot", "viewing a period's figures asks for them: the scheduler computes "
                           "the snapshot row a view records (the tests compute it in the request)"),
    "analytics.status": ("analytics_snapshot", "likewise for the JSON a page waiting for its figures asks"),
    "analytics.export_table": ("analytics_snapshot", "likewise for the exports, which read the same snapshot"),
    "talentcode.my_code": ("personal_code", "a person's code is made the first time they open \"My code\", the "
                           "one page that shows it: making one for every account that never looks would be waste"),
}


def writes_of(app, client, addresses: list[str]) -> dict[str, list[str]]:
    """The writing statements each address's GET sends, by address."""
    found: dict[str, list[str]] = {}
    current = [""]

    def record(_connection, _cursor, statement, *_args):
        if WRITE.match(statement):
            found.setdefault(current[0], []).append(" ".join(statement.split())[:120])

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        for address in addresses:
            current[0] = address
            client.get(address)
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    return found


def test_the_check_sees_a_write(app, client, make_candidate):
    """The listener catches what it is there to catch (logging in writes the login), so the test below can fail."""
    person = make_candidate()
    statements = []

    def record(_connection, _cursor, statement, *_args):
        if WRITE.match(statement):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    assert statements
    assert WRITE.match("WITH new_row AS (INSERT INTO x VALUES (1) RETURNING id) SELECT id FROM new_row")
    assert not WRITE.match("SELECT id FROM booth FOR UPDATE")


@pytest.mark.parametrize("who", list(DEMO_LOGINS))
def test_no_get_page_writes(app, who):
    values = seed(app)
    with app.app_context():  # a print run whose process died: the badge page shows it failed, and only reads
        db.session.add(BadgeJob(kind="badge-print", event_id=values["event_id"], status=JobStatus.RUNNING, total=3,
                                started_at=utcnow() - timedelta(hours=2), heartbeat_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        values["job_id"] = db.session.scalar(select(func.max(BadgeJob.id)))
    client = app.test_client()
    log_in(client, who)
    addresses = [path for _method, path in paths(app, {"GET"}, values) if not path.startswith("/static/")]
    get_rules = [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())]
    assert len(addresses) == len(get_rules) - 1  # every GET rule but static files
    adapter = app.url_map.bind("localhost")
    writes = {}
    for address, statements in writes_of(app, client, addresses).items():
        table, _why = WRITES_ALLOWED.get(adapter.match(address)[0], ("", ""))
        unexpected = [statement for statement in statements if not table or f" {table} " not in f"{statement} "]
        if unexpected:
            writes[address] = unexpected
    assert writes == {}
