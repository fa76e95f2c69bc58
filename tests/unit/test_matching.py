"""The matching engine, tested on properties that must hold for every input (hypothesis), against
brute force on small markets, and against an independent implementation (the `matching` package)."""
from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsapp.matching import Reason, explain, minimum_slots, schedule_interviews, stable_match


@st.composite
def markets(draw, max_candidates=8, max_booths=5, max_quota=3):
    """Random markets: who ranks whom (best first), capacities and quotas."""
    candidates = [f"c{n}" for n in range(draw(st.integers(0, max_candidates)))]
    booths = [f"b{n}" for n in range(draw(st.integers(1, max_booths)))]
    candidate_prefs = {}
    for candidate in candidates:
        ranked = draw(st.permutations(booths))
        candidate_prefs[candidate] = ranked[:draw(st.integers(0, len(booths)))]
    booth_prefs = {}
    for booth in booths:
        chosen = draw(st.permutations(candidates))
        booth_prefs[booth] = chosen[:draw(st.integers(0, len(chosen)))]
    capacities = {booth: draw(st.integers(0, 3)) for booth in booths}
    quota = draw(st.integers(1, max_quota))
    return candidate_prefs, booth_prefs, capacities, quota


def blocking_pairs(candidate_prefs, booth_prefs, capacities, quota, result):
    """Pairs (c, b) who both prefer each other to what they got: a stable matching has none."""
    holders = {booth: [c for c, booths in result.items() if booth in booths] for booth in booth_prefs}
    found = []
    for candidate, booths in candidate_prefs.items():
        mine = result[candidate]
        for booth in booths:
            if booth in mine or candidate not in booth_prefs[booth]:
                continue
            wants = len(mine) < quota or any(booths.index(booth) < booths.index(other) for other in mine)
            ranking = booth_prefs[booth]
            held = holders[booth]
            booth_wants = capacities[booth] > 0 and (len(held) < capacities[booth] or any(
                ranking.index(candidate) < ranking.index(other) for other in held))
            if wants and booth_wants:
                found.append((candidate, booth))
    return found


@given(markets())
@settings(max_examples=300, deadline=None)
def test_the_result_is_stable_and_respects_capacities_quotas_and_both_lists(market):
    candidate_prefs, booth_prefs, capacities, quota = market
    result = stable_match(candidate_prefs, booth_prefs, capacities, quota)
    assert set(result) == set(candidate_prefs)
    for candidate, booths in result.items():
        assert len(booths) <= quota
        assert booths == [b for b in candidate_prefs[candidate] if b in booths]  # the candidate's order
        assert all(candidate in booth_prefs[booth] for booth in booths)  # both list each other
    for booth, capacity in capacities.items():
        assert sum(booth in booths for booths in result.values()) <= capacity
    assert blocking_pairs(candidate_prefs, booth_prefs, capacities, quota, result) == []


@given(markets(), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_the_result_does_not_depend_on_the_order_of_the_input(market, shuffler):
    candidate_prefs, booth_prefs, capacities, quota = market
    keys = list(candidate_prefs)
    shuffler.shuffle(keys)
    reordered = {key: candidate_prefs[key] for key in keys}
    assert stable_match(reordered, booth_prefs, capacities, quota) == \
        stable_match(candidate_prefs, booth_prefs, capacities, quota)


def all_stable_matchings_quota_one(candidate_prefs, booth_prefs, capacities):
    """Every stable one-booth-each matching, by brute force."""
    options = {c: [None] + [b for b in booths if c in booth_prefs[b]] for c, booths in candidate_prefs.items()}
    people = list(options)
    for choice in itertools.product(*(options[c] for c in people)):
        result = {c: ([b] if b is not None else []) for c, b in zip(people, choice, strict=True)}
        if any(sum(b == booth for b in choice) > capacities[booth] for booth in capacities):
            continue
        if not blocking_pairs(candidate_prefs, booth_prefs, capacities, 1, result):
            yield result


@given(markets(max_candidates=5, max_booths=3, max_quota=1))
@settings(max_examples=200, deadline=None)
def test_with_quota_one_every_candidate_gets_their_best_stable_partner(market):
    candidate_prefs, booth_prefs, capacities, _ = market
    result = stable_match(candidate_prefs, booth_prefs, capacities, 1)
    stable = list(all_stable_matchings_quota_one(candidate_prefs, booth_prefs, capacities))
    assert result in stable

    def place(candidate, matching):
        booths = matching[candidate]
        return candidate_prefs[candidate].index(booths[0]) if booths else len(candidate_prefs[candidate])

    for other in stable:
        assert all(place(c, result) <= place(c, other) for c in candidate_prefs)


def random_market(rng: random.Random, candidates: int, booths: int, ranked: int):
    names = [f"b{n}" for n in range(booths)]
    candidate_prefs = {f"c{n}": rng.sample(names, min(ranked, booths)) for n in range(candidates)}
    fans: dict[str, list[str]] = {b: [] for b in names}
    for candidate, chosen in candidate_prefs.items():
        for booth in chosen:
            fans[booth].append(candidate)
    booth_prefs = {booth: rng.sample(people, len(people)) for booth, people in fans.items()}
    capacities = {booth: rng.randint(1, 4) for booth in names}
    return candidate_prefs, booth_prefs, capacities


@pytest.mark.parametrize("seed", range(20))
def test_quota_one_agrees_with_the_matching_package(seed):
    from matching.games import HospitalResident

    candidate_prefs, booth_prefs, capacities = random_market(random.Random(seed), 60, 12, 4)
    ours = stable_match(candidate_prefs, booth_prefs, capacities)
    game = HospitalResident.create_from_dictionaries(candidate_prefs, booth_prefs, capacities)
    theirs = {str(resident): [] for resident in candidate_prefs}
    for hospital, residents in game.solve(optimal="resident").items():
        for resident in residents:
            theirs[str(resident)].append(str(hospital))
    assert ours == theirs


# --- Schedules ------------------------------------------------------------------------------------

@st.composite
def assignments(draw):
    candidate_prefs, booth_prefs, capacities, quota = draw(markets(max_candidates=12, max_booths=6))
    result = stable_match(candidate_prefs, booth_prefs, capacities, quota)
    interviewers = {booth: draw(st.integers(1, 3)) for booth in capacities}
    return result, interviewers


@given(assignments())
@settings(max_examples=300, deadline=None)
def test_every_interview_gets_a_slot_without_clashes_in_the_fewest_slots(case):
    assignment, interviewers = case
    slots = schedule_interviews(assignment, interviewers)
    pairs = {(c, b) for c, booths in assignment.items() for b in booths}
    assert set(slots) == pairs
    length = minimum_slots(assignment, interviewers)
    assert all(0 <= slot < length for slot in slots.values())  # exactly the lower bound
    by_candidate = {}
    for (candidate, booth), slot in slots.items():
        by_candidate.setdefault((candidate, slot), []).append(booth)
    assert all(len(booths) == 1 for booths in by_candidate.values())
    per_booth_slot: dict = {}
    for (_candidate, booth), slot in slots.items():
        per_booth_slot[(booth, slot)] = per_booth_slot.get((booth, slot), 0) + 1
    assert all(count <= interviewers[booth] for (booth, _), count in per_booth_slot.items())


def test_the_lower_bound_is_the_larger_of_candidate_load_and_booth_load():
    assignment = {"a": ["X", "Y", "Z"], "b": ["X"], "c": ["X"], "d": ["X"], "e": ["X"]}
    assert minimum_slots(assignment, 1) == 5  # booth X: five interviews, one interviewer
    assert minimum_slots(assignment, {"X": 2, "Y": 1, "Z": 1}) == 3  # now candidate a's three interviews
    assert max(schedule_interviews(assignment, {"X": 2, "Y": 1, "Z": 1}).values()) == 2


def test_a_heavy_random_schedule_is_minimal():
    rng = random.Random(7)
    candidate_prefs, booth_prefs, capacities = random_market(rng, 3000, 40, 8)
    capacities = {booth: rng.randint(20, 120) for booth in capacities}
    assignment = stable_match(candidate_prefs, booth_prefs, capacities, 3)
    interviewers = {booth: rng.randint(1, 6) for booth in capacities}
    slots = schedule_interviews(assignment, interviewers)
    assert max(slots.values()) + 1 == minimum_slots(assignment, interviewers)


# --- Explanations and bad input -----------------------------------------------------------------

def test_explanations_follow_from_the_result():
    candidate_prefs = {"li": ["A", "B", "C", "D"], "wang": ["A"], "zhao": ["B"]}
    booth_prefs = {"A": ["wang", "li"], "B": ["zhao"], "C": ["li"], "D": ["li"]}
    capacities = {"A": 1, "B": 1, "C": 0, "D": 1}
    result = stable_match(candidate_prefs, booth_prefs, capacities)
    assert result["li"] == ["D"]
    reasons = {e.booth: e for e in explain("li", candidate_prefs, booth_prefs, capacities, result)}
    assert reasons["A"].reason == Reason.FILLED_WITH_PREFERRED
    assert (reasons["A"].your_rank, reasons["A"].last_admitted_rank) == (2, 1)
    assert reasons["B"].reason == Reason.NOT_LISTED
    assert reasons["C"].reason == Reason.NO_CAPACITY
    assert reasons["D"].reason == Reason.MATCHED


def test_explaining_quota_filled():
    candidate_prefs = {"li": ["A", "B"]}
    booth_prefs = {"A": ["li"], "B": ["li"]}
    result = stable_match(candidate_prefs, booth_prefs, {"A": 1, "B": 1}, quotas=1)
    assert [e.reason for e in explain("li", candidate_prefs, booth_prefs, {"A": 1, "B": 1}, result)] == [
        Reason.MATCHED, Reason.QUOTA_FILLED]


@pytest.mark.parametrize(("candidate_prefs", "booth_prefs", "capacities", "quotas", "message"), [
    ({"a": ["X", "Nowhere"]}, {"X": ["a"]}, {"X": 1}, 1, "unknown booth"),
    ({"a": ["X", "X"]}, {"X": ["a"]}, {"X": 1}, 1, "twice"),
    ({"a": ["X"]}, {"X": ["a", "a"]}, {"X": 1}, 1, "twice"),
    ({"a": ["X"]}, {"X": ["ghost"]}, {"X": 1}, 1, "unknown candidate"),
    ({"a": ["X"]}, {"X": ["a"]}, {"X": -1}, 1, "capacity"),
    ({"a": ["X"]}, {"X": ["a"], "Y": []}, {"X": 1}, 1, "no capacity"),
    ({"a": ["X"]}, {"X": ["a"]}, {"X": 1}, -2, "quotas"),
    ({"a": ["X"]}, {"X": ["a"]}, {"X": 1}, {"a": "two"}, "quota"),
])
def test_bad_input_is_a_clear_value_error(candidate_prefs, booth_prefs, capacities, quotas, message):
    with pytest.raises(ValueError, match=message):
        stable_match(candidate_prefs, booth_prefs, capacities, quotas)


def test_schedules_refuse_bad_interviewer_counts():
    with pytest.raises(ValueError, match="interviewer"):
        schedule_interviews({"a": ["X"]}, {"X": 0})
    with pytest.raises(ValueError, match="interviewers"):
        schedule_interviews({"a": ["X"]}, 0)


def test_the_engine_imports_nothing_from_flask_or_sqlalchemy():
    import subprocess
    import sys
    code = ("import sys, eventsapp.matching; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
