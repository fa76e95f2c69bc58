"""The matching engine: candidates to employer booths, and a timetable for the interviews.

Pure Python on plain data — no Flask, no database — so it can be tested, benchmarked and
audited on its own:

- :func:`stable_match` — candidate-proposing deferred acceptance (Gale–Shapley; Roth for
  many-to-many): the candidate-optimal stable assignment.
- :func:`schedule_interviews` — a slot for every matched pair, nobody double-booked and no
  booth above its interviewers, in the fewest slots possible (bipartite edge colouring;
  König's theorem gives the bound).
- :func:`explain` — why a candidate did not get each booth they ranked.

May import no other feature: pure Python on plain data.
"""
from eventsapp.matching.deferred_acceptance import stable_match
from eventsapp.matching.explain import Reason, explain
from eventsapp.matching.schedule import minimum_slots, schedule_interviews

ALLOWED_IMPORTS: frozenset[str] = frozenset()

__all__ = ["Reason", "explain", "minimum_slots", "schedule_interviews", "stable_match"]
