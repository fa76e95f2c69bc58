"""What a door (the door page's JSON, and the API's check-in resource) answers for a scan: one place builds
the green/amber/red answer, so a phone at the door and a turnstile read the same words."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsapp.badges.models import Badge
from eventsapp.badges.roles import ROLE_LABELS
from eventsapp.badges.services import Verdict, holder_names
from eventsapp.checkin.services import CheckInResult, Door, DoorWindow, Outcome
from eventsapp.events.models import Event
from eventsapp.i18n import format_local_datetime, format_local_time, localized, zone_label

VERDICT_LABELS = {
    Verdict.INVALID: _l("Unknown code: not a badge of this system, or mistyped."),
    Verdict.REVOKED: _l("Revoked: this badge was replaced by a newer one."),
    Verdict.OTHER_EVENT: _l("This badge is for another event."),
    Verdict.EXPIRED: _l("Expired: the event is over."),
    Verdict.CANCELLED: _l("The registration was cancelled."),
    Verdict.WAITLISTED: _l("On the waiting list: no confirmed place."),
    Verdict.NOT_ENTITLED: _l("No longer entitled: booth withdrawn, or removed from the staff or crew."),
    Verdict.CODE_REPLACED: _l("This personal code was replaced by its owner: ask for the code on their phone now."),
    Verdict.NOT_HERE: _l("This personal code gives no entry to this event: no confirmed place or role here."),
}



def opens_before() -> timedelta:
    """How long before an event starts its door lets people in (CHECKIN_OPENS_BEFORE_MINUTES)."""
    return timedelta(minutes=current_app.config["CHECKIN_OPENS_BEFORE_MINUTES"])


def door_window(event: Event) -> DoorWindow:
    return DoorWindow.of(event, opens_before())


def door_closed_message(event: Event, door: Door) -> tuple[str, str, str]:
    """Status, headline and detail for a scan the door refuses because the event is not on."""
    window, zone = door_window(event), zone_label(event.timezone)
    if door == Door.NOT_OPEN_YET:
        return "warn", _("The door is not open yet"), _(
            "Check-in opens %(minutes)d minutes before the event starts: at %(time)s, %(zone)s.",
            time=format_local_datetime(window.opens_at, event.timezone), zone=zone,
            minutes=current_app.config["CHECKIN_OPENS_BEFORE_MINUTES"])
    if door == Door.ENDED:
        return "bad", _("The event has ended"), _(
            "It ended at %(time)s, %(zone)s: the door no longer checks people in.",
            time=format_local_datetime(window.closes_at, event.timezone), zone=zone)
    return "bad", _("The event is cancelled"), _("This event has been cancelled: nobody is checked in.")


def badge_organization(badge: Badge) -> tuple[str, str]:
    """The organization's name and the booth's code of a booth staff badge ("" and "" for any other)."""
    booth = badge.booth
    if booth is None:
        return "", ""
    return localized(booth.organization, "name"), booth.code or ""


def result_json(event: Event, result: CheckInResult) -> dict:
    """The door's answer to one scan as JSON: status ok/warn/bad, a headline and a detail, and who it is
    (only when the code belongs to this event)."""
    badge = result.badge
    body = {"outcome": result.outcome.value, "verdict": result.verdict.value, "repeated": result.repeated}
    # A code from another event or an unknown one says nothing about its holder here.
    if badge is not None and result.verdict not in (Verdict.OTHER_EVENT, Verdict.INVALID):
        name, name_latin = holder_names(badge.holder)
        organization, booth = badge_organization(badge)
        body.update(name=name, name_latin=name_latin if name_latin != name else "", role=badge.role.value,
                    role_label=str(ROLE_LABELS[badge.role]), organization=organization, booth=booth,
                    number=badge.number)
    if result.door != Door.OPEN:
        status, headline, detail = door_closed_message(event, result.door)
        body.update(status=status, headline=headline, detail=detail, door=result.door.value)
    elif result.outcome == Outcome.CHECKED_IN:
        body.update(status="ok", headline=_("Checked in"))
    elif result.outcome == Outcome.ALREADY:
        row = result.check_in
        time = format_local_time(row.checked_in_at, event.timezone)
        checked_in_by = row.checked_in_by.display_name if row.checked_in_by else ""
        if row.gate:
            detail = _("Already checked in at %(time)s by gate %(gate)s.", time=time, gate=row.gate)
        else:
            detail = _("Already checked in at %(time)s by %(person)s.", time=time,
                       person=checked_in_by if row.checked_in_by else _("someone"))
        body.update(status="warn", headline=_("Already checked in"), detail=detail, gate=row.gate,
                    checked_in_at=row.checked_in_at.isoformat(), time=time, checked_in_by=checked_in_by)
    else:
        body.update(status="bad", headline=_("Not valid"), detail=str(VERDICT_LABELS[result.verdict]))
    return body
