"""The fit score: each criterion alone, the weights, and the parts employers are shown."""
from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.matchmaking.fitscore import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    BoothWants,
    CandidateFacts,
    booth_wants_from_openings,
    candidate_facts,
    clean_weights,
    fit_score,
    max_score,
)

ONLY = {name: 0 for name in CRITERIA}


def only(name: str, weight: int = 1) -> dict[str, int]:
    return {**ONLY, name: weight}


def opening(degree=None, majors="", skills=""):
    return SimpleNamespace(degree=degree, majors=majors, skills=skills)


def test_default_weights_are_small_ints_for_every_criterion():
    assert set(DEFAULT_WEIGHTS) == set(CRITERIA)
    assert all(isinstance(weight, int) and 0 <= weight <= 10 for weight in DEFAULT_WEIGHTS.values())


@pytest.mark.parametrize(("have", "need", "share"), [
    (Degree.MASTER, Degree.BACHELOR, 1.0),
    (Degree.BACHELOR, Degree.BACHELOR, 1.0),
    (Degree.ASSOCIATE, Degree.BACHELOR, 0.0),
    (Degree.POSTDOC, Degree.PHD, 1.0),
    (None, Degree.BACHELOR, 0.0),
    (Degree.OTHER, Degree.VOCATIONAL, 0.0),
    (None, None, 1.0),
    (Degree.OTHER, None, 1.0),
])
def test_degree_counts_when_it_meets_the_requirement(have, need, share):
    total, parts = fit_score(CandidateFacts(degree=have), BoothWants(degree=need), only("degree", 3))
    assert parts["degree"] == 3 * share
    assert total == 3 * share


@pytest.mark.parametrize(("major", "wanted", "share"), [
    ("Computer Science", {"computer science"}, 1.0),
    ("Computer Science and Technology", {"computer science"}, 1.0),  # wanted inside the major
    ("软件工程", {"软件工程与管理"}, 1.0),  # the major inside a wanted one
    ("Law", {"computer science", "finance"}, 0.0),
    ("", {"finance"}, 0.0),
    ("Law", set(), 1.0),  # a booth that names no major takes any
])
def test_major_matches_by_substring_either_way_ignoring_case(major, wanted, share):
    _, parts = fit_score(CandidateFacts(major=major), BoothWants(majors=frozenset(wanted)), only("major", 2))
    assert parts["major"] == 2 * share


def test_skills_count_the_share_of_wanted_skills_the_candidate_has():
    booth = BoothWants(skills=frozenset({"python", "sql", "linux", "go"}))
    candidate = CandidateFacts(skills=frozenset({"python", "sql", "excel"}))
    _, parts = fit_score(candidate, booth, only("skills", 4))
    assert parts["skills"] == 2.0  # 2 of 4 wanted, times 4


def test_skills_count_nothing_when_the_booth_wants_none():
    _, parts = fit_score(CandidateFacts(skills=frozenset({"python"})), BoothWants(), only("skills", 3))
    assert parts["skills"] == 0


@pytest.mark.parametrize(("year", "years", "share"), [
    (2026, (2025, 2027), 1.0), (2025, (2025, 2027), 1.0), (2027, (2025, 2027), 1.0),
    (2024, (2025, 2027), 0.0), (None, (2025, 2027), 0.0), (2020, None, 1.0), (None, None, 1.0),
])
def test_graduation_year_counts_within_the_booths_range_or_without_one(year, years, share):
    _, parts = fit_score(CandidateFacts(graduation_year=year), BoothWants(graduation_years=years),
                         only("graduation_year"))
    assert parts["graduation_year"] == share


def test_talent_class_ranks_higher_classes_higher():
    weights = only("talent_class", 6)
    shares = [fit_score(CandidateFacts(talent_class=talent_class), BoothWants(), weights)[1]["talent_class"]
              for talent_class in TalentClass]
    assert shares == [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    assert fit_score(CandidateFacts(), BoothWants(), weights)[1]["talent_class"] == 0


def test_the_total_is_the_sum_of_the_parts_shown_in_criteria_order():
    candidate = CandidateFacts(degree=Degree.MASTER, major="计算机科学", skills=frozenset({"python"}),
                               graduation_year=2027, talent_class=TalentClass.E)
    booth = BoothWants(degree=Degree.BACHELOR, majors=frozenset({"计算机"}),
                       skills=frozenset({"python", "java"}), graduation_years=(2026, 2027))
    total, parts = fit_score(candidate, booth, DEFAULT_WEIGHTS)
    assert list(parts) == list(CRITERIA)
    assert parts == {"degree": 3.0, "major": 2.0, "skills": 1.5, "graduation_year": 1.0, "talent_class": 0.3333}
    assert total == pytest.approx(sum(parts.values()))
    assert total <= max_score(DEFAULT_WEIGHTS) == 10


def test_weights_change_the_order_of_two_candidates():
    booth = BoothWants(degree=Degree.MASTER, skills=frozenset({"python", "sql"}))
    masters = CandidateFacts(degree=Degree.MASTER)
    coder = CandidateFacts(degree=Degree.BACHELOR, skills=frozenset({"python", "sql"}))
    degree_first = {**ONLY, "degree": 5, "skills": 1}
    skills_first = {**ONLY, "degree": 1, "skills": 5}
    assert fit_score(masters, booth, degree_first)[0] > fit_score(coder, booth, degree_first)[0]
    assert fit_score(coder, booth, skills_first)[0] > fit_score(masters, booth, skills_first)[0]


def test_zero_or_missing_weights_count_nothing():
    candidate = CandidateFacts(degree=Degree.PHD, talent_class=TalentClass.A)
    assert fit_score(candidate, BoothWants(), {}) == (0, dict.fromkeys(CRITERIA, 0))


def test_booth_wants_combine_its_openings():
    wants = booth_wants_from_openings([
        opening(Degree.MASTER, majors="Computer Science,Software", skills="Python,SQL"),
        opening(Degree.BACHELOR, majors="software", skills="python, Go"),
    ])
    assert wants == BoothWants(degree=Degree.BACHELOR, majors=frozenset({"computer science", "software"}),
                               skills=frozenset({"python", "sql", "go"}))


def test_an_opening_without_a_degree_requirement_means_the_booth_has_none():
    assert booth_wants_from_openings([opening(Degree.PHD), opening(None)]).degree is None
    assert booth_wants_from_openings([]) == BoothWants()
    assert booth_wants_from_openings([], graduation_years=(2026, 2027)).graduation_years == (2026, 2027)


def test_candidate_facts_read_a_profile():
    profile = SimpleNamespace(degree=Degree.BACHELOR, major=" Finance ", skill_names=["Excel", "SQL", " "],
                              graduation_year=2026, talent_class=None)
    assert candidate_facts(profile) == CandidateFacts(degree=Degree.BACHELOR, major="Finance",
                                                      skills=frozenset({"excel", "sql"}), graduation_year=2026)
    assert candidate_facts(None) == CandidateFacts()


def test_stored_weights_are_cleaned_to_every_criterion_within_range():
    assert clean_weights(None) == DEFAULT_WEIGHTS
    assert clean_weights({"degree": 12, "major": -1, "skills": "x", "talent_class": 2.0, "extra": 5}) == {
        **DEFAULT_WEIGHTS, "degree": 10, "major": 0, "talent_class": 2}


def test_the_module_imports_nothing_from_flask_or_sqlalchemy():
    code = ("import sys, eventsapp.matchmaking.fitscore; "
            "sys.exit(any(m.split('.')[0] in ('flask', 'sqlalchemy') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
