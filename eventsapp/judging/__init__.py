"""The judging engine: judges for contest entries, and one score and rank per entry.

Pure Python on plain data — no Flask, no database — like the matching engine:

- :func:`assign_reviews` — every entry gets its judges, none with a conflict of interest, no judge
  above their limit, and the largest load the smallest possible (a flow problem).
- :func:`validate_assignment` — what is wrong with an assignment; :func:`check_hand_assignment` —
  a hand change, refused when it creates a conflict, a duplicate judge or an overload.
- :func:`aggregate` — score sheets to (entry, score, rank), by mean, trimmed mean or per-judge
  z-scores; :func:`score_details` — what the organizer sees beside each entry: raw and normalised
  scores, the number of sheets, the spread between judges, flagged when large; the same in two steps,
  :func:`sheet_totals` then :func:`score_details_of_totals`, for a caller that keeps the totals of
  sheets that did not change.

May import no other feature: pure Python on plain data.
"""
from eventsapp.judging.assignment import NoValidAssignment, assign_reviews, lowest_possible_load
from eventsapp.judging.checks import HandChangeRefused, Issue, Problem, check_hand_assignment, validate_assignment
from eventsapp.judging.scoring import (
    METHODS,
    EntryScore,
    aggregate,
    score_details,
    score_details_of_totals,
    sheet_total,
    sheet_totals,
)

ALLOWED_IMPORTS: frozenset[str] = frozenset()

__all__ = [
    "METHODS", "EntryScore", "HandChangeRefused", "Issue", "NoValidAssignment", "Problem", "aggregate",
    "assign_reviews", "check_hand_assignment", "lowest_possible_load", "score_details", "score_details_of_totals",
    "sheet_total", "sheet_totals", "validate_assignment",
]
