"""Judges for contest entries: no conflicts of interest, and the smallest possible largest load.

It is a flow problem. In the network

    source ──per_entry──▶ entry ──1──▶ judge ──min(L, max_load(judge))──▶ sink

(an entry–judge arc only when the judge has no conflict with the entry), an assignment in which no
judge reviews more than L entries exists exactly when the maximum flow is per_entry × entries. The
engine starts at the smallest L the totals allow, fills it greedily in turn, completes it with
Dinic's algorithm, and when the flow falls short raises L — by exactly as much as the minimum cut
of the failed attempt proves necessary, keeping the flow found so far. So the first L that works is
the smallest one. When no L helps, that minimum cut names a group of entries whose judges cannot
give them enough reviews: the error names one of them.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Iterable, Mapping, Sequence

Entry = Hashable
Judge = Hashable


class NoValidAssignment(ValueError):
    """No assignment gives every entry its judges. ``entry`` cannot be served; ``group`` is a set of
    entries (``entry`` among them) that need more reviews than the judges free to review them can give."""

    def __init__(self, message: str, entry: Entry, group: Sequence[Entry]):
        super().__init__(message)
        self.entry = entry
        self.group = tuple(group)


def _whole(value, at_least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= at_least


def _distinct(people: Sequence, what: str) -> dict:
    index = {}
    for number, person in enumerate(people):
        if person in index:
            raise ValueError(f"{what} {person!r} is listed twice")
        index[person] = number
    return index


def _limits(judges: Sequence[Judge], max_load: int | Mapping[Judge, int] | None, entries: int) -> list[int]:
    """Each judge's most entries; a judge can never review more than every entry once."""
    if max_load is None:
        return [entries] * len(judges)
    if isinstance(max_load, Mapping):
        limits = []
        for judge in judges:
            if judge not in max_load:
                raise ValueError(f"max_load gives no limit for judge {judge!r}")
            limit = max_load[judge]
            if not _whole(limit, 0):
                raise ValueError(f"the max_load of judge {judge!r} must be a whole number >= 0, not {limit!r}")
            limits.append(min(limit, entries))
        return limits
    if not _whole(max_load, 0):
        raise ValueError(f"max_load must be a whole number >= 0, a mapping or None, not {max_load!r}")
    return [min(max_load, entries)] * len(judges)


def _blocked(conflicts: Iterable[tuple[Judge, Entry]], judge_index: dict, entry_index: dict) -> list[set[int]]:
    """For each entry, the judges in conflict with it. A pair naming someone unknown is refused: it is
    more likely written the wrong way round, (entry, judge), than meant."""
    blocked: list[set[int]] = [set() for _ in entry_index]
    for pair in conflicts:
        try:
            judge, entry = pair
        except (TypeError, ValueError):
            raise ValueError(f"a conflict must be a (judge, entry) pair, not {pair!r}") from None
        if judge not in judge_index:
            raise ValueError(f"the conflict {pair!r} names an unknown judge {judge!r} (pairs are (judge, entry))")
        if entry not in entry_index:
            raise ValueError(f"the conflict {pair!r} names an unknown entry {entry!r} (pairs are (judge, entry))")
        blocked[entry_index[entry]].add(judge_index[judge])
    return blocked


def lowest_possible_load(total: int, limits: Sequence[int]) -> int:
    """The smallest L with sum(min(L, limit)) >= total: no assignment can have a smaller largest load.
    Returns max(limits) when even that is not enough (then nothing is)."""
    low, high = -(-total // len(limits)) if limits else 0, max(limits, default=0)
    if low >= high:
        return high
    while low < high:
        middle = (low + high) // 2
        if sum(min(middle, limit) for limit in limits) >= total:
            high = middle
        else:
            low = middle + 1
    return low


class _Flow:
    """The flow as an assignment: ``judges_of[e]`` the judges entry e has, ``entries_of[j]`` the
    entries judge j has (the reverse arcs), ``room[j]`` what j may still take at the current L."""

    def __init__(self, allowed: list[list[int]], limits: list[int], per_entry: int, level: int):
        self.allowed = allowed
        self.limits = limits
        self.level = level
        self.judges_of: list[set[int]] = [set() for _ in allowed]
        self.entries_of: list[set[int]] = [set() for _ in limits]
        self.missing = [per_entry] * len(allowed)
        self.room = [min(level, limit) for limit in limits]
        self.short = sum(self.missing)

    def fill_in_turn(self) -> None:
        """Deal judges round-robin, each entry starting after the judge the previous one got last:
        fast, and it fills the judges evenly; Dinic's algorithm then completes it."""
        room, judges_of, entries_of = self.room, self.judges_of, self.entries_of
        turn = 0
        for entry, options in enumerate(self.allowed):
            want, count = self.missing[entry], len(options)
            start = bisect_left(options, turn)
            taken = 0
            for step in range(count):
                judge = options[(start + step) % count]
                if room[judge] > 0:
                    judges_of[entry].add(judge)
                    entries_of[judge].add(entry)
                    room[judge] -= 1
                    taken += 1
                    turn = judge + 1
                    if taken == want:
                        break
            self.missing[entry] -= taken
            self.short -= taken

    def raise_level(self, level: int) -> None:
        for judge, limit in enumerate(self.limits):
            self.room[judge] += min(level, limit) - min(self.level, limit)
        self.level = level

    def augment(self) -> tuple[list[int], list[int]] | None:
        """One phase of Dinic's algorithm: the shortest augmenting paths, as many as fit. Returns
        None when it pushed some flow, or the levels of entries and judges reachable from the
        source (the minimum cut's side) when there is no augmenting path."""
        allowed, judges_of, entries_of, room = self.allowed, self.judges_of, self.entries_of, self.room
        entry_level = [-1] * len(allowed)
        judge_level = [-1] * len(room)
        frontier = [entry for entry, missing in enumerate(self.missing) if missing]
        for entry in frontier:
            entry_level[entry] = 0
        depth, last = 0, -1
        while frontier:
            reached = []
            for entry in frontier:
                mine = judges_of[entry]
                for judge in allowed[entry]:
                    if judge_level[judge] < 0 and judge not in mine:
                        judge_level[judge] = depth + 1
                        reached.append(judge)
            if any(room[judge] > 0 for judge in reached):
                last = depth + 1
                break
            frontier = []
            for judge in reached:
                for entry in entries_of[judge]:
                    if entry_level[entry] < 0:
                        entry_level[entry] = depth + 2
                        frontier.append(entry)
            depth += 2
        if last < 0:
            return entry_level, judge_level

        # Blocking flow by depth-first search along the levels, with a current arc per node; dead
        # ends get level -2 so no later path enters them.
        next_option = [0] * len(allowed)
        next_holder: dict[int, list] = {}
        for source in [entry for entry, missing in enumerate(self.missing) if missing]:
            while self.missing[source]:
                path = [source]
                while path:
                    node = path[-1]
                    if len(path) % 2:  # an entry: on to a judge it does not have, one level down
                        level, mine, options = entry_level[node] + 1, judges_of[node], allowed[node]
                        position = next_option[node]
                        while position < len(options):
                            judge = options[position]
                            if judge_level[judge] == level and judge not in mine:
                                break
                            position += 1
                        next_option[node] = position
                        if position < len(options):
                            path.append(options[position])
                            continue
                        entry_level[node] = -2
                    elif judge_level[node] == last:  # a judge on the last level: the path ends here
                        if room[node] > 0:
                            break
                        judge_level[node] = -2
                    else:  # a judge: back along one of its entries, who will take another judge
                        level = judge_level[node] + 1
                        holders = next_holder.get(node)
                        if holders is None:
                            holders = next_holder[node] = [list(entries_of[node]), 0]
                        listed, position = holders
                        while position < len(listed):
                            entry = listed[position]
                            if entry_level[entry] == level and node in judges_of[entry]:
                                break
                            position += 1
                        holders[1] = position
                        if position < len(listed):
                            path.append(listed[position])
                            continue
                        judge_level[node] = -2
                    path.pop()  # a dead end: the node before it tries its next arc
                    if path:
                        if len(path) % 2:
                            next_option[path[-1]] += 1
                        else:
                            next_holder[path[-1]][1] += 1
                if not path:
                    break
                self._apply(path)
        return None

    def _apply(self, path: list[int]) -> None:
        """entry₀ takes judge₁, entry₁ hands judge₁ over and takes judge₂, …, the last judge one more."""
        judges_of, entries_of = self.judges_of, self.entries_of
        for position in range(0, len(path) - 1, 2):
            entry, judge = path[position], path[position + 1]
            if position:
                given_up = path[position - 1]
                judges_of[entry].discard(given_up)
                entries_of[given_up].discard(entry)
            judges_of[entry].add(judge)
            entries_of[judge].add(entry)
        self.room[path[-1]] -= 1
        self.missing[path[0]] -= 1
        self.short -= 1

    def even_out(self) -> None:
        """Move single reviews to a judge free of conflict with at least two fewer (and room under
        their own limit) until no such move is left: the largest load stays, and the loads below it
        spread out. Every move lowers the sum of the squared loads, so this ends."""
        loads = [len(entries) for entries in self.entries_of]
        beyond = len(self.allowed) + 1
        # How welcome a judge is as the new reviewer: their load, or more than any load at their limit.
        weight = [load if load < limit else beyond for load, limit in zip(loads, self.limits, strict=True)]
        moved = True
        while moved:
            moved = False
            lightest = min(weight)
            for entry, mine in enumerate(self.judges_of):
                options = self.allowed[entry]
                while True:
                    heaviest = max(sorted(mine), key=loads.__getitem__)
                    if loads[heaviest] < lightest + 2:
                        break
                    for judge in mine:  # its own judges are no target: hide them for one min()
                        weight[judge] = beyond
                    target = min(options, key=weight.__getitem__)
                    for judge in mine:
                        weight[judge] = loads[judge] if loads[judge] < self.limits[judge] else beyond
                    if target in mine or loads[target] > loads[heaviest] - 2 or loads[target] >= self.limits[target]:
                        break
                    mine.discard(heaviest)
                    mine.add(target)
                    self.entries_of[heaviest].discard(entry)
                    self.entries_of[target].add(entry)
                    loads[heaviest] -= 1
                    loads[target] += 1
                    weight[heaviest] = loads[heaviest]
                    weight[target] = loads[target] if loads[target] < self.limits[target] else beyond
                    moved = True


def _level_needed(flow: _Flow, judge_level: list[int]) -> int | None:
    """The smallest L that the minimum cut of the failed attempt allows, or None if none does.

    The judges reachable from the source are all full; raising L to L' adds min(L', limit) − L for
    each of them to the cut, and the flow can never exceed the cut."""
    level = flow.level
    growable = [flow.limits[judge] for judge, reached in enumerate(judge_level)
                if reached >= 0 and flow.limits[judge] > level]
    needed = flow.short
    if sum(limit - level for limit in growable) < needed:
        return None
    low, high = level + 1, max(growable)
    while low < high:
        middle = (low + high) // 2
        if sum(min(middle, limit) - level for limit in growable) >= needed:
            high = middle
        else:
            low = middle + 1
    return low


def _unservable(flow: _Flow, entries: Sequence[Entry], entry_level: list[int], per_entry: int) -> NoValidAssignment:
    group = [number for number, reached in enumerate(entry_level) if reached >= 0]
    entry = next(number for number in group if flow.missing[number])
    reachable = [0] * len(flow.limits)
    for number in group:
        for judge in flow.allowed[number]:
            reachable[judge] += 1
    supply = sum(min(count, limit) for count, limit in zip(reachable, flow.limits, strict=True))
    others = len(group) - 1
    if others:
        message = (f"entry {entries[entry]!r} cannot be served: it and {others} other "
                   f"{'entry' if others == 1 else 'entries'} competing for the same judges need "
                   f"{per_entry * len(group)} reviews, but those judges may give at most {supply}")
    else:
        message = (f"entry {entries[entry]!r} cannot be served: it needs {per_entry} reviews, but the judges "
                   f"free to review it may give at most {supply}")
    return NoValidAssignment(message, entries[entry], [entries[number] for number in group])


def assign_reviews(entries: Iterable[Entry], judges: Iterable[Judge], per_entry: int,
                   conflicts: Iterable[tuple[Judge, Entry]] = (),
                   max_load: int | Mapping[Judge, int] | None = None) -> dict[Entry, list[Judge]]:
    """Give every entry ``per_entry`` distinct judges with no conflict of interest.

    ``conflicts`` holds (judge, entry) pairs that must not meet; ``max_load`` caps how many entries a
    judge reviews (one number, a number per judge, or None for no cap). Of all assignments that
    satisfy these, the result is one whose largest judge load is the smallest possible, and the
    loads below it are spread out: no review could move to a judge free to take it who has two
    fewer. It maps each entry, in input order, to its judges in the order of ``judges``; the same
    input gives the same result. Raises :class:`NoValidAssignment` (a
    ValueError) naming an entry that cannot be served when no assignment exists, and ValueError
    for malformed input.
    """
    entries, judges = list(entries), list(judges)
    entry_index, judge_index = _distinct(entries, "entry"), _distinct(judges, "judge")
    if not _whole(per_entry, 1):
        raise ValueError(f"per_entry must be a whole number >= 1, not {per_entry!r}")
    limits = _limits(judges, max_load, len(entries))
    blocked = _blocked(conflicts, judge_index, entry_index)
    available = [judge for judge, limit in enumerate(limits) if limit > 0]
    allowed = [[judge for judge in available if judge not in conflicted] for conflicted in blocked]
    for number, options in enumerate(allowed):
        if len(options) < per_entry:
            raise NoValidAssignment(
                f"entry {entries[number]!r} cannot be served: it needs {per_entry} judges but only "
                f"{len(options)} are available without a conflict of interest", entries[number], [entries[number]])
    if not entries:
        return {}

    total = per_entry * len(entries)
    flow = _Flow(allowed, limits, per_entry, lowest_possible_load(total, limits))
    flow.fill_in_turn()
    while flow.short:
        cut = flow.augment()
        if cut is None:
            continue
        entry_level, judge_level = cut
        level = _level_needed(flow, judge_level)
        if level is None:
            raise _unservable(flow, entries, entry_level, per_entry)
        flow.raise_level(level)
    flow.even_out()
    return {entry: [judges[judge] for judge in sorted(flow.judges_of[number])]
            for number, entry in enumerate(entries)}
