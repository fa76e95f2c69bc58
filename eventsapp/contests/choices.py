"""How contests read in words: round kinds and states, ways of aggregating, entry states and standings,
team roles. Pages, forms and exports word them alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.contests.models import Aggregation, EntryRoundStatus, EntryState, RoundKind, RoundState, TeamRole

ROUND_KIND_LABELS = {
    RoundKind.ONLINE_REVIEW: _l("Online review"),
    RoundKind.ROADSHOW: _l("Roadshow (semi-final)"),
    RoundKind.FINAL: _l("Final"),
}
ROUND_STATE_LABELS = {
    RoundState.PLANNED: _l("Planned"),
    RoundState.OPEN: _l("Open for judging"),
    RoundState.CLOSED: _l("Closed"),
}
AGGREGATION_LABELS = {
    Aggregation.MEAN: _l("Mean of the judges' totals"),
    Aggregation.TRIMMED: _l("Trimmed mean (highest and lowest dropped from 5 sheets on)"),
    Aggregation.ZSCORE: _l("Normalised per judge (z-score)"),
}
ENTRY_STATE_LABELS = {
    EntryState.DRAFT: _l("Draft"),
    EntryState.SUBMITTED: _l("Submitted"),
    EntryState.WITHDRAWN: _l("Withdrawn"),
}
ENTRY_ROUND_LABELS = {
    EntryRoundStatus.ENTERED: _l("In this round"),
    EntryRoundStatus.ADVANCED: _l("Advanced"),
    EntryRoundStatus.ELIMINATED: _l("Not advanced"),
}
TEAM_ROLE_LABELS = {TeamRole.LEADER: _l("Team leader"), TeamRole.MEMBER: _l("Team member")}
WINDOW_LABELS = {
    "not_yet_open": _l("Entries open later"),
    "open": _l("Open for entries"),
    "closed": _l("Entries closed"),
}
