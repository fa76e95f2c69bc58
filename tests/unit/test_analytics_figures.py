"""Every analytics figure computed again in Python from the rows the test built, and compared: for a year,
a half, a quarter, a series, chosen dates, and with the kind and district filters; small counts suppressed."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.analytics import services, snapshots
from eventsapp.analytics.models import AnalyticsSnapshot
from eventsapp.analytics.services import Filters, Period, PeriodKind
from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from eventsapp.matchmaking.models import RunStatus
from eventsapp.organizations.models import Industry
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.surveys.models import Respondent, SurveyQuestionKind
from tests.analytics_data import NOW, SHANGHAI, build_world

ACTIVE = {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING}
# What each city typed in the test data names, read by a person.
CITY_DISTRICT = {"杭州市西湖区": "西湖区", "西湖区": "西湖区", "滨江区": "滨江区", "Hangzhou, Binjiang": "滨江区",
                 "上海": None, "": None, "萧山区": "萧山区", "北京市海淀区": None, "Yuhang": "余杭区"}
HELD = ("new_year", "spring1", "spring2", "talent_day", "conference", "upcoming")


def figures(period: Period, filters: Filters | None = None, *, now: datetime | None = None):
    """The figures as every page reads them: computed into the summary table, then read back from it."""
    return snapshots.refresh(period, filters, now=now)


def shown(number: int) -> int | None:
    return None if 0 < number < 5 else number


def shown_share(part: int, whole: int) -> float | None:
    if whole == 0 or 0 < part < 5 or whole < 5:
        return None
    return part / whole


def breakdown(figure_rows) -> dict:
    return {row.key: row.people.value for row in figure_rows}


def expected_breakdown(counts: Counter) -> dict:
    return {key: shown(number) for key, number in counts.items() if number}


def check(world, result, keys):
    """Compare every figure of ``result`` with the same figure computed from ``world`` for the events ``keys``."""
    scope = {world.events[key].id for key in keys}
    registrations = [row for row in world.registrations if row[0] in scope]
    statuses = Counter(status for _event, _user, status, _attended, _created in registrations)
    active = [row for row in registrations if row[2] in ACTIVE]
    ended = {world.events[key].id for key in keys if world.events[key].ends_at <= NOW}
    confirmed_ended = sum(1 for row in registrations if row[0] in ended and row[2] == RegistrationStatus.CONFIRMED)
    attended_ended = sum(1 for row in registrations if row[0] in ended and row[3])

    assert result.events_held == len(scope)
    assert result.registrations.value == shown(len(active))
    assert {status: count.value for status, count in result.registrations_by_status} == {
        status: shown(statuses[status]) for status in RegistrationStatus}
    assert result.attended.value == shown(sum(1 for row in registrations if row[3]))
    assert result.confirmed_at_ended_events.value == shown(confirmed_ended)
    assert result.no_show_rate.value == pytest.approx(shown_share(confirmed_ended - attended_ended, confirmed_ended))

    people = {user for _event, user, _status, _attended, _created in active}
    first_event = {}
    for event_id, user, _status, _attended, _created in active:
        starts = next(event.starts_at for event in world.events.values() if event.id == event_id)
        first_event[user] = min(first_event.get(user, starts), starts)
    profiles = {user: world.profiles[user] or {} for user in people}
    assert result.people.value == shown(len(people))
    assert result.attended_people.value == shown(len({row[1] for row in active if row[3]}))
    under = {user for user in people if profiles[user].get("birth_year")
             and first_event[user].year - profiles[user]["birth_year"] < 35}
    assert result.under_35.value == shown(len(under))
    assert result.under_35_share.value == pytest.approx(shown_share(len(under), len(people)))
    degrees = Counter(profiles[user].get("degree") for user in people)
    assert result.phds.value == shown(degrees[Degree.PHD])
    assert result.postdocs.value == shown(degrees[Degree.POSTDOC])
    assert breakdown(result.by_degree) == expected_breakdown(degrees)
    assert breakdown(result.by_talent_class) == expected_breakdown(Counter(profiles[user].get("talent_class")
                                                                           for user in people))
    assert breakdown(result.by_graduation_year) == expected_breakdown(Counter(profiles[user].get("graduation_year")
                                                                              for user in people))
    assert breakdown(result.by_district) == expected_breakdown(Counter(CITY_DISTRICT[profiles[user].get("city", "")]
                                                                       for user in people))
    assert [row.key for row in result.by_degree] == [key for key in [*Degree, None] if degrees[key]]
    assert sum(row.people.value or 0 for row in result.by_degree if not row.people.suppressed) <= len(people)

    approved = [(event, organization) for _booth, event, organization, status in world.booths
                if event in scope and status.value == "approved"]
    assert result.booths == len(approved)
    assert result.employers == len({organization for _event, organization in approved})
    openings = [row for row in world.openings if row[0] in scope]
    assert result.openings == len(openings)
    assert result.headcount == sum(headcount for _event, _organization, headcount in openings)
    industry_rows = {row.industry: (row.employers, row.booths, row.openings, row.headcount)
                     for row in result.by_industry}
    expected_industries = {}
    for industry in Industry:
        booths = [organization for _event, organization in approved if world.industries[organization] == industry]
        listed = [row for row in openings if world.industries[row[1]] == industry]
        if booths or listed:
            expected_industries[industry] = (len(set(booths)), len(booths), len(listed), sum(row[2] for row in listed))
    assert industry_rows == expected_industries

    live = [row for row in world.interviews if row[0] in scope and row[1] == RunStatus.PUBLISHED and not row[4]]
    slots = sum(capacity for event, status, capacity in world.capacities
                if event in scope and status == RunStatus.PUBLISHED)
    assert result.interviews.value == shown(len(live))
    assert result.matched_people.value == shown(len({row[2] for row in live}))
    assert result.first_choice_share.value == pytest.approx(
        shown_share(sum(1 for row in live if row[3] == 1), len(live)))
    assert result.interview_slots == slots
    expected_fill = None if slots == 0 or 0 < len(live) < 5 else len(live) / slots
    assert result.fill_rate.value == pytest.approx(expected_fill)

    outcomes = [row for row in world.outcomes if row[0] in scope]
    assert result.booths_reporting == len(outcomes)
    assert result.interviewed_reported.value == shown(sum(row[1] for row in outcomes))
    assert result.offers.value == shown(sum(row[2] for row in outcomes))
    assert result.hires.value == shown(sum(row[3] for row in outcomes))
    assert result.offers_from_matches.value == shown(sum(1 for row in world.named
                                                         if row[0] in scope and row[1] and row[2]))
    for survey_row in result.surveys:
        who = {survey_row.respondent} if survey_row.respondent else set(Respondent)
        responses = [row for row in world.responses if row[0] in scope and row[1] in who]
        ratings = [row[3] for row in world.answers
                   if row[0] in scope and row[1] in who and row[2] == SurveyQuestionKind.RATING]
        recommends = [row[3] for row in world.answers
                      if row[0] in scope and row[1] in who and row[2] == SurveyQuestionKind.RECOMMEND]
        assert survey_row.responses.value == shown(len(responses))
        assert survey_row.satisfaction.value == pytest.approx(
            sum(ratings) / len(ratings) if len(ratings) >= 5 else None)
        assert survey_row.nps.value == pytest.approx(
            100 * (sum(1 for n in recommends if n >= 9) - sum(1 for n in recommends if n <= 6)) / len(recommends)
            if len(recommends) >= 5 else None)
    assert result.satisfaction == result.surveys[-1].satisfaction and result.nps == result.surveys[-1].nps

    weeks = Counter()
    for _event, _user, _status, _attended, created in registrations:
        day = created.astimezone(SHANGHAI).date()
        weeks[day - timedelta(days=day.weekday())] += 1
    by_week = dict((week, count.value) for week, count in result.registrations_by_week)
    assert {week: count for week, count in by_week.items() if count != 0} == {
        week: shown(count) for week, count in weeks.items()}
    assert all((later - earlier).days == 7 for (earlier, _a), (later, _b) in
               zip(result.registrations_by_week, result.registrations_by_week[1:], strict=False))

    events = {row.event_id: row for row in result.per_event}
    assert set(events) == scope
    for event_id, row in events.items():
        mine = [registration for registration in registrations if registration[0] == event_id]
        assert row.registrations.value == shown(sum(1 for item in mine if item[2] in ACTIVE))
        assert row.confirmed.value == shown(sum(1 for item in mine if item[2] == RegistrationStatus.CONFIRMED))
        assert row.attended.value == shown(sum(1 for item in mine if item[3]))
        assert row.ended == (event_id in ended)


@pytest.fixture
def world(ctx):
    return build_world()


CASES = {
    "year": (Period.year(2026), Filters(), HELD),
    "last year": (Period.year(2025), Filters(), ("last_year",)),
    "fairs in Xihu": (Period.year(2026), Filters(kind=EventKind.FAIR, district="西湖区"), ("spring1", "upcoming")),
    "talent days": (Period.year(2026), Filters(kind=EventKind.TALENT_DAY), ("talent_day",)),
    "spring half": (Period.half(2026, 1), Filters(), ("new_year", "spring1", "spring2")),
    "autumn half": (Period.half(2026, 2), Filters(), ("talent_day", "conference", "upcoming")),
    "first quarter": (Period.quarter(2026, 1), Filters(), ("new_year", "spring1", "spring2")),
    "fourth quarter": (Period.quarter(2026, 4), Filters(), ("conference", "upcoming")),
    "series": (None, Filters(), ("spring1", "spring2", "last_year")),
    "chosen dates": (Period.custom(date(2026, 3, 15), date(2026, 9, 28)), Filters(), ("spring2", "talent_day")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_figure_matches_the_rows(world, case):
    period, filters, keys = CASES[case]
    period = period or Period.series(world.series.id)
    check(world, figures(period, filters, now=NOW), keys)


def test_cancelled_events_are_counted_apart(world):
    result = figures(Period.year(2026), now=NOW)
    assert result.events_cancelled == 1
    assert world.events["cancelled"].id not in {row.event_id for row in result.per_event}


def test_the_series_table_counts_each_person_once_per_series(world):
    result = figures(Period.series(world.series.id), now=NOW)
    (row,) = result.per_series
    scope = {world.events[key].id for key in ("spring1", "spring2", "last_year")}
    active = [item for item in world.registrations if item[0] in scope and item[2] in ACTIVE]
    assert (row.series_id, row.events) == (world.series.id, 3)
    assert row.registrations.value == shown(len(active))
    assert row.people.value == shown(len({item[1] for item in active}))
    assert row.people.value < row.registrations.value  # some people came to more than one
    assert row.attended.value == shown(sum(1 for item in active if item[3]))


def _small_event(factories, people: int, *, events: int = 1, **profile):
    made = [factories.make_event(starts_at=datetime(2026, 4, 1 + number, 1, tzinfo=UTC)) for number in range(events)]
    for _number in range(people):
        user = factories.make_candidate(**profile)
        for event in made:
            factories.make_registration(event, user, attended_at=event.starts_at)
    return made


def test_fewer_than_five_people_are_suppressed(ctx, factories):
    _small_event(factories, 4, degree=Degree.PHD, talent_class=TalentClass.E)
    result = figures(Period.year(2026), now=NOW)
    for count in (result.people, result.registrations, result.attended, result.phds, result.under_35):
        assert count.suppressed and str(count) == "<5"
    assert result.under_35_share.suppressed and result.no_show_rate.suppressed
    assert [row.people.suppressed for row in result.by_degree] == [True]
    assert result.per_event[0].registrations.suppressed
    assert result.postdocs.value == 0 and not result.postdocs.suppressed  # nobody is singled out by a zero


def test_five_people_are_shown(ctx, factories):
    _small_event(factories, 5, degree=Degree.PHD)
    result = figures(Period.year(2026), now=NOW)
    assert (result.people.value, result.phds.value, result.attended.value) == (5, 5, 5)
    assert result.no_show_rate.value == 0


def test_a_person_at_three_events_is_one_person(ctx, factories):
    _small_event(factories, 5, events=3, degree=Degree.POSTDOC)
    result = figures(Period.year(2026), now=NOW)
    assert result.registrations.value == 15 and result.attended.value == 15
    assert (result.people.value, result.attended_people.value, result.postdocs.value) == (5, 5, 5)
    assert breakdown(result.by_degree) == {Degree.POSTDOC: 5}


def test_an_empty_period_has_zeros_and_no_shares(ctx):
    result = figures(Period.year(2030), now=NOW)
    assert (result.events_held, result.people.value, result.employers) == (0, 0, 0)
    assert result.no_show_rate.value is None and not result.no_show_rate.suppressed
    assert str(result.fill_rate) == "—" and result.registrations_by_week == ()


@pytest.mark.parametrize(("period", "first", "last"), [
    (Period.year(2026), date(2026, 1, 1), date(2026, 12, 31)),
    (Period.half(2026, 1), date(2026, 1, 1), date(2026, 6, 30)),
    (Period.half(2026, 2), date(2026, 7, 1), date(2026, 12, 31)),
    (Period.quarter(2026, 1), date(2026, 1, 1), date(2026, 3, 31)),
    (Period.quarter(2026, 4), date(2026, 10, 1), date(2026, 12, 31)),
])
def test_periods_cover_their_days(period, first, last):
    assert (period.start, period.end) == (first, last)


def test_the_period_before():
    assert Period.year(2026).previous() == Period.year(2025)
    assert Period.half(2026, 1).previous() == Period.half(2025, 2)
    assert Period.quarter(2026, 3).previous() == Period.quarter(2026, 2)
    assert Period.custom(date(2026, 3, 1), date(2026, 3, 10)).previous() == Period.custom(date(2026, 2, 19),
                                                                                          date(2026, 2, 28))
    assert Period.series(3).previous() is None and Period.series(3).kind == PeriodKind.SERIES


def test_impossible_periods_are_refused():
    with pytest.raises(ValueError):
        Period.half(2026, 3)
    with pytest.raises(ValueError):
        Period.quarter(2026, 0)
    with pytest.raises(ValueError):
        Period.custom(date(2026, 3, 2), date(2026, 3, 1))


def test_the_page_reads_the_snapshot_until_the_scheduler_computes_it_again(app, ctx, factories, monkeypatch):
    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    _small_event(factories, 5)
    first = snapshots.stored_figures(Period.year(2026), now=NOW)
    assert first.figures is None and first.refresh_requested  # asked for, not computed in the view
    assert "1 computed" in snapshots.refresh_due(NOW)
    assert snapshots.stored_figures(Period.year(2026), now=NOW).figures.people.value == 5
    _small_event(factories, 5)
    assert snapshots.stored_figures(Period.year(2026), now=NOW).figures.people.value == 5  # the summary, as of then
    assert snapshots.refresh_due(NOW) == ""  # not stale yet, nobody asked
    snapshots.request_refresh(Period.year(2026), now=NOW)
    assert snapshots.stored_figures(Period.year(2026), now=NOW).refresh_requested
    snapshots.refresh_due(NOW)
    shown_now = snapshots.stored_figures(Period.year(2026), now=NOW)
    assert shown_now.figures.people.value == 10 and not shown_now.refresh_requested
    fairs = snapshots.stored_figures(Period.year(2026), Filters(kind=EventKind.FAIR), now=NOW)
    assert fairs.figures is None  # another scope, another snapshot


def test_stale_snapshots_are_computed_again_and_unviewed_ones_forgotten(app, ctx, factories, monkeypatch):
    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    _small_event(factories, 5)
    snapshots.stored_figures(Period.year(2026), now=NOW)
    snapshots.refresh_due(NOW)
    _small_event(factories, 5)
    later = NOW + timedelta(seconds=app.config["ANALYTICS_REFRESH_SECONDS"] + 60)
    assert "1 computed" in snapshots.refresh_due(later)
    assert snapshots.stored_figures(Period.year(2026), now=later).figures.people.value == 10
    forgotten = later + timedelta(days=app.config["ANALYTICS_KEEP_DAYS"] + 1)
    assert "1 forgotten" in snapshots.refresh_due(forgotten)
    assert db.session.scalar(select(func.count()).select_from(AnalyticsSnapshot)) == 0


def test_a_refresh_asked_for_while_the_figures_are_computed_is_kept_for_the_next_round(app, ctx, factories,
                                                                                     monkeypatch):
    """The figures may predate a "Refresh" pressed while they were computed: that request stays asked for."""
    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    _small_event(factories, 5)
    snapshots.stored_figures(Period.year(2026), now=NOW)  # the first view asks for them
    computing = services.figures

    def figures_while_someone_asks(*args, **kwargs):
        result = computing(*args, **kwargs)
        snapshots.request_refresh(Period.year(2026), now=NOW + timedelta(seconds=5))  # another worker's "Refresh"
        return result

    monkeypatch.setattr(services, "figures", figures_while_someone_asks)
    assert "1 computed" in snapshots.refresh_due(NOW + timedelta(seconds=1))
    shown = snapshots.stored_figures(Period.year(2026), now=NOW + timedelta(seconds=10))
    assert shown.figures.people.value == 5 and shown.refresh_requested
    monkeypatch.setattr(services, "figures", computing)
    assert "1 computed" in snapshots.refresh_due(NOW + timedelta(seconds=20))
    assert not snapshots.stored_figures(Period.year(2026), now=NOW + timedelta(seconds=30)).refresh_requested


def test_a_failed_computation_keeps_the_figures_date_and_is_not_retried_every_round(app, ctx, factories,
                                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    _small_event(factories, 5)
    snapshots.stored_figures(Period.year(2026), now=NOW)
    snapshots.refresh_due(NOW)
    computed_at = snapshots.stored_figures(Period.year(2026), now=NOW).figures.computed_at
    computing = services.figures

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "figures", broken)
    stale = timedelta(seconds=app.config["ANALYTICS_REFRESH_SECONDS"] + 60)
    failed_at = NOW + stale
    assert "1 failed" in snapshots.refresh_due(failed_at)
    shown = snapshots.stored_figures(Period.year(2026), now=failed_at)
    assert shown.figures.computed_at == computed_at  # the figures do not look fresher than they are
    assert shown.failed_at == failed_at and "went away" in shown.error and not shown.refresh_requested
    assert snapshots.refresh_due(failed_at + timedelta(minutes=1)) == ""  # not again at every round
    monkeypatch.setattr(services, "figures", computing)
    assert "1 computed" in snapshots.refresh_due(failed_at + stale)
    shown = snapshots.stored_figures(Period.year(2026), now=failed_at + stale)
    assert shown.figures.computed_at > computed_at and shown.failed_at is None and shown.error == ""


def test_a_snapshot_round_trips_every_figure(ctx, world):
    computed = services.figures(Period.year(2026), now=NOW)
    assert snapshots.decode(snapshots.encode(computed)) == computed
    with pytest.raises(ValueError):
        snapshots.decode('{"$x": 1}')
    with pytest.raises(KeyError):
        snapshots.decode('{"$d": "Popen", "f": {}}')  # only the figures' own types are ever built
