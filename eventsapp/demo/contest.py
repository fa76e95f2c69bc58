"""The demo's overseas innovation contest as a real contest: three tracks, two groups, three rounds, an
entry-form question, and entries from the demo candidate and the demo PhDs. Its online review runs while
entries come in (it opened a week after entries did and ends two weeks after they close): the demo judge,
``judge@example.com``, scores the entries submitted so far, blind."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.accounts.services import find_user_by_email
from eventsapp.awards.demo import demo_judge
from eventsapp.contests.models import (
    AssignedBy,
    Contest,
    ContestGroup,
    ContestJudge,
    ContestQuestion,
    Entry,
    EntryAnswer,
    EntryState,
    Panel,
    PanelMember,
    ReviewAssignment,
    Round,
    RoundKind,
    RoundState,
    RubricCriterion,
    TeamMember,
    TeamRole,
    Track,
)
from eventsapp.dbtypes import utcnow
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionKind

TRACKS = [("数字经济", "Digital economy"), ("生物医药", "Biomedicine"), ("高端装备", "Advanced manufacturing")]
GROUPS = [("初创组", "Start-ups"), ("成长组", "Growth companies")]
ROUNDS = [("初赛（网络评审）", "Heats (online review)", RoundKind.ONLINE_REVIEW, True),
          ("复赛（路演）", "Semi-final (roadshow)", RoundKind.ROADSHOW, False),
          ("总决赛", "Final", RoundKind.FINAL, False)]
# (title_zh, title_en, track, group, team leader's demo PhD number or 0 for the demo candidate, submitted)
PROJECTS = [
    ("面向工业质检的多模态大模型", "Multimodal models for industrial inspection", 0, 0, 0, True),
    ("可降解心血管支架", "Biodegradable cardiovascular stents", 1, 1, 1, True),
    ("固态锂电池隔膜材料", "Separator materials for solid-state batteries", 2, 0, 2, True),
    ("肿瘤早筛液体活检平台", "A liquid-biopsy platform for early cancer screening", 1, 0, 3, True),
    ("城市级数字孪生引擎", "A city-scale digital twin platform", 0, 1, 4, True),
    ("协作机器人力控关节", "Force-controlled joints for collaborative robots", 2, 1, 5, True),
    ("联邦学习医疗数据平台", "Federated learning for medical data", 0, 0, 6, True),
    ("新型mRNA递送系统", "A new mRNA delivery system", 1, 0, 7, False),
    ("航空发动机叶片检测", "Inspecting aero-engine blades", 2, 0, 8, True),
]
CRITERIA = [("技术创新", "Innovation", 4), ("团队能力", "Team", 3), ("市场前景", "Market", 3)]
OVERSEAS = ["PhD, University of Cambridge, 2016–2020", "Postdoc, ETH Zürich, 2019–2022",
            "Research scientist, Max Planck Institute, 2017–2023"]


def seed_contest(today: date, password_hash: str) -> int:
    """Make the coming overseas contest a contest taking entries now; return how many entries were added.
    Nothing is added when it is a contest already (or the event is missing)."""
    event = find_event_by_slug(f"overseas-innovation-contest-{today.year + 1}")
    if event is None or db.session.scalar(select(Contest.id).where(Contest.event_id == event.id)):
        return 0
    now = utcnow().replace(microsecond=0)
    contest = Contest(event_id=event.id, entries_open_at=now - timedelta(days=14),
                      entries_close_at=max(event.starts_at - timedelta(days=60), now + timedelta(days=30)),
                      team_min=1, team_max=5, leader_max_age=45, requires_overseas_experience=True,
                      rules_zh="项目须在杭州落地或有意向落地；每人限参加一个团队。",
                      rules_en="Projects settle, or intend to settle, in Hangzhou; each person is on one team only.")
    contest.tracks = [Track(name_zh=zh, name_en=en, position=i) for i, (zh, en) in enumerate(TRACKS)]
    contest.groups = [ContestGroup(name_zh=zh, name_en=en, position=i) for i, (zh, en) in enumerate(GROUPS)]
    contest.rounds = [Round(position=i + 1, name_zh=zh, name_en=en, kind=kind, blind=blind)
                      for i, (zh, en, kind, blind) in enumerate(ROUNDS)]
    online = contest.rounds[0]
    online.starts_at, online.ends_at = now - timedelta(days=7), contest.entries_close_at + timedelta(days=14)
    online.state = RoundState.OPEN
    db.session.add(contest)
    db.session.flush()
    question = ContestQuestion(contest_id=contest.id, position=1, kind=QuestionKind.YES_NO,
                               label_zh="项目是否已获得融资", label_en="Has the project raised investment?")
    db.session.add(question)
    db.session.flush()
    leaders: list[User | None] = [find_user_by_email("candidate@example.com")] + [
        find_user_by_email(f"demo.phd{number:02d}@example.com") for number in range(1, 9)]
    added = 0
    for title_zh, title_en, track, group, leader_number, submitted in PROJECTS:
        leader = leaders[leader_number]
        if leader is None:
            continue
        entry = Entry(contest_id=contest.id, track_id=contest.tracks[track].id, group_id=contest.groups[group].id,
                      title_zh=title_zh, title_en=title_en,
                      summary_zh=f"{title_zh}：团队由海外归国人才组成，项目已完成样机。",
                      summary_en=f"{title_en}: a team of returnees with a working prototype.",
                      overseas_experience=OVERSEAS[added % len(OVERSEAS)],
                      state=EntryState.SUBMITTED if submitted else EntryState.DRAFT,
                      submitted_at=now - timedelta(days=3) if submitted else None, created_by_id=leader.id)
        entry.members = [TeamMember(user_id=leader.id, role=TeamRole.LEADER)]
        if leader_number in (1, 2):  # two teams with a second member
            partner = find_user_by_email(f"demo.phd{leader_number + 10:02d}@example.com")
            if partner is not None:
                entry.members.append(TeamMember(user_id=partner.id, role=TeamRole.MEMBER))
        entry.answers = [EntryAnswer(question_id=question.id, value="yes" if added % 2 else "no")]
        db.session.add(entry)
        added += 1
    db.session.flush()
    _judge_the_online_review(contest, online, demo_judge(password_hash), now)
    return added


def _judge_the_online_review(contest: Contest, online: Round, account: User, now) -> None:
    """The round's rubric, a panel for every track with the demo judge, and the entries submitted so far
    assigned to them (entries submitted later are assigned by the organizer, with the assignment page)."""
    db.session.add_all(RubricCriterion(round_id=online.id, position=index, name_zh=zh, name_en=en,
                                       weight=Decimal(weight), max_points=10, comment_required=index == 0)
                       for index, (zh, en, weight) in enumerate(CRITERIA))
    judge = ContestJudge(contest_id=contest.id, user_id=account.id, email=account.email, name="周教授",
                         organization="浙江大学", invited_at=now - timedelta(days=10),
                         accepted_at=now - timedelta(days=9))
    db.session.add(judge)
    db.session.flush()
    panel = Panel(round_id=online.id, name="网评专家组 Online review panel")
    panel.members = [PanelMember(judge_id=judge.id)]
    db.session.add(panel)
    submitted = db.session.scalars(select(Entry.id).where(Entry.contest_id == contest.id,
                                                          Entry.state == EntryState.SUBMITTED).order_by(Entry.id))
    db.session.add_all(ReviewAssignment(round_id=online.id, judge_id=judge.id, entry_id=entry_id,
                                        assigned_by=AssignedBy.HAND) for entry_id in submitted)
    db.session.flush()
