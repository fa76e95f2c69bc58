"""Why a candidate did not get a booth they ranked: every answer follows from stability."""
from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

Candidate = Hashable
Booth = Hashable


class Reason(enum.StrEnum):
    MATCHED = "matched"
    NOT_LISTED = "not_listed"  # the booth did not rank this candidate
    NO_CAPACITY = "no_capacity"  # the booth takes nobody
    FILLED_WITH_PREFERRED = "filled_with_preferred"  # every place went to someone the booth ranked higher
    QUOTA_FILLED = "quota_filled"  # the candidate already had as many booths as allowed, all ranked higher


@dataclass(frozen=True)
class Explanation:
    booth: Booth
    reason: Reason
    your_rank: int | None = None  # 1-based place of the candidate in the booth's list
    last_admitted_rank: int | None = None  # the booth's lowest-ranked candidate who got a place


def explain(candidate: Candidate, candidate_prefs: Mapping[Candidate, Sequence[Booth]],
            booth_prefs: Mapping[Booth, Sequence[Candidate]], capacities: Mapping[Booth, int],
            assignment: Mapping[Candidate, Sequence[Booth]]) -> list[Explanation]:
    """One explanation per booth the candidate ranked, in the candidate's order."""
    if candidate not in candidate_prefs:
        raise ValueError(f"unknown candidate: {candidate!r}")
    matched = set(assignment.get(candidate, ()))
    holders: dict[Booth, list[Candidate]] = {}
    for other, booths in assignment.items():
        for booth in booths:
            holders.setdefault(booth, []).append(other)
    explanations = []
    for booth in candidate_prefs[candidate]:
        ranking = booth_prefs.get(booth, ())
        rank_of = {person: position for position, person in enumerate(ranking, start=1)}
        your_rank = rank_of.get(candidate)
        admitted = [rank_of[person] for person in holders.get(booth, ()) if person in rank_of]
        last = max(admitted, default=None)
        if booth in matched:
            reason = Reason.MATCHED
        elif your_rank is None:
            reason = Reason.NOT_LISTED
        elif capacities.get(booth, 0) == 0:
            reason = Reason.NO_CAPACITY
        elif len(admitted) >= capacities[booth] and last is not None and last < your_rank:
            reason = Reason.FILLED_WITH_PREFERRED
        else:
            reason = Reason.QUOTA_FILLED
        explanations.append(Explanation(booth, reason, your_rank, last))
    return explanations
