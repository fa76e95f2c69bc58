"""The forms of contests: the organizers' settings, tracks and groups, rounds; the teams' entry, deck and
invitations. They check the shape of what is typed; the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventsapp.contests.choices import AGGREGATION_LABELS, ENTRY_STATE_LABELS, ROUND_KIND_LABELS
from eventsapp.contests.entries import EntryData
from eventsapp.contests.models import Aggregation, Contest, Entry, EntryState, Round, RoundKind
from eventsapp.contests.services import ContestData, EntryFilters, NameData, RoundData
from eventsapp.formfields import DATETIME_FORMAT, WebForm
from eventsapp.i18n import localized
from eventsapp.requestbounds import database_id
from eventsapp.timezones import to_local_naive, to_utc

TOO_LONG = _l("At most %(max)d characters.")
WHOLE_NUMBER = _l("Enter a whole number from %(min)d to %(max)d.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_id(value) -> int | None:
    return database_id(value) if value not in (None, "", "None") else None


class ContestForm(WebForm):
    entries_open_at = DateTimeLocalField(_l("Entries open"), format=DATETIME_FORMAT,
                                         validators=[InputRequired(_l("Enter a date and time."))])
    entries_close_at = DateTimeLocalField(_l("Entries close (deadline)"), format=DATETIME_FORMAT,
                                          validators=[InputRequired(_l("Enter a date and time."))],
                                          description=_l("After it, teams can no longer change their entries."))
    team_min = IntegerField(_l("Smallest team"), default=1, validators=[
        InputRequired(_l("Enter a number.")), NumberRange(min=1, max=50, message=WHOLE_NUMBER)],
        description=_l("The leader counts."))
    team_max = IntegerField(_l("Largest team"), default=5, validators=[
        InputRequired(_l("Enter a number.")), NumberRange(min=1, max=50, message=WHOLE_NUMBER)])
    leader_max_age = IntegerField(_l("Team leader younger than (years)"), validators=[
        Optional(), NumberRange(min=16, max=100, message=WHOLE_NUMBER)], description=_l("Empty: any age."))
    requires_overseas_experience = BooleanField(_l("The team leader must have studied or worked abroad"))
    rules_zh = TextAreaField(_l("Rules (Chinese)"), filters=[_strip], validators=[Length(max=20000, message=TOO_LONG)])
    rules_en = TextAreaField(_l("Rules (English)"), filters=[_strip], validators=[Length(max=20000, message=TOO_LONG)])
    share_scores_with_teams = BooleanField(_l("Show teams their scores and the judges' comments with the results"))

    def to_data(self, zone: str) -> ContestData:
        return ContestData(
            entries_open_at=to_utc(self.entries_open_at.data, zone), entries_close_at=to_utc(self.entries_close_at.data,
                                                                                            zone),
            team_min=self.team_min.data, team_max=self.team_max.data, leader_max_age=self.leader_max_age.data,
            requires_overseas_experience=self.requires_overseas_experience.data, rules_zh=self.rules_zh.data or "",
            rules_en=self.rules_en.data or "", share_scores_with_teams=self.share_scores_with_teams.data)

    def fill_from(self, contest: Contest, zone: str) -> None:
        for name in ("team_min", "team_max", "leader_max_age", "requires_overseas_experience", "rules_zh", "rules_en",
                     "share_scores_with_teams"):
            getattr(self, name).data = getattr(contest, name)
        self.entries_open_at.data = to_local_naive(contest.entries_open_at, zone)
        self.entries_close_at.data = to_local_naive(contest.entries_close_at, zone)


class NameForm(WebForm):
    name_zh = StringField(_l("Name (Chinese)"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(min=0, max=999,
                                                                                         message=WHOLE_NUMBER)])

    def to_data(self) -> NameData:
        return NameData(name_zh=self.name_zh.data or "", name_en=self.name_en.data or "",
                        position=self.position.data or 0)


class RoundForm(WebForm):
    name_zh = StringField(_l("Name (Chinese)"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])
    kind = SelectField(_l("Kind of round"), choices=[SelectChoice(kind.value, label)
                                                     for kind, label in ROUND_KIND_LABELS.items()],
                       validators=[DataRequired()])
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMAT, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT, validators=[Optional()])
    blind = BooleanField(_l("Blind review: judges do not see team names, schools or organizations"))
    aggregation = SelectField(_l("Scores are combined by"), choices=[
        SelectChoice(method.value, label) for method, label in AGGREGATION_LABELS.items()],
        validators=[DataRequired()])
    reviews_per_entry = IntegerField(_l("Judges per entry"), default=3, validators=[
        InputRequired(_l("Enter a number.")), NumberRange(min=1, max=50, message=WHOLE_NUMBER)])

    def to_data(self, zone: str) -> RoundData:
        return RoundData(kind=RoundKind(self.kind.data), name_zh=self.name_zh.data or "",
                         name_en=self.name_en.data or "", starts_at=to_utc(self.starts_at.data, zone),
                         ends_at=to_utc(self.ends_at.data, zone), blind=self.blind.data,
                         aggregation=Aggregation(self.aggregation.data),
                         reviews_per_entry=self.reviews_per_entry.data)

    def fill_from(self, row: Round, zone: str) -> None:
        for name in ("name_zh", "name_en", "blind", "reviews_per_entry"):
            getattr(self, name).data = getattr(row, name)
        self.kind.data, self.aggregation.data = row.kind.value, row.aggregation.value
        self.starts_at.data = to_local_naive(row.starts_at, zone)
        self.ends_at.data = to_local_naive(row.ends_at, zone)


class EntryForm(WebForm):
    title_zh = StringField(_l("Project title (Chinese)"), filters=[_strip],
                           validators=[Length(max=200, message=TOO_LONG)])
    title_en = StringField(_l("Project title (English)"), filters=[_strip],
                           validators=[Length(max=200, message=TOO_LONG)])
    track_id = SelectField(_l("Track"), coerce=_optional_id, validate_choice=False,
                           validators=[InputRequired(_l("Choose the track."))])
    group_id = SelectField(_l("Group"), coerce=_optional_id, validate_choice=False, validators=[Optional()])
    summary_zh = TextAreaField(_l("Summary (Chinese)"), filters=[_strip],
                               validators=[Length(max=5000, message=TOO_LONG)])
    summary_en = TextAreaField(_l("Summary (English)"), filters=[_strip],
                               validators=[Length(max=5000, message=TOO_LONG)])
    video_url = URLField(_l("Video link"), filters=[_strip], validators=[Length(max=500, message=TOO_LONG)],
                         description=_l("Optional: a page where the judges can watch a short video."))
    organization_name = StringField(_l("Organization behind the project"), filters=[_strip],
                                    validators=[Length(max=200, message=TOO_LONG)],
                                    description=_l("Optional: the company or institute, if there is one."))
    organization_credit_code = StringField(_l("Its unified social credit code"), filters=[_strip],
                                           validators=[Length(max=40, message=TOO_LONG)],
                                           description=_l("Optional: 18 characters, checked as you type it."))
    overseas_experience = TextAreaField(_l("The team leader's overseas study or work"), filters=[_strip],
                                        validators=[Length(max=500, message=TOO_LONG)],
                                        description=_l("Where and when, e.g. “PhD, ETH Zürich, 2018–2022”."))

    def __init__(self, *args, tracks=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.track_id.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(track.id, localized(track, "name")) for track in tracks]
        self.group_id.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(group.id, localized(group, "name")) for group in groups]
        if not groups:
            del self.group_id

    def to_data(self, answers) -> EntryData:
        return EntryData(
            track_id=self.track_id.data, group_id=self.group_id.data if "group_id" in self else None,
            title_zh=self.title_zh.data or "", title_en=self.title_en.data or "",
            summary_zh=self.summary_zh.data or "", summary_en=self.summary_en.data or "",
            video_url=self.video_url.data or "", organization_name=self.organization_name.data or "",
            organization_credit_code=self.organization_credit_code.data or "",
            overseas_experience=self.overseas_experience.data or "", answers=answers)

    def fill_from(self, entry: Entry) -> None:
        for name in ("title_zh", "title_en", "track_id", "summary_zh", "summary_en", "video_url", "organization_name",
                     "organization_credit_code", "overseas_experience"):
            getattr(self, name).data = getattr(entry, name)
        if "group_id" in self:
            self.group_id.data = entry.group_id


def fill_answers(form: WebForm, entry: Entry) -> None:
    """Show the entry's answers in the questions' form (registrations.forms.registration_form)."""
    for answer in entry.answers:
        field = getattr(form, f"question_{answer.question_id}", None)
        if field is not None:
            field.data = answer.value.split("\n") if field.type == "CheckboxesField" else answer.value


class DeckForm(WebForm):
    deck = FileField(_l("Pitch deck (PDF)"), validators=[FileRequired(_l("Choose the pitch deck as a PDF file."))],
                     render_kw={"accept": "application/pdf,.pdf"})


class InviteForm(WebForm):
    email = EmailField(_l("E-mail of the person to invite"), filters=[_strip], validators=[
        DataRequired(_l("Enter an e-mail address.")), Length(max=254, message=TOO_LONG)])


class EntryFilterForm(WebForm):
    """The organizers' filters on the list of entries (read from the query string)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=[SelectChoice("", _l("All"))] + [
        SelectChoice(state.value, label) for state, label in ENTRY_STATE_LABELS.items()], validators=[Optional()])
    track = SelectField(_l("Track"), coerce=_optional_id, validate_choice=False, validators=[Optional()])
    group = SelectField(_l("Group"), coerce=_optional_id, validate_choice=False, validators=[Optional()])
    q = StringField(_l("Search"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])

    def __init__(self, *args, tracks=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.track.choices = [SelectChoice("", _l("All"))] + [SelectChoice(t.id, localized(t, "name")) for t in tracks]
        self.group.choices = [SelectChoice("", _l("All"))] + [SelectChoice(g.id, localized(g, "name")) for g in groups]

    def to_filters(self) -> EntryFilters:
        valid = not self.errors
        return EntryFilters(state=EntryState(self.state.data) if valid and self.state.data else None,
                            track_id=self.track.data if valid else None, group_id=self.group.data if valid else None,
                            search=(self.q.data or "")[:100] if valid else "")
