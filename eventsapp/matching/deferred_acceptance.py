"""Candidate-proposing deferred acceptance for a many-to-many market with responsive preferences."""
from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from heapq import heappush, heapreplace

Candidate = Hashable
Booth = Hashable


def _check_list(owner, items: Sequence, known_keys, what: str) -> None:
    distinct = set(items)
    if len(distinct) == len(items) and known_keys >= distinct:  # the common case, checked in C
        return
    if len(distinct) != len(items):
        raise ValueError(f"the preferences of {owner!r} list the same {what} twice")
    unknown = next(item for item in items if item not in known_keys)
    raise ValueError(f"the preferences of {owner!r} name an unknown {what}: {unknown!r}")


def validate(candidate_prefs: Mapping[Candidate, Sequence[Booth]], booth_prefs: Mapping[Booth, Sequence[Candidate]],
             capacities: Mapping[Booth, int], quotas: int | Mapping[Candidate, int]) -> None:
    """Raise ValueError for input the engine cannot honour; say what is wrong and where."""
    for booth, capacity in capacities.items():
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            raise ValueError(f"the capacity of booth {booth!r} must be a whole number >= 0, not {capacity!r}")
    for booth in booth_prefs:
        if booth not in capacities:
            raise ValueError(f"booth {booth!r} has preferences but no capacity")
    booth_keys, candidate_keys = capacities.keys(), candidate_prefs.keys()
    for candidate, booths in candidate_prefs.items():
        _check_list(candidate, booths, booth_keys, "booth")
    for booth, candidates in booth_prefs.items():
        _check_list(booth, candidates, candidate_keys, "candidate")
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
    # For each candidate, their place in the list of every booth that lists them.
    # Built from small per-candidate dicts: far fewer cache misses than one big dict per booth.
    rank_for: dict[Candidate, dict[Booth, int]] = {candidate: {} for candidate in candidate_prefs}
    for booth, candidates in booth_prefs.items():
        for rank, candidate in enumerate(candidates):
            rank_for[candidate][booth] = rank
    # Each candidate's acceptable booths in order, with the candidate's rank there; booths that
    # do not list the candidate are dropped (a pair is only matched when each lists the other).
    proposals_of = {}
    for candidate, booths in candidate_prefs.items():
        ranks = rank_for[candidate]
        proposals_of[candidate] = [(booth, ranks[booth]) for booth in booths if booth in ranks]
    del rank_for
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
        proposals = proposals_of[candidate]
        choice, count, quota = next_choice[candidate], holding[candidate], quota_of[candidate]
        end = len(proposals)
        while count < quota and choice < end:
            booth, rank = proposals[choice]
            choice += 1
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

    matched: dict[Candidate, list[Booth]] = {candidate: [] for candidate in candidate_prefs}
    for booth, heap in held.items():
        ranking = booth_prefs.get(booth, ())
        for entry in heap:
            matched[ranking[-entry]].append(booth)
    for candidate, booths in matched.items():
        if len(booths) > 1:
            order = candidate_prefs[candidate]
            booths.sort(key=order.index)  # the candidate's own order
    return matched
