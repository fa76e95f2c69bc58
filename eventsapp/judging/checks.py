"""What is wrong with an assignment of judges, and hand changes that make it worse refused.

Organizers adjust an assignment by hand after :func:`assign_reviews`. A change may not create a
conflict of interest, give an entry the same judge twice, name a judge who is not in the round, or
take a judge over their limit. Problems that were there before the change (a conflict declared
after the assignment was made, a limit lowered since) do not block a change: the organizer must be
able to fix them one entry at a time.
"""
from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Entry = Hashable
Judge = Hashable


class Issue(enum.StrEnum):
    UNKNOWN_JUDGE = "unknown_judge"  # not one of the round's judges
    DUPLICATE_JUDGE = "duplicate_judge"  # the same judge twice on one entry
    CONFLICT = "conflict"  # a judge with a conflict of interest with the entry
    OVERLOAD = "overload"  # a judge above their max_load
    TOO_FEW_JUDGES = "too_few_judges"  # an entry with fewer than per_entry judges


@dataclass(frozen=True)
class Problem:
    issue: Issue
    entry: Entry | None = None  # None for an overload: it belongs to the judge, not to one entry
    judge: Judge | None = None
    count: int | None = None  # the judge's load (overload), the entry's judges (too few)
    limit: int | None = None  # max_load (overload), per_entry (too few)


class HandChangeRefused(ValueError):
    """A hand change would create ``problems``; the assignment is left as it was."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(_describe(problem) for problem in self.problems))


def _describe(problem: Problem) -> str:
    if problem.issue is Issue.UNKNOWN_JUDGE:
        return f"judge {problem.judge!r} is not a judge of this round"
    if problem.issue is Issue.DUPLICATE_JUDGE:
        return f"entry {problem.entry!r} has judge {problem.judge!r} twice"
    if problem.issue is Issue.CONFLICT:
        return f"judge {problem.judge!r} has a conflict of interest with entry {problem.entry!r}"
    if problem.issue is Issue.OVERLOAD:
        return f"judge {problem.judge!r} would review {problem.count} entries, more than their limit of {problem.limit}"
    return f"entry {problem.entry!r} has {problem.count} judges, fewer than {problem.limit}"


def _limit_of(max_load: int | Mapping[Judge, int] | None, judge: Judge) -> int | None:
    if isinstance(max_load, Mapping):
        return max_load.get(judge)
    return max_load


def validate_assignment(assignment: Mapping[Entry, Sequence[Judge]], judges: Iterable[Judge],
                        conflicts: Iterable[tuple[Judge, Entry]] = (),
                        max_load: int | Mapping[Judge, int] | None = None,
                        per_entry: int | None = None) -> list[Problem]:
    """Every problem of ``assignment`` (entry → its judges): unknown or repeated judges, conflicts of
    interest ((judge, entry) pairs), loads above ``max_load`` (a number, or per judge; a judge the
    mapping leaves out has no limit) and, when ``per_entry`` is given, entries with fewer judges.
    Entry problems come in the assignment's order, then overloads in the order of ``judges``."""
    round_judges = list(judges)
    known = set(round_judges)
    conflicted = set(conflicts)
    problems = []
    loads: Counter = Counter()
    for entry, chosen in assignment.items():
        seen = set()
        for judge in chosen:
            if judge not in known:
                problems.append(Problem(Issue.UNKNOWN_JUDGE, entry, judge))
            elif judge in seen:
                problems.append(Problem(Issue.DUPLICATE_JUDGE, entry, judge))
            elif (judge, entry) in conflicted:
                problems.append(Problem(Issue.CONFLICT, entry, judge))
            seen.add(judge)
        loads.update(seen)
        if per_entry is not None and len(seen) < per_entry:
            problems.append(Problem(Issue.TOO_FEW_JUDGES, entry, count=len(seen), limit=per_entry))
    for judge in round_judges:
        limit = _limit_of(max_load, judge)
        if limit is not None and loads[judge] > limit:
            problems.append(Problem(Issue.OVERLOAD, judge=judge, count=loads[judge], limit=limit))
    return problems


def check_hand_assignment(assignment: Mapping[Entry, Sequence[Judge]], entry: Entry, new_judges: Sequence[Judge],
                          judges: Iterable[Judge], conflicts: Iterable[tuple[Judge, Entry]] = (),
                          max_load: int | Mapping[Judge, int] | None = None) -> dict[Entry, list[Judge]]:
    """``assignment`` with ``entry``'s judges replaced by ``new_judges`` (an entry not yet in it is
    added), or :class:`HandChangeRefused` listing the problems the change would create. An entry
    may be left with fewer judges than the round asks for: the organizer can be mid-way through."""
    judges, conflicts = list(judges), set(conflicts)
    changed = {key: list(chosen) for key, chosen in assignment.items()}
    changed[entry] = list(new_judges)
    before = set(validate_assignment(assignment, judges, conflicts, max_load))
    created = [problem for problem in validate_assignment(changed, judges, conflicts, max_load)
               if problem not in before]
    if created:
        raise HandChangeRefused(created)
    return changed
