"""A contest's entries as CSV that Excel opens with Chinese intact, in the organizer's language."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from eventsapp.contests.choices import ENTRY_STATE_LABELS
from eventsapp.contests.models import ContestQuestion, Entry, TeamRole
from eventsapp.i18n import current_language, pick
from eventsapp.registrations.choices import answer_words
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header

COLUMNS = [
    Column("entry_id", _l("Entry no.")), Column("state", _l("State")), Column("track", _l("Track")),
    Column("group", _l("Group")), Column("title_zh", _l("Title (Chinese)")), Column("title_en", _l("Title (English)")),
    Column("organization", _l("Organization")), Column("credit_code", _l("Unified social credit code")),
    Column("leader", _l("Team leader")), Column("leader_email", _l("Leader's e-mail")),
    Column("members", _l("Team members")), Column("team_size", _l("Team size")),
    Column("overseas_experience", _l("Overseas experience")), Column("video_url", _l("Video")),
    Column("deck", _l("Pitch deck")), Column("created_at_utc", _l("Created (UTC)")),
    Column("submitted_at_utc", _l("Submitted (UTC)")), Column("withdrawn_at_utc", _l("Withdrawn (UTC)")),
]


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def entries_csv(entries: Iterable[Entry], questions: list[ContestQuestion]) -> bytes:
    """One line per entry, one more column per entry-form question."""
    language = current_language()
    safe = excel_safe  # for text people typed; ids, states and dates are ours
    lines = []
    for entry in entries:
        leader = next((member.user for member in entry.members if member.role == TeamRole.LEADER), None)
        others = [member.user for member in entry.members if member.role != TeamRole.LEADER]
        answers = {answer.question_id: answer_words(answer) for answer in entry.answers}
        lines.append([
            entry.id, ENTRY_STATE_LABELS[entry.state], safe(pick(entry.track, "name", language)),
            safe(pick(entry.group, "name", language)) if entry.group else "",
            safe(entry.title_zh), safe(entry.title_en), safe(entry.organization_name), entry.organization_credit_code,
            safe(leader.display_name) if leader else "", safe(leader.email) if leader else "",
            safe("; ".join(f"{user.display_name} <{user.email}>" for user in others)), len(entry.members),
            safe(entry.overseas_experience), safe(entry.video_url), safe(entry.deck_filename or ""),
            _when(entry.created_at), _when(entry.submitted_at), _when(entry.withdrawn_at),
        ] + [safe(answers.get(question.id, "")) for question in questions])
    return csv_bytes(header(COLUMNS) + [pick(question, "label", language) for question in questions], lines)
