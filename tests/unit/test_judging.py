"""The judging engine: assignments checked on properties for every input (hypothesis), against brute
force on tiny contests and an independent max-flow on bigger ones; scores against hand-worked sums."""
from __future__ import annotations

import itertools
import math
import random
from collections import Counter, deque
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsapp.judging import (
    METHODS,
    HandChangeRefused,
    Issue,
    NoValidAssignment,
    Problem,
    aggregate,
    assign_reviews,
    check_hand_assignment,
    lowest_possible_load,
    score_details,
    score_details_of_totals,
    sheet_total,
    sheet_totals,
    validate_assignment,
)

# --- Assignment: helpers that know nothing of the engine -------------------------------------------

def limit_of(max_load, judge, entries):
    if max_load is None:
        return entries
    return max_load[judge] if isinstance(max_load, dict) else max_load


def check_valid(result, entries, judges, per_entry, conflicts, max_load):
    """Every entry exactly per_entry distinct judges of the round, none conflicted, no judge over the limit."""
    assert list(result) == list(entries)
    for entry, chosen in result.items():
        assert len(chosen) == per_entry == len(set(chosen))
        assert set(chosen) <= set(judges)
        assert not any((judge, entry) in conflicts for judge in chosen)
    loads = Counter(judge for chosen in result.values() for judge in chosen)
    assert all(loads[judge] <= limit_of(max_load, judge, len(entries)) for judge in judges)
    return loads


def brute_force_best(entries, judges, per_entry, conflicts, max_load):
    """The smallest largest load over every valid assignment, or None if there is none."""
    options = [[combo for combo in itertools.combinations(judges, per_entry)
                if not any((judge, entry) in conflicts for judge in combo)] for entry in entries]
    best = None
    for choice in itertools.product(*options):
        loads = Counter(judge for combo in choice for judge in combo)
        if any(loads[judge] > limit_of(max_load, judge, len(entries)) for judge in loads):
            continue
        largest = max(loads.values(), default=0)
        best = largest if best is None else min(best, largest)
    return best


def feasible_by_edmonds_karp(entries, judges, per_entry, conflicts, max_load, level):
    """Whether every entry can get per_entry judges with no judge above min(level, limit):
    a plain Edmonds–Karp max flow on a dictionary of residual capacities."""
    capacity: dict = {"source": {}, "sink": {}}

    def arc(tail, head, amount):
        capacity.setdefault(tail, {})[head] = amount
        capacity.setdefault(head, {}).setdefault(tail, 0)

    for entry in entries:
        arc("source", ("entry", entry), per_entry)
        for judge in judges:
            if (judge, entry) not in conflicts:
                arc(("entry", entry), ("judge", judge), 1)
    for judge in judges:
        arc(("judge", judge), "sink", min(level, limit_of(max_load, judge, len(entries))))
    flow = 0
    while True:
        before = {"source": None}
        queue = deque(["source"])
        while queue and "sink" not in before:
            node = queue.popleft()
            for head, left in capacity[node].items():
                if left > 0 and head not in before:
                    before[head] = node
                    queue.append(head)
        if "sink" not in before:
            return flow == per_entry * len(entries)
        node = "sink"
        while before[node] is not None:
            capacity[before[node]][node] -= 1
            capacity[node][before[node]] += 1
            node = before[node]
        flow += 1


def violates_hall(group, judges, per_entry, conflicts, max_load, entries):
    """The group needs more reviews than the judges who may review it can give: it cannot be served."""
    supply = sum(min(limit_of(max_load, judge, len(entries)),
                     sum(1 for entry in group if (judge, entry) not in conflicts)) for judge in judges)
    return per_entry * len(group) > supply


def no_review_can_move_to_a_much_lighter_judge(result, judges, conflicts, max_load, entries, loads):
    for entry, chosen in result.items():
        for judge in chosen:
            for other in judges:
                if other in chosen or (other, entry) in conflicts:
                    continue
                if loads[other] < limit_of(max_load, other, len(entries)) and loads[other] <= loads[judge] - 2:
                    return False
    return True


@st.composite
def contests(draw, max_entries=5, max_judges=4, max_per_entry=3, with_conflicts=True):
    entries = [f"e{n}" for n in range(draw(st.integers(0, max_entries)))]
    judges = [f"j{n}" for n in range(draw(st.integers(1, max_judges)))]
    per_entry = draw(st.integers(1, min(max_per_entry, len(judges))))
    pairs = [(judge, entry) for judge in judges for entry in entries]
    conflicts = set(draw(st.lists(st.sampled_from(pairs), unique=True))) if pairs and with_conflicts else set()
    kind = draw(st.sampled_from(["none", "number", "mapping"]))
    if kind == "none":
        max_load = None
    elif kind == "number":
        max_load = draw(st.integers(0, len(entries) + 1))
    else:
        max_load = {judge: draw(st.integers(0, len(entries) + 1)) for judge in judges}
    return entries, judges, per_entry, conflicts, max_load


# --- Assignment: properties -------------------------------------------------------------------------

@given(contests())
@settings(max_examples=400, deadline=None)
def test_tiny_contests_get_the_brute_force_optimum_or_an_error_naming_an_entry_that_cannot_be_served(contest):
    entries, judges, per_entry, conflicts, max_load = contest
    best = brute_force_best(entries, judges, per_entry, conflicts, max_load)
    try:
        result = assign_reviews(entries, judges, per_entry, conflicts, max_load)
    except NoValidAssignment as error:
        assert best is None
        assert error.entry in error.group
        assert repr(error.entry) in str(error)
        assert violates_hall(error.group, judges, per_entry, conflicts, max_load, entries)
        return
    assert best is not None
    loads = check_valid(result, entries, judges, per_entry, conflicts, max_load)
    assert max(loads.values(), default=0) == best
    assert no_review_can_move_to_a_much_lighter_judge(result, judges, conflicts, max_load, entries, loads)


def test_two_thousand_seeded_tiny_contests_agree_with_brute_force():
    # Hypothesis shrinks well but samples dense conflicts and tight limits rarely; this sweep does.
    rng = random.Random(2026)
    for _ in range(2000):
        entries = list(range(rng.randint(1, 5)))
        judges = [f"j{n}" for n in range(rng.randint(1, 4))]
        per_entry = rng.randint(1, min(3, len(judges)))
        conflicts = {(judge, entry) for judge in judges for entry in entries if rng.random() < 0.3}
        max_load = {judge: rng.choice([0, 1, 2, 3, len(entries)]) for judge in judges}
        best = brute_force_best(entries, judges, per_entry, conflicts, max_load)
        if best is None:
            with pytest.raises(NoValidAssignment):
                assign_reviews(entries, judges, per_entry, conflicts, max_load)
            continue
        result = assign_reviews(entries, judges, per_entry, conflicts, max_load)
        loads = check_valid(result, entries, judges, per_entry, conflicts, max_load)
        assert max(loads.values()) == best, (entries, judges, per_entry, conflicts, max_load)


@given(contests(max_entries=40, max_judges=12, max_per_entry=4, with_conflicts=False),
       st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_bigger_contests_reach_the_smallest_largest_load_an_independent_max_flow_allows(contest, rng):
    entries, judges, per_entry, _, max_load = contest
    # Conflicts drawn pair by pair would be few at this size: a random share, up to a half.
    share = rng.random() / 2
    conflicts = {(judge, entry) for judge in judges for entry in entries if rng.random() < share}
    feasible = feasible_by_edmonds_karp(entries, judges, per_entry, conflicts, max_load, len(entries))
    try:
        result = assign_reviews(entries, judges, per_entry, conflicts, max_load)
    except NoValidAssignment as error:
        assert not feasible
        assert violates_hall(error.group, judges, per_entry, conflicts, max_load, entries)
        return
    assert feasible
    loads = check_valid(result, entries, judges, per_entry, conflicts, max_load)
    largest = max(loads.values(), default=0)
    limits = [limit_of(max_load, judge, len(entries)) for judge in judges]
    total = per_entry * len(entries)
    assert largest >= math.ceil(total / len(judges))
    assert sum(min(largest, limit) for limit in limits) >= total
    if largest:
        assert not feasible_by_edmonds_karp(entries, judges, per_entry, conflicts, max_load, largest - 1)
    assert no_review_can_move_to_a_much_lighter_judge(result, judges, conflicts, max_load, entries, loads)


@given(contests(max_entries=12, max_judges=6))
@settings(max_examples=100, deadline=None)
def test_the_same_input_gives_the_same_assignment(contest):
    entries, judges, per_entry, conflicts, max_load = contest
    try:
        first = assign_reviews(entries, judges, per_entry, sorted(conflicts), max_load)
    except NoValidAssignment as error:
        with pytest.raises(NoValidAssignment) as again:
            assign_reviews(entries, judges, per_entry, sorted(conflicts), max_load)
        assert (again.value.entry, again.value.group) == (error.entry, error.group)
        return
    assert assign_reviews(list(entries), tuple(judges), per_entry, sorted(conflicts), max_load) == first


def test_a_benchmark_sized_contest_is_balanced_and_valid():
    rng = random.Random(14)
    entries, judges = range(600), [f"judge {n}" for n in range(60)]
    conflicts = {(judge, entry) for entry in entries for judge in judges if rng.random() < 0.05}
    result = assign_reviews(entries, judges, 5, conflicts)
    loads = check_valid(result, list(entries), judges, 5, conflicts, None)
    assert set(loads.values()) == {50}  # 3,000 reviews over 60 judges: exactly even


# --- Assignment: examples ---------------------------------------------------------------------------

def test_judges_are_spread_evenly_and_listed_in_the_order_given():
    result = assign_reviews(["a", "b", "c", "d"], ["Zhou", "Wu", "Zheng"], 2)
    assert list(result) == ["a", "b", "c", "d"]
    loads = Counter(judge for chosen in result.values() for judge in chosen)
    assert sorted(loads.values()) == [2, 3, 3]
    for chosen in result.values():
        assert chosen == [judge for judge in ["Zhou", "Wu", "Zheng"] if judge in chosen]


def test_conflicts_push_the_largest_load_up_to_what_they_force():
    # Entries 1–4 can only be judged by Zhou: Zhou takes four, the other two entries go elsewhere.
    entries = [1, 2, 3, 4, 5, 6]
    conflicts = {(judge, entry) for entry in (1, 2, 3, 4) for judge in ("Wu", "Zheng")}
    result = assign_reviews(entries, ["Zhou", "Wu", "Zheng"], 1, conflicts)
    assert all(result[entry] == ["Zhou"] for entry in (1, 2, 3, 4))
    assert sorted([result[5][0], result[6][0]]) == ["Wu", "Zheng"]  # not Zhou again


def test_max_load_as_a_number_and_as_a_mapping():
    entries = list(range(6))
    result = assign_reviews(entries, ["A", "B", "C"], 2, max_load={"A": 1, "B": 6, "C": 6})
    loads = Counter(judge for chosen in result.values() for judge in chosen)
    assert loads["A"] == 1 and sorted([loads["B"], loads["C"]]) == [5, 6]
    result = assign_reviews(entries, ["A", "B", "C"], 2, max_load={"A": 0, "B": 6, "C": 6})
    assert all(chosen == ["B", "C"] for chosen in result.values())  # a judge with 0 is not used
    with pytest.raises(NoValidAssignment, match="cannot be served"):
        assign_reviews(entries, ["A", "B", "C"], 2, max_load=3)  # 12 reviews, 9 places
    assert assign_reviews(entries, ["A", "B", "C"], 2, max_load=4)


def test_an_entry_with_too_few_judges_free_of_conflict_is_named():
    conflicts = {("A", "startup"), ("B", "startup")}
    with pytest.raises(NoValidAssignment, match="'startup' cannot be served: it needs 2 judges but only 1") as error:
        assign_reviews(["robot", "startup"], ["A", "B", "C"], 2, conflicts)
    assert error.value.entry == "startup"
    assert isinstance(error.value, ValueError)


def test_entries_that_share_one_overloaded_judge_are_named_from_the_minimum_cut():
    # Three entries can only be judged by A, who takes two; entry "free" is not part of the problem.
    conflicts = {("B", entry) for entry in ("x", "y", "z")}
    message = "and 2 other entries competing for the same judges need 3 reviews, but those judges may give at most 2"
    with pytest.raises(NoValidAssignment, match=message) as error:
        assign_reviews(["free", "x", "y", "z"], ["A", "B"], 1, conflicts, {"A": 2, "B": 5})
    assert error.value.entry in ("x", "y", "z")
    assert set(error.value.group) == {"x", "y", "z"}


def test_no_entries_need_no_judges():
    assert assign_reviews([], ["A"], 2) == {}
    assert assign_reviews([], [], 1) == {}


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((["a"], ["A"], 0), {}, "per_entry"),
    ((["a"], ["A"], True), {}, "per_entry"),
    ((["a"], ["A"], 1.0), {}, "per_entry"),
    ((["a", "a"], ["A"], 1), {}, "entry 'a' is listed twice"),
    ((["a"], ["A", "A"], 1), {}, "judge 'A' is listed twice"),
    ((["a"], ["A"], 1), {"conflicts": [("a", "A")]}, "unknown judge 'a'"),
    ((["a"], ["A"], 1), {"conflicts": [("A", "b")]}, "unknown entry 'b'"),
    ((["a"], ["A"], 1), {"conflicts": ["A"]}, "pair"),
    ((["a"], ["A"], 1), {"max_load": -1}, "max_load"),
    ((["a"], ["A"], 1), {"max_load": "2"}, "max_load"),
    ((["a"], ["A", "B"], 1), {"max_load": {"A": 1}}, "no limit for judge 'B'"),
    ((["a"], ["A"], 1), {"max_load": {"A": -1}}, "max_load of judge 'A'"),
])
def test_bad_assignment_input_is_a_clear_value_error(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        assign_reviews(*args, **kwargs)


def test_the_lower_bound_counts_judges_at_their_limit():
    assert lowest_possible_load(10, [5, 5]) == 5
    assert lowest_possible_load(10, [1, 20, 20]) == 5  # 1 + 5 + 5 ≥ 10, 1 + 4 + 4 is not
    assert lowest_possible_load(10, [1, 2]) == 2  # nothing is enough: the largest limit


# --- Hand changes -----------------------------------------------------------------------------------

JUDGES = ["Zhou", "Wu", "Zheng"]
ASSIGNED = {"robot": ["Zhou", "Wu"], "drone": ["Wu", "Zheng"], "chip": ["Zhou", "Zheng"]}


def test_a_hand_change_that_creates_no_problem_is_applied_to_a_copy():
    changed = check_hand_assignment(ASSIGNED, "robot", ["Zhou", "Zheng"], JUDGES, max_load=3)
    assert changed["robot"] == ["Zhou", "Zheng"]
    assert ASSIGNED["robot"] == ["Zhou", "Wu"]
    assert check_hand_assignment(ASSIGNED, "robot", ["Zhou"], JUDGES)["robot"] == ["Zhou"]  # short is allowed


@pytest.mark.parametrize(("new_judges", "kwargs", "problem"), [
    (["Zhou", "Zheng"], {"conflicts": {("Zheng", "robot")}}, Problem(Issue.CONFLICT, "robot", "Zheng")),
    (["Zhou", "Zhou"], {}, Problem(Issue.DUPLICATE_JUDGE, "robot", "Zhou")),
    (["Zhou", "Li"], {}, Problem(Issue.UNKNOWN_JUDGE, "robot", "Li")),
    (["Zhou", "Zheng"], {"max_load": 2}, Problem(Issue.OVERLOAD, None, "Zheng", 3, 2)),
    (["Zhou", "Zheng"], {"max_load": {"Zheng": 2}}, Problem(Issue.OVERLOAD, None, "Zheng", 3, 2)),
])
def test_a_hand_change_that_creates_a_problem_is_refused(new_judges, kwargs, problem):
    with pytest.raises(HandChangeRefused) as refused:
        check_hand_assignment(ASSIGNED, "robot", new_judges, JUDGES, **kwargs)
    assert refused.value.problems == (problem,)
    assert isinstance(refused.value, ValueError)


def test_problems_already_there_do_not_block_a_change_that_fixes_another_entry():
    conflicts = {("Wu", "drone"), ("Zhou", "chip")}  # both declared after the assignment was made
    changed = check_hand_assignment(ASSIGNED, "drone", ["Zhou", "Zheng"], JUDGES, conflicts, max_load=3)
    assert validate_assignment(changed, JUDGES, conflicts) == [Problem(Issue.CONFLICT, "chip", "Zhou")]
    # A judge already over a limit lowered since may lose an entry, but not gain one.
    assert check_hand_assignment(ASSIGNED, "robot", ["Wu"], JUDGES, max_load=1)
    with pytest.raises(HandChangeRefused, match="would review 3 entries, more than their limit of 1"):
        check_hand_assignment(ASSIGNED, "robot", ["Zhou", "Zheng"], JUDGES, max_load=1)


def test_validation_lists_every_problem_in_order():
    assignment = {"robot": ["Zhou", "Zhou"], "drone": ["Li"], "chip": ["Wu", "Zhou"]}
    problems = validate_assignment(assignment, JUDGES, {("Wu", "chip")}, max_load={"Zhou": 2}, per_entry=2)
    assert problems == [
        Problem(Issue.DUPLICATE_JUDGE, "robot", "Zhou"),
        Problem(Issue.TOO_FEW_JUDGES, "robot", count=1, limit=2),
        Problem(Issue.UNKNOWN_JUDGE, "drone", "Li"),
        Problem(Issue.TOO_FEW_JUDGES, "drone", count=1, limit=2),
        Problem(Issue.CONFLICT, "chip", "Wu"),
    ]
    assert validate_assignment(assign_reviews(ASSIGNED, JUDGES, 2), JUDGES, per_entry=2) == []


# --- Scores -----------------------------------------------------------------------------------------

ONE_HUNDRED = {"overall": (1, 100)}  # a sheet's total is its points


def sheets_of(**given):
    """sheets_of(A=[("Zhou", 90), ...]) → {("Zhou", "A"): {"overall": 90}, ...}"""
    return {(judge, entry): {"overall": points} for entry, marks in given.items() for judge, points in marks}


def test_a_sheet_total_is_the_weighted_share_of_the_maximum_on_a_scale_of_100():
    criteria = {"idea": (2, 10), "team": (1, 5)}
    assert sheet_total({"idea": 8, "team": 4}, criteria) == pytest.approx(100 * (2 * 8 / 10 + 1 * 4 / 5) / 3)
    assert sheet_total({"idea": 8, "team": 4}, criteria) == pytest.approx(80)
    assert sheet_total({"idea": 10, "team": 5}, criteria) == 100
    assert sheet_total({"idea": 0, "team": 0}, criteria) == 0
    assert sheet_total({"idea": Decimal("7.5"), "team": Fraction(5, 2)}, criteria) == pytest.approx(100 * 2 / 3)
    # A weight of 0 keeps a criterion on the sheet without counting it.
    assert sheet_total({"idea": 5, "team": 0}, {"idea": (1, 10), "team": (0, 5)}) == 50


def test_the_mean_ranks_equal_scores_together_1_2_2_4():
    sheets = sheets_of(A=[("Zhou", 90)], B=[("Zhou", 70), ("Wu", 90)], C=[("Wu", 80)], D=[("Zheng", 60)])
    assert aggregate(sheets, ONE_HUNDRED) == [("A", 90, 1), ("B", 80, 2), ("C", 80, 2), ("D", 60, 4)]
    assert aggregate(sheets, ONE_HUNDRED, "mean") == aggregate(sheets, ONE_HUNDRED)


def test_scores_equal_but_for_float_rounding_share_a_rank():
    # A's mean of 1/3 and 2/3 of the maximum is 49.99999999999999 in floats; B's 1.5 of 3 is 50.0.
    sheets = {("Zhou", "A"): {"x": 1}, ("Wu", "A"): {"x": 2}, ("Zhou", "B"): {"x": 1.5}, ("Wu", "C"): {"x": 0}}
    result = aggregate(sheets, {"x": (1, 3)})
    assert result[0][1] != result[1][1]
    assert [(entry, rank) for entry, _, rank in result] == [("A", 1), ("B", 1), ("C", 3)]


def test_trimmed_drops_the_highest_and_the_lowest_only_from_five_sheets():
    four = sheets_of(A=[("j1", 10), ("j2", 50), ("j3", 60), ("j4", 100)])
    assert aggregate(four, ONE_HUNDRED, "trimmed") == [("A", 55, 1)]
    five = sheets_of(A=[("j1", 10), ("j2", 50), ("j3", 60), ("j4", 70), ("j5", 100)])
    assert aggregate(five, ONE_HUNDRED, "mean") == [("A", 58, 1)]
    assert aggregate(five, ONE_HUNDRED, "trimmed") == [("A", 60, 1)]
    # Only one of two equal highest totals is dropped.
    tied = sheets_of(A=[("j1", 10), ("j2", 100), ("j3", 40), ("j4", 100), ("j5", 70)])
    assert aggregate(tied, ONE_HUNDRED, "trimmed")[0][1] == pytest.approx(70)


def test_zscore_makes_a_harsh_judge_and_a_generous_one_count_the_same():
    # Zhou (harsh) judged A and B; Wu (generous) judged C and D. Each put the first above the second.
    sheets = sheets_of(A=[("Zhou", 50)], B=[("Zhou", 40)], C=[("Wu", 90)], D=[("Wu", 80)])
    assert [entry for entry, _, _ in aggregate(sheets, ONE_HUNDRED)] == ["C", "D", "A", "B"]
    # Each judge: mean ± 5, so z = ±1. All totals: mean 65, population deviation √425.
    high, low = 65 + math.sqrt(425), 65 - math.sqrt(425)
    result = aggregate(sheets, ONE_HUNDRED, "zscore")
    assert [(entry, rank) for entry, _, rank in result] == [("A", 1), ("C", 1), ("B", 3), ("D", 3)]
    assert [score for _, score, _ in result] == pytest.approx([high, high, low, low])


def test_zscore_gives_a_judge_with_one_sheet_or_no_spread_the_overall_mean():
    sheets = sheets_of(A=[("Zhou", 50), ("Wu", 70)], B=[("Zhou", 40), ("Wu", 70)], C=[("Zheng", 100)])
    totals = [50, 70, 40, 70, 100]
    mean = sum(totals) / 5
    deviation = math.sqrt(sum((total - mean) ** 2 for total in totals) / 5)
    scores = {entry: score for entry, score, _ in aggregate(sheets, ONE_HUNDRED, "zscore")}
    # Zhou: 50 and 40 → z = +1 and −1; Wu gave 70 twice → z = 0; Zheng has one sheet → z = 0.
    assert scores["A"] == pytest.approx(((mean + deviation) + mean) / 2)
    assert scores["B"] == pytest.approx(((mean - deviation) + mean) / 2)
    assert scores["C"] == pytest.approx(mean)


def test_zscore_ignores_a_judge_shifting_every_mark_when_judges_see_every_entry():
    fair = sheets_of(A=[("Zhou", 80), ("Wu", 60)], B=[("Zhou", 70), ("Wu", 65)], C=[("Zhou", 60), ("Wu", 40)])
    generous = {key: {"overall": points["overall"] + (30 if key[0] == "Wu" else 0)} for key, points in fair.items()}
    order = [entry for entry, _, _ in aggregate(fair, ONE_HUNDRED, "zscore")]
    assert [entry for entry, _, _ in aggregate(generous, ONE_HUNDRED, "zscore")] == order == ["A", "B", "C"]


def test_entries_without_a_sheet_are_left_out():
    assert aggregate({}, ONE_HUNDRED, "zscore") == []
    assert score_details({}, ONE_HUNDRED) == []
    assert [entry for entry, _, _ in aggregate(sheets_of(A=[("Zhou", 1)]), ONE_HUNDRED)] == ["A"]


def test_score_details_show_every_figure_and_flag_a_wide_spread():
    sheets = sheets_of(A=[("Zhou", 50), ("Wu", 90)], B=[("Zhou", 60), ("Wu", 70)])
    by_mean = score_details(sheets, ONE_HUNDRED, spread_limit=30)
    assert [(detail.entry, detail.score, detail.rank) for detail in by_mean] == aggregate(sheets, ONE_HUNDRED) == [
        ("A", 70, 1), ("B", 65, 2)]
    first = by_mean[0]
    assert (first.raw, first.trimmed, first.sheets, first.spread, first.flagged) == (70, 70, 2, 40, True)
    assert first.totals == (("Zhou", 50), ("Wu", 90))
    assert first.normalised == pytest.approx(67.5)  # z −1 from Zhou and +1 from Wu: the overall mean
    assert (by_mean[1].spread, by_mean[1].flagged) == (10, False)
    # By z-score each sheet is 67.5 ± √218.75 (the deviation of all totals): less disagreement on A.
    by_z = score_details(sheets, ONE_HUNDRED, "zscore", spread_limit=30)
    assert [(detail.entry, detail.rank) for detail in by_z] == [("A", 1), ("B", 1)]
    assert [detail.score for detail in by_z] == [detail.normalised for detail in by_z] == pytest.approx([67.5, 67.5])
    assert [detail.spread for detail in by_z] == pytest.approx([2 * math.sqrt(218.75)] * 2)
    assert not any(detail.flagged for detail in by_z)


@pytest.mark.parametrize(("sheets", "criteria", "method", "message"), [
    ({("j", "A"): {"x": 11}}, {"x": (1, 10)}, "mean", "between 0 and 10, not 11"),
    ({("j", "A"): {"x": -1}}, {"x": (1, 10)}, "mean", "between 0 and 10"),
    ({("j", "A"): {"x": float("nan")}}, {"x": (1, 10)}, "mean", "between 0 and 10, not nan"),
    ({("j", "A"): {"x": True}}, {"x": (1, 10)}, "mean", "number"),
    ({("j", "A"): {"x": "7"}}, {"x": (1, 10)}, "mean", "number"),
    ({("j", "A"): {"x": 1, "y": 2}}, {"x": (1, 10)}, "mean", "unknown criterion 'y'"),
    ({("j", "A"): {}}, {"x": (1, 10)}, "mean", "no points for criterion 'x'"),
    ({("j", "A"): {"x": 1}}, {"x": (-1, 10)}, "mean", "must not be negative"),
    ({("j", "A"): {"x": 1}}, {"x": (1, 0)}, "mean", "max_points .* must be above 0"),
    ({("j", "A"): {"x": 1}}, {"x": (0, 10)}, "mean", "add up to 0"),
    ({}, {}, "mean", "add up to 0"),
    ({("j", "A"): {"x": 1}}, {"x": 10}, "mean", "pair"),
    ({("j", "A"): {"x": 1}}, {"x": (1, float("inf"))}, "mean", "finite"),
    ({"A": {"x": 1}}, {"x": (1, 10)}, "mean", r"\(judge, entry\) pair"),
    ({("j", "A"): {"x": 1}}, {"x": (1, 10)}, "median", "unknown method 'median'"),
    ({}, {"x": (1, 10)}, "median", "unknown method"),
])
def test_bad_scores_are_a_clear_value_error(sheets, criteria, method, message):
    with pytest.raises(ValueError, match=message):
        aggregate(sheets, criteria, method)


def test_bad_spread_limits_are_refused():
    with pytest.raises(ValueError, match="spread_limit"):
        score_details({}, ONE_HUNDRED, spread_limit=-1)
    with pytest.raises(ValueError, match="method"):
        score_details({}, ONE_HUNDRED, "best")


@given(st.dictionaries(st.tuples(st.sampled_from(["j1", "j2", "j3", "j4"]), st.sampled_from("ABCDEF")),
                       st.integers(0, 10), min_size=1),
       st.sampled_from(["mean", "trimmed", "zscore"]))
@settings(max_examples=200, deadline=None)
def test_ranks_follow_scores_for_every_method(marks, method):
    sheets = {key: {"x": points} for key, points in marks.items()}
    result = aggregate(sheets, {"x": (1, 10)}, method)
    assert {entry for entry, _, _ in result} == {entry for _, entry in marks}
    for position, (_, score, rank) in enumerate(result, start=1):
        assert 0 - 1e-9 <= score <= 100 + 1e-9 or method == "zscore"
        higher = [other for _, other, _ in result if round(other, 9) > round(score, 9)]
        assert rank == len(higher) + 1 <= position


def test_the_engine_imports_nothing_from_flask_or_sqlalchemy():
    import subprocess
    import sys
    code = ("import sys, eventsapp.judging; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_score_details_in_two_steps_are_the_same_as_in_one():
    sheets = {("a", 1): {"x": 8, "y": 3}, ("b", 1): {"x": 6, "y": 9}, ("a", 2): {"x": 2, "y": 10},
              ("b", 2): {"x": 10, "y": 10}, ("c", 2): {"x": 0, "y": 5}}
    criteria = {"x": (2, 10), "y": (1, 10)}
    for method in METHODS:
        in_two_steps = score_details_of_totals(sheet_totals(sheets, criteria), method)
        assert in_two_steps == score_details(sheets, criteria, method)
    with pytest.raises(ValueError, match="unknown method"):
        score_details_of_totals([("a", 1, 50.0)], "median")
