"""Candidate-proposing deferred acceptance for a many-to-many market with responsive preferences."""
from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from heapq import heappush, heapreplace

Candidate = Hashable
Booth = Hashable


def _check_list(owner, items: Sequence, known: Mapping | set, what: str) -> None:
    if len(set(items)) != len(items):
        raise ValueError(f"the preferences of {owner!r} list the same {what} twice")
    for item in items:
        if item not in known:
            raise ValueError(f"the preferences of {owner!r} name an unknown {what}: {item!r}")


def validate(candidate_prefs: Mapping[Candidate, Sequence[Booth]], booth_prefs: Mapping[Booth, Sequence[Candidate]],
             capacities: Mapping[Booth, int], quotas: int | Mapping[Candidate, int]) -> None:
    """Raise ValueError for input the engine cannot honour; say what is wrong and where."""
    for booth, capacity in capacities.items():
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            raise ValueError(f"the capacity of booth {booth!r} must be a whole number >= 0, not {capacity!r}")
    for booth in booth_prefs:
        if booth not in capacities:
            raise ValueError(f"booth {booth!r} has preferences but no capacity")
    for candidate, booths in candidate_prefs.items():
        _check_list(candidate, booths, capacities, "booth")
    for booth, candidates in booth_prefs.items():
        _check_list(booth, candidates, candidate_prefs, "candidate")
    if isinstance(quotas, Mapping):
        for candidate in candidate_prefs:
            quota = quotas.get(candidate)
            if not isinstance(quota, int) or isinstance(quota, bool) or quota < 0:
                raise ValueError(f"the quota of candidate {candidate!r} must be a whole number >= 0, not {quota!r}")
    elif not isinstance(quotas, int) or isinstance(quotas, bool) or quotas < 0:
        raise ValueError(f"quotas must be a whole number >= 0 or a mapping, not {quotas!r}")


def stable_match(candidate_prefs: Mapping[Candidate, Sequence[Booth]],
                 booth_prefs: Mapping[Booth, Sequence[Candidate]],
                 capacities: Mapping[Booth, int],
                 quotas: int | Mapping[Candidate, int] = 1) -> dict[Candidate, list[Booth]]:
    """Match candidates to booths by candidate-proposing deferred acceptance.

    ``candidate_prefs`` maps each candidate to the booths they accept, best first;
    ``booth_prefs`` maps each booth to the candidates it accepts, best first; ``capacities``
    maps each booth to how many candidates it can take; ``quotas`` is how many booths a
    candidate may get (one number, or per candidate). A pair is only matched when each
    lists the other. With quota 1 the result is the candidate-optimal stable matching; with
    larger quotas it is pairwise stable and candidate-optimal among pairwise-stable
    matchings. The result is deterministic and maps every candidate to its booths in the
    candidate's own order.
    """
    validate(candidate_prefs, booth_prefs, capacities, quotas)
    rank_at = {booth: {candidate: rank for rank, candidate in enumerate(candidates)}
               for booth, candidates in booth_prefs.items()}
    no_ranks: dict = {}
    # For each candidate, their place in the list of each booth they rank (None: not listed).
    ranks_of = {candidate: [rank_at.get(booth, no_ranks).get(candidate) for booth in booths]
                for candidate, booths in candidate_prefs.items()}
    # Each booth's holders as a min-heap of minus their rank: the least preferred holder on top.
    # Ranks at one booth are distinct, so the rank alone tells who it is (booth_prefs[booth][rank]).
    held: dict[Booth, list[int]] = {booth: [] for booth in capacities}
    room = dict(capacities)
    quota_of = quotas if isinstance(quotas, Mapping) else dict.fromkeys(candidate_prefs, quotas)
    next_choice = dict.fromkeys(candidate_prefs, 0)
    holding = dict.fromkeys(candidate_prefs, 0)
    push, replace = heappush, heapreplace

    waiting = deque(candidate_prefs)
    while waiting:
        candidate = waiting.popleft()
        booths, ranks = candidate_prefs[candidate], ranks_of[candidate]
        choice, count, quota = next_choice[candidate], holding[candidate], quota_of[candidate]
        end = len(booths)
        while count < quota and choice < end:
            rank = ranks[choice]
            booth = booths[choice]
            choice += 1
            if rank is None:
                continue  # the booth does not accept this candidate
            if room[booth]:
                push(held[booth], -rank)
                room[booth] -= 1
                count += 1
            else:
                heap = held[booth]
                if heap and -heap[0] > rank:
                    # The booth trades its least preferred holder for this candidate.
                    displaced = booth_prefs[booth][-replace(heap, -rank)]
                    count += 1
                    holding[displaced] -= 1
                    waiting.append(displaced)
        next_choice[candidate], holding[candidate] = choice, count

    matched_at = {booth: {booth_prefs[booth][-entry] for entry in heap} for booth, heap in held.items() if heap}
    return {candidate: [booth for booth in booths[:next_choice[candidate]]
                        if candidate in matched_at.get(booth, no_ranks)]
            for candidate, booths in candidate_prefs.items()}
