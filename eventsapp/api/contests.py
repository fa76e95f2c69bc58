"""Contests: a team member's own entries, the entries a judge reviews in open rounds (blind where the round
is), an organizer's entries per contest, and the published results (public). Each reads what the matching
page reads (contests.entries, reviews.scoring, contests.services, awards.services); access.py decides who."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import tuple_

from eventsapp.api import access, core
from eventsapp.api import schemas as s
from eventsapp.api.events import local_iso
from eventsapp.awards import services as awards
from eventsapp.contests import entries
from eventsapp.contests import services as contests
from eventsapp.contests.models import Entry, EntryState, TeamMember
from eventsapp.extensions import db
from eventsapp.i18n import localized
from eventsapp.reviews import scoring

blp = core.blueprint("contests", "Contest entries, the entries a judge reviews, and published results.")
SECURED = {"security": [{core.BEARER_SCHEME: []}]}


def team_json(members: list[TeamMember]) -> list[dict]:
    return [{"user_id": str(member.user_id), "name": member.user.display_name, "role": member.role.value}
            for member in members]


def entry_json(entry: Entry, zone: str) -> dict:
    return {"id": str(entry.id), "event_id": str(entry.contest.event_id), "contest_id": str(entry.contest_id),
            "track_id": str(entry.track_id), "track": localized(entry.track, "name"),
            "title_zh": entry.title_zh, "title_en": entry.title_en, "summary_zh": entry.summary_zh,
            "summary_en": entry.summary_en, "organization_name": entry.organization_name,
            "state": entry.state.value, "created_at": local_iso(entry.created_at, zone),
            "submitted_at": local_iso(entry.submitted_at, zone), "team": team_json(entry.members)}


@blp.route("/me/contest-entries")
@blp.doc(**SECURED)
@blp.arguments(s.ListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.MyEntrySchema, "MyEntryList"))
def my_entries(limit: int, cursor: str | None = None):
    """Your team's contest entries, the newest first, with their standing in each round (scope: contests:read)"""
    user = access.team_member()
    rows, next_cursor = core.page_of_list(entries.entries_of(user), limit, cursor,
                                          lambda entry: (entry.created_at, entry.id), (datetime, int),
                                          newest_first=True)
    data = []
    for entry in rows:
        body = entry_json(entry, entry.contest.event.timezone)
        body["standings"] = [{"round_id": str(standing.round.id), "round": localized(standing.round, "name"),
                              "status": standing.status.value if standing.status else None}
                             for standing in entries.standings(entry)]
        data.append(body)
    return {"data": data, "next_cursor": next_cursor}


@blp.route("/me/reviews")
@blp.doc(**SECURED)
@blp.arguments(s.ListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.ReviewSchema, "ReviewList"))
def my_reviews(limit: int, cursor: str | None = None):
    """The entries you judge in open rounds, round by round; in a blind round without the team or its
    organization (scope: contests:read)"""
    user = access.judge()
    assigned = [(group, item) for group in scoring.my_reviews(user.id) for item in group.entries]
    rows, next_cursor = core.page_of_list(
        assigned, limit, cursor, lambda row: (row[0].contest.id, row[0].round.position, row[0].round.id,
                                              row[1].entry.id), (int, int, int, int))
    data = []
    for group, item in rows:
        round_, zone = group.round, group.contest.event.timezone
        entry = item.entry
        data.append({
            "event_id": str(group.contest.event_id), "round_id": str(round_.id), "round": localized(round_, "name"),
            "blind": round_.blind, "round_ends_at": local_iso(round_.ends_at, zone), "entry_id": str(entry.id),
            "track": localized(entry.track, "name"), "title_zh": entry.title_zh, "title_en": entry.title_en,
            "summary_zh": entry.summary_zh, "summary_en": entry.summary_en,
            "sheet": item.state.value if item.state else None,
            "organization_name": None if round_.blind else entry.organization_name,
            "team": None if round_.blind else team_json(entry.members)})
    return {"data": data, "next_cursor": next_cursor}


@blp.route("/events/<int:event_id>/contest/entries")
@blp.doc(**SECURED)
@blp.arguments(s.EntryListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.EntrySchema, "EntryList"))
def contest_entries(event_id: int, limit: int, cursor: str | None = None, state: str | None = None,
                    track_id: int | None = None):
    """A contest's entries, the newest first, filtered by state or track (organizers; scope: contests:read)"""
    _user, contest = access.contest_organizer(event_id)
    query = contests.entries_query(contest, contests.EntryFilters(
        state=EntryState(state) if state else None, track_id=track_id))
    if cursor is not None:
        query = query.where(tuple_(Entry.created_at, Entry.id) < core.decode_cursor(cursor, datetime, int))
    rows, next_cursor = core.page(list(db.session.scalars(query.limit(limit + 1))), limit,
                                  lambda row: (row.created_at, row.id))
    zone = contest.event.timezone
    return {"data": [entry_json(entry, zone) for entry in rows], "next_cursor": next_cursor}


@blp.route("/events/<int:event_id>/contest/results")
@blp.response(200, s.ResultsSchema)
def results(event_id: int):
    """A contest's published results: the awards by track, the whole contest's first (public; 404 until
    they are published)"""
    contest = access.published_contest(event_id)
    return {"event_id": str(contest.event_id), "contest_id": str(contest.id),
            "published_at": local_iso(contest.results_published_at, contest.event.timezone),
            "tracks": [{"track_id": str(group.track.id) if group.track else None,
                        "track": localized(group.track, "name") if group.track else None,
                        "awards": [{"id": str(award.id), "name": localized(award, "name"), "rank": award.rank,
                                    "prize_amount": f"{award.prize_amount:.2f}", "entry_id": str(award.entry_id),
                                    "title": localized(award.entry, "title"),
                                    "organization_name": award.entry.organization_name}
                                   for award in group.awards]}
                       for group in awards.published_results(contest)]}
