"""The fit score: how well a candidate fits what a booth's openings ask for, criterion by criterion.

Employers see every part of it, so each rule is simple enough to explain in one sentence. A part is
a share from 0 to 1 multiplied by its criterion's weight; the score is the sum of the parts.

- degree: 1 when the candidate's degree meets the booth's requirement (the lowest degree any of its
  openings asks for) or the booth asks for none; 0 otherwise, also for a missing or "other" degree.
- major: 1 when the candidate's major and one of the wanted majors contain each other (ignoring
  case), or the booth names no major; 0 otherwise.
- skills: the share of the wanted skills the candidate has, |both| / |wanted| (ignoring case);
  0 when the booth names no skill.
- graduation_year: 1 when the candidate's graduation year is within the booth's range or the booth
  has no range; 0 otherwise, also for a missing year.
- talent_class: A counts 6/6, B 5/6, ... F 1/6: (7 - n) / 6 for the n-th class; none counts 0.

Pure Python: no Flask or database imports; matchmaking.ranking orders a booth's candidates with it.
Degrees and talent classes are compared by their string values (Degree and TalentClass are StrEnums).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsapp.candidates.degrees import DEGREE_LADDER

if TYPE_CHECKING:
    from eventsapp.candidates.models import Degree, TalentClass

CRITERIA = ("degree", "major", "skills", "graduation_year", "talent_class")
DEFAULT_WEIGHTS = {"degree": 3, "major": 2, "skills": 3, "graduation_year": 1, "talent_class": 1}
WEIGHT_MIN, WEIGHT_MAX = 0, 10

TALENT_CLASSES = ("A", "B", "C", "D", "E", "F")
# Lookups by value: a StrEnum member finds the entry of its string.
_DEGREE_LEVEL = {value: level for level, value in enumerate(DEGREE_LADDER)}
_TALENT_SHARE = {value: (7 - number) / 6 for number, value in enumerate(TALENT_CLASSES, start=1)}


@dataclass(frozen=True)
class CandidateFacts:
    """What the score reads from a candidate's profile."""

    degree: Degree | None = None
    major: str = ""
    skills: frozenset[str] = frozenset()  # lower-cased
    graduation_year: int | None = None
    talent_class: TalentClass | None = None


@dataclass(frozen=True)
class BoothWants:
    """What a booth's openings ask for, all together."""

    degree: Degree | None = None  # the lowest degree among its openings' requirements; None: no requirement
    majors: frozenset[str] = frozenset()  # lower-cased
    skills: frozenset[str] = frozenset()  # lower-cased
    graduation_years: tuple[int, int] | None = None  # first and last year, both included


def _tags(text: str) -> frozenset[str]:
    """Comma-separated stored tags, trimmed and lower-cased."""
    return frozenset(tag.strip().lower() for tag in (text or "").split(",") if tag.strip())


def _degree_level(degree) -> int | None:
    return _DEGREE_LEVEL.get(degree) if degree is not None else None


def booth_wants_from_openings(openings: Iterable, graduation_years: tuple[int, int] | None = None) -> BoothWants:
    """What a booth wants, from its organization's openings at the fair (objects with .degree, and
    .majors and .skills as comma-separated text).

    The degree is the lowest any opening asks for: an opening without a degree requirement (or none
    at all) means the booth has no requirement. Openings have no graduation years, so the range is
    whatever the caller passes (None: no range).
    """
    openings = list(openings)
    levels = [_degree_level(opening.degree) for opening in openings]
    degree = None
    if openings and all(level is not None for level in levels):
        degree = min(zip(levels, (opening.degree for opening in openings), strict=True))[1]
    majors = frozenset().union(*(_tags(opening.majors) for opening in openings))
    skills = frozenset().union(*(_tags(opening.skills) for opening in openings))
    return BoothWants(degree=degree, majors=majors, skills=skills, graduation_years=graduation_years)


def candidate_facts(profile) -> CandidateFacts:
    """The facts of a CandidateProfile (or None: a candidate without a profile fits nothing)."""
    if profile is None:
        return CandidateFacts()
    return CandidateFacts(
        degree=profile.degree, major=(profile.major or "").strip(),
        skills=frozenset(name.strip().lower() for name in profile.skill_names if name.strip()),
        graduation_year=profile.graduation_year, talent_class=profile.talent_class)


def degree_share(candidate: CandidateFacts, booth: BoothWants) -> float:
    if booth.degree is None:
        return 1.0
    have, need = _DEGREE_LEVEL.get(candidate.degree), _DEGREE_LEVEL.get(booth.degree)
    return 1.0 if have is not None and need is not None and have >= need else 0.0


def major_share(candidate: CandidateFacts, booth: BoothWants) -> float:
    if not booth.majors:
        return 1.0
    major = candidate.major.strip().lower()
    return 1.0 if major and any(wanted in major or major in wanted for wanted in booth.majors) else 0.0


def skills_share(candidate: CandidateFacts, booth: BoothWants) -> float:
    return len(candidate.skills & booth.skills) / len(booth.skills) if booth.skills else 0.0


def graduation_year_share(candidate: CandidateFacts, booth: BoothWants) -> float:
    years, year = booth.graduation_years, candidate.graduation_year
    return 1.0 if years is None or (year is not None and years[0] <= year <= years[1]) else 0.0


def talent_class_share(candidate: CandidateFacts, booth: BoothWants) -> float:
    return _TALENT_SHARE.get(candidate.talent_class, 0.0) if candidate.talent_class is not None else 0.0


SHARES = {"degree": degree_share, "major": major_share, "skills": skills_share,
          "graduation_year": graduation_year_share, "talent_class": talent_class_share}


def part(criterion: str, candidate: CandidateFacts, booth: BoothWants, weights: Mapping[str, int]) -> float:
    """One criterion's part of the score: its share times its weight (0 when the weights lack it),
    rounded to 4 decimals."""
    return round(SHARES[criterion](candidate, booth) * weights.get(criterion, 0), 4)


def total(parts: Mapping[str, float]) -> float:
    """The score: the sum of the parts, rounded to 4 decimals, so equal fits compare equal (ties
    are broken by the run's lottery, not by float noise)."""
    return round(parts["degree"] + parts["major"] + parts["skills"] + parts["graduation_year"]
                 + parts["talent_class"], 4)


def fit_score(candidate: CandidateFacts, booth: BoothWants,
              weights: Mapping[str, int]) -> tuple[float, dict[str, float]]:
    """The total and each criterion's part, in CRITERIA order, for one candidate at one booth.

    Booth rankings compute the same parts with ``part`` and ``total``, once per distinct fact
    (matchmaking.ranking)."""
    parts = {name: part(name, candidate, booth, weights) for name in CRITERIA}
    return total(parts), parts


def max_score(weights: Mapping[str, int]) -> int:
    """The best possible score with these weights."""
    return sum(weights.get(name, 0) for name in CRITERIA)


def clean_weights(raw: Mapping | None) -> dict[str, int]:
    """Weights from stored JSON (or anything): every criterion present, ints clamped to 0..10;
    missing or broken values fall back to DEFAULT_WEIGHTS."""
    raw = raw if isinstance(raw, Mapping) else {}
    weights = {}
    for name in CRITERIA:
        value = raw.get(name, DEFAULT_WEIGHTS[name])
        if isinstance(value, bool) or not isinstance(value, int | float):
            value = DEFAULT_WEIGHTS[name]
        weights[name] = min(WEIGHT_MAX, max(WEIGHT_MIN, int(value)))
    return weights
