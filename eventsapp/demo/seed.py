"""Demo data: accounts, the coming year's events and two years of history (eventsapp/demo/history.py). Safe to run again; never in production."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.passwords import hash_password
from eventsapp.accounts.services import find_user_by_email
from eventsapp.awards.demo import seed_demo_contest_results
from eventsapp.badges.services import sync_badges
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree
from eventsapp.dbtypes import utcnow
from eventsapp.demo.contest import seed_contest
from eventsapp.demo.employers import seed_employers
from eventsapp.demo.history import ensure_series, seed_history
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionKind, Registration, RegistrationQuestion, RegistrationStatus
from eventsapp.surveys.demo import seed_demo_surveys
from eventsapp.talentday.services import next_talent_day

DEMO_PASSWORD = "talentday-demo"  # noqa: S105 - documented demo accounts, refused in production
ZONE = ZoneInfo("Asia/Shanghai")

DEMO_ACCOUNTS = [
    ("organizer@example.com", "陈静 Chen Jing（人才办）", Role.ORGANIZER),
    ("admin@example.com", "系统管理员 Admin", Role.ADMIN),
    ("employer@example.com", "王芳 Wang Fang（杭州云栖智能科技）", Role.EMPLOYER),
    ("candidate@example.com", "李明轩 Li Mingxuan", Role.CANDIDATE),
]

EXPO = dict(venue_name_zh="杭州国际博览中心", venue_name_en="Hangzhou International Expo Center",
            venue_address="杭州市萧山区奔竞大道353号 / 353 Benjing Avenue, Xiaoshan, Hangzhou",
            venue_halls="A, B, C, D", district="萧山区")
CONVENTION = dict(venue_name_zh="杭州国际会议中心", venue_name_en="Hangzhou International Conference Center",
                  venue_address="杭州市上城区解放东路2号 / 2 Jiefang East Road, Shangcheng, Hangzhou",
                  venue_halls="Main hall, Hall 1, Hall 2", district="上城区")
DREAM_TOWN = dict(venue_name_zh="梦想小镇路演中心", venue_name_en="Dream Town Roadshow Center",
                  venue_address="杭州市余杭区仓前街道文一西路1号 / 1 Wenyi West Road, Yuhang, Hangzhou",
                  venue_halls="Roadshow hall", district="余杭区")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


@dataclass
class DemoEvent:
    slug: str
    kind: EventKind
    title_zh: str
    title_en: str
    day: date
    hours: tuple[int, int]
    capacity: int
    venue: dict
    description_zh: str
    description_en: str
    status: EventStatus = EventStatus.PUBLISHED
    series: str | None = None
    rules: dict = field(default_factory=dict)
    agenda: list[tuple[int, int, str, str, str, str]] = field(default_factory=list)


def _talent_day_agenda():
    return [
        (9, 0, "主会场 Main hall", "开幕式暨人才政策发布", "Opening ceremony and talent policy announcements", "杭州市人才工作领导小组"),
        (10, 0, "主会场 Main hall", "杰出人才、优秀青年人才颁奖", "Awards: outstanding talent and outstanding young talent", ""),
        (11, 0, "主会场 Main hall", "“友谊使者”授牌仪式", "Friendship envoys ceremony", ""),
        (13, 30, "1号厅 Hall 1", "国际人才交流暨项目合作对接会", "International talent exchange and project matchmaking", ""),
        (14, 0, "A–D 馆 Halls A–D", "人才日专场招聘会", "Talent Day job fair", ""),
    ]


def demo_events(today: date) -> list[DemoEvent]:
    talent_year = next_talent_day(today).year
    next_year = today.year + 1
    autumn_year = today.year if today < date(today.year, 10, 15) else next_year
    return [
        DemoEvent(f"talent-day-{talent_year}", EventKind.TALENT_DAY, f"{talent_year} 杭州人才日",
                  f"Hangzhou Talent Day {talent_year}", date(talent_year, 9, 28), (9, 17), 3000, CONVENTION,
                  "每年9月28日是杭州人才日。这一天，城市向人才致敬：表彰杰出人才、发布人才政策、举办国际人才交流会和专场招聘会。",
                  "Every 28 September Hangzhou honours its talent: awards, new talent policies, an international "
                  "exchange conference and a Talent Day job fair.",
                  series="talent-day", agenda=_talent_day_agenda()),
        DemoEvent(f"talent-day-{talent_year - 1}", EventKind.TALENT_DAY, f"{talent_year - 1} 杭州人才日",
                  f"Hangzhou Talent Day {talent_year - 1}", date(talent_year - 1, 9, 28), (9, 17), 3000, CONVENTION,
                  "杭州人才日：致敬每一位来杭、留杭、在杭奋斗的人才。",
                  "Hangzhou Talent Day: a day for everyone who came to, stayed in and works for Hangzhou.",
                  series="talent-day", agenda=_talent_day_agenda()),
        DemoEvent(f"spring-talent-fair-{next_year}", EventKind.FAIR, f"“新春纳才 杭向未来” {next_year} 长三角高层次人才招聘会",
                  f"Spring Talent Fair {next_year}: high-level talent for the Yangtze River Delta",
                  date(next_year, 2, 20), (9, 16), 20000, EXPO,
                  "面向长三角的高层次人才专场，千家用人单位，覆盖数字经济、生物医药、高端装备、金融科技等领域。",
                  "The spring fair for high-level talent across the Yangtze River Delta: a thousand employers in "
                  "the digital economy, biomedicine, advanced manufacturing and fintech.", series="spring-talent",
                  agenda=[(9, 0, "A馆 Hall A", "开馆", "Doors open", ""),
                          (10, 0, "B馆论坛区 Forum, Hall B", "数字经济人才政策解读", "Talent policy for the digital economy", "市人社局 Municipal HR Bureau"),
                          (14, 0, "C馆 Hall C", "博士、博士后专场", "PhD and postdoc session", "")]),
        DemoEvent(f"autumn-graduate-fair-{autumn_year}", EventKind.FAIR, f"“金秋纳才” {autumn_year} 高校毕业生秋季招聘会",
                  f"Golden Autumn Graduate Job Fair {autumn_year}", date(autumn_year, 10, 17), (9, 16), 30000, EXPO,
                  "面向2026、2027届高校毕业生的秋季大型招聘会。", "The big autumn fair for the graduating classes.",
                  series="youth-season",
                  agenda=[(9, 0, "A–D 馆 Halls A–D", "招聘会开始", "Fair opens", ""),
                          (13, 30, "D馆 Hall D", "简历诊断与面试指导", "CV clinic and interview coaching", "浙江大学就业指导中心")]),
        DemoEvent(f"autumn-graduate-fair-{today.year - 1}", EventKind.FAIR, f"“金秋纳才” {today.year - 1} 高校毕业生秋季招聘会",
                  f"Golden Autumn Graduate Job Fair {today.year - 1}", date(today.year - 1, 10, 18), (9, 16), 30000,
                  EXPO, "往届秋季招聘会。", "Last year's autumn graduate fair.", series="youth-season"),
        DemoEvent(f"youth-season-campus-{next_year}", EventKind.FAIR, f"“青春潮创 杭向未来” {next_year} 春季校园专场",
                  f"Youth Season {next_year}: spring campus fair", date(next_year, 4, 11), (13, 17), 5000,
                  dict(venue_name_zh="浙江大学紫金港校区体育馆", venue_name_en="Zhejiang University Zijingang Gymnasium",
                       venue_address="杭州市西湖区余杭塘路866号 / 866 Yuhangtang Road, Xihu, Hangzhou",
                       venue_halls="Gym", district="西湖区"),
                  "高校毕业生招聘季的春季校园专场。", "The campus fair of the graduate recruitment season.",
                  series="youth-season"),
        DemoEvent(f"overseas-innovation-contest-{next_year}", EventKind.COMPETITION,
                  f"“创客天下·杭向未来” {next_year} 海外高层次人才创新创业大赛",
                  f"Makers of the World {next_year}: innovation and entrepreneurship contest for overseas talent",
                  date(next_year, 6, 18), (9, 18), 400, DREAM_TOWN,
                  "面向海外高层次人才的创新创业大赛：初赛、复赛、总决赛，优胜项目落地杭州可获资助。",
                  "A contest for overseas high-level talent: heats, semi-finals and a final; winning projects that "
                  "settle in Hangzhou receive funding.", series="innovation-contest",
                  agenda=[(9, 0, "路演厅 Roadshow hall", "总决赛路演", "Final pitches", "评委会 Jury"),
                          (16, 30, "路演厅 Roadshow hall", "颁奖", "Awards", "")]),
        DemoEvent(f"overseas-innovation-contest-{today.year}", EventKind.COMPETITION,
                  f"“创客天下·杭向未来” {today.year} 海外高层次人才创新创业大赛",
                  f"Makers of the World {today.year}: innovation and entrepreneurship contest",
                  date(today.year, 6, 20), (9, 18), 400, DREAM_TOWN, "往届大赛。", "Last edition of the contest.",
                  series="innovation-contest"),
        DemoEvent(f"international-talent-conference-{next_year}", EventKind.CONFERENCE,
                  f"{next_year} 杭州国际人才交流与项目合作大会",
                  f"Hangzhou International Talent Exchange and Project Cooperation Conference {next_year}",
                  today + timedelta(days=45), (9, 17), 1500, CONVENTION,
                  "国际人才交流、项目路演与合作签约。", "International talent exchange, project pitches and signings.",
                  agenda=[(9, 30, "主会场 Main hall", "主旨演讲", "Keynotes", "")]),
        DemoEvent(f"postdoc-roundtable-{today:%Y%m}", EventKind.CONFERENCE, "博士后创新人才座谈会",
                  "Postdoc innovation roundtable", today + timedelta(days=20), (14, 17), 12, DREAM_TOWN,
                  "面向博士、博士后的小型座谈会：人才政策、科研平台与落户服务。名额有限，额满进入候补。",
                  "A small roundtable for PhDs and postdocs: talent policy, research platforms and settling in "
                  "Hangzhou. Places are limited; when full, you join the waiting list.",
                  rules=dict(eligible_degrees="phd,postdoc"),
                  agenda=[(14, 0, "路演厅 Roadshow hall", "政策解读", "Talent policy briefing", "市人才办 City talent office"),
                          (15, 0, "路演厅 Roadshow hall", "自由交流", "Open discussion", "")]),
        DemoEvent(f"biomedicine-fair-{next_year}", EventKind.FAIR, f"{next_year} 生物医药人才专场招聘会",
                  f"Biomedicine Talent Fair {next_year}", date(next_year, 5, 16), (9, 15), 8000, EXPO,
                  "筹备中。", "In preparation.", status=EventStatus.DRAFT),
    ]


class SeedRefused(RuntimeError):
    pass


def seed_demo(today: date, app_env: str) -> dict[str, int]:
    """Create what is missing; return how many accounts and events were added."""
    if app_env == "production":
        raise SeedRefused("seed-demo refuses to run with APP_ENV=production: the demo accounts share a known password.")
    added = {"accounts": 0, "events": 0}
    password_hash = None
    for email, name, role in DEMO_ACCOUNTS:
        if find_user_by_email(email) is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            db.session.add(User(email=email, display_name=name, role=role, password_hash=password_hash,
                                locale=None, email_verified_at=utcnow()))
            added["accounts"] += 1
    series = ensure_series()
    for demo in demo_events(today):
        if find_event_by_slug(demo.slug) is not None:
            continue
        if demo.kind == EventKind.TALENT_DAY and db.session.scalar(
                select(Event.id).where(Event.talent_day_year == demo.day.year)):
            continue  # someone already made that year's Talent Day
        event = Event(slug=demo.slug, kind=demo.kind, status=demo.status, title_zh=demo.title_zh,
                      title_en=demo.title_en, description_zh=demo.description_zh,
                      description_en=demo.description_en, timezone="Asia/Shanghai", capacity=demo.capacity,
                      starts_at=at(demo.day, demo.hours[0]), ends_at=at(demo.day, demo.hours[1]),
                      registration_opens_at=at(demo.day - timedelta(days=120), 9),
                      registration_closes_at=at(demo.day - timedelta(days=1), 18),
                      talent_day_year=demo.day.year if demo.kind == EventKind.TALENT_DAY else None,
                      series=series[demo.series] if demo.series else None, **demo.venue, **demo.rules)
        if demo.status == EventStatus.PUBLISHED:
            event.published_at = at(demo.day - timedelta(days=120), 9)
        event.agenda_items = [AgendaItem(starts_at=at(demo.day, hour, minute), room=room, title_zh=title_zh,
                                         title_en=title_en, speaker=speaker)
                              for hour, minute, room, title_zh, title_en, speaker in demo.agenda]
        db.session.add(event)
        added["events"] += 1
    db.session.flush()
    password_hash = password_hash or hash_password(DEMO_PASSWORD)
    added["registrations"] = _seed_candidates(today, password_hash)
    added["booths"] = seed_employers(today, password_hash)
    added["registrations"] += _register_demo_candidates_for_spring_fair(today)
    added["contest_entries"] = seed_contest(today, password_hash)
    added["contest_entries_advanced"] = seed_demo_contest_results(today, password_hash)
    added["survey_answers"] = seed_demo_surveys(today)
    history = seed_history(today, password_hash)
    added["events"] += history["events"]
    added["registrations"] += history["registrations"]
    for event_id in db.session.scalars(select(Event.id).order_by(Event.id)).all():
        sync_badges(event_id)  # the rows above were written directly: their badges, as the services would issue
    return added


def _register_demo_candidates_for_spring_fair(today: date) -> int:
    """So employers with a booth there have registrants to browse."""
    spring = find_event_by_slug(f"spring-talent-fair-{today.year + 1}")
    if spring is None or db.session.scalar(select(Registration.id).where(Registration.event_id == spring.id)):
        return 0
    people = db.session.scalars(select(User).where(
        (User.email == "candidate@example.com") | User.email.like("demo.phd%@example.com"))).all()
    db.session.add_all(Registration(event_id=spring.id, user_id=person.id, status=RegistrationStatus.CONFIRMED,
                                    confirmed_at=utcnow()) for person in people)
    db.session.flush()
    return len(people)


DEMO_CANDIDATES = [
    ("张伟", "Zhang Wei"), ("王芳", "Wang Fang"), ("刘洋", "Liu Yang"), ("陈晨", "Chen Chen"),
    ("杨帆", "Yang Fan"), ("赵磊", "Zhao Lei"), ("黄婷", "Huang Ting"), ("周杰", "Zhou Jie"),
    ("吴昊", "Wu Hao"), ("徐静", "Xu Jing"), ("孙悦", "Sun Yue"), ("马超", "Ma Chao"),
    ("朱琳", "Zhu Lin"), ("胡斌", "Hu Bin"), ("郭佳", "Guo Jia"),
]


def _seed_candidates(today: date, password_hash: str) -> int:
    """The demo candidate's profile, and fifteen PhDs filling the roundtable (12 places, 3 waiting)."""
    candidate = find_user_by_email("candidate@example.com")
    if db.session.get(CandidateProfile, candidate.id) is None:
        db.session.add(CandidateProfile(
            user_id=candidate.id, name="李明轩", name_latin="Li Mingxuan", phone="+8613800138000",
            birth_year=1999, degree=Degree.MASTER, school="浙江大学", major="计算机科学与技术",
            graduation_year=today.year + 1, city="西湖区", show_to_employers=True, consent_changed_at=utcnow(),
            skills=[CandidateSkill(name=name) for name in ("Python", "数据分析", "机器学习")]))
    conference = find_event_by_slug(f"international-talent-conference-{today.year + 1}")
    if conference is not None and not db.session.scalar(select(Registration.id).where(
            Registration.user_id == candidate.id)):
        db.session.add(Registration(event_id=conference.id, user_id=candidate.id, status=RegistrationStatus.CONFIRMED,
                                    confirmed_at=utcnow()))
    spring = find_event_by_slug(f"spring-talent-fair-{today.year + 1}")
    if spring is not None and not db.session.scalar(select(RegistrationQuestion.id).where(
            RegistrationQuestion.event_id == spring.id)):
        db.session.add_all([
            RegistrationQuestion(event_id=spring.id, position=1, kind=QuestionKind.SINGLE_CHOICE,
                                 label_zh="意向行业", label_en="Industry you are looking at", required=True,
                                 options_text="信息技术 IT\n智能制造 Manufacturing\n生物医药 Biomedicine\n金融 Finance"),
            RegistrationQuestion(event_id=spring.id, position=2, kind=QuestionKind.YES_NO,
                                 label_zh="是否需要住宿推荐", label_en="Would you like hotel suggestions?"),
        ])
    roundtable = find_event_by_slug(f"postdoc-roundtable-{today:%Y%m}")
    if roundtable is None or db.session.scalar(select(Registration.id).where(Registration.event_id == roundtable.id)):
        return 0
    added = 0
    for number, (name, latin) in enumerate(DEMO_CANDIDATES, start=1):
        email = f"demo.phd{number:02d}@example.com"
        user = find_user_by_email(email)
        if user is None:
            user = User(email=email, display_name=f"{name} {latin}", role=Role.CANDIDATE,
                        password_hash=password_hash, email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            db.session.add(CandidateProfile(
                user_id=user.id, name=name, name_latin=latin, phone=f"+861390000{number:04d}",
                birth_year=1988 + number % 8, degree=Degree.POSTDOC if number % 3 == 0 else Degree.PHD,
                school=("浙江大学", "西湖大学", "复旦大学", "中国科学技术大学")[number % 4],
                major=("材料科学", "生物医学工程", "人工智能", "化学工程")[number % 4],
                graduation_year=today.year - number % 5, show_to_employers=number % 2 == 0))
        status = RegistrationStatus.CONFIRMED if number <= roundtable.capacity else RegistrationStatus.WAITLISTED
        queued = utcnow() - timedelta(hours=len(DEMO_CANDIDATES) - number)
        db.session.add(Registration(event_id=roundtable.id, user_id=user.id, status=status, queued_at=queued,
                                    created_at=queued, confirmed_at=queued if status == RegistrationStatus.CONFIRMED
                                    else None))
        added += 1
    db.session.flush()
    return added
