"""The activity page's filters, and the words for what the log records."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from eventsapp.formfields import WebForm

OBJECT_LABELS = {
    "organization": _l("Organization"),
    "booth": _l("Booth"),
    "check_in": _l("Check-in"),
    "match_run": _l("Matching run"),
    "contest_round": _l("Contest round"),
    "contest_entry": _l("Contest entry"),
    "contest_judge": _l("Judge"),
    "contest_conflict": _l("Conflict of interest"),
    "contest_rubric_criterion": _l("Rubric criterion"),
}

ACTION_LABELS = {
    "verified": _l("Verified"),
    "change_verified": _l("Change of name verified"),
    "change_refused": _l("Change of name refused"),
    "rejected": _l("Rejected"),
    "suspended": _l("Suspended"),
    "reinstated": _l("Reinstated"),
    "approved": _l("Approved"),
    "withdrawn": _l("Withdrawn"),
    "placed": _l("Placed"),
    "moved": _l("Moved"),
    "unplaced": _l("Place removed"),
    "checked_in": _l("Checked in"),
    "judge_invited": _l("Judge invited"),
    "judge_changed": _l("Judge changed"),
    "judge_removed": _l("Judge removed"),
    "conflict_declared": _l("Conflict of interest declared"),
    "reviews_assigned": _l("Reviews assigned"),
    "review_judge_added": _l("Judge added to an entry"),
    "review_judge_removed": _l("Judge taken off an entry"),
    "rubric_changed": _l("Rubric changed"),
    "rubric_criterion_deleted": _l("Rubric criterion deleted"),
    "round_state_changed": _l("Round opened or closed"),
    "method_changed": _l("Scoring method changed"),
}

FIELD_LABELS = {
    "status": _l("Status"),
    "name_zh": _l("Name (Chinese)"),
    "name_en": _l("Name (English)"),
    "credit_code": _l("Credit code"),
    "reason": _l("Reason"),
    "code": _l("Booth number"),
    "hall_id": _l("Hall"),
    "row": _l("Row"),
    "col": _l("Column"),
    "holder_id": _l("Badge holder"),
    "badge": _l("Badge number"),
    "gate": _l("Gate"),
    "method": _l("How"),
}


# Words for recorded values, by (object type, field): a feature adds its own with ``label_values``.
VALUE_LABELS: dict[tuple[str, str], dict[str, object]] = {}


def label_values(object_type: str, field: str, labels: Mapping) -> None:
    """Show a recorded field of ``object_type`` in words (keys are enums or their values)."""
    VALUE_LABELS[(object_type, field)] = {getattr(key, "value", key): label for key, label in labels.items()}


class ActivityFilterForm(WebForm):
    """Read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    object_type = SelectField(_l("Object"), choices=[SelectChoice("", _l("Everything"))]
                              + [SelectChoice(key, label) for key, label in OBJECT_LABELS.items()],
                              validators=[Optional()])
    action = SelectField(_l("Action"), choices=[SelectChoice("", _l("Every action"))]
                         + [SelectChoice(key, label) for key, label in ACTION_LABELS.items()],
                         validators=[Optional()])

    def filters(self) -> dict:
        """The chosen filters that are valid; an unknown value filters nothing."""
        return {name: self[name].data for name in ("object_type", "action")
                if self[name].data and not self[name].errors}
