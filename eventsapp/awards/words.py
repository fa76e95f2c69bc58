"""The words the awards' pages use for a round's kind, state and method, and for an entry's standing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.contests.models import Aggregation, EntryRoundStatus, RoundKind, RoundState

ROUND_KIND_LABELS = {
    RoundKind.ONLINE_REVIEW: _l("Online review"),
    RoundKind.ROADSHOW: _l("Roadshow"),
    RoundKind.FINAL: _l("Final"),
}
ROUND_STATE_LABELS = {
    RoundState.PLANNED: _l("Planned"),
    RoundState.OPEN: _l("Open for judging"),
    RoundState.CLOSED: _l("Closed"),
}
AGGREGATION_LABELS = {
    Aggregation.MEAN: _l("Mean of the judges' totals"),
    Aggregation.TRIMMED: _l("Mean without the highest and the lowest"),
    Aggregation.ZSCORE: _l("Normalised per judge (z-scores)"),
}
STANDING_LABELS = {
    EntryRoundStatus.ENTERED: _l("Competing"),
    EntryRoundStatus.ADVANCED: _l("Advanced"),
    EntryRoundStatus.ELIMINATED: _l("Did not advance"),
}


def labels() -> dict:
    """The template functions of the awards' pages."""
    return {"round_kind_label": ROUND_KIND_LABELS.get, "round_state_label": ROUND_STATE_LABELS.get,
            "aggregation_label": AGGREGATION_LABELS.get, "standing_label": STANDING_LABELS.get}
