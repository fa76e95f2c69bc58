"""The degree ladder: which degree counts as higher than which.

Pure Python (no Flask, no database), so the fit score reads the same ladder as the openings and the
browse page. The entries are the values of ``Degree`` (eventsapp.candidates.models), a StrEnum, so a
member compares equal to its entry; "other" has no place on the ladder.
"""
from __future__ import annotations

# From the lowest to the highest: a requirement is met by its degree and every degree after it.
DEGREE_LADDER = ("vocational", "associate", "bachelor", "master", "phd", "postdoc")
