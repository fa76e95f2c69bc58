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


@dataclass
class BoothOrder:
    ranked: list[Ranked]  # the booth's order, best first: what the engine gets
    excluded: list[Ranked]  # marked not acceptable, in the same order


def _fit_function(wants: BoothWants, weights: Mapping[str, int]) -> Callable[[CandidateFacts], tuple[Fit, int]]:
    """facts → (the fit, its place among scores: smaller is better), each part computed once per
    distinct value of the fact it reads, each fit built once per distinct set of parts."""
    wanted = wants.skills
    memo: dict[str, dict] = {name: {} for name in CRITERIA}
    degree_parts, major_parts, skills_parts = memo["degree"], memo["major"], memo["skills"]
    year_parts, talent_parts = memo["graduation_year"], memo["talent_class"]
    fits: dict[tuple, tuple[Fit, int]] = {}

    def compute(criterion: str, key, facts: CandidateFacts) -> float:
        value = memo[criterion][key] = part(criterion, facts, wants, weights)
        return value

    def fit_of(facts: CandidateFacts) -> tuple[Fit, int]:
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
            found = fits[parts] = (Fit(score, named), _SCORE_CEILING - round(score * 10_000))
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
    by_score = 1 << _KEY_BITS  # the second group: after every shortlist rank
    most = _TIE_MASK
    keyed: list[tuple[int, Ranked]] = []
    left_out: list[tuple[int, Ranked]] = []
    for candidate_id in candidate_ids:
        fit, score_place = fit_of(facts.get(candidate_id, NO_FACTS))
        rank = shortlist_ranks.get(candidate_id)
        if rank is None:
            primary, key = by_score + score_place, (BY_SCORE, 0, -fit.score)
        else:
            primary, key = min(rank, most), (SHORTLISTED, rank, 0.0)
        tie = candidate_id if tie_order is None else tie_order[candidate_id]
        item = (primary << _KEY_BITS | tie, Ranked(candidate_id, key, fit, rank))
        (left_out if candidate_id in excluded else keyed).append(item)
    keyed.sort(key=_FIRST)
    left_out.sort(key=_FIRST)
    return BoothOrder([item[1] for item in keyed], [item[1] for item in left_out])


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
