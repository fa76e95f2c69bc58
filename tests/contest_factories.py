"""Test builders for contests: a competition event with its contest, tracks and rounds, entries with
their teams, judges, panels, rubrics, assignments and sheets. Rows are built with the models directly
and committed by ``persist`` (tests/factories.py), like the other builders; each takes the test's
``factories`` for its accounts and events."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from eventsapp.accounts.models import Role, User
from eventsapp.contests.models import (
    AssignedBy,
    Contest,
    ContestJudge,
    Entry,
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
    Track,
)
from eventsapp.events.models import EventKind
from tests.factories import Factories, persist


@dataclass
class ContestWorld:
    """A contest as the tests use it: its event, tracks and rounds."""
    factories: Factories
    contest: Contest
    tracks: list[Track]
    rounds: list[Round]
    judges: list[ContestJudge] = field(default_factory=list)
    accounts: dict[int, User] = field(default_factory=dict)  # judge id -> their account

    def user_of(self, judge: ContestJudge) -> User:
        return self.accounts[judge.id]

    @property
    def event(self):
        return self.contest.event

    @property
    def app(self):
        return self.factories.app

    def entry(self, track: Track | None = None, leader: User | None = None, members: tuple[User, ...] = (),
              state: EntryState = EntryState.SUBMITTED, **fields) -> Entry:
        """A submitted entry with its team: ``leader`` (a new candidate by default) and ``members``."""
        number = self.factories._next("entry")
        leader = leader or self.factories.make_candidate(email=f"leader{number}@team{number}.example.net",
                                                         school=f"学校 {number}")
        values = dict(title_zh=f"项目 {number}", title_en=f"Project {number}", summary_zh="摘要", summary_en="Summary",
                      created_by_id=leader.id)
        values.update(fields)
        return self.factories.make_entry(self.contest, leader, *members, state=state, track=track or self.tracks[0],
                                         **values)

    def judge(self, user: User | None = None, accepted: bool = True, email: str | None = None,
              organization: str = "", school: str = "", max_load: int | None = None, name: str = "") -> ContestJudge:
        """A judge of the contest; ``accepted`` gives them an account (``user`` or a new one)."""
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

    def panel(self, round_: Round, judges: list[ContestJudge], track: Track | None = None, name: str = "") -> Panel:
        panel = persist(self.app, Panel(round_id=round_.id, track_id=track.id if track else None,
                                        name=name or "Panel"))
        if judges:
            persist(self.app, *(PanelMember(panel_id=panel.id, judge_id=judge.id) for judge in judges))
        return panel

    def rubric(self, round_: Round, *criteria: tuple, comment_required: bool = False) -> list[RubricCriterion]:
        """Criteria of (weight, max_points); the first asks for a comment when ``comment_required``."""
        rows = [RubricCriterion(round_id=round_.id, position=number, name_zh=f"标准 {number}",
                                name_en=f"Criterion {number}", weight=Decimal(str(weight)), max_points=max_points,
                                comment_required=comment_required and number == 0)
                for number, (weight, max_points) in enumerate(criteria or ((1, 10),))]
        persist(self.app, *rows)
        return rows

    def assign(self, round_: Round, judge: ContestJudge, *entries: Entry) -> None:
        persist(self.app, *(ReviewAssignment(round_id=round_.id, judge_id=judge.id, entry_id=entry.id,
                                             assigned_by=AssignedBy.ENGINE) for entry in entries))

    def sheet(self, round_: Round, judge: ContestJudge, entry: Entry, points: dict,
              state: SheetState = SheetState.SUBMITTED) -> ScoreSheet:
        """A sheet with ``points`` by criterion (rows or ids)."""
        stored = {str(getattr(criterion, "id", criterion)): float(given) for criterion, given in points.items()}
        return persist(self.app, ScoreSheet(
            round_id=round_.id, judge_id=judge.id, entry_id=entry.id, state=state, points=stored, comments={},
            comment="", submitted_at=datetime.now(UTC) if state == SheetState.SUBMITTED else None))


def build_contest(factories: Factories, tracks: int = 2, rounds: int = 1, round_state: RoundState = RoundState.OPEN,
                  blind: bool = False, **event_fields) -> ContestWorld:
    """A published competition whose entries closed yesterday (Factories.make_contest), with ``tracks`` tracks
    and ``rounds`` rounds (the first an online review in ``round_state``, the others planned finals)."""
    event = factories.make_event(kind=EventKind.COMPETITION, **event_fields)
    now = datetime.now(UTC)
    names = [("数字经济", "Digital economy"), ("生物医药", "Biomedicine"), ("高端装备", "Advanced equipment")]
    contest = factories.make_contest(
        tracks=[names[number % 3] for number in range(tracks)], event=event, team_max=5,
        entries_open_at=now - timedelta(days=30), entries_close_at=now - timedelta(days=1),
        rounds=[dict(kind=RoundKind.ONLINE_REVIEW if number == 1 else RoundKind.FINAL, blind=blind and number == 1,
                     state=round_state if number == 1 else RoundState.PLANNED, reviews_per_entry=2)
                for number in range(1, rounds + 1)])
    return ContestWorld(factories, contest, list(contest.tracks), list(contest.rounds))
