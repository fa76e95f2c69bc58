"""Conflicts of interest: declared by a judge, and detected from who a judge and a team are.

A judge is in conflict with an entry when their organization or school is an organization or school of
the team (the entry's organization, a member's school on their candidate profile, the organization a
member works for), or when their e-mail address is at the same domain as a team member's — unless the
domain is a public mail provider (``PUBLIC_EMAIL_DOMAINS``), where sharing it says nothing. Names are
compared after Unicode normalization (full-width and half-width alike), case and spaces aside.

Detected conflicts are recomputed, not accumulated: ``detect_conflicts`` adds the ones found and drops
detected ones that no longer hold (a judge whose organization was corrected). Declared ones stay.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from eventsapp.accounts.models import User
from eventsapp.candidates.models import CandidateProfile
from eventsapp.contests.models import (
    ConflictOfInterest,
    ConflictSource,
    Contest,
    ContestJudge,
    Entry,
    EntryState,
    ReviewAssignment,
    Round,
    RoundState,
    ScoreSheet,
    SheetState,
    TeamMember,
)
from eventsapp.extensions import db
from eventsapp.organizations.models import Organization, OrganizationMember
from eventsapp.validation import ValidationFailed

# Addresses anyone can get: two people using one of these are not colleagues. The only list of them.
PUBLIC_EMAIL_DOMAINS = frozenset({
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "vip.163.com", "126.com", "yeah.net", "188.com",
    "sina.com", "sina.cn", "vip.sina.com", "sohu.com", "aliyun.com", "139.com", "189.cn", "wo.cn", "tom.com",
    "21cn.com", "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.jp", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com",
    "gmx.com", "gmx.de", "web.de", "mail.com", "mail.ru", "yandex.ru", "yandex.com", "zoho.com", "naver.com",
})
REASON_MAX_LENGTH = 300

# How a detected conflict's reason is stored: "<kind>:<what matched>", shown in words by ``reason_text``.
AFFILIATION, DOMAIN = "affiliation", "domain"
REASON_LABELS = {AFFILIATION: _l("Same organization or school: %(value)s"),
                 DOMAIN: _l("Same e-mail domain: %(value)s")}


def normalized_name(name: str | None) -> str:
    """A name as compared: NFKC (full-width letters as half-width), case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def email_domain(email: str | None) -> str:
    """The domain of an address, lower-cased; empty for a public provider or no address."""
    domain = (email or "").rpartition("@")[2].strip().lower().rstrip(".")
    return "" if domain in PUBLIC_EMAIL_DOMAINS else domain


def reason_text(conflict: ConflictOfInterest) -> str:
    """A conflict's reason in the reader's language: a detected one from its stored kind, a declared
    one as the judge wrote it."""
    kind, _, value = conflict.reason.partition(":")
    if conflict.source == ConflictSource.DETECTED and kind in REASON_LABELS:
        return str(REASON_LABELS[kind] % {"value": value})
    return conflict.reason


@dataclass(frozen=True)
class Team:
    """What is compared of an entry's team: the organizations and schools, and the e-mail domains."""
    affiliations: frozenset[str]
    domains: frozenset[str]


def teams_of(contest_id: int) -> dict[int, Team]:
    """Each entry of the contest that is not withdrawn, by id, with its team's affiliations and domains."""
    affiliations: dict[int, set[str]] = {}
    domains: dict[int, set[str]] = {}
    entries = db.session.execute(select(Entry.id, Entry.organization_name).where(
        Entry.contest_id == contest_id, Entry.state != EntryState.WITHDRAWN))
    for entry_id, organization_name in entries:
        affiliations[entry_id], domains[entry_id] = {normalized_name(organization_name)}, set()
    members = db.session.execute(
        select(TeamMember.entry_id, User.email, CandidateProfile.school, Organization.name_zh, Organization.name_en)
        .join(Entry, Entry.id == TeamMember.entry_id).join(User, User.id == TeamMember.user_id)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == User.id)
        .outerjoin(OrganizationMember, OrganizationMember.user_id == User.id)
        .outerjoin(Organization, Organization.id == OrganizationMember.organization_id)
        .where(Entry.contest_id == contest_id, Entry.state != EntryState.WITHDRAWN))
    for entry_id, email, school, organization_zh, organization_en in members:
        affiliations[entry_id].update(normalized_name(name) for name in (school, organization_zh, organization_en))
        domains[entry_id].add(email_domain(email))
    return {entry_id: Team(frozenset(affiliations[entry_id] - {""}), frozenset(domains[entry_id] - {""}))
            for entry_id in affiliations}


def found_conflicts(judge: ContestJudge, teams: dict[int, Team]) -> dict[int, str]:
    """The entries the judge is in conflict with, each with the stored reason of the first match."""
    mine = [normalized_name(judge.organization), normalized_name(judge.school)]
    mine = [name for name in mine if name]
    my_domains = [domain for domain in {email_domain(judge.email),
                                        email_domain(judge.user.email if judge.user else None)} if domain]
    found = {}
    for entry_id, team in teams.items():
        shared = next((name for name in mine if name in team.affiliations), None)
        if shared is not None:
            found[entry_id] = f"{AFFILIATION}:{shared}"[:REASON_MAX_LENGTH]
            continue
        domain = next((domain for domain in my_domains if domain in team.domains), None)
        if domain is not None:
            found[entry_id] = f"{DOMAIN}:{domain}"[:REASON_MAX_LENGTH]
    return found


def detect_conflicts(contest: Contest, judges: list[ContestJudge] | None = None) -> int:
    """Record the conflicts of the contest's judges (or of ``judges``) that hold now and drop detected
    ones that no longer do; returns how many were added. A new conflict also ends the judge's
    assignments to the entry in rounds not closed, with the draft they had begun. Flushes."""
    if judges is None:
        judges = list(db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id)))
    if not judges:
        return 0
    teams = teams_of(contest.id)
    added = 0
    for judge in judges:
        found = found_conflicts(judge, teams)
        existing = {conflict.entry_id: conflict for conflict in db.session.scalars(
            select(ConflictOfInterest).where(ConflictOfInterest.judge_id == judge.id))}
        for entry_id, conflict in existing.items():
            if conflict.source == ConflictSource.DETECTED and entry_id not in found:
                db.session.delete(conflict)
        for entry_id, reason in found.items():
            if entry_id in existing:
                if existing[entry_id].source == ConflictSource.DETECTED:
                    existing[entry_id].reason = reason
                continue
            db.session.add(ConflictOfInterest(judge_id=judge.id, entry_id=entry_id, source=ConflictSource.DETECTED,
                                              reason=reason))
            _end_open_assignments(judge.id, entry_id)
            added += 1
    db.session.flush()
    return added


def _end_open_assignments(judge_id: int, entry_id: int) -> None:
    """A conflicted judge leaves the entry in rounds still to be judged; their drafts go with it. A
    sheet already submitted stays, for the record, and no longer counts (see the leaderboard)."""
    rounds = select(Round.id).where(Round.state != RoundState.CLOSED).scalar_subquery()
    db.session.execute(delete(ReviewAssignment).where(
        ReviewAssignment.judge_id == judge_id, ReviewAssignment.entry_id == entry_id,
        ReviewAssignment.round_id.in_(rounds)).execution_options(synchronize_session=False))
    db.session.execute(delete(ScoreSheet).where(
        ScoreSheet.judge_id == judge_id, ScoreSheet.entry_id == entry_id, ScoreSheet.state == SheetState.DRAFT,
        ScoreSheet.round_id.in_(rounds)).execution_options(synchronize_session=False))


def declare_conflict(judge: ContestJudge, entry: Entry, reason: str) -> ConflictOfInterest:
    """The judge says they must not judge the entry. A detected conflict on the same pair becomes a
    declared one. Flushes."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed([("reason", _l("Say briefly why, e.g. “I advise this team”."))])
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed([("reason", _l("At most %(max)d characters.", max=REASON_MAX_LENGTH))])
    conflict = db.session.scalar(select(ConflictOfInterest).where(ConflictOfInterest.judge_id == judge.id,
                                                                  ConflictOfInterest.entry_id == entry.id))
    if conflict is None:
        conflict = ConflictOfInterest(judge_id=judge.id, entry_id=entry.id)
        db.session.add(conflict)
    conflict.source, conflict.reason = ConflictSource.DECLARED, reason
    _end_open_assignments(judge.id, entry.id)
    db.session.flush()
    return conflict


def conflict_pairs(contest_id: int) -> set[tuple[int, int]]:
    """Every (judge id, entry id) pair in conflict in the contest."""
    return set(db.session.execute(
        select(ConflictOfInterest.judge_id, ConflictOfInterest.entry_id)
        .join(ContestJudge, ContestJudge.id == ConflictOfInterest.judge_id)
        .where(ContestJudge.contest_id == contest_id)).tuples())


def is_conflicted(judge_id: int, entry_id: int) -> bool:
    return db.session.scalar(select(ConflictOfInterest.id).where(
        ConflictOfInterest.judge_id == judge_id, ConflictOfInterest.entry_id == entry_id)) is not None
