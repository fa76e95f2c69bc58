"""The booth ranking as a pure function (no database, no Flask): the order, the sort keys, the parts
and the ties the runs and the employer's page both get from ``ranking.rank_booth``."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.matchmaking.fitscore import CRITERIA, DEFAULT_WEIGHTS, BoothWants, CandidateFacts, fit_score
from eventsapp.matchmaking.ranking import MatchingInputs, lottery_of, rank_booth

WANTS = BoothWants(degree=Degree.MASTER, skills=frozenset({"python", "sql"}))


def test_the_shortlist_ranks_first_then_the_score_and_exclusions_apart():
    facts = {1: CandidateFacts(degree=Degree.BACHELOR), 2: CandidateFacts(degree=Degree.PHD, skills=WANTS.skills),
             3: CandidateFacts(degree=Degree.MASTER, skills=frozenset({"python"})), 4: CandidateFacts(),
             5: CandidateFacts(degree=Degree.PHD, skills=WANTS.skills), 6: CandidateFacts()}
    order = rank_booth([1, 2, 3, 4, 5, 6], WANTS, DEFAULT_WEIGHTS, facts, {4: 2, 6: 1}, excluded={5})
    assert [row.candidate_id for row in order.ranked] == [6, 4, 2, 3, 1]
    assert [row.candidate_id for row in order.excluded] == [5]
    keys = {row.candidate_id: row.sort_key for row in order.ranked}
    assert keys[6] == (0, 1, 0.0) and keys[4] == (0, 2, 0.0)
    assert keys[2] == (1, 0, -fit_score(facts[2], WANTS, DEFAULT_WEIGHTS)[0])
    assert order.ranked[0].shortlist_rank == 1 and order.ranked[2].shortlist_rank is None


def test_a_candidate_without_facts_fits_nothing_but_what_asks_for_nothing():
    [row] = rank_booth([7], BoothWants(), DEFAULT_WEIGHTS, {}, {}).ranked
    assert (row.score, row.parts) == fit_score(CandidateFacts(), BoothWants(), DEFAULT_WEIGHTS)


def test_equal_keys_are_ordered_by_the_tie_order_or_else_the_candidate_id():
    facts = dict.fromkeys((30, 10, 20), CandidateFacts(degree=Degree.MASTER))
    assert [row.candidate_id for row in rank_booth([30, 10, 20], WANTS, DEFAULT_WEIGHTS, facts, {}).ranked] == \
        [10, 20, 30]
    lottery = {candidate_id: number for number, candidate_id in enumerate(lottery_of(facts, seed=5))}
    ranked = rank_booth([30, 10, 20], WANTS, DEFAULT_WEIGHTS, facts, {}, tie_order=lottery).ranked
    assert [row.candidate_id for row in ranked] == lottery_of(facts, seed=5)
    assert len({row.sort_key for row in ranked}) == 1


def test_the_inputs_rank_each_booth_over_those_who_ranked_it():
    inputs = MatchingInputs(
        choices={1: [10, 20], 2: [20], 3: [10]}, facts={2: CandidateFacts(talent_class=TalentClass.A)},
        wants={}, shortlist_ranks={10: {3: 1}}, excluded={20: {1}}, weights=dict(DEFAULT_WEIGHTS))
    assert [row.candidate_id for row in inputs.booth_order(10).ranked] == [3, 1]
    order = inputs.booth_order(20)
    assert ([row.candidate_id for row in order.ranked], [row.candidate_id for row in order.excluded]) == ([2], [1])
    assert inputs.booth_order(30).ranked == []
    assert (inputs.pairs(inputs.shortlist_ranks), inputs.pairs(inputs.excluded), inputs.pairs({30: {1}})) == (1, 1, 0)
    narrowed = MatchingInputs(choices=inputs.choices, facts={}, wants={}, shortlist_ranks={}, excluded={},
                              weights=dict(DEFAULT_WEIGHTS), booth_ids={20})
    assert set(narrowed.fans) == {20}


degrees = st.sampled_from([None, *Degree])
words = st.sampled_from(["python", "sql", "excel", "go", "会计", "计算机"])
facts_strategy = st.builds(
    CandidateFacts, degree=degrees, major=st.sampled_from(["", "计算机科学", "会计学", "Law"]),
    skills=st.frozensets(words, max_size=4), graduation_year=st.none() | st.integers(2020, 2030),
    talent_class=st.sampled_from([None, *TalentClass]))
wants_strategy = st.builds(
    BoothWants, degree=degrees, majors=st.frozensets(st.sampled_from(["计算机", "会计", "law"])),
    skills=st.frozensets(words, max_size=4),
    graduation_years=st.none() | st.tuples(st.integers(2020, 2025), st.integers(2025, 2030)))
weights_strategy = st.fixed_dictionaries({name: st.integers(0, 10) for name in CRITERIA})


@settings(max_examples=200, deadline=None)
@given(st.lists(facts_strategy, min_size=1, max_size=12), wants_strategy, weights_strategy,
       st.dictionaries(st.integers(0, 11), st.integers(1, 5)))
def test_every_candidate_gets_the_fit_score_of_its_own_facts_in_the_booths_order(people, wants, weights, ranks):
    """Parts are computed once per booth and distinct fact: each candidate still gets exactly
    fitscore.fit_score of their own facts, and the order follows the keys."""
    facts = dict(enumerate(people))
    order = rank_booth(facts, wants, weights, facts, ranks).ranked
    assert sorted(row.candidate_id for row in order) == list(facts)
    for row in order:
        assert (row.score, row.parts) == fit_score(facts[row.candidate_id], wants, weights)
        assert row.shortlist_rank == ranks.get(row.candidate_id)
    assert [(row.sort_key, row.candidate_id) for row in order] == sorted((row.sort_key, row.candidate_id)
                                                                         for row in order)
