"""Rules several features share are defined once, and every feature reads the same one."""
from __future__ import annotations

from eventsapp.badges.models import BadgeRole
from eventsapp.badges.roles import ROLE_LABELS
from eventsapp.browse.services import DEGREE_RANK
from eventsapp.candidates.degrees import DEGREE_LADDER
from eventsapp.candidates.models import Degree
from eventsapp.candidates.services import parse_skills
from eventsapp.checkin import views as door
from eventsapp.matchmaking.fitscore import BoothWants, CandidateFacts, fit_score
from eventsapp.openings.services import accepted_degrees, degree_satisfies, parse_tags
from eventsapp.typedtext import split_tags


def test_the_ladder_holds_every_degree_but_other_in_the_enums_order():
    assert DEGREE_LADDER == tuple(degree for degree in Degree if degree is not Degree.OTHER)


def test_openings_browse_and_the_fit_score_climb_the_same_ladder():
    only_degree = {"degree": 1, "major": 0, "skills": 0, "graduation_year": 0, "talent_class": 0}
    for lower, higher in zip(DEGREE_LADDER, DEGREE_LADDER[1:], strict=False):
        lower, higher = Degree(lower), Degree(higher)
        assert degree_satisfies(higher, lower) and not degree_satisfies(lower, higher)
        assert DEGREE_RANK[higher] < DEGREE_RANK[lower]  # browse sorts the highest first
        assert fit_score(CandidateFacts(degree=higher), BoothWants(degree=lower), only_degree)[0] == 1
        assert fit_score(CandidateFacts(degree=lower), BoothWants(degree=higher), only_degree)[0] == 0
    assert accepted_degrees(Degree.MASTER) == (Degree.VOCATIONAL, Degree.ASSOCIATE, Degree.BACHELOR, Degree.MASTER)
    assert accepted_degrees(Degree.OTHER) == ()
    assert DEGREE_RANK[Degree.OTHER] == max(DEGREE_RANK.values())


def test_skills_opening_tags_and_the_skill_search_split_alike():
    typed = " Python，数据分析、python;  机器  学习 ,,\nGo\x00 "
    assert parse_skills(typed) == parse_tags(typed, "skills") == split_tags(typed) == [
        "Python", "数据分析", "机器 学习", "Go"]


def test_a_badge_role_has_one_word_on_the_badge_and_at_the_door():
    assert door.ROLE_LABELS is ROLE_LABELS
    assert set(ROLE_LABELS) == set(BadgeRole)
