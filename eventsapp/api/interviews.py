"""Matching results of published runs: a candidate's own interviews, and a booth's interview list (the
pages' /my/interviews and /employer/booths/<id>/interviews, from the same schedules)."""
from __future__ import annotations

from eventsapp.api import access, core
from eventsapp.api import schemas as s
from eventsapp.api.events import local_iso
from eventsapp.badges.services import holder_names
from eventsapp.i18n import localized
from eventsapp.matchmaking import schedules

blp = core.blueprint("interviews", "Interviews of published matching runs: your own, and a booth's.")
SECURED = {"security": [{core.BEARER_SCHEME: []}]}


def interview_json(item: schedules.ScheduledInterview, event_id: int, zone: str, name: str = "") -> dict:
    booth = item.booth
    return {"id": str(item.interview_id), "event_id": str(event_id), "booth_id": str(booth.id),
            "booth_code": booth.code, "organization": localized(booth.organization, "name"),
            "candidate_id": str(item.candidate_id), "candidate_name": name or item.candidate_name,
            "starts_at": local_iso(item.starts_at, zone), "ends_at": local_iso(item.ends_at, zone),
            "status": "scheduled"}


@blp.route("/me/interviews")
@blp.doc(**SECURED)
@blp.response(200, s.list_of(s.InterviewSchema, "InterviewList"))
def my_interviews():
    """Your interviews in published matching runs, soonest event first (scope: read)"""
    user = access.candidate(access.READ)
    data = []
    for schedule in schedules.schedules_of_candidate(user.id):
        for item in schedule.interviews:
            data.append(interview_json(item, schedule.event.id, schedule.event.timezone, holder_names(user)[0]))
    return {"data": data, "next_cursor": None}


@blp.route("/booths/<int:booth_id>/interviews")
@blp.doc(**SECURED)
@blp.response(200, s.list_of(s.InterviewSchema, "BoothInterviewList"))
def booth_interviews(booth_id: int):
    """A booth's interviews in the published run, slot by slot (its staff, while the booth is active;
    scope: read)"""
    _user, booth = access.booth_staff(booth_id)
    schedule = schedules.schedule_of_booth(booth)
    zone = booth.event.timezone
    return {"data": [interview_json(item, booth.event_id, zone) for group in schedule.slots
                     for item in group.interviews], "next_cursor": None}
