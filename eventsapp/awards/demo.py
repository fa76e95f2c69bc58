"""Demo data for the awards: this year's (past) edition of the demo's overseas-talent contest, with a
closed first round, entries advanced to the roadshow (ties decided), the roadshow's pitch schedule and
the first round's published results. (Next year's edition is the one taking entries: eventsapp/demo.)
The rounds' dates follow the event's (entries five months before it, the roadshow a month before, the
final on the day), and a round whose end has passed is closed: the demo judge scored the roadshow.

``seed_demo_contest_results(today, password_hash)`` is called by ``flask seed-demo`` after the events
exist. It uses the contest the event already has, if any (tracks, entries, judges and first-round
scores), and builds it otherwise: three tracks, 30 entries with their teams, 8 judges and three
submitted sheets per entry. It adds nothing twice and sends no e-mail.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.services import find_user_by_email
from eventsapp.awards import services
from eventsapp.candidates.models import CandidateProfile, Degree
from eventsapp.contests.models import (
    Aggregation,
    AssignedBy,
    Contest,
    ContestJudge,
    Entry,
    EntryState,
    Panel,
    PanelMember,
    PitchSlot,
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
from eventsapp.contests.services import find_contest
from eventsapp.dbtypes import utcnow
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db

ZONE = ZoneInfo("Asia/Shanghai")
TRACKS = [("数字经济", "Digital economy"), ("生物医药", "Biomedicine"), ("高端装备", "Advanced equipment")]
PROJECTS = {
    0: [
        ("工业大模型质检平台", "Industrial vision model for quality control"),
        ("跨境支付风控引擎", "Cross-border payment risk engine"),
        ("城市数字孪生底座", "Digital twin platform for cities"),
        ("隐私计算数据交易所", "Privacy-preserving data exchange"),
        ("智能客服多语种系统", "Multilingual customer service AI"),
        ("低代码供应链中台", "Low-code supply chain hub"),
        ("AI 药店选址", "AI site selection for pharmacies"),
        ("农业遥感大数据", "Remote sensing for agriculture"),
        ("量子安全通信网关", "Quantum-safe communication gateway"),
        ("区块链碳足迹追踪", "Carbon footprint on a ledger"),
    ],
    1: [
        ("新型 mRNA 递送系统", "Novel mRNA delivery system"),
        ('阿尔茨海默早筛试剂', "Early Alzheimer's screening kit"),
        ("可降解心脏支架", "Biodegradable cardiac stent"),
        ("单细胞测序仪", "Single-cell sequencer"),
        ("CAR-T 细胞治疗平台", "CAR-T cell therapy platform"),
        ("AI 新药分子设计", "AI molecule design"),
        ("便携式血液分析仪", "Portable blood analyser"),
        ("合成生物香料", "Synthetic biology flavours"),
        ("眼科手术机器人", "Ophthalmic surgery robot"),
        ("微生物组益生菌", "Microbiome probiotics"),
    ],
    2: [
        ("高精度谐波减速器", "High-precision harmonic reducer"),
        ("氢燃料电池电堆", "Hydrogen fuel cell stack"),
        ("碳化硅功率模块", "Silicon carbide power module"),
        ("协作机器人关节", "Collaborative robot joint"),
        ("激光雷达芯片", "Lidar chip"),
        ("五轴数控系统", "Five-axis CNC system"),
        ("固态电池隔膜", "Solid-state battery separator"),
        ("无人机巡检系统", "Drone inspection system"),
        ("精密光学镜头", "Precision optical lens"),
        ("智能焊接工作站", "Smart welding station"),
    ],
}
JUDGE_EMAIL = "judge@example.com"  # the demo's judge: next year's online review (eventsapp/demo), this roadshow
FAMILY, GIVEN = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜敏静磊洋勇艳杰涛明超秀霞平刚桂英华"
JUDGES = [("周教授", "浙江大学"), ("钱研究员", "中国科学院"), ("孙总", "杭州创新投资"), ("李博士", "阿里云"),
          ("吴教授", "西湖大学"), ("郑主任", "杭州市科技局"), ("冯合伙人", "深创投"), ("陈总工", "杭州汽轮集团")]


def demo_judge(password_hash: str) -> User:
    """The demo judge's account (a candidate account that judges: judging is a role per contest)."""
    account = find_user_by_email(JUDGE_EMAIL)
    if account is None:
        account = User(email=JUDGE_EMAIL, display_name="周教授 Prof. Zhou", role=Role.CANDIDATE,
                       password_hash=password_hash, email_verified_at=utcnow())
        db.session.add(account)
        db.session.flush()
    return account


def _day(value: date, hour: int, minute: int = 0) -> datetime:
    return datetime(value.year, value.month, value.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def seed_demo_contest_results(today: date, password_hash: str) -> int:
    """Build what is missing of the demo contest's first round and its results; the number of entries
    advanced (0 when there was nothing to do)."""
    event = find_event_by_slug(f"overseas-innovation-contest-{today.year}")
    if event is None:
        return 0
    contest = find_contest(event.id) or _contest(event, today, password_hash)
    first = contest.rounds[0] if contest.rounds else None
    following = services.next_round(first) if first else None
    if first is None or following is None or services.round_decided(first):
        return 0
    if not services.round_scores(first.id) or (first.ends_at is not None and first.ends_at > utcnow()):
        return 0  # the demo's contest has no scores yet, or its first round is still on: nothing to advance on
    organizer = find_user_by_email("organizer@example.com")
    first.state = RoundState.CLOSED
    db.session.flush()
    try:
        result = services.advance_round(first, organizer, top=4, tell_teams=False)
    except services.TiesUndecided as undecided:
        winners = [s.entry.id for plan in undecided.plans for s in plan.tied[:plan.seats_for_tied]]
        result = services.advance_round(first, organizer, top=4, tie_winners=winners, tell_teams=False)
    _schedule(contest, following, result.advanced, event.starts_at)
    _awards(contest, first, organizer)
    _judge_the_roadshow(contest, following, password_hash, event.starts_at)
    return len(result.advanced)


def _state_on_dates(round_: Round, now: datetime) -> RoundState:
    if round_.ends_at is not None and round_.ends_at <= now:
        return RoundState.CLOSED
    return RoundState.OPEN if round_.starts_at is not None and round_.starts_at <= now else RoundState.PLANNED


def _contest(event, today: date, password_hash: str) -> Contest:
    event_day = event.starts_at.astimezone(ZONE).date()
    opens = _day(event_day - timedelta(days=150), 9)
    roadshow_day = event_day - timedelta(days=30)
    contest = Contest(event_id=event.id, entries_open_at=opens, entries_close_at=opens + timedelta(days=45),
                      team_min=1, team_max=5, leader_max_age=45, requires_overseas_experience=True,
                      share_scores_with_teams=True,
                      rules_zh="参赛项目须由具有海外学习或工作经历的人才领衔。",
                      rules_en="Entries are led by talent with overseas study or work experience.")
    contest.tracks = [Track(position=index, name_zh=zh, name_en=en) for index, (zh, en) in enumerate(TRACKS)]
    contest.rounds = [
        Round(position=1, name_zh="初赛网评", name_en="Online review", kind=RoundKind.ONLINE_REVIEW, blind=True,
              aggregation=Aggregation.TRIMMED, state=RoundState.OPEN, reviews_per_entry=3,
              starts_at=opens + timedelta(days=46), ends_at=opens + timedelta(days=60)),
        Round(position=2, name_zh="复赛路演", name_en="Roadshow semi-final", kind=RoundKind.ROADSHOW,
              aggregation=Aggregation.ZSCORE, reviews_per_entry=3, starts_at=_day(roadshow_day, 9),
              ends_at=_day(roadshow_day, 18)),
        Round(position=3, name_zh="总决赛", name_en="Final", kind=RoundKind.FINAL, reviews_per_entry=5,
              starts_at=event.starts_at, ends_at=event.ends_at),
    ]
    db.session.add(contest)
    db.session.flush()
    first = contest.rounds[0]
    criteria = [RubricCriterion(round_id=first.id, position=index, name_zh=zh, name_en=en, weight=Decimal(weight),
                                max_points=10)
                for index, (zh, en, weight) in enumerate([("技术创新", "Innovation", 4), ("团队能力", "Team", 3),
                                                          ("市场前景", "Market", 3)])]
    judges = [ContestJudge(contest_id=contest.id, email=f"demo.judge{number}@example.com", name=name,
                           organization=organization, invited_at=opens, accepted_at=opens)
              for number, (name, organization) in enumerate(JUDGES, start=1)]
    db.session.add_all(criteria + judges)
    db.session.flush()
    draw = random.Random(2027)
    candidate = find_user_by_email("candidate@example.com")
    number = 0
    for track_index, track in enumerate(contest.tracks):
        for zh, en in PROJECTS[track_index]:
            number += 1
            leader = _maker(number, draw, password_hash)
            entry = Entry(contest_id=contest.id, track_id=track.id, title_zh=zh, title_en=en,
                          state=EntryState.SUBMITTED,
                          summary_zh=f"{zh}：由海外归国团队研发。", summary_en=f"{en}, built by a returning team.",
                          overseas_experience="海外博士及工作经历 / PhD and work abroad", created_by_id=leader.id,
                          submitted_at=opens + timedelta(days=number % 40 + 1))
            entry.members = [TeamMember(user_id=leader.id, role=TeamRole.LEADER)]
            if number == 1 and candidate is not None:
                entry.members.append(TeamMember(user_id=candidate.id, role=TeamRole.MEMBER))
            db.session.add(entry)
            db.session.flush()
            quality = draw.uniform(4, 9.5)
            for judge in draw.sample(judges, 3):
                points = {str(criterion.id): max(0, min(10, round(quality + draw.uniform(-1.5, 1.5))))
                          for criterion in criteria}
                db.session.add(ScoreSheet(round_id=first.id, judge_id=judge.id, entry_id=entry.id,
                                          state=SheetState.SUBMITTED, points=points, comments={},
                                          comment=draw.choice(["市场清晰，团队扎实。", "技术有壁垒，商业模式待验证。",
                                                               "Strong team; unit economics unproven.", ""]),
                                          submitted_at=min(first.ends_at, utcnow())))
    db.session.flush()
    return contest


def _maker(number: int, draw: random.Random, password_hash: str) -> User:
    email = f"demo.maker{number:02d}@example.com"
    user = find_user_by_email(email)
    if user is not None:
        return user
    name = FAMILY[number % len(FAMILY)] + GIVEN[(number * 7) % len(GIVEN)]
    user = User(email=email, display_name=name, role=Role.CANDIDATE, password_hash=password_hash,
                email_verified_at=utcnow())
    db.session.add(user)
    db.session.flush()
    db.session.add(CandidateProfile(user_id=user.id, name=name, phone="+8613800138000",
                                    birth_year=1980 + draw.randint(0, 12), degree=Degree.PHD,
                                    school=draw.choice(["Stanford University", "ETH Zürich", "University of Tokyo",
                                                        "Imperial College London"])))
    return user


def _schedule(contest: Contest, roadshow: Round, advanced: list[Entry], event_start: datetime) -> None:
    if db.session.scalar(select(PitchSlot.id).where(PitchSlot.round_id == roadshow.id).limit(1)):
        return
    day = (event_start - timedelta(days=30)).astimezone(ZONE).date()
    judges = list(db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id)
                                     .order_by(ContestJudge.id)))
    for index, track in enumerate(contest.tracks):
        room = f"路演厅 {'ABC'[index]}"
        panel = Panel(round_id=roadshow.id, track_id=track.id, name=f"{track.name_zh}评审组", room=room)
        panel.members = [PanelMember(judge_id=judge.id) for judge in judges[index * 2:index * 2 + 3]]
        db.session.add(panel)
        db.session.flush()
        entries = [entry.id for entry in advanced if entry.track_id == track.id]
        if entries:
            services.schedule_pitches(roadshow, room=room, starts_at=_day(day, 9), minutes=20, entry_ids=entries,
                                      panel_id=panel.id)


def _awards(contest: Contest, first: Round, organizer: User | None) -> None:
    if contest.results_published_at is not None or services.contest_awards(contest):
        return
    best: dict[int, int] = {}
    entries = {entry.id: entry for entry in services.entries_in_round(first)}
    for detail in services.round_scores(first.id):
        entry = entries.get(detail.entry)
        if entry is not None and entry.track_id not in best:
            best[entry.track_id] = entry.id
    for entry_id in best.values():
        services.add_award(contest, entry_id=entry_id, name_zh="初赛第一名", name_en="Best of the online review",
                           rank=1, prize_amount=Decimal(20000))
    if best:
        services.publish_results(contest, organizer, tell_teams=False)


def _judge_the_roadshow(contest: Contest, roadshow: Round, password_hash: str, event_start: datetime) -> None:
    """The demo judge (``judge@example.com``, the first judge of the contest) judges the roadshow: the round
    gets its rubric and the judge the entries of their room. The rounds after the first take the state their
    dates give them: once the roadshow is over, it is closed with the judge's sheets submitted; the final
    closes after the event."""
    judge = db.session.scalar(select(ContestJudge).where(ContestJudge.contest_id == contest.id)
                              .order_by(ContestJudge.id).limit(1))
    if judge is None or judge.user_id is not None:
        return
    account = demo_judge(password_hash)
    judge.user_id, judge.email = account.id, account.email
    if not db.session.scalar(select(RubricCriterion.id).where(RubricCriterion.round_id == roadshow.id).limit(1)):
        db.session.add_all([
            RubricCriterion(round_id=roadshow.id, position=index, name_zh=zh, name_en=en, weight=Decimal(weight),
                            max_points=10, comment_required=index == 0)
            for index, (zh, en, weight) in enumerate([("路演表现", "Pitch", 3), ("商业模式", "Business model", 4),
                                                      ("落地可行性", "Feasibility in Hangzhou", 3)])])
        db.session.flush()
    now = utcnow()
    for later in contest.rounds[1:]:
        later.state = _state_on_dates(later, now)
    rooms = select(Panel.id).join(PanelMember, PanelMember.panel_id == Panel.id).where(
        Panel.round_id == roadshow.id, PanelMember.judge_id == judge.id)
    entries = db.session.scalars(select(PitchSlot.entry_id).where(PitchSlot.round_id == roadshow.id,
                                                                  PitchSlot.panel_id.in_(rooms),
                                                                  PitchSlot.cancelled_at.is_(None))
                                 .order_by(PitchSlot.starts_at)).all()
    db.session.add_all([ReviewAssignment(round_id=roadshow.id, judge_id=judge.id, entry_id=entry_id,
                                         assigned_by=AssignedBy.HAND) for entry_id in entries])
    if roadshow.state == RoundState.CLOSED:
        criteria = db.session.scalars(select(RubricCriterion.id).where(RubricCriterion.round_id == roadshow.id)).all()
        draw = random.Random(roadshow.id)
        db.session.add_all([ScoreSheet(round_id=roadshow.id, judge_id=judge.id, entry_id=entry_id,
                                       state=SheetState.SUBMITTED, comment="路演清晰，落地计划可行。",
                                       points={str(criterion): draw.randint(6, 10) for criterion in criteria},
                                       comments={str(criteria[0]): "表达清楚 / Clear pitch"},
                                       submitted_at=roadshow.ends_at or event_start)
                            for entry_id in entries])
    db.session.flush()
