"""Every test builder of contests, for the contests', judging's and awards' tests: a competition event with
its contest, tracks and rounds (``make_contest``), entries with their teams (``make_entry``), and a
``ContestWorld`` around one contest for judges with or without accounts, panels, rubric criteria,
assignments, score sheets, entries in a round and awards. Rows are committed by ``persist``
(tests/factories.py), like the other builders: attached in the test's app context, otherwise detached with
their columns loaded. The world's methods return the rows they made and take rows or their ids."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import has_app_context

from eventsapp.accounts.models import Role, User
from eventsapp.contests.models import (
    AssignedBy,
    Award,
    Contest,
    ContestGroup,
    ContestJudge,
    Entry,
    EntryRound,
    EntryRoundStatus,
    EntryState,
    Panel,
    PanelMember,
    ReviewAssignment,
    Round,
    RoundKind,
    RoundState,
    RubricCriterion,
    ScoreSheet,
    SheetState,
    TeamMember,
    TeamRole,
    Track,
)
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from tests.factories import Factories, persist


def _persist_loaded(app, row, *relations):
    """Like ``persist``, with the named relationships loaded before the row is detached."""
    if has_app_context():
        return persist(app, row)
    with app.app_context():
        db.session.add(row)
        db.session.commit()
        db.session.refresh(row)
        for relation in relations:
            getattr(row, relation)
        db.session.expunge_all()
        return row


def make_contest(factories: Factories, tracks=(("数字经济", "Digital economy"), ("生物医药", "Biomedicine")),
                 groups=(), rounds: int | Sequence[dict] = 1, event=None, **settings) -> Contest:
    """A published competition taking entries now (for 20 more days), with its tracks and rounds: ``rounds``
    online reviews, or one round per dict of fields (kind, names, state, ...) over those defaults. The one
    builder of contests: the contest worlds below start from it."""
    if event is None:
        number = factories._next("contest")
        event = factories.make_event(kind=EventKind.COMPETITION, slug=f"contest-{number}",
                                     title_zh=f"创新创业大赛 {number}", title_en=f"Innovation contest {number}")
    now = datetime.now(UTC).replace(microsecond=0)
    values = dict(entries_open_at=now - timedelta(days=1), entries_close_at=now + timedelta(days=20),
                  team_min=1, team_max=3)
    values.update(settings)
    contest = Contest(event_id=event.id, **values)
    contest.tracks = [Track(name_zh=zh, name_en=en, position=i) for i, (zh, en) in enumerate(tracks)]
    contest.groups = [ContestGroup(name_zh=zh, name_en=en, position=i) for i, (zh, en) in enumerate(groups)]
    round_fields = [{}] * rounds if isinstance(rounds, int) else rounds
    contest.rounds = [Round(**{"position": i + 1, "name_zh": f"第{i + 1}轮", "name_en": f"Round {i + 1}",
                               "kind": RoundKind.ONLINE_REVIEW, **fields})
                      for i, fields in enumerate(round_fields)]
    return _persist_loaded(factories.app, contest, "tracks", "groups", "rounds", "event")


def make_entry(factories: Factories, contest: Contest | int, leader: User, *members: User,
               state: EntryState = EntryState.SUBMITTED, track: Track | int | None = None, **fields) -> Entry:
    """An entry led by ``leader`` with ``members`` on its team; submitted unless ``state`` says otherwise.
    ``contest`` and ``track`` (the contest's first by default) are rows or ids."""
    now = datetime.now(UTC).replace(microsecond=0)
    values = dict(title_zh=f"项目 {factories._next('entry')}", title_en="A project", summary_zh="摘要",
                  track_id=getattr(track, "id", track) or contest.tracks[0].id, state=state,
                  submitted_at=None if state == EntryState.DRAFT else now,
                  withdrawn_at=now if state == EntryState.WITHDRAWN else None)
    values.update(fields)
    entry = Entry(contest_id=getattr(contest, "id", contest), **values)
    entry.members = [TeamMember(user_id=leader.id, role=TeamRole.LEADER)] + [
        TeamMember(user_id=member.id, role=TeamRole.MEMBER) for member in members]
    return _persist_loaded(factories.app, entry, "members")


@dataclass
class ContestWorld:
    """A contest as the tests use it: its event, tracks and rounds."""
    factories: Factories
    contest: Contest
    tracks: list[Track]
    rounds: list[Round]
    judges: list[ContestJudge] = field(default_factory=list)
    criteria: list[RubricCriterion] = field(default_factory=list)  # of the first round, when built with a rubric
    accounts: dict[int, User] = field(default_factory=dict)  # judge id -> their account

    def user_of(self, judge: ContestJudge) -> User:
        return self.accounts[judge.id]

    @property
    def event(self):
        return self.contest.event

    @property
    def app(self):
        return self.factories.app

    def entry(self, track: Track | int | None = None, leader: User | None = None, members: tuple[User, ...] = (),
              state: EntryState = EntryState.SUBMITTED, **fields) -> Entry:
        """A submitted entry with its team: ``leader`` (a new candidate by default) and ``members``."""
        number = self.factories._next("entry")
        leader = leader or self.factories.make_candidate(email=f"leader{number}@team{number}.example.net",
                                                         school=f"学校 {number}")
        values = dict(title_zh=f"项目 {number}", title_en=f"Project {number}", summary_zh="摘要", summary_en="Summary",
                      created_by_id=leader.id)
        values.update(fields)
        return make_entry(self.factories, self.contest, leader, *members, state=state,
                          track=track or self.tracks[0], **values)

    def judge(self, user: User | None = None, accepted: bool = True, email: str | None = None,
              organization: str = "", school: str = "", max_load: int | None = None, name: str = "") -> ContestJudge:
        """A judge of the contest; ``accepted`` gives them an account (``user`` or a new one), otherwise they
        are invited by e-mail and have none."""
        number = self.factories._next("judge")
        if accepted and user is None:
            user = self.factories.make_user(Role.CANDIDATE, email=email or f"judge{number}@jury{number}.example.com",
                                            display_name=name or f"评委 Judge {number}")
        judge = persist(self.app, ContestJudge(
            contest_id=self.contest.id, user_id=user.id if accepted else None,
            email=(user.email if user else email or f"judge{number}@jury{number}.example.com"),
            name=name or f"Judge {number}", organization=organization, school=school, max_load=max_load,
            accepted_at=datetime.now(UTC) if accepted else None,
            token_hash=None if accepted else f"{number:064d}"))
        self.judges.append(judge)
        if user is not None:
            self.accounts[judge.id] = user
        return judge

    def panel(self, round_: Round | int, judges: list[ContestJudge | int], track: Track | None = None,
              name: str = "", room: str = "") -> Panel:
        panel = persist(self.app, Panel(round_id=_id(round_), track_id=track.id if track else None,
                                        name=name or "Panel", room=room))
        if judges:
            persist(self.app, *(PanelMember(panel_id=panel.id, judge_id=_id(judge)) for judge in judges))
        return panel

    def rubric(self, round_: Round | int, *criteria: tuple, comment_required: bool = False) -> list[RubricCriterion]:
        """Criteria of (weight, max_points) or (weight, max_points, name_zh, name_en); the first asks for a
        comment when ``comment_required``."""
        rows = [RubricCriterion(round_id=_id(round_), position=number, weight=Decimal(str(weight)),
                                max_points=max_points, comment_required=comment_required and number == 0,
                                name_zh=names[0] if names else f"标准 {number}",
                                name_en=names[1] if names else f"Criterion {number}")
                for number, (weight, max_points, *names) in enumerate(criteria or ((1, 10),))]
        persist(self.app, *rows)
        return rows

    def assign(self, round_: Round, judge: ContestJudge, *entries: Entry) -> None:
        persist(self.app, *(ReviewAssignment(round_id=round_.id, judge_id=judge.id, entry_id=entry.id,
                                             assigned_by=AssignedBy.ENGINE) for entry in entries))

    def sheet(self, round_: Round | int, judge: ContestJudge | int, entry: Entry | int, points: dict | tuple,
              state: SheetState = SheetState.SUBMITTED, comment: str = "") -> ScoreSheet:
        """A sheet with ``points`` by criterion (rows or ids), or in the order of ``criteria``: whole points
        stored as integers, others as floats."""
        if isinstance(points, tuple):
            points = dict(zip(self.criteria, points, strict=True))
        stored = {str(_id(criterion)): given if isinstance(given, int) else float(given)
                  for criterion, given in points.items()}
        return persist(self.app, ScoreSheet(
            round_id=_id(round_), judge_id=_id(judge), entry_id=_id(entry), state=state, points=stored, comments={},
            comment=comment, submitted_at=datetime.now(UTC) if state == SheetState.SUBMITTED else None))

    def scored_entries(self, points_by_track: dict[int, list[tuple]], judge: ContestJudge | None = None
                       ) -> dict[int, list[int]]:
        """Entries with one submitted sheet of the first round each, from the same judge (one without an
        account by default), by track index: their ids in the given order."""
        judge = judge or self.judge(accepted=False)
        made = {}
        for track, points in points_by_track.items():
            made[track] = []
            for number, given in enumerate(points, start=1):
                entry = self.entry(self.tracks[track], title_zh=f"项目 {track}-{number}",
                                   title_en=f"Project {track}-{number}")
                self.sheet(self.rounds[0], judge, entry, given)
                made[track].append(entry.id)
        return made

    def in_round(self, entry: Entry | int, round_: Round | int) -> EntryRound:
        """The entry taken into the round (as advancing does)."""
        return persist(self.app, EntryRound(entry_id=_id(entry), round_id=_id(round_), status=EntryRoundStatus.ENTERED))

    def award(self, entry: Entry | int, track: Track | None = None, name_zh: str = "一等奖",
              name_en: str = "First prize", rank: int = 1, prize: int = 100000) -> Award:
        """An award of the entry, in ``track`` (the first by default)."""
        return persist(self.app, Award(contest_id=self.contest.id, entry_id=_id(entry),
                                       track_id=(track or self.tracks[0]).id, name_zh=name_zh, name_en=name_en,
                                       rank=rank, prize_amount=Decimal(prize)))


def _id(row) -> int:
    return getattr(row, "id", row)


def build_contest(factories: Factories, tracks: int = 2, rounds: int = 1, round_state: RoundState = RoundState.OPEN,
                  blind: bool = False, share_scores: bool = False, **event_fields) -> ContestWorld:
    """A published competition whose entries closed yesterday (make_contest), with ``tracks`` tracks
    and ``rounds`` rounds (the first an online review in ``round_state``, the others planned finals)."""
    event = factories.make_event(kind=EventKind.COMPETITION, **event_fields)
    now = datetime.now(UTC)
    names = [("数字经济", "Digital economy"), ("生物医药", "Biomedicine"), ("高端装备", "Advanced equipment")]
    contest = make_contest(factories,
        tracks=[names[number % 3] for number in range(tracks)], event=event, team_max=5,
        share_scores_with_teams=share_scores,
        entries_open_at=now - timedelta(days=30), entries_close_at=now - timedelta(days=1),
        rounds=[dict(kind=RoundKind.ONLINE_REVIEW if number == 1 else RoundKind.FINAL, blind=blind and number == 1,
                     state=round_state if number == 1 else RoundState.PLANNED, reviews_per_entry=2)
                for number in range(1, rounds + 1)])
    return ContestWorld(factories, contest, list(contest.tracks), list(contest.rounds))


def build_judged_contest(factories: Factories, first_round_state: RoundState = RoundState.CLOSED,
                         share_scores: bool = False) -> ContestWorld:
    """A contest whose entries closed a month ago, in two tracks and three rounds: an online review (closed
    by default) with a rubric of two criteria of 10 points weighted 2 and 1, a roadshow and a final."""
    event = factories.make_event(kind=EventKind.COMPETITION, title_zh="创客天下大赛",
                                 title_en="Makers of the World Contest")
    now = datetime.now(UTC).replace(microsecond=0)
    kinds = [(RoundKind.ONLINE_REVIEW, "网评", "Online review", first_round_state),
             (RoundKind.ROADSHOW, "复赛路演", "Roadshow", RoundState.PLANNED),
             (RoundKind.FINAL, "总决赛", "Final", RoundState.PLANNED)]
    contest = make_contest(factories,
        event=event, team_max=5, entries_open_at=now - timedelta(days=60), entries_close_at=now - timedelta(days=30),
        share_scores_with_teams=share_scores,
        rounds=[dict(kind=kind, name_zh=zh, name_en=en, state=state) for kind, zh, en, state in kinds])
    world = ContestWorld(factories, contest, list(contest.tracks), list(contest.rounds))
    world.criteria = world.rubric(world.rounds[0], (2, 10, "创新性", "Innovation"), (1, 10, "市场", "Market"))
    return world
