"""What the matching reads: the one reader of its inputs, for the runs and the employer's ranking page.

Who takes part: candidates with a CONFIRMED registration at the fair, and active booths of the fair
(APPROVED, of an organization in good standing: organizations.access). From them it reads each
candidate's ranked booths, the facts the fit score reads from their profiles, what each booth's
openings ask for, and the booths' shortlist ranks and not-acceptable marks; ``read_matching_inputs``
returns them as plain data (ids), ready for ``matchmaking.ranking``.

A run reads a whole fair (a million ranked booths at a big one), so the large reads take the
driver's own tuples (see ``plain_rows``). The employer's page reads one booth and only the
candidates it may see: pass ``booth_ids`` and ``candidate_ids`` and nothing about anyone else is read.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from sqlalchemy import select

from eventsapp.booths.models import Booth
from eventsapp.browse.models import ShortlistEntry
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matchmaking.fitscore import BoothWants, CandidateFacts, booth_wants_from_openings
from eventsapp.matchmaking.models import BoothExclusion, CandidateChoice
from eventsapp.matchmaking.ranking import MatchingInputs
from eventsapp.openings.models import Opening
from eventsapp.organizations.access import active_booth_condition
from eventsapp.registrations.models import Registration, RegistrationStatus

_DEGREES = {None: None, **{degree.value: degree for degree in Degree}}
_TALENT_CLASSES = {None: None, **{talent.value: talent for talent in TalentClass}}


def plain_rows(statement) -> list[tuple]:
    """The rows as the driver's own tuples.

    For the large reads of a run, building a SQLAlchemy Row per result costs several times the
    query itself. Only for columns the driver already returns as the values we want: integers and
    text (enum columns arrive as their stored values)."""
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _confirmed_registrants(event_id: int, candidate_ids: Collection[int] | None):
    query = select(Registration.user_id).where(Registration.event_id == event_id,
                                               Registration.status == RegistrationStatus.CONFIRMED)
    if candidate_ids is not None:
        query = query.where(Registration.user_id.in_(list(candidate_ids)))
    return query


def active_booths(event_id: int) -> list[tuple[int, int]]:
    """(booth id, interviewers) of the fair's active booths, by id."""
    return list(db.session.execute(
        select(Booth.id, Booth.interviewers).where(Booth.event_id == event_id, active_booth_condition())
        .order_by(Booth.id)).tuples())


def read_choices(event_id: int, candidate_ids: Collection[int] | None = None) -> dict[int, list[int]]:
    """Candidate id → booth ids, most wanted first, by candidate id: the confirmed registrants' (or
    these of them) ranked booths still active at the fair. A booth that left the fair is skipped and
    the ones below it move up; candidates without any booth left are not in the result. No list is
    longer than the round's maximum (``preferences.save_round`` refuses to lower it below one)."""
    query = (select(CandidateChoice.candidate_id, CandidateChoice.booth_id)
             .join(Registration, (Registration.event_id == CandidateChoice.event_id)
                   & (Registration.user_id == CandidateChoice.candidate_id))
             .join(Booth, Booth.id == CandidateChoice.booth_id)
             .where(CandidateChoice.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
                    Booth.event_id == event_id, active_booth_condition())
             .order_by(CandidateChoice.candidate_id, CandidateChoice.position, CandidateChoice.id))
    if candidate_ids is not None:
        query = query.where(CandidateChoice.candidate_id.in_(list(candidate_ids)))
    choices: dict[int, list[int]] = {}
    for candidate_id, booth_id in plain_rows(query):
        booths = choices.get(candidate_id)
        if booths is None:
            choices[candidate_id] = [booth_id]
        else:
            booths.append(booth_id)
    return choices


def read_candidate_facts(event_id: int, candidate_ids: Collection[int] | None = None) -> dict[int, CandidateFacts]:
    """Candidate id → what the fit score reads, for the fair's confirmed registrants (or these of them)
    who have a profile; two queries."""
    registrants = _confirmed_registrants(event_id, candidate_ids)
    skills: dict[int, set[str]] = defaultdict(set)
    for user_id, name in plain_rows(select(CandidateSkill.user_id, CandidateSkill.name)
                                    .where(CandidateSkill.user_id.in_(registrants))):
        if name.strip():
            skills[user_id].add(name.strip().lower())
    no_skills: frozenset[str] = frozenset()
    return {user_id: CandidateFacts(degree=_DEGREES[degree], major=(major or "").strip(),
                                    skills=frozenset(skills[user_id]) if user_id in skills else no_skills,
                                    graduation_year=graduation_year, talent_class=_TALENT_CLASSES[talent_class])
            for user_id, degree, major, graduation_year, talent_class in plain_rows(
                select(CandidateProfile.user_id, CandidateProfile.degree, CandidateProfile.major,
                       CandidateProfile.graduation_year, CandidateProfile.talent_class)
                .where(CandidateProfile.user_id.in_(registrants)))}


def graduation_years_of(event: Event) -> tuple[int, int] | None:
    """The fair's graduation years (from its registration rules) as the booths' range; None: any year."""
    if event.graduation_year_min is None and event.graduation_year_max is None:
        return None
    return (event.graduation_year_min if event.graduation_year_min is not None else 0,
            event.graduation_year_max if event.graduation_year_max is not None else 9999)


def read_booth_wants(event_id: int, booth_ids: Collection[int] | None = None) -> dict[int, BoothWants]:
    """Booth id → what its organization's openings at the fair ask for (active booths only); the
    graduation years are the fair's own (openings have none)."""
    query = select(Booth.id, Booth.organization_id).where(Booth.event_id == event_id, active_booth_condition())
    if booth_ids is not None:
        query = query.where(Booth.id.in_(list(booth_ids)))
    booths = db.session.execute(query).all()
    openings: dict[int, list[Opening]] = {}
    if booths:
        for opening in db.session.scalars(select(Opening).where(
                Opening.event_id == event_id, Opening.organization_id.in_({row[1] for row in booths}))):
            openings.setdefault(opening.organization_id, []).append(opening)
    years = graduation_years_of(db.session.get(Event, event_id))
    return {booth_id: booth_wants_from_openings(openings.get(organization_id, []), years)
            for booth_id, organization_id in booths}


def _of_active_booths(query, event_id: int, booth_column, booth_ids: Collection[int] | None):
    query = query.join(Booth, Booth.id == booth_column).where(Booth.event_id == event_id, active_booth_condition())
    return query if booth_ids is None else query.where(booth_column.in_(list(booth_ids)))


def read_shortlist_ranks(event_id: int, booth_ids: Collection[int] | None = None) -> dict[int, dict[int, int]]:
    """Booth id → candidate id → the booth's shortlist rank (1 is the best), active booths only."""
    ranks: dict[int, dict[int, int]] = defaultdict(dict)
    for booth_id, candidate_id, rank in plain_rows(_of_active_booths(
            select(ShortlistEntry.booth_id, ShortlistEntry.candidate_id, ShortlistEntry.rank)
            .where(ShortlistEntry.rank.is_not(None)), event_id, ShortlistEntry.booth_id, booth_ids)):
        ranks[booth_id][candidate_id] = rank
    return dict(ranks)


def read_exclusions(event_id: int, booth_ids: Collection[int] | None = None) -> dict[int, set[int]]:
    """Booth id → the candidates it marked as not acceptable, active booths only."""
    excluded: dict[int, set[int]] = defaultdict(set)
    for booth_id, candidate_id in plain_rows(_of_active_booths(
            select(BoothExclusion.booth_id, BoothExclusion.candidate_id), event_id, BoothExclusion.booth_id,
            booth_ids)):
        excluded[booth_id].add(candidate_id)
    return dict(excluded)


def read_matching_inputs(event_id: int, weights: Mapping[str, int], booth_ids: Collection[int] | None = None,
                         candidate_ids: Collection[int] | None = None) -> MatchingInputs:
    """Everything the booths' rankings are made from, for the whole fair or for these booths and
    these candidates. The choices are the candidates' whole lists (also of other booths)."""
    choices = read_choices(event_id, candidate_ids)
    ranking = set(choices) if booth_ids is None else {
        candidate_id for candidate_id, booths in choices.items() if any(booth in booth_ids for booth in booths)}
    facts = read_candidate_facts(event_id, ranking if candidate_ids is not None or booth_ids is not None else None)
    return MatchingInputs(choices=choices, facts=facts, wants=read_booth_wants(event_id, booth_ids),
                          shortlist_ranks=read_shortlist_ranks(event_id, booth_ids),
                          excluded=read_exclusions(event_id, booth_ids), weights=dict(weights),
                          booth_ids=None if booth_ids is None else set(booth_ids))
