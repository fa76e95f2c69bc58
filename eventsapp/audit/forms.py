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
    "contest": _l("Contest"),
    "contest_track": _l("Track"),
    "contest_group": _l("Group"),
    "contest_round": _l("Round"),
    "contest_question": _l("Entry-form question"),
    "contest_entry": _l("Contest entry"),
    "contest_team_invitation": _l("Team invitation"),
    "contest_judge": _l("Judge"),
    "contest_conflict": _l("Conflict of interest"),
    "contest_rubric_criterion": _l("Rubric criterion"),
    "broadcast": _l("Message to a group"),
    "survey": _l("Survey"),
    "survey_question": _l("Survey question"),
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
    "contest_created": _l("Made a contest"),
    "contest_updated": _l("Contest settings changed"),
    "track_saved": _l("Track saved"),
    "track_deleted": _l("Track deleted"),
    "group_saved": _l("Group saved"),
    "group_deleted": _l("Group deleted"),
    "round_saved": _l("Round saved"),
    "round_deleted": _l("Round deleted"),
    "question_saved": _l("Question saved"),
    "question_deleted": _l("Question deleted"),
    "entry_created": _l("Entry started"),
    "entry_updated": _l("Entry changed"),
    "deck_uploaded": _l("Pitch deck uploaded"),
    "entry_submitted": _l("Entry submitted"),
    "entry_withdrawn": _l("Entry withdrawn"),
    "entry_deleted": _l("Draft entry deleted"),
    "team_invited": _l("Invited to the team"),
    "team_invitation_revoked": _l("Team invitation withdrawn"),
    "team_invitation_declined": _l("Team invitation declined"),
    "team_joined": _l("Joined the team"),
    "team_member_removed": _l("Left or removed from the team"),
    "computed": _l("Computed"),
    "published": _l("Published"),
    "superseded": _l("Replaced by a later run"),
    "advanced": _l("Entries advanced"),
    "results_published": _l("Results published"),
    "results_unpublished": _l("Results taken back"),
    "personal_data_erased": _l("Personal data erased (retention)"),
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
    "broadcast": _l("Message sent"),
    "survey_created": _l("Survey made"),
    "survey_saved": _l("Survey settings changed"),
    "survey_question_saved": _l("Survey question saved"),
    "survey_question_deleted": _l("Survey question deleted"),
    "survey_state_changed": _l("Survey opened or closed"),
    "survey_sent": _l("Survey sent"),
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
    "entries_open_at": _l("Entries open"),
    "entries_close_at": _l("Entries close"),
    "team_min": _l("Smallest team"),
    "team_max": _l("Largest team"),
    "leader_max_age": _l("Team leader younger than"),
    "requires_overseas_experience": _l("Overseas experience required"),
    "rules_zh": _l("Rules (Chinese)"),
    "rules_en": _l("Rules (English)"),
    "share_scores_with_teams": _l("Scores shown to teams"),
    "kind": _l("Kind"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "blind": _l("Blind review"),
    "aggregation": _l("Scores are combined by"),
    "reviews_per_entry": _l("Judges per entry"),
    "label_zh": _l("Question (Chinese)"),
    "label_en": _l("Question (English)"),
    "title_zh": _l("Title (Chinese)"),
    "title_en": _l("Title (English)"),
    "summary_zh": _l("Summary (Chinese)"),
    "summary_en": _l("Summary (English)"),
    "video_url": _l("Video"),
    "organization_name": _l("Organization"),
    "organization_credit_code": _l("Credit code"),
    "overseas_experience": _l("Overseas experience"),
    "track_id": _l("Track"),
    "group_id": _l("Group"),
    "deck_filename": _l("Pitch deck"),
    "deck_pages": _l("Pages"),
    "state": _l("State"),
    "email": _l("E-mail"),
    "member": _l("Team member"),
    "seed": _l("Lottery seed"),
    "top": _l("Best entries per track"),
    "min_score": _l("Lowest score that advances"),
    "next_round": _l("Next round"),
    "advanced": _l("Entries that advance"),
    "eliminated": _l("Entries that stop"),
    "ties_chosen": _l("Tied entries chosen"),
    "awards": _l("Awards"),
    "published_at": _l("Published"),
    "segment": _l("Sent to"),
    "recipients": _l("Recipients"),
    "subject_en": _l("Subject (English)"),
    "audience": _l("Asked"),
    "anonymous": _l("Anonymous answers"),
    "intro_zh": _l("Introduction (Chinese)"),
    "intro_en": _l("Introduction (English)"),
    "reminder_days": _l("Reminder after (days)"),
    "invited": _l("Invitations sent"),
    "answers": _l("Answers"),
    "registrations": _l("Registrations"),
    "profile_views": _l("Profile views"),
    "emails": _l("E-mails"),
    "resumes": _l("Résumés"),
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
