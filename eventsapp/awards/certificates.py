"""Award certificates as PDF: one A4 landscape page per team member and award, rendered by WeasyPrint
in the badges' fonts (Chinese names and titles in Noto Sans CJK SC, embedded and subset).

``certificate_pages`` turns awards into plain pages; ``render_certificates`` turns pages into bytes
and reads nothing but its arguments and the template. Like badges, WeasyPrint may load our static
files and data: URIs only, whatever a name or title says.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import render_template
from sqlalchemy import select
from weasyprint import HTML

from eventsapp.badges import fonts
from eventsapp.badges.rendering import StaticOnlyFetcher
from eventsapp.candidates.models import CandidateProfile
from eventsapp.contests.models import Award, Entry
from eventsapp.extensions import db


@dataclass(frozen=True)
class CertificatePage:
    name: str  # the member's name as on their profile (Chinese first)
    name_latin: str
    award_zh: str
    award_en: str
    title_zh: str
    title_en: str
    track_zh: str
    track_en: str
    contest_zh: str
    contest_en: str
    prize_amount: Decimal
    date: str  # the results' date, e.g. 2027-05-20


def _names(user_ids: set[int]) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(select(CandidateProfile.user_id, CandidateProfile.name, CandidateProfile.name_latin)
                              .where(CandidateProfile.user_id.in_(user_ids))).all() if user_ids else []
    return {user_id: (name, latin) for user_id, name, latin in rows}


def certificate_pages(awards: list[Award], entry: Entry | None = None) -> list[CertificatePage]:
    """A page per award and team member (of ``entry`` only, when given), in the awards' order."""
    chosen = [award for award in awards if entry is None or award.entry_id == entry.id]
    members = [member for award in chosen for member in award.entry.members]
    names = _names({member.user_id for member in members})
    pages = []
    for award in chosen:
        event = award.entry.contest.event
        published = award.entry.contest.results_published_at
        date = (published or event.starts_at).astimezone(ZoneInfo(event.timezone)).date().isoformat()
        track = award.entry.track
        for member in award.entry.members:
            name, latin = names.get(member.user_id, ("", ""))
            pages.append(CertificatePage(
                name=name or member.user.display_name, name_latin=latin if name else "",
                award_zh=award.name_zh or award.name_en, award_en=award.name_en or award.name_zh,
                title_zh=award.entry.title_zh or award.entry.title_en,
                title_en=award.entry.title_en or award.entry.title_zh,
                track_zh=track.name_zh or track.name_en, track_en=track.name_en or track.name_zh,
                contest_zh=event.title_zh or event.title_en, contest_en=event.title_en or event.title_zh,
                prize_amount=award.prize_amount, date=date))
    return pages


def certificates_html(pages: list[CertificatePage]) -> str:
    return render_template("awards/certificate.html", pages=pages, font_family=fonts.CSS_FAMILY)


def render_certificates(pages: list[CertificatePage], static_folder: str | Path) -> bytes:
    """One PDF, a page per certificate."""
    document = HTML(string=certificates_html(pages), base_url=Path(static_folder).as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher(static_folder))
    return document.write_pdf()
