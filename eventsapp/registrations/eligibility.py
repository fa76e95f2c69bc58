"""Who may register for an event: the organizer's rules, checked against a candidate's profile.

Pure functions over plain values, so the event page, the registration service and the tests
share one definition.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from eventsapp.candidates.choices import DEGREE_LABELS
from eventsapp.candidates.models import Degree, TalentClass


def split_codes(text: str) -> list[str]:
    return [code for code in (part.strip() for part in text.split(",")) if code]


@dataclass(frozen=True)
class EligibilityRules:
    degrees: tuple[Degree, ...] = ()
    talent_classes: tuple[TalentClass, ...] = ()
    max_age: int | None = None
    graduation_year_min: int | None = None
    graduation_year_max: int | None = None

    @classmethod
    def of(cls, event) -> EligibilityRules:
        return cls(degrees=tuple(Degree(code) for code in split_codes(event.eligible_degrees)),
                   talent_classes=tuple(TalentClass(code) for code in split_codes(event.eligible_talent_classes)),
                   max_age=event.max_age, graduation_year_min=event.graduation_year_min,
                   graduation_year_max=event.graduation_year_max)

    @property
    def is_open_to_all(self) -> bool:
        return not (self.degrees or self.talent_classes or self.max_age or self.graduation_year_min
                    or self.graduation_year_max)

    def describe(self) -> list[str]:
        """The rules as sentences for the event page."""
        lines = []
        if self.degrees:
            lines.append(_l("Degree: %(degrees)s", degrees=" / ".join(str(DEGREE_LABELS[d]) for d in self.degrees)))
        if self.max_age:
            lines.append(_l("Under %(age)d years old", age=self.max_age))
        if self.graduation_year_min and self.graduation_year_max:
            lines.append(_l("Graduating %(first)d–%(last)d", first=self.graduation_year_min,
                            last=self.graduation_year_max))
        elif self.graduation_year_min:
            lines.append(_l("Graduating in %(year)d or later", year=self.graduation_year_min))
        elif self.graduation_year_max:
            lines.append(_l("Graduated in %(year)d or earlier", year=self.graduation_year_max))
        if self.talent_classes:
            lines.append(_l("Talent class %(classes)s", classes=", ".join(c.value for c in self.talent_classes)))
        return lines

    def problems(self, profile, this_year: int) -> list[str]:
        """Why this profile does not qualify; empty when it does. A missing answer counts as not qualifying."""
        problems = []
        if self.degrees:
            if profile is None or profile.degree is None:
                problems.append(_l("Add your highest degree to your profile."))
            elif profile.degree not in self.degrees:
                problems.append(_l("This event is for: %(degrees)s.",
                                   degrees=" / ".join(str(DEGREE_LABELS[d]) for d in self.degrees)))
        if self.max_age:
            if profile is None or profile.birth_year is None:
                problems.append(_l("Add your birth year to your profile."))
            elif this_year - profile.birth_year >= self.max_age:
                problems.append(_l("This event is for people under %(age)d.", age=self.max_age))
        if self.graduation_year_min or self.graduation_year_max:
            year = profile.graduation_year if profile is not None else None
            if year is None:
                problems.append(_l("Add your graduation year to your profile."))
            elif (self.graduation_year_min and year < self.graduation_year_min) or (
                    self.graduation_year_max and year > self.graduation_year_max):
                problems.append(_l("Your graduation year (%(year)d) is outside the range of this event.", year=year))
        if self.talent_classes:
            if profile is None or profile.talent_class is None:
                problems.append(_l("This event is for talent classes %(classes)s; your profile has no talent class.",
                                   classes=", ".join(c.value for c in self.talent_classes)))
            elif profile.talent_class not in self.talent_classes:
                problems.append(_l("This event is for talent classes %(classes)s.",
                                   classes=", ".join(c.value for c in self.talent_classes)))
        return problems
