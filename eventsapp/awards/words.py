"""The template functions of the awards' pages: a round's kind, state and method and an entry's standing,
in the contests' own words (eventsapp.contests.choices), so every page words them alike."""
from __future__ import annotations

from eventsapp.contests.choices import AGGREGATION_LABELS, ENTRY_ROUND_LABELS, ROUND_KIND_LABELS, ROUND_STATE_LABELS


def labels() -> dict:
    """The template functions of the awards' pages."""
    return {"round_kind_label": ROUND_KIND_LABELS.get, "round_state_label": ROUND_STATE_LABELS.get,
            "aggregation_label": AGGREGATION_LABELS.get, "standing_label": ENTRY_ROUND_LABELS.get}
