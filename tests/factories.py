"""The test data builders, in one place: accounts, events, organizations, booths, registrations, openings,
a matching fair, and the files and codes the forms take (credit codes, images, PDFs).

Tests get the builders as fixtures (``make_user``, ``make_fair``, ... in tests/conftest.py), each a method
of one ``Factories`` per test; the plain helpers below are imported. A row is committed when built: inside a
test's own app context (``ctx``) it stays attached to that session, otherwise it comes back loaded and
detached, so HTTP tests can read its columns.
"""
from __future__ import annotations

import struct
import zlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from io import BytesIO
from itertools import count
from zoneinfo import ZoneInfo

from flask import has_app_context
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.passwords import hash_password
from eventsapp.badges.services import issue_badges, issue_badges_of_organization
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall
from eventsapp.browse.models import ShortlistEntry
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.matchmaking.models import BoothExclusion, CandidateChoice, MatchingRound
from eventsapp.openings.models import Opening
from eventsapp.organizations.creditcode import check_character
from eventsapp.organizations.models import (
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.organizations.services import OrganizationData
from eventsapp.registrations.models import Registration, RegistrationStatus

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour=9, minute=0, zone="Asia/Shanghai") -> datetime:
    """A wall-clock time in ``zone`` (Hangzhou by default), as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def persist(app, *rows):
    """Add and commit the rows and return the first: attached in the test's own app context, otherwise
    refreshed and detached."""
    if has_app_context():
        db.session.add_all(rows)
        db.session.commit()
        return rows[0]
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        for row in rows:
            db.session.refresh(row)
            db.session.expunge(row)
        return rows[0]


def in_app(app, change, *args) -> None:
    """Run a service's change (e.g. issuing the badges that come with rows a factory wrote directly) and
    commit, in the test's own app context or a fresh one."""
    if has_app_context():
        change(*args)
        db.session.commit()
        return
    with app.app_context():
        change(*args)
        db.session.commit()


class Factories:
    """One test's builders; numbers (e-mails, slugs, credit codes) count from 1 per kind in every test."""

    def __init__(self, app):
        self.app = app
        self._numbers: dict[str, count] = defaultdict(lambda: count(1))

    def _next(self, kind: str) -> int:
        return next(self._numbers[kind])

    # --- Accounts ---------------------------------------------------------------------------------

    def make_user(self, role: Role = Role.CANDIDATE, email: str | None = None, display_name: str = "测试 Test",
                  locale: str | None = None, email_verified: bool = False) -> User:
        return persist(self.app, User(
            email=email or f"user{self._next('user')}@example.org", display_name=display_name, role=role,
            password_hash=PASSWORD_HASH, locale=locale,
            email_verified_at=datetime.now(UTC) if email_verified else None))

    def make_candidate(self, email: str | None = None, locale: str | None = None, **profile) -> User:
        """A candidate account with a profile complete enough to register; ``profile`` overrides fields."""
        user = self.make_user(Role.CANDIDATE, email=email, locale=locale)
        values = dict(name="李明", name_latin="Li Ming", phone="+8613800138000", birth_year=1998,
                      degree=Degree.MASTER, school="浙江大学", major="计算机科学", graduation_year=2027)
        values.update(profile)
        persist(self.app, CandidateProfile(user_id=user.id, **values))
        return user

    def make_organizer(self, email: str | None = None, display_name: str = "主办方 Organizer") -> User:
        return self.make_user(Role.ORGANIZER, email=email, display_name=display_name)

    # --- Events -----------------------------------------------------------------------------------

    def make_event(self, **overrides) -> Event:
        """A published fair in 30 days (overrides: any column, ``agenda`` as a list of item dicts)."""
        number = self._next("event")
        starts = overrides.pop("starts_at", datetime.now(UTC).replace(microsecond=0) + timedelta(days=30))
        agenda = overrides.pop("agenda", [])
        values = dict(slug=f"event-{number}", kind=EventKind.FAIR, status=EventStatus.PUBLISHED,
                      title_zh=f"招聘会 {number}", title_en=f"Job fair {number}", timezone="Asia/Shanghai",
                      starts_at=starts, ends_at=starts + timedelta(hours=7), capacity=100,
                      venue_name_zh="杭州国际博览中心", venue_name_en="Hangzhou International Expo Center",
                      venue_halls="A, B")
        values.update(overrides)
        if values["status"] != EventStatus.DRAFT:
            # As publish_event does: an event past draft was published once. Pass published_at=None for a
            # draft that was cancelled before publication.
            values.setdefault("published_at", starts - timedelta(days=60))
        if values["kind"] == EventKind.TALENT_DAY and "talent_day_year" not in values:
            values["talent_day_year"] = values["starts_at"].astimezone(UTC).year
        return persist(self.app, Event(**values, agenda_items=[AgendaItem(**item) for item in agenda]))

    def make_fair(self, **overrides) -> Event:
        return self.make_event(kind=EventKind.FAIR, **overrides)

    def make_registration(self, event: Event, user: User,
                          status: RegistrationStatus = RegistrationStatus.CONFIRMED, **fields) -> Registration:
        now = utcnow()
        values = dict(queued_at=now, confirmed_at=now if status == RegistrationStatus.CONFIRMED else None)
        values.update(fields)
        registration = persist(self.app, Registration(event_id=event.id, user_id=user.id, status=status, **values))
        in_app(self.app, issue_badges, event.id, [user.id])
        return registration

    def make_registrant(self, event: Event, **options) -> User:
        """A candidate registered for the event: see ``add_registrant``."""
        return add_registrant(self.app, self.make_candidate, event, **options)

    # --- Organizations, booths, openings -------------------------------------------------------------

    def make_organization(self, status: OrganizationStatus = OrganizationStatus.VERIFIED, owner: User | None = None,
                          **overrides) -> Organization:
        """An organization with an owner account (``organization.owner_id``, its address confirmed); verified
        unless told otherwise."""
        number = self._next("organization")
        owner = owner or self.make_user(Role.EMPLOYER, email=f"owner{number}@org{number}.example.com",
                                        email_verified=True)
        values = dict(name_zh=f"杭州测试科技有限公司{number}", name_en=f"Hangzhou Test Tech {number}",
                      credit_code=f"91330100TEST{number:06d}", industry=Industry.I,
                      size=OrganizationSize.FROM_100, city="杭州", status=status)
        values.update(overrides)
        organization = persist(self.app, Organization(**values, members=[
            OrganizationMember(user_id=owner.id, role=MemberRole.OWNER)]))
        organization.owner_id = owner.id
        return organization

    def make_staff(self, organization: Organization, role: MemberRole = MemberRole.STAFF,
                   email: str | None = None) -> User:
        """An employer account that is staff of the organization."""
        user = self.make_user(Role.EMPLOYER, email=email)
        persist(self.app, OrganizationMember(organization_id=organization.id, user_id=user.id, role=role))
        in_app(self.app, issue_badges_of_organization, organization.id)
        return user

    def make_booth(self, event: Event, organization: Organization, status: BoothStatus = BoothStatus.APPROVED,
                   **overrides) -> Booth:
        values = dict(event_id=event.id, organization_id=organization.id, booth_type=BoothType.STANDARD,
                      interviewers=2, status=status)
        values.update(overrides)
        booth = persist(self.app, Booth(**values))
        in_app(self.app, issue_badges_of_organization, organization.id)
        return booth

    def make_hall(self, event: Event, name: str = "A", rows: int = 6, cols: int = 10) -> Hall:
        return persist(self.app, Hall(event_id=event.id, name=name, rows=rows, cols=cols))

    def make_opening(self, booth: Booth, title: str = "岗位", **fields) -> Opening:
        return persist(self.app, Opening(organization_id=booth.organization_id, event_id=booth.event_id,
                                         title=title, **fields))

    def matching_fair(self, **settings) -> MatchingFair:
        return MatchingFair(self.app, self.make_event, self.make_organization, self.make_booth,
                            self.make_candidate, self.make_staff, **settings)


def add_registrant(app, make_candidate, event: Event, status: RegistrationStatus = RegistrationStatus.CONFIRMED,
                   consent: bool = True, skills=(), resume=None, **profile) -> User:
    """A candidate registered for the event, with skills, consent to be seen (unless told) and optionally a
    résumé file stored under ``resume`` (the folder)."""
    user = make_candidate(show_to_employers=consent, **profile)
    with app.app_context():
        db.session.add(Registration(event_id=event.id, user_id=user.id, status=status))
        db.session.add_all(CandidateSkill(user_id=user.id, name=name) for name in skills)
        if resume is not None:
            resume.mkdir(parents=True, exist_ok=True)
            (resume / f"cv-{user.id}.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
            stored = db.session.get(CandidateProfile, user.id)
            stored.resume_storage_name, stored.resume_filename = f"cv-{user.id}.pdf", "李明-简历.pdf"
        db.session.commit()
    in_app(app, issue_badges, event.id, [user.id])
    return user


class MatchingFair:
    """A published fair in 30 days with a hall, matching settings (09:00 + ``hours``, ``slot_minutes``
    slots, ``quota`` interviews per candidate) and helpers to add booths, candidates and rankings."""

    def __init__(self, app, make_event, make_organization, make_booth, make_candidate, make_staff,
                 hours: float = 2, slot_minutes: int = 30, quota: int = 3, settings: bool = True, **event):
        self.app, self.make_organization, self.make_booth = app, make_organization, make_booth
        self.make_candidate, self.make_staff = make_candidate, make_staff
        if "starts_at" not in event:  # 09:00 in Hangzhou, 30 days from now
            day = (utcnow() + timedelta(days=30)).astimezone(SHANGHAI)
            event["starts_at"] = local(day.year, day.month, day.day, 9, 0)
        self.event = make_event(**event)
        self.start = self.event.starts_at
        self.slot_minutes = slot_minutes
        self.hall = self._save(Hall(event_id=self.event.id, name="A", rows=6, cols=10))
        self.cells = iter(range(1, 61))
        if settings:
            self._save(MatchingRound(
                event_id=self.event.id, deadline=self.start - timedelta(days=1), max_ranked=10,
                interviews_per_candidate=quota, slot_minutes=slot_minutes, interviews_start_at=self.start,
                interviews_end_at=self.start + timedelta(hours=hours), weights_json="{}"))

    def _save(self, *rows):
        """Add and commit (in the test's own app context, or a fresh one); return the first row detached-safe."""
        def store():
            db.session.add_all(rows)
            db.session.commit()
            for row in rows:
                db.session.refresh(row)
        if has_app_context():
            store()
            return rows[0]
        with self.app.app_context():
            store()
            for row in rows:
                db.session.expunge(row)
            return rows[0]

    def booth(self, interviewers: int = 1, status: BoothStatus = BoothStatus.APPROVED, organization=None,
              placed: bool = True, **organization_fields) -> Booth:
        organization = organization or self.make_organization(**organization_fields)
        cell = next(self.cells)
        place = dict(hall_id=self.hall.id, row=(cell - 1) // 10 + 1, col=(cell - 1) % 10 + 1, code=f"A-{cell}") \
            if placed and status == BoothStatus.APPROVED else {}
        booth = self.make_booth(self.event, organization, status=status, interviewers=interviewers, **place)
        booth.organization_ref = organization
        return booth

    def candidate(self, *booths, status: RegistrationStatus = RegistrationStatus.CONFIRMED, email=None,
                  skills=(), **profile) -> User:
        person = self.make_candidate(email=email, **profile)
        now = utcnow()
        rows = [Registration(event_id=self.event.id, user_id=person.id, status=status, queued_at=now,
                             confirmed_at=now if status == RegistrationStatus.CONFIRMED else None)]
        rows += [CandidateChoice(event_id=self.event.id, candidate_id=person.id, booth_id=booth.id, position=number)
                 for number, booth in enumerate(booths, start=1)]
        rows += [CandidateSkill(user_id=person.id, name=name) for name in skills]
        self._save(*rows)
        in_app(self.app, issue_badges, self.event.id, [person.id])
        return person

    def shortlist(self, booth: Booth, candidate: User, rank: int | None) -> None:
        self._save(ShortlistEntry(booth_id=booth.id, candidate_id=candidate.id, rank=rank, note=""))

    def exclude(self, booth: Booth, candidate: User) -> None:
        self._save(BoothExclusion(booth_id=booth.id, candidate_id=candidate.id))

    def opening(self, booth: Booth, **fields) -> None:
        self._save(Opening(organization_id=booth.organization_id, event_id=self.event.id, title="岗位", **fields))

    def at(self, slot: int):
        return self.start + timedelta(minutes=self.slot_minutes * slot)


# --- What the forms take: credit codes, images, PDFs ---------------------------------------------------

def credit_code(number: int = 1) -> str:
    """A valid code: Zhejiang's enterprise prefix, a made-up organization number and its check character."""
    first_17 = f"91330106MA2{number:06d}"
    return first_17 + check_character(first_17)


def organization_data(**overrides) -> OrganizationData:
    values = dict(name_zh="杭州西子智能科技有限公司", name_en="Hangzhou Xizi Intelligent Technology Co., Ltd.",
                  credit_code=credit_code(1), industry=Industry.I, size=OrganizationSize.FROM_100, city="滨江区",
                  website="https://www.xizi.example.com", description="We build software.\nAnd robots.")
    values.update(overrides)
    return OrganizationData(**values)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20), mode: str = "RGB", **save) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, "red" if mode in ("RGB", "RGBA", "CMYK") else 128).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's first bytes."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def make_pdf(pages: int = 1, password: str | None = None, build=None) -> bytes:
    """Blank 200×200 pages; ``password`` encrypts it, ``build(writer)`` adds to it first."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if build is not None:
        build(writer)
    if password:
        writer.encrypt(user_password=password, algorithm="RC4-128")
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_action(kind: str, **entries) -> DictionaryObject:
    values = {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    values.update({NameObject(f"/{key}"): value for key, value in entries.items()})
    return DictionaryObject(values)


def document_javascript(writer: PdfWriter) -> None:
    """For ``make_pdf(build=...)``: a script run when the document opens, from its name tree."""
    script = writer._add_object(pdf_action("/JavaScript", JS=TextStringObject("app.alert('hello');")))
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("init"), script])})})
