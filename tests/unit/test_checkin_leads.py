"""Lead capture at the booth: consent decides whether anything is saved; only candidates' valid
badges of the booth's own event become leads."""
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select, text

from eventsapp.accounts.models import Role
from eventsapp.badges import services as badges
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.badges.services import Verdict
from eventsapp.browse.models import ShortlistEntry
from eventsapp.browse.services import add_to_shortlist, remove_entry
from eventsapp.checkin import leads
from eventsapp.checkin.leads import LeadOutcome
from eventsapp.checkin.models import BoothLead
from eventsapp.extensions import db
from eventsapp.registrations.services import cancel_registration, register_for_event
from eventsapp.validation import ValidationFailed
from tests.apps import make_app


@pytest.fixture
def booth(ctx, make_event, make_organization, make_booth):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    organization = make_organization()
    return make_booth(event, organization)


@pytest.fixture
def visitor(make_candidate):
    """A candidate confirmed at the booth's event; ``consent`` says whether employers may see them."""
    def make(booth, consent=True, **profile):
        person = make_candidate(show_to_employers=consent, **profile)
        register_for_event(booth.event_id, person)
        db.session.commit()
        return person, badges.badge_of(booth.event_id, person.id)
    return make


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(ShortlistEntry))


def test_a_consenting_candidate_becomes_a_lead_with_rating_and_note(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    person, badge = visitor(booth, name="李明", school="浙江大学")
    result = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), rating=3, note="Strong in Rust")
    db.session.commit()
    assert result.outcome == LeadOutcome.SAVED and result.profile.name == "李明"
    lead = result.lead
    assert (lead.entry.booth_id, lead.entry.candidate_id, lead.rating, lead.entry.note) == (booth.id, person.id, 3,
                                                                                            "Strong in Rust")
    assert lead.captured_by_id == staff.id and lead.captured_at is not None
    first_capture = lead.captured_at

    again = leads.capture_lead(booth, actor=staff, number=badge.number, rating=4)
    assert again.outcome == LeadOutcome.UPDATED and again.lead.shortlist_entry_id == lead.shortlist_entry_id
    assert (lead.rating, lead.entry.note, lead.captured_at) == (4, "Strong in Rust", first_capture)
    assert entries() == 1
    [row] = leads.leads_of(booth)
    assert row.profile.user_id == person.id and row.captured_by == staff.display_name


def test_someone_already_shortlisted_becomes_a_lead_and_keeps_the_rank(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    person, badge = visitor(booth)
    add_to_shortlist(booth, person.id, staff, note="from the browse", rank=2)
    result = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge))
    assert result.outcome == LeadOutcome.SAVED and result.lead.entry.rank == 2
    assert result.lead.entry.note == "from the browse"
    assert result.lead.captured_at is not None and entries() == 1


def test_without_consent_nothing_personal_is_saved(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    _person, badge = visitor(booth, consent=False)
    result = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), rating=4, note="nice")
    assert result.outcome == LeadOutcome.NOT_CONSENTED
    assert result.lead is None and result.profile is None and result.badge is None
    assert entries() == 0


def test_staff_crew_other_events_revoked_and_cancelled_badges_are_not_leads(booth, visitor, make_staff, make_event,
                                                                            make_candidate, make_user):
    staff = make_staff(booth.organization)
    helper = make_user(Role.CANDIDATE)
    db.session.add(EventCrew(event_id=booth.event_id, user_id=helper.id, role=BadgeRole.VOLUNTEER))
    db.session.commit()
    elsewhere = make_candidate(show_to_employers=True)
    other_event = make_event()
    register_for_event(other_event.id, elsewhere)
    _person, replaced = visitor(booth)
    badges.reissue(replaced)
    leaving, leaving_badge = visitor(booth)
    cancel_registration(leaving_badge.registration)
    db.session.commit()

    def scan(badge):
        return leads.capture_lead(booth, actor=staff, token=badges.token_of(badge))

    assert scan(badges.badge_of(booth.event_id, staff.id)).outcome == LeadOutcome.NOT_CANDIDATE
    assert scan(badges.badge_of(booth.event_id, helper.id)).outcome == LeadOutcome.NOT_CANDIDATE
    foreign = scan(badges.badge_of(other_event.id, elsewhere.id))
    assert (foreign.outcome, foreign.verdict) == (LeadOutcome.REFUSED, Verdict.OTHER_EVENT)
    assert scan(replaced).verdict == Verdict.REVOKED
    assert scan(leaving_badge).verdict == Verdict.CANCELLED
    assert leads.capture_lead(booth, actor=staff, token="x" * 5000).verdict == Verdict.INVALID
    assert leads.capture_lead(booth, actor=staff, number="").verdict == Verdict.INVALID
    assert entries() == 0


def test_a_rating_outside_one_to_four_or_a_huge_note_is_refused(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    _person, badge = visitor(booth)
    for rating in (0, 5, -1):
        with pytest.raises(ValidationFailed) as failure:
            leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), rating=rating)
        assert failure.value.errors[0][0] == "rating"
    with pytest.raises(ValidationFailed):
        leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), note="x" * 2001)
    assert entries() == 0
    lead = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge)).lead
    with pytest.raises(ValidationFailed):
        leads.update_lead(lead, 7, "")
    assert leads.update_lead(lead, None, "  cleared  ").rating is None and lead.entry.note == "cleared"


def test_the_leads_csv_has_local_times_and_no_formulas(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    shown, shown_badge = visitor(booth, name="王小雨", name_latin="Wang Xiaoyu", school="=cmd")
    _gone, gone_badge = visitor(booth)
    at = datetime(2026, 11, 29, 1, 5, tzinfo=UTC)
    leads.capture_lead(booth, actor=staff, token=badges.token_of(shown_badge), rating=2, note="+1 follow up",
                       now=at)
    leads.capture_lead(booth, actor=staff, token=badges.token_of(gone_badge), now=at - timedelta(hours=1))
    cancel_registration(gone_badge.registration)
    body = leads.leads_csv(leads.leads_of(booth), "Asia/Shanghai", "hidden")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Scanned", "Rating", "Name", "Name in Latin letters", "Degree", "School", "Major",
                       "Graduation year", "Note", "Scanned by"]
    assert rows[1] == ["2026-11-29T09:05+08:00", "2", "王小雨", "Wang Xiaoyu", "Master's degree", "'=cmd", "计算机科学",
                       "2027", "'+1 follow up", staff.display_name]
    assert rows[2][:3] == ["2026-11-29T08:05+08:00", "", "hidden"] and rows[2][3:8] == [""] * 5


def test_two_colleagues_scanning_the_same_candidate_make_one_lead(booth, visitor, make_staff):
    first, second = make_staff(booth.organization), make_staff(booth.organization)
    person, badge = visitor(booth)
    lead = leads.capture_lead(booth, actor=first, token=badges.token_of(badge), rating=2).lead
    again = leads.capture_lead(booth, actor=second, number=badge.number, rating=4)
    assert again.outcome == LeadOutcome.UPDATED and again.lead is lead
    assert (lead.rating, lead.captured_by_id) == (4, first.id) and entries() == 1


def test_removing_the_shortlist_entry_removes_the_lead(booth, visitor, make_staff):
    staff = make_staff(booth.organization)
    _person, badge = visitor(booth)
    lead = leads.capture_lead(booth, actor=staff, token=badges.token_of(badge), rating=3).lead
    entry_id = lead.shortlist_entry_id
    db.session.commit()
    remove_entry(lead.entry)
    db.session.commit()
    assert leads.find_lead(booth, entry_id) is None and leads.leads_of(booth) == []
    assert db.session.scalar(select(func.count()).select_from(BoothLead)) == 0


# --- The migration that gave leads their own table ----------------------------------------------------------

LEADS_REVISION = "de3af3f552e6"


@pytest.fixture
def empty_database(tmp_path, database_url):
    """An app on an empty database of the suite's kind, to run the migrations on: a file on SQLite, a
    schema of its own on PostgreSQL."""
    schema = None
    if database_url.startswith("sqlite"):
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    else:
        schema = f"migrations_{uuid.uuid4().hex[:12]}"
        admin = create_engine(database_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        app = make_app(SQLALCHEMY_DATABASE_URI=database_url, SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": f"-c jit=off -c search_path={schema}"}})
    yield app
    with app.app_context():
        db.engine.dispose()
    if schema:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def insert(connection, table: str, **values) -> None:
    """A row of the table as it is at the current revision; NOT NULL columns not given get a plain value."""
    reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    plain = {str: "", int: 0, bool: False, datetime: now}
    for column in reflected.columns:
        if column.name not in values and not column.nullable and column.server_default is None:
            values[column.name] = plain[column.type.python_type]
    connection.execute(reflected.insert().values(**values))


def rows_of(connection, table: str, *columns: str) -> list[tuple]:
    """The columns of every row of the table as it is at the current revision, in the first column's order."""
    def plain(value):  # SQLite gives back naive UTC times, PostgreSQL aware ones
        return value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, datetime) and value.tzinfo else value
    reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
    query = select(*(reflected.c[column] for column in columns)).order_by(reflected.c[columns[0]])
    return [tuple(plain(value) for value in row) for row in connection.execute(query)]


def test_the_migration_moves_each_lead_out_of_its_shortlist_entry_and_back(empty_database):
    first, second = datetime(2026, 11, 29, 1, 5), datetime(2026, 11, 29, 2, 30)
    with empty_database.app_context():
        before = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()) \
            .get_revision(LEADS_REVISION).down_revision
        upgrade(revision=before)
        with db.engine.begin() as connection:
            for number, role in enumerate(["employer", "candidate", "candidate", "candidate"], start=1):
                insert(connection, "user_account", id=number, email=f"u{number}@example.cn", role=role,
                       display_name=f"U{number}")
            insert(connection, "event", id=1, slug="fair", kind="fair", status="published", title_en="Fair",
                   timezone="Asia/Shanghai", capacity=100,
                   starts_at=first.replace(tzinfo=UTC), ends_at=second.replace(tzinfo=UTC))
            insert(connection, "organization", id=1, credit_code="91330100MA27XXXX0X", industry="I", size="20_99",
                   status="verified")
            insert(connection, "booth", id=1, event_id=1, organization_id=1, booth_type="standard",
                   status="approved", interviewers=1)
            insert(connection, "shortlist_entry", id=1, booth_id=1, candidate_id=2, note="Strong in Rust", rank=1,
                   lead_rating=3, lead_captured_at=first.replace(tzinfo=UTC), lead_captured_by_id=1)
            insert(connection, "shortlist_entry", id=2, booth_id=1, candidate_id=3, note="",
                   lead_captured_at=second.replace(tzinfo=UTC))
            insert(connection, "shortlist_entry", id=3, booth_id=1, candidate_id=4, note="from the browse", rank=2)

        upgrade(revision=LEADS_REVISION)
        with db.engine.connect() as connection:
            lead_columns = ("booth_lead", "shortlist_entry_id", "rating", "captured_at", "captured_by_id")
            assert rows_of(connection, *lead_columns) == [(1, 3, first, 1), (2, None, second, None)]
            assert rows_of(connection, "shortlist_entry", "id", "note", "rank") == [
                (1, "Strong in Rust", 1), (2, "", None), (3, "from the browse", 2)]
            assert not {"lead_rating", "lead_captured_at", "lead_captured_by_id"} & {
                column["name"] for column in sa.inspect(connection).get_columns("shortlist_entry")}
        for refused in ("INSERT INTO booth_lead (shortlist_entry_id, rating, captured_at) VALUES (3, 5, '2026-11-29')",
                        "INSERT INTO booth_lead (shortlist_entry_id, captured_at) VALUES (99, '2026-11-29')",
                        "UPDATE shortlist_entry SET rank = 0 WHERE id = 3"):
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
                connection.execute(text(refused))

        downgrade(revision=before)
        with db.engine.connect() as connection:
            assert rows_of(connection, "shortlist_entry", "id", "lead_rating", "lead_captured_at",
                           "lead_captured_by_id") == [(1, 3, first, 1), (2, None, second, None), (3, None, None, None)]
            assert "booth_lead" not in sa.inspect(connection).get_table_names()
        upgrade(revision=LEADS_REVISION)
        with db.engine.connect() as connection:
            assert rows_of(connection, *lead_columns) == [(1, 3, first, 1), (2, None, second, None)]
