"""A booth's ranking of the candidates who ranked it: the one function that orders them.

The matching run and the employer's ranking page both call ``rank_booth``, so the order, sort keys
and fit-score parts an employer sees are the ones the engine used (for the candidates the employer
may see: the page passes only those, the run passes everyone).

The order, best first: the booth's shortlist ranks (1 is the best), then everyone else by fit score,
highest first. Ascending ``sort_key`` is that order: ``(0, rank, 0.0)`` for a shortlist rank,
``(1, 0, -score)`` otherwise; equal keys are ties, broken by the caller's tie order (the run's
seeded lottery; candidate id on the page, which means nothing). Candidates the booth marked as not
acceptable are ranked too, but returned apart: the engine never matches them to the booth.

Pure Python: no Flask or database imports. The scores are ``fitscore``'s, each part computed once per
booth and distinct value of the fact it reads (a fair has a million ranked booths, with few distinct
degrees, majors or skill counts per booth).
"""
from __future__ import annotations

import random
from collections.abc import Callable, Collection, Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from eventsapp.matchmaking.fitscore import CRITERIA, BoothWants, CandidateFacts, part, total

SHORTLISTED, BY_SCORE = 0, 1
_KEY_BITS = 40  # an internal key packs (group and rank or score, tie number) into one int
_TIE_MASK = (1 << _KEY_BITS) - 1
_SCORE_CEILING = 10 ** 9  # scores have 4 decimals and are at most 50 (5 weights of at most 10)
NO_FACTS = CandidateFacts()
NO_WANTS = BoothWants()


def sort_key(shortlist_rank: int | None, score: float) -> tuple[int, int, float]:
    """A booth's order of candidates, ascending: its shortlist ranks first, then the fit score,
    highest first. Equal keys are ties."""
    if shortlist_rank is not None:
        return (SHORTLISTED, shortlist_rank, 0.0)
    return (BY_SCORE, 0, -score)


class Fit(NamedTuple):
    """A candidate's fit score at a booth and each criterion's part of it (in CRITERIA order)."""

    score: float
    parts: dict[str, float]


class Ranked(NamedTuple):
    """One candidate in a booth's ranking."""

    candidate_id: int
    sort_key: tuple[int, int, float]
    fit: Fit
    shortlist_rank: int | None

    @property
    def score(self) -> float:
        return self.fit.score

    @property
    def parts(self) -> dict[str, float]:
        return self.fit.parts


class BoothOrder:
    """A booth's ranking: ``ranked`` is the booth's order, best first (what the engine gets);
    ``excluded`` the candidates marked not acceptable, in the same order."""

    def __init__(self, ranked: list[tuple], excluded: list[tuple]):
        self._ranked, self._excluded = ranked, excluded  # sorted (key, Ranked's fields...) rows

    def candidate_ids(self) -> list[int]:
        """The ranked candidates' ids, best first (without building a Ranked per candidate: a run
        ranks a million pairs)."""
        return [row[1] for row in self._ranked]

    @cached_property
    def ranked(self) -> list[Ranked]:
        return [Ranked._make(row[1:]) for row in self._ranked]

    @cached_property
    def excluded(self) -> list[Ranked]:
        return [Ranked._make(row[1:]) for row in self._excluded]


def _fit_function(wants: BoothWants, weights: Mapping[str, int]) -> Callable[[CandidateFacts], tuple]:
    """facts → (the fit, its place among scores: smaller is better, its sort key), each part
    computed once per distinct value of the fact it reads, each fit once per distinct set of parts."""
    wanted = wants.skills
    memo: dict[str, dict] = {name: {} for name in CRITERIA}
    degree_parts, major_parts, skills_parts = memo["degree"], memo["major"], memo["skills"]
    year_parts, talent_parts = memo["graduation_year"], memo["talent_class"]
    fits: dict[tuple, tuple[Fit, int, tuple[int, int, float]]] = {}

    def compute(criterion: str, key, facts: CandidateFacts) -> float:
        value = memo[criterion][key] = part(criterion, facts, wants, weights)
        return value

    def fit_of(facts: CandidateFacts) -> tuple[Fit, int, tuple[int, int, float]]:
        degree = degree_parts.get(facts.degree)
        if degree is None:
            degree = compute("degree", facts.degree, facts)
        major = major_parts.get(facts.major)
        if major is None:
            major = compute("major", facts.major, facts)
        common = len(facts.skills & wanted)
        skills = skills_parts.get(common)
        if skills is None:
            skills = compute("skills", common, facts)
        year = year_parts.get(facts.graduation_year)
        if year is None:
            year = compute("graduation_year", facts.graduation_year, facts)
        talent = talent_parts.get(facts.talent_class)
        if talent is None:
            talent = compute("talent_class", facts.talent_class, facts)
        parts = (degree, major, skills, year, talent)
        found = fits.get(parts)
        if found is None:
            named = dict(zip(CRITERIA, parts, strict=True))
            score = total(named)
            found = fits[parts] = (Fit(score, named), (1 << _KEY_BITS) + _SCORE_CEILING - round(score * 10_000),
                                   sort_key(None, score))
        return found
    return fit_of


def rank_booth(candidate_ids: Iterable[int], wants: BoothWants, weights: Mapping[str, int],
               facts: Mapping[int, CandidateFacts], shortlist_ranks: Mapping[int, int],
               excluded: Container[int] = (), tie_order: Mapping[int, int] | None = None) -> BoothOrder:
    """Rank the candidates who ranked a booth, best first.

    ``facts``: candidate id → what the fit score reads (missing: fits nothing). ``shortlist_ranks``:
    candidate id → the booth's shortlist rank (None or missing: by score). ``excluded``: candidate
    ids the booth marked as not acceptable. ``tie_order``: candidate id → a number that breaks ties
    (smaller first; default the candidate id); every candidate must have one.
    """
    fit_of = _fit_function(wants, weights)
    most = _TIE_MASK
    keyed: list[tuple] = []
    left_out: list[tuple] = []
    get_facts, get_rank = facts.get, shortlist_ranks.get
    for candidate_id in candidate_ids:
        fit, primary, key = fit_of(get_facts(candidate_id, NO_FACTS))
        rank = get_rank(candidate_id)
        if rank is not None:
            primary, key = min(rank, most), sort_key(rank, fit.score)
        row = ((primary << _KEY_BITS) | (candidate_id if tie_order is None else tie_order[candidate_id]),
               candidate_id, key, fit, rank)
        (left_out if candidate_id in excluded else keyed).append(row)
    keyed.sort(key=_FIRST)
    left_out.sort(key=_FIRST)
    return BoothOrder(keyed, left_out)


_FIRST = itemgetter(0)


@dataclass
class MatchingInputs:
    """What the booths' rankings are made from, as plain data (read by matchmaking.inputs)."""

    choices: dict[int, list[int]]  # candidate id → booth ids, most wanted first
    facts: dict[int, CandidateFacts]  # candidate id → what the fit score reads
    wants: dict[int, BoothWants]  # booth id → what its openings ask for
    shortlist_ranks: dict[int, dict[int, int]]  # booth id → candidate id → shortlist rank
    excluded: dict[int, set[int]]  # booth id → candidates marked not acceptable
    weights: dict[str, int]
    booth_ids: set[int] | None = None  # the booths read (None: every active booth of the fair)
    fans: dict[int, list[int]] = field(init=False)  # booth id → the candidates who ranked it, by candidate id

    def __post_init__(self):
        fans: dict[int, list[int]] = {}
        only = self.booth_ids
        for candidate_id, booths in self.choices.items():
            for booth_id in booths:
                if only is None or booth_id in only:
                    fans.setdefault(booth_id, []).append(candidate_id)
        self.fans = fans

    def booth_order(self, booth_id: int, tie_order: Mapping[int, int] | None = None) -> BoothOrder:
        """The booth's ranking of the candidates who ranked it (see ``rank_booth``)."""
        return rank_booth(self.fans.get(booth_id, ()), self.wants.get(booth_id, NO_WANTS), self.weights, self.facts,
                          self.shortlist_ranks.get(booth_id, {}), self.excluded.get(booth_id, ()), tie_order)

    def pairs(self, by_booth: Mapping[int, Collection[int]]) -> int:
        """How many of these (booth → candidates) pairs are of a candidate who ranked that booth."""
        choices = self.choices
        return sum(1 for booth_id, candidate_ids in by_booth.items() for candidate_id in candidate_ids
                   if booth_id in choices.get(candidate_id, ()))


def lottery_of(candidate_ids: Iterable[int], seed: int) -> list[int]:
    """A run's lottery: the candidates in a random order drawn from the seed (first = luckiest),
    one draw for the whole run, used at every booth."""
    order = sorted(candidate_ids)
    random.Random(seed).shuffle(order)
    return order
