"""The organizer's CSV files of a round: the entries with their team and scores, and every score sheet
per judge. UTF-8 with a byte-order mark and formulas kept out of typed cells (eventsapp.spreadsheets)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.awards.services import entries_in_round, round_scores
from eventsapp.contests.models import ContestJudge, Entry, Round, RubricCriterion, ScoreSheet
from eventsapp.extensions import db
from eventsapp.i18n import pick
from eventsapp.judging import sheet_total
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header

ENTRY_COLUMNS = (
    Column("entry_id", _l("Entry")), Column("title_zh", _l("Title (Chinese)")),
    Column("title_en", _l("Title (English)")),
    Column("track", _l("Track")), Column("organization", _l("Organization")), Column("leader", _l("Leader")),
    Column("leader_email", _l("Leader's e-mail")), Column("members", _l("Team")), Column("rank", _l("Rank")),
    Column("score", _l("Score")), Column("raw", _l("Mean of the totals")), Column("normalised", _l("Normalised")),
    Column("sheets", _l("Sheets")), Column("spread", _l("Spread")),
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def entries_csv(round_: Round, language: str) -> bytes:
    details = {detail.entry: detail for detail in round_scores(round_.id)}
    rows = []
    for entry in entries_in_round(round_):
        detail = details.get(entry.id)
        leader = entry.leader
        rows.append([
            entry.id, excel_safe(entry.title_zh), excel_safe(entry.title_en),
            excel_safe(pick(entry.track, "name", language)),
            excel_safe(entry.organization_name), excel_safe(leader.user.display_name if leader else ""),
            excel_safe(leader.user.email if leader else ""),
            excel_safe("; ".join(member.user.display_name for member in entry.members)),
            detail.rank if detail else "", _number(detail.score if detail else None),
            _number(detail.raw if detail else None), _number(detail.normalised if detail else None),
            detail.sheets if detail else 0, _number(detail.spread if detail else None)])
    rows.sort(key=lambda row: (row[8] == "", row[8] or 0, row[0]))
    return csv_bytes(header(ENTRY_COLUMNS), rows)


def sheets_csv(round_: Round, language: str) -> bytes:
    """One row per score sheet, grouped by judge: each criterion's points, the total, the comments."""
    criteria = list(db.session.scalars(select(RubricCriterion).where(RubricCriterion.round_id == round_.id)
                                       .order_by(RubricCriterion.position, RubricCriterion.id)))
    rubric = {criterion.id: (criterion.weight, criterion.max_points) for criterion in criteria}
    head = [str(_l("Judge")), str(_l("Judge's e-mail")), str(_l("Entry")), str(_l("Title")), str(_l("State")),
            *(pick(criterion, "name", language) for criterion in criteria), str(_l("Total")), str(_l("Comment")),
            str(_l("Submitted"))]
    sheets = db.session.execute(
        select(ScoreSheet, ContestJudge, Entry).join(ContestJudge, ContestJudge.id == ScoreSheet.judge_id)
        .join(Entry, Entry.id == ScoreSheet.entry_id).where(ScoreSheet.round_id == round_.id)
        .options(selectinload(Entry.track))
        .order_by(ContestJudge.name, ContestJudge.email, Entry.id)).tuples().all()
    rows = []
    for sheet, judge, entry in sheets:
        points = {int(key): value for key, value in (sheet.points or {}).items()}
        try:
            total = _number(sheet_total(points, rubric))
        except ValueError:
            total = ""  # a draft not filled in yet
        comments = [sheet.comment, *(sheet.comments or {}).values()]
        rows.append([excel_safe(judge.name), excel_safe(judge.email), entry.id,
                     excel_safe(pick(entry, "title", language)),
                     sheet.state.value, *(points.get(criterion.id, "") for criterion in criteria), total,
                     excel_safe(" | ".join(text.strip() for text in comments if text and text.strip())),
                     sheet.submitted_at.isoformat() if sheet.submitted_at else ""])
    return csv_bytes(head, rows)
