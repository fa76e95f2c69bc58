"""Builders of contests with scores, for the awards' tests: a competition event with its Contest, tracks,
rounds and rubric, submitted entries with their teams, judges and score sheets. Built with the models
directly (tests.factories' ``persist``), each committed when built."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from eventsapp.accounts.models import User
from eventsapp.contests.models import (
    Award,
    ContestJudge,
    EntryRound,
    EntryRoundStatus,
    Panel,
    PanelMember,
    RoundKind,
    RoundState,
    RubricCriterion,
    ScoreSheet,
    SheetState,
)
from eventsapp.events.models import EventKind
from tests.factories import Factories, persist


@dataclass
class ContestSet:
    """What ``AwardFactories.contest`` built: ids, so that tests may use them outside an app context."""
    event_id: int
    slug: str
    contest_id: int
    tracks: list[int]
    rounds: list[int]  # by position: online review (closed), roadshow, final
    criteria: list[int] = field(default_factory=list)  # of the first round: weights 2 and 1, 10 points each


class AwardFactories:
    def __init__(self, app, factories: Factories):
        self.app = app
        self.factories = factories
        self._judges = 0

    def contest(self, share_scores: bool = False, first_round_state: RoundState = RoundState.CLOSED) -> ContestSet:
        event = self.factories.make_event(kind=EventKind.COMPETITION, title_zh="创客天下大赛",
                                          title_en="Makers of the World Contest")
        now = datetime.now(UTC).replace(microsecond=0)
        kinds = [(RoundKind.ONLINE_REVIEW, "网评", "Online review", first_round_state),
                 (RoundKind.ROADSHOW, "复赛路演", "Roadshow", RoundState.PLANNED),
                 (RoundKind.FINAL, "总决赛", "Final", RoundState.PLANNED)]
        contest = self.factories.make_contest(
            event=event, team_max=5, entries_open_at=now - timedelta(days=60),
            entries_close_at=now - timedelta(days=30),
            share_scores_with_teams=share_scores,
            rounds=[dict(kind=kind, name_zh=zh, name_en=en, state=state) for kind, zh, en, state in kinds])
        tracks = [track.id for track in contest.tracks]
        rounds = [round_.id for round_ in contest.rounds]
        criteria = [persist(self.app, RubricCriterion(round_id=rounds[0], position=index, name_zh=zh, name_en=en,
                                                      weight=Decimal(weight), max_points=10)).id
                    for index, (zh, en, weight) in enumerate([("创新性", "Innovation", 2), ("市场", "Market", 1)])]
        return ContestSet(event.id, event.slug, contest.id, tracks, rounds, criteria)

    def entry(self, contest: ContestSet, track: int = 0, title_zh: str = "智能制造平台", title_en: str = "",
              team: list[User] | None = None, **fields) -> int:
        """A submitted entry in the contest's ``track`` (an index); ``team``: the leader first, then members
        (one new candidate leader when not given)."""
        team = team or [self.factories.make_candidate()]
        return self.factories.make_entry(contest.contest_id, *team, track=contest.tracks[track], title_zh=title_zh,
                                         title_en=title_en, submitted_at=datetime.now(UTC) - timedelta(days=40),
                                         created_by_id=team[0].id, **fields).id

    def judge(self, contest: ContestSet, user: User | None = None, name: str = "王评委") -> int:
        self._judges += 1
        return persist(self.app, ContestJudge(contest_id=contest.contest_id, user_id=user.id if user else None,
                                              email=f"judge{self._judges}@example.org", name=name,
                                              accepted_at=datetime.now(UTC) if user else None)).id

    def sheet(self, contest: ContestSet, judge_id: int, entry_id: int, points: tuple[int, int],
              state: SheetState = SheetState.SUBMITTED, comment: str = "", round_index: int = 0) -> int:
        """A sheet of the first round: ``points`` for the two criteria."""
        values = {str(criterion): value for criterion, value in zip(contest.criteria, points, strict=True)}
        return persist(self.app, ScoreSheet(
            round_id=contest.rounds[round_index], judge_id=judge_id, entry_id=entry_id, state=state, points=values,
            comments={}, comment=comment,
            submitted_at=datetime.now(UTC) if state == SheetState.SUBMITTED else None)).id

    def scored_entries(self, contest: ContestSet, points_by_track: dict[int, list[tuple[int, int]]],
                       judge_id: int | None = None) -> dict[int, list[int]]:
        """Entries with one submitted sheet each from the same judge, per track index, in the given order."""
        judge_id = judge_id or self.judge(contest)
        made = {}
        for track, points in points_by_track.items():
            made[track] = []
            for number, pair in enumerate(points, start=1):
                entry_id = self.entry(contest, track, title_zh=f"项目 {track}-{number}",
                                      title_en=f"Project {track}-{number}")
                self.sheet(contest, judge_id, entry_id, pair)
                made[track].append(entry_id)
        return made

    def panel(self, contest: ContestSet, round_index: int, room: str, judges: list[int]) -> int:
        panel = persist(self.app, Panel(round_id=contest.rounds[round_index], name=f"Panel {room}", room=room))
        panel_id = panel.id
        for judge_id in judges:
            persist(self.app, PanelMember(panel_id=panel_id, judge_id=judge_id))
        return panel_id

    def in_round(self, contest: ContestSet, entry_id: int, round_index: int) -> None:
        persist(self.app, EntryRound(entry_id=entry_id, round_id=contest.rounds[round_index],
                                     status=EntryRoundStatus.ENTERED))

    def award(self, contest: ContestSet, entry_id: int, name_zh: str = "一等奖", name_en: str = "First prize",
              rank: int = 1, prize: int = 100000, track: int | None = 0) -> int:
        return persist(self.app, Award(contest_id=contest.contest_id, entry_id=entry_id,
                                       track_id=contest.tracks[track] if track is not None else None,
                                       name_zh=name_zh, name_en=name_en, rank=rank,
                                       prize_amount=Decimal(prize))).id
