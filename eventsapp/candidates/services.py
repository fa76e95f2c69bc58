"""Candidates: the profile, the résumé, consent and the data export. Callers commit.

Erasing an account reaches into every feature that holds the person's data: eventsapp.candidates.erasure."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
from flask import current_app
from flask_babel import lazy_gettext as _l
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from sqlalchemy import select

from eventsapp import storage
from eventsapp.accounts.models import User
from eventsapp.browse.models import ProfileView
from eventsapp.candidates import resumes
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionKind, Registration
from eventsapp.typedtext import clean_line, split_tags
from eventsapp.validation import ValidationFailed

PHONE_REGION = "CN"  # numbers typed without a country code are mainland numbers
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
MAX_SKILLS = 20
MAX_SKILL_LENGTH = 40
TEXT_LIMITS = {"name": 100, "name_latin": 100, "school": 200, "major": 200, "city": 100}


@dataclass
class ProfileData:
    """A profile as typed: text as is, years as numbers, choices as enums (``None`` when not given)."""

    name: str = ""
    name_latin: str = ""
    phone: str = ""
    birth_year: int | None = None
    degree: Degree | None = None
    school: str = ""
    major: str = ""
    graduation_year: int | None = None
    talent_class: TalentClass | None = None
    skills: str = ""  # tags separated by , ， 、 ; or ；
    city: str = ""


@dataclass(frozen=True)
class YearRange:
    first: int
    last: int

    def __contains__(self, year: int) -> bool:
        return self.first <= year <= self.last


def site_today():
    return datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).date()


def birth_years(this_year: int) -> YearRange:
    return YearRange(1940, this_year - 14)


def graduation_years(this_year: int) -> YearRange:
    return YearRange(1960, this_year + 6)  # still studying: the expected year


# --- Reading --------------------------------------------------------------------------------------

def find_profile(user: User) -> CandidateProfile | None:
    # Usually loaded with the account already; read when it was not, or was created since.
    return user.candidate_profile or db.session.get(CandidateProfile, user.id)


def has_contact_details(profile: CandidateProfile | None) -> bool:
    """A name and a mobile number: what every event needs from a profile to register its owner."""
    return profile is not None and bool(profile.name.strip()) and bool(profile.phone)


def get_or_create_profile(user: User) -> CandidateProfile:
    profile = find_profile(user)
    if profile is None:
        profile = CandidateProfile(user_id=user.id, name="", name_latin="", phone="", school="", major="", city="",
                                   show_to_employers=False)
        db.session.add(profile)
        db.session.flush()
    return profile


def profile_data_of(user: User) -> ProfileData:
    """What the profile form shows: the saved profile, or the account's name to start with."""
    profile = find_profile(user)
    if profile is None:
        return ProfileData(name=user.display_name)
    return ProfileData(
        name=profile.name, name_latin=profile.name_latin, phone=format_phone(profile.phone),
        birth_year=profile.birth_year, degree=profile.degree, school=profile.school, major=profile.major,
        graduation_year=profile.graduation_year, talent_class=profile.talent_class,
        skills=", ".join(profile.skill_names), city=profile.city)


# --- Rules ----------------------------------------------------------------------------------------

def parse_phone(text: str) -> str:
    """A mobile number in E.164 (``+8613800138000``), or "" when none was given."""
    text = text.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except NumberParseException:
        raise ValidationFailed([("phone", _l("Enter a mobile number, like 138 0013 8000, or +44 7400 123456 "
                                             "for a number outside mainland China."))]) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed([("phone", _l("This is not a valid mobile number. Check the digits; for a number "
                                             "outside mainland China, start with + and the country code."))])
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationFailed([("phone", _l("This looks like a landline number. Enter a mobile number."))])
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """``+86 138 0013 8000``: the stored number as people read it."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), PhoneNumberFormat.INTERNATIONAL)
    except NumberParseException:
        return e164


def parse_skills(text: str) -> list[str]:
    """Skills from one line (see eventsapp.typedtext), each at most MAX_SKILL_LENGTH long, at most MAX_SKILLS."""
    skills = split_tags(text)
    too_long = [skill for skill in skills if len(skill) > MAX_SKILL_LENGTH]
    errors = []
    if too_long:
        errors.append(("skills", _l("A skill can have at most %(max)d characters: “%(skill)s…”.",
                                    max=MAX_SKILL_LENGTH, skill=too_long[0][:20])))
    if len(skills) > MAX_SKILLS:
        errors.append(("skills", _l("Enter at most %(max)d skills; you entered %(count)d.",
                                    max=MAX_SKILLS, count=len(skills))))
    if errors:
        raise ValidationFailed(errors)
    return skills


def _is_latin_name(text: str) -> bool:
    return all(char in " -'.·" or (char.isalpha() and unicodedata.name(char, "").startswith("LATIN"))
               for char in text)


def _profile_errors(data: ProfileData, this_year: int) -> list[tuple[str, str]]:
    errors = []
    for name, limit in TEXT_LIMITS.items():
        if len(clean_line(getattr(data, name))) > limit:
            errors.append((name, _l("At most %(max)d characters.", max=limit)))
    if not clean_line(data.name):
        errors.append(("name", _l("Enter your name as written.")))
    if not _is_latin_name(clean_line(data.name_latin)):
        errors.append(("name_latin", _l("Use Latin letters only, like Li Ming or Zhang Xiaoyu.")))
    born, graduated = birth_years(this_year), graduation_years(this_year)
    if data.birth_year is not None and data.birth_year not in born:
        errors.append(("birth_year", _l("Enter a birth year from %(first)d to %(last)d.",
                                        first=born.first, last=born.last)))
    if data.graduation_year is not None and data.graduation_year not in graduated:
        errors.append(("graduation_year", _l("Enter a graduation year from %(first)d to %(last)d.",
                                             first=graduated.first, last=graduated.last)))
    elif (data.birth_year in born and data.graduation_year is not None
          and data.graduation_year < data.birth_year + 14):
        errors.append(("graduation_year", _l("This is less than 14 years after your birth year; check both years.")))
    for check, value in ((parse_phone, data.phone), (parse_skills, data.skills)):
        try:
            check(value)
        except ValidationFailed as failure:
            errors.extend(failure.errors)
    return errors


# --- Changing -------------------------------------------------------------------------------------

def save_profile(user: User, data: ProfileData, this_year: int | None = None) -> CandidateProfile:
    this_year = this_year or site_today().year
    errors = _profile_errors(data, this_year)
    if errors:
        raise ValidationFailed(errors)
    profile = get_or_create_profile(user)
    profile.name = clean_line(data.name)
    profile.name_latin = clean_line(data.name_latin)
    profile.phone = parse_phone(data.phone)
    profile.birth_year = data.birth_year
    profile.degree = data.degree
    profile.school = clean_line(data.school)
    profile.major = clean_line(data.major)
    profile.graduation_year = data.graduation_year
    profile.talent_class = data.talent_class
    profile.city = clean_line(data.city)
    kept = {skill.name: skill for skill in profile.skills}  # the same name keeps its row (unique per person)
    profile.skills = [kept.get(name) or CandidateSkill(name=name) for name in parse_skills(data.skills)]
    db.session.flush()
    return profile


def set_consent(user: User, show_to_employers: bool, now: datetime | None = None) -> CandidateProfile:
    """The separate consent to show the profile to employers; the moment of each change is kept."""
    profile = get_or_create_profile(user)
    if profile.show_to_employers != show_to_employers:
        profile.show_to_employers = show_to_employers
        profile.consent_changed_at = now or utcnow()
    db.session.flush()
    return profile


# --- Résumé ---------------------------------------------------------------------------------------

def resume_folder() -> Path:
    configured = current_app.config.get("RESUME_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "resumes"


def resume_path(profile: CandidateProfile | None) -> Path | None:
    """Where the profile's résumé is stored, or None when it has none (or the file is gone)."""
    if profile is None or not profile.resume_storage_name:
        return None
    path = resume_folder() / profile.resume_storage_name
    return path if path.is_file() else None


def store_resume(user: User, filename: str | None, data: bytes, now: datetime | None = None) -> int:
    """Check and store an uploaded résumé, replacing the one before; returns its number of pages."""
    pages = resumes.check_pdf(data, current_app.config["RESUME_MAX_BYTES"], current_app.config["PDF_MAX_PAGES"])
    profile = get_or_create_profile(user)
    folder = resume_folder()
    previous = profile.resume_storage_name
    profile.resume_storage_name = storage.write_file(folder, data, ".pdf", db.session())
    profile.resume_filename = resumes.display_filename(filename)
    profile.resume_size = len(data)
    profile.resume_uploaded_at = now or utcnow()
    if previous:
        storage.delete_after_commit(folder / previous, db.session())
    db.session.flush()
    return pages


def remove_resume(profile: CandidateProfile) -> None:
    if profile.resume_storage_name:
        storage.delete_after_commit(resume_folder() / profile.resume_storage_name, db.session())
    profile.resume_storage_name = profile.resume_filename = None
    profile.resume_size = profile.resume_uploaded_at = None
    db.session.flush()


# --- The person's own data ------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _answer_value(answer) -> str | list[str]:
    if answer.question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [line for line in answer.value.splitlines() if line]
    return answer.value


def export_personal_data(user: User, now: datetime | None = None) -> dict:
    """What the candidate features keep about the person, as plain JSON-ready values (no password hash);
    eventsapp.candidates.data_export adds the other features' part."""
    profile = find_profile(user)
    registrations = db.session.scalars(select(Registration).where(Registration.user_id == user.id)
                                       .order_by(Registration.created_at, Registration.id)).all()
    views = db.session.scalars(select(ProfileView).where(ProfileView.candidate_id == user.id)
                               .order_by(ProfileView.created_at, ProfileView.id)).all()
    return {
        "exported_at": _iso(now or utcnow()),
        "account": {
            "id": user.id, "email": user.email, "display_name": user.display_name, "role": user.role.value,
            "locale": user.locale, "email_verified_at": _iso(user.email_verified_at),
            "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
        },
        "profile": None if profile is None else {
            "name": profile.name, "name_latin": profile.name_latin, "phone": profile.phone,
            "birth_year": profile.birth_year, "degree": profile.degree.value if profile.degree else None,
            "school": profile.school, "major": profile.major, "graduation_year": profile.graduation_year,
            "talent_class": profile.talent_class.value if profile.talent_class else None, "city": profile.city,
            "resume": None if not profile.resume_storage_name else {
                "filename": profile.resume_filename, "size_bytes": profile.resume_size,
                "uploaded_at": _iso(profile.resume_uploaded_at)},
            "created_at": _iso(profile.created_at), "updated_at": _iso(profile.updated_at),
        },
        "skills": profile.skill_names if profile else [],
        "consent": {
            "show_to_employers": bool(profile and profile.show_to_employers),
            "changed_at": _iso(profile.consent_changed_at) if profile else None,
        },
        "registrations": [{
            "event": {"id": registration.event.id, "slug": registration.event.slug,
                      "title_zh": registration.event.title_zh, "title_en": registration.event.title_en,
                      "starts_at": _iso(registration.event.starts_at)},
            "status": registration.status.value,
            "created_at": _iso(registration.created_at), "confirmed_at": _iso(registration.confirmed_at),
            "cancelled_at": _iso(registration.cancelled_at), "attended_at": _iso(registration.attended_at),
            "decision_reason": registration.decision_reason,
            "answers": [{"question_zh": answer.question.label_zh, "question_en": answer.question.label_en,
                         "answer": _answer_value(answer)} for answer in registration.answers],
        } for registration in registrations],
        "profile_views": [{
            "organization": None if view.organization is None else {
                "name_zh": view.organization.name_zh, "name_en": view.organization.name_en},
            "event_slug": view.event.slug if view.event else None,
            "item": view.item.value, "viewed_at": _iso(view.created_at),
        } for view in views],
    }
