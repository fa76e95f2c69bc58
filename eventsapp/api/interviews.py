"""Matching results of published runs: a candidate's own interviews, and a booth's interview list (the
pages' /my/interviews and /employer/booths/<id>/interviews, from the same schedules)."""
from __future__ import annotations

from datetime import datetime

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
@blp.arguments(s.ListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.InterviewSchema, "InterviewList"))
def my_interviews(limit: int, cursor: str | None = None):
    """Your interviews in published matching runs, soonest event first (scope: read)"""
    user = access.candidate(access.READ)
    interviews = [(schedule, item) for schedule in schedules.schedules_of_candidate(user.id)
                  for item in schedule.interviews]
    rows, next_cursor = core.page_of_list(
        interviews, limit, cursor,
        lambda row: (row[0].event.starts_at, row[0].run.id, row[1].starts_at, row[1].booth.id, row[1].interview_id),
        (datetime, int, datetime, int, int))
    name = holder_names(user)[0]
    return {"data": [interview_json(item, schedule.event.id, schedule.event.timezone, name)
                     for schedule, item in rows], "next_cursor": next_cursor}


@blp.route("/booths/<int:booth_id>/interviews")
@blp.doc(**SECURED)
@blp.arguments(s.ListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.InterviewSchema, "BoothInterviewList"))
def booth_interviews(booth_id: int, limit: int, cursor: str | None = None):
    """A booth's interviews in the published run, slot by slot (its staff, while the booth is active;
    scope: read)"""
    _user, booth = access.booth_staff(booth_id)
    schedule = schedules.schedule_of_booth(booth)
    rows, next_cursor = core.page_of_list(
        [item for group in schedule.slots for item in group.interviews], limit, cursor,
        lambda item: (item.slot, item.candidate_id, item.interview_id), (int, int, int))
    zone = booth.event.timezone
    return {"data": [interview_json(item, booth.event_id, zone) for item in rows], "next_cursor": next_cursor}
