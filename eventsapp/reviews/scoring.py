"""Rubrics and score sheets.

A round's rubric is its criteria (weight, maximum points, description, whether a comment is required);
it is locked once a judge has begun a sheet in the round, so every sheet is scored on the same rubric.
A judge's sheet for an entry is saved as a draft and submitted; it can change until the round closes
(its state, or its end time), and every save adds a ``ScoreSheetHistory`` row. Only a judge assigned to
the entry in an open round, without a conflict of interest, reaches a sheet. Services flush; callers
commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from eventsapp.accounts.models import User
from eventsapp.audit import services as audit
from eventsapp.contests.models import (
    ConflictOfInterest,
    Contest,
    ContestJudge,
    Entry,
    ReviewAssignment,
    Round,
    RoundState,
    RubricCriterion,
    ScoreSheet,
    ScoreSheetHistory,
    SheetState,
)
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.reviews import standings
from eventsapp.validation import ValidationFailed

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 2000
WEIGHT_MAX = Decimal("1000")
MAX_POINTS_LIMIT = 1000


# --- Rubric ---------------------------------------------------------------------------------------

@dataclass
class CriterionData:
    name_zh: str = ""
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    weight: Decimal = Decimal(1)
    max_points: int = 10
    comment_required: bool = False
    position: int = 0


def criteria_of(round_: Round) -> list[RubricCriterion]:
    return list(db.session.scalars(select(RubricCriterion).where(RubricCriterion.round_id == round_.id)
                                   .order_by(RubricCriterion.position, RubricCriterion.id)))


def rubric_locked(round_: Round) -> bool:
    """Judges have begun scoring the round: the rubric no longer changes."""
    return bool(db.session.scalar(select(exists().where(ScoreSheet.round_id == round_.id))))


def _check_rubric_open(round_: Round) -> None:
    if rubric_locked(round_):
        raise ValidationFailed([(None, _l("Judges have begun scoring this round: its rubric can no longer "
                                          "change."))])


def save_criterion(round_: Round, data: CriterionData, criterion: RubricCriterion | None = None,
                   actor: User | None = None) -> RubricCriterion:
    """Add a criterion to the round's rubric, or change one. Flushes."""
    _check_rubric_open(round_)
    names = {key: " ".join((getattr(data, key) or "").split()) for key in ("name_zh", "name_en")}
    descriptions = {key: (getattr(data, key) or "").strip() for key in ("description_zh", "description_en")}
    errors = [(key, _l("At most %(max)d characters.", max=NAME_MAX_LENGTH))
              for key, value in names.items() if len(value) > NAME_MAX_LENGTH]
    errors += [(key, _l("At most %(max)d characters.", max=DESCRIPTION_MAX_LENGTH))
               for key, value in descriptions.items() if len(value) > DESCRIPTION_MAX_LENGTH]
    if not names["name_zh"] and not names["name_en"]:
        errors.append(("name_zh", _l("Give the criterion a name in Chinese or English.")))
    if data.weight is None or not Decimal(0) <= data.weight <= WEIGHT_MAX:
        errors.append(("weight", _l("A weight between 0 and %(max)d.", max=int(WEIGHT_MAX))))
    if data.max_points is None or not 1 <= data.max_points <= MAX_POINTS_LIMIT:
        errors.append(("max_points", _l("Between 1 and %(max)d points.", max=MAX_POINTS_LIMIT)))
    if errors:
        raise ValidationFailed(errors)
    others = sum((item.weight for item in criteria_of(round_) if item is not criterion), Decimal(0))
    if others + data.weight <= 0:
        raise ValidationFailed([("weight", _l("At least one criterion of the rubric needs a weight above 0."))])
    before = _criterion_state(criterion) if criterion is not None else {}
    if criterion is None:
        criterion = RubricCriterion(round_id=round_.id)
        db.session.add(criterion)
    criterion.name_zh, criterion.name_en = names["name_zh"], names["name_en"]
    criterion.description_zh, criterion.description_en = descriptions["description_zh"], descriptions["description_en"]
    criterion.weight, criterion.max_points = data.weight, data.max_points
    criterion.comment_required, criterion.position = bool(data.comment_required), data.position or 0
    db.session.flush()
    audit.record(actor, "rubric_changed", criterion, before, _criterion_state(criterion),
                 event_id=round_.contest.event_id)
    return criterion


def _criterion_state(criterion: RubricCriterion) -> dict:
    return {"name_zh": criterion.name_zh, "name_en": criterion.name_en, "weight": str(criterion.weight),
            "max_points": criterion.max_points, "comment_required": criterion.comment_required}


def delete_criterion(round_: Round, criterion: RubricCriterion, actor: User | None = None) -> None:
    _check_rubric_open(round_)
    remaining = [item for item in criteria_of(round_) if item is not criterion]
    if remaining and sum((item.weight for item in remaining), Decimal(0)) <= 0:
        raise ValidationFailed([(None, _l("At least one criterion of the rubric needs a weight above 0."))])
    audit.record(actor, "rubric_criterion_deleted", criterion, _criterion_state(criterion), {},
                 event_id=round_.contest.event_id)
    db.session.delete(criterion)
    db.session.flush()


def set_round_state(round_: Round, state: RoundState, actor: User | None = None) -> None:
    """Open a round for scoring (it needs a rubric) or close it: its scores are final, judges can no longer
    change their sheets (drafts never count) nor open its entries, and its entries can be advanced. The one
    way every page that opens or closes a round goes."""
    db.session.refresh(round_, with_for_update=True)  # two organizers at once: one after the other
    if round_.state == state:
        raise ValidationFailed([(None, _l("The round is already open.") if state == RoundState.OPEN
                                 else _l("The round is already closed."))])
    if state == RoundState.OPEN and not criteria_of(round_):
        raise ValidationFailed([(None, _l("Write the round's rubric before opening it for scoring."))])
    before = round_.state
    round_.state = state
    db.session.flush()
    audit.record(actor, "round_state_changed", round_, {"state": before.value}, {"state": state.value},
                 event_id=round_.contest.event_id)


def closing_consequences(round_: Round) -> list:
    """What closing the round does, in words, for the confirmation every page's "Close round" leads to."""
    submitted, assigned = round_progress(round_)
    later = db.session.scalar(select(func.count()).select_from(Round).where(
        Round.contest_id == round_.contest_id, Round.position > round_.position))
    lines = [_l("Scores become final: judges can no longer change their sheets, nor open the round's entries."),
             _l("%(done)d of %(total)d assigned sheets are submitted.", done=submitted, total=assigned)]
    if submitted < assigned:
        lines.append(ngettext("%(num)d sheet is not submitted: it will not count in the ranking.",
                              "%(num)d sheets are not submitted: they will not count in the ranking.",
                              assigned - submitted))
    lines.append(_l("You can then advance the best entries to the next round on the Results page.") if later
                 else _l("You can then give the awards on the Results page."))
    lines.append(_l("If needed, the round can be opened for scoring again from its judging page."))
    return lines


# --- Who reaches a sheet --------------------------------------------------------------------------

def accepts_scores(round_: Round, now: datetime | None = None) -> bool:
    """Sheets of the round may change: it is open and its end time, if any, has not passed."""
    return round_.state == RoundState.OPEN and (round_.ends_at is None or (now or utcnow()) < round_.ends_at)


def reviewable_condition():
    """SQL on ReviewAssignment: the judge has no conflict of interest with the entry."""
    return ~exists().where(ConflictOfInterest.judge_id == ReviewAssignment.judge_id,
                           ConflictOfInterest.entry_id == ReviewAssignment.entry_id)


@dataclass
class Review:
    """A judge's way to one entry of one round."""
    judge: ContestJudge
    round: Round
    entry: Entry
    sheet: ScoreSheet | None


def review_for(user_id: int, round_id: int, entry_id: int, open_only: bool = True) -> Review | None:
    """The user's review of the entry in the round when they are assigned to it there, have no conflict of
    interest with it and the round is open; None otherwise (to be answered 404, as for any other entry).
    ``open_only=False`` finds it in a round of any state, so that a save after the round closed is told so."""
    row = db.session.execute(
        select(ContestJudge, Round, Entry)
        .join(ReviewAssignment, and_(ReviewAssignment.judge_id == ContestJudge.id,
                                     ReviewAssignment.round_id == round_id, ReviewAssignment.entry_id == entry_id))
        .join(Round, Round.id == ReviewAssignment.round_id).join(Entry, Entry.id == ReviewAssignment.entry_id)
        .where(ContestJudge.user_id == user_id, ContestJudge.contest_id == Round.contest_id,
               Round.state == RoundState.OPEN if open_only else true(), reviewable_condition())).first()
    if row is None:
        return None
    judge, round_, entry = row
    sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.round_id == round_id,
                                                       ScoreSheet.judge_id == judge.id,
                                                       ScoreSheet.entry_id == entry_id))
    return Review(judge, round_, entry, sheet)


@dataclass
class Assigned:
    entry: Entry
    state: SheetState | None  # None: not begun


@dataclass
class RoundReviews:
    round: Round
    contest: Contest
    entries: list[Assigned] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(item.state == SheetState.SUBMITTED for item in self.entries)


def my_reviews(user_id: int) -> list[RoundReviews]:
    """The entries assigned to the user in open rounds, by round, with their sheets' state."""
    rows = db.session.execute(
        select(Round, Entry, ScoreSheet.state)
        .join(ReviewAssignment, ReviewAssignment.round_id == Round.id)
        .join(ContestJudge, ContestJudge.id == ReviewAssignment.judge_id)
        .join(Entry, Entry.id == ReviewAssignment.entry_id)
        .outerjoin(ScoreSheet, and_(ScoreSheet.round_id == Round.id, ScoreSheet.judge_id == ContestJudge.id,
                                    ScoreSheet.entry_id == Entry.id))
        .where(ContestJudge.user_id == user_id, Round.state == RoundState.OPEN, reviewable_condition())
        .order_by(Round.contest_id, Round.position, Entry.id))
    groups: dict[int, RoundReviews] = {}
    for round_, entry, state in rows:
        group = groups.setdefault(round_.id, RoundReviews(round_, round_.contest))
        group.entries.append(Assigned(entry, state))
    return list(groups.values())


def next_entry(review: Review) -> Entry | None:
    """The judge's next entry in the round still to submit, after this one (or from the start)."""
    waiting = [item.entry for group in my_reviews(review.judge.user_id) if group.round.id == review.round.id
               for item in group.entries if item.state != SheetState.SUBMITTED and item.entry.id != review.entry.id]
    later = [entry for entry in waiting if entry.id > review.entry.id]
    return (later or waiting or [None])[0]


# --- Saving a sheet -------------------------------------------------------------------------------

def save_sheet(review: Review, points: dict[int, Decimal | None], comments: dict[int, str], comment: str,
               submit: bool, version: int | None, user: User, now: datetime | None = None) -> ScoreSheet:
    """Save the judge's sheet: a draft may leave points out; a submitted sheet (and a change to one) has
    points for every criterion and the comments the rubric asks for. Points outside 0..max, a round that
    has closed or a sheet changed meanwhile in another window: ValidationFailed, nothing saved. Every
    save adds a history row."""
    now = now or utcnow()
    round_ = review.round
    if round_.state == RoundState.PLANNED:
        raise ValidationFailed([(None, _l("The round is not open for scoring yet. Nothing was saved."))])
    if not accepts_scores(round_, now):
        raise ValidationFailed([(None, _l("The round has closed: scores can no longer change. Nothing was "
                                          "saved."))])
    sheet = review.sheet
    if sheet is not None and version is not None and version != sheet.version:
        raise ValidationFailed([(None, _l("This sheet was changed in another window meanwhile. Reload it to "
                                          "see what was saved, then make your change again."))])
    submit = submit or (sheet is not None and sheet.state == SheetState.SUBMITTED)
    criteria = criteria_of(round_)
    errors, stored_points, stored_comments = [], {}, {}
    for criterion in criteria:
        given, text = points.get(criterion.id), (comments.get(criterion.id) or "").strip()
        if given is None:
            if submit:
                errors.append((f"points_{criterion.id}", _l("Give points for this criterion.")))
        elif not 0 <= given <= criterion.max_points:
            errors.append((f"points_{criterion.id}", _l("Between 0 and %(max)d points.", max=criterion.max_points)))
        else:
            stored_points[str(criterion.id)] = float(given)
        if len(text) > COMMENT_MAX_LENGTH:
            errors.append((f"comment_{criterion.id}", _l("At most %(max)d characters.", max=COMMENT_MAX_LENGTH)))
        elif criterion.comment_required and submit and not text:
            errors.append((f"comment_{criterion.id}", _l("This criterion asks for a comment.")))
        if text:
            stored_comments[str(criterion.id)] = text
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors.append(("comment", _l("At most %(max)d characters.", max=COMMENT_MAX_LENGTH)))
    if errors:
        raise ValidationFailed(errors)
    if sheet is None:
        sheet = ScoreSheet(round_id=round_.id, judge_id=review.judge.id, entry_id=review.entry.id)
        db.session.add(sheet)
    sheet.points, sheet.comments, sheet.comment = stored_points, stored_comments, comment
    sheet.state = SheetState.SUBMITTED if submit else SheetState.DRAFT
    sheet.submitted_at = now if submit else None
    # The total the leaderboard ranks, written with the points (``reviews.standings``): no second read.
    sheet.total = standings.total_of(sheet.state, stored_points, {
        str(criterion.id): (criterion.weight, criterion.max_points) for criterion in criteria})
    try:
        with db.session.begin_nested():
            db.session.flush()
    except (StaleDataError, IntegrityError):  # saved meanwhile in another window (a change, or the first save)
        raise ValidationFailed([(None, _l("This sheet was changed in another window meanwhile. Reload it to "
                                          "see what was saved, then make your change again."))]) from None
    db.session.add(ScoreSheetHistory(sheet_id=sheet.id, version=sheet.version, state=sheet.state,
                                     points=dict(stored_points), comments=dict(stored_comments), comment=comment,
                                     changed_by_id=user.id, created_at=now))
    db.session.flush()
    review.sheet = sheet
    return sheet


def sheet_history(sheet: ScoreSheet) -> list[ScoreSheetHistory]:
    return list(db.session.scalars(select(ScoreSheetHistory).where(ScoreSheetHistory.sheet_id == sheet.id)
                                   .order_by(ScoreSheetHistory.version.desc())))


def judge_progress(contest_id: int) -> dict[int, tuple[int, int]]:
    """Judge id → (submitted sheets, assigned reviews) in the contest's rounds not closed, conflicted
    pairs left out: whom to remind."""
    rows = db.session.execute(
        select(ReviewAssignment.judge_id, func.count(), func.count(ScoreSheet.id))
        .join(Round, Round.id == ReviewAssignment.round_id)
        .outerjoin(ScoreSheet, and_(ScoreSheet.round_id == ReviewAssignment.round_id,
                                    ScoreSheet.judge_id == ReviewAssignment.judge_id,
                                    ScoreSheet.entry_id == ReviewAssignment.entry_id,
                                    ScoreSheet.state == SheetState.SUBMITTED))
        .where(Round.contest_id == contest_id, Round.state != RoundState.CLOSED, reviewable_condition())
        .group_by(ReviewAssignment.judge_id))
    return {judge_id: (submitted, assigned) for judge_id, assigned, submitted in rows}


def round_progress(round_: Round) -> tuple[int, int]:
    """(submitted sheets, assigned reviews) of the round, conflicted pairs left out."""
    assigned = db.session.scalar(select(func.count()).select_from(ReviewAssignment).where(
        ReviewAssignment.round_id == round_.id, reviewable_condition()))
    submitted = db.session.scalar(select(func.count()).select_from(ScoreSheet).where(
        ScoreSheet.round_id == round_.id, ScoreSheet.state == SheetState.SUBMITTED))
    return submitted, assigned
