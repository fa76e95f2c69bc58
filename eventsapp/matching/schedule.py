"""Interview slots for matched pairs: nobody double-booked, no booth above its interviewers, and
the fewest slots possible.

A booth with k interviewers is split into k "desks"; its interviews are dealt to the desks in
turn, so each desk has at most ceil(interviews / k). In the bipartite graph of candidates and
desks, every vertex then has degree at most

    T = max(most interviews of one candidate, max over booths of ceil(interviews / interviewers)),

and König's edge-colouring theorem says T colours suffice: colour = slot. No schedule can be
shorter, since a candidate with d interviews needs d slots and a booth with n interviews and k
interviewers needs ceil(n / k). The colouring is built edge by edge, swapping two colours along
an alternating path when the two ends have no free colour in common.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

Candidate = Hashable
Booth = Hashable


def _interviewers_of(interviewers: int | Mapping[Booth, int]):
    if isinstance(interviewers, Mapping):
        def lookup(booth):
            count = interviewers.get(booth)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError(f"booth {booth!r} needs at least one interviewer, not {count!r}")
            return count
        return lookup
    if not isinstance(interviewers, int) or isinstance(interviewers, bool) or interviewers < 1:
        raise ValueError(f"interviewers must be a whole number >= 1 or a mapping, not {interviewers!r}")
    return lambda _booth: interviewers


def minimum_slots(assignment: Mapping[Candidate, Sequence[Booth]], interviewers: int | Mapping[Booth, int] = 1) -> int:
    """The fewest slots any valid schedule of this assignment needs."""
    per_booth = Counter(booth for booths in assignment.values() for booth in booths)
    interviewers_of = _interviewers_of(interviewers)
    busiest_candidate = max((len(booths) for booths in assignment.values()), default=0)
    busiest_booth = max((-(-count // interviewers_of(booth)) for booth, count in per_booth.items()), default=0)
    return max(busiest_candidate, busiest_booth)


def schedule_interviews(assignment: Mapping[Candidate, Sequence[Booth]],
                        interviewers: int | Mapping[Booth, int] = 1) -> dict[tuple[Candidate, Booth], int]:
    """Give every matched (candidate, booth) pair a slot number, starting at 0, in the minimum number of slots."""
    interviewers_of = _interviewers_of(interviewers)
    for candidate, booths in assignment.items():
        if len(set(booths)) != len(booths):
            raise ValueError(f"candidate {candidate!r} is matched to the same booth twice")
    slots = minimum_slots(assignment, interviewers)

    # Vertices are numbers: candidates first, then each booth's desks. at[v] maps a colour to
    # the vertex at the other end of the edge of that colour.
    vertex_of_candidate = {candidate: number for number, candidate in enumerate(assignment)}
    first_desk: dict[Booth, int] = {}
    desks = len(vertex_of_candidate)
    dealt: Counter = Counter()
    edges: list[tuple[int, int, Candidate, Booth]] = []
    for candidate, booths in assignment.items():
        left = vertex_of_candidate[candidate]
        for booth in booths:
            if booth not in first_desk:
                first_desk[booth] = desks
                desks += interviewers_of(booth)
            right = first_desk[booth] + dealt[booth] % interviewers_of(booth)
            dealt[booth] += 1
            edges.append((left, right, candidate, booth))
    at: list[dict[int, int]] = [{} for _ in range(desks)]

    colours = range(slots)
    for left, right, _, _ in edges:
        used_left, used_right = at[left], at[right]
        for free_left in colours:
            if free_left not in used_left:
                break
        if free_left not in used_right:
            used_left[free_left] = right
            used_right[free_left] = left
            continue
        for free_right in colours:
            if free_right not in used_right:
                break
        if free_right not in used_left:
            used_left[free_right] = right
            used_right[free_right] = left
            continue
        # Walk the path from `right` along free_left, free_right, free_left, ... and swap the two
        # colours on it; it cannot reach `left` (bipartite), and afterwards free_left is free at
        # `right` as well as at `left`.
        path = [right]
        wanted, other = free_left, free_right
        vertex = right
        while wanted in at[vertex]:
            vertex = at[vertex][wanted]
            path.append(vertex)
            wanted, other = other, wanted
        for number in range(len(path) - 1):
            first, second = path[number], path[number + 1]
            colour = free_left if number % 2 == 0 else free_right
            del at[first][colour]
            del at[second][colour]
        for number in range(len(path) - 1):
            first, second = path[number], path[number + 1]
            colour = free_right if number % 2 == 0 else free_left
            at[first][colour] = second
            at[second][colour] = first
        used_left[free_left] = right
        used_right[free_left] = left

    slot_of = {}
    for left, right, candidate, booth in edges:
        for colour, other in at[left].items():
            if other == right:
                slot_of[(candidate, booth)] = colour
                break
    return slot_of
