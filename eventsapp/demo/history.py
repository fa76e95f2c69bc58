"""Two years of past events for the demo: last year's and this year's (up to today) series of fairs, the
Talent Day, university career fairs and the contest, in several Hangzhou districts, with hundreds of
candidates (a realistic mix of degrees, ages, talent classes and graduation years), registrations in
every status, check-ins with no-shows, employers across industries with booths and openings, and
published matching runs with their interviews. What the analytics page and the year report of a new
installation show.

Written in bulk (one INSERT per table and event) so ``flask seed-demo`` stays fast; the numbers come from a
seeded random generator, so every installation gets the same story. Safe to run again: an event that already
has the history's registrants is left alone.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth, BoothStatus, BoothType
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass, search_text_of, skill_keys_of
from eventsapp.checkin.models import CheckIn
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventKind, EventStatus, Series
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.matchmaking.models import (
    CandidateChoice,
    Interview,
    MatchingRound,
    MatchRun,
    MatchRunBooth,
    MatchRunCandidate,
    RunStatus,
)
from eventsapp.matchmaking.runs import settings_snapshot
from eventsapp.openings.models import Opening
from eventsapp.organizations.creditcode import check_character
from eventsapp.organizations.models import (
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.registrations.models import Registration, RegistrationStatus

ZONE = ZoneInfo("Asia/Shanghai")
PEOPLE = 720
GROWTH = .15  # how much more this year's events draw than last year's
PERSON_EMAIL = "demo.person{:04d}@example.com"
EMPLOYER_EMAIL = "hr.history{:02d}@demo-employer.example.com"

# The series the history's events belong to: slug, title_zh, title_en.
SERIES = {
    "spring-talent": ("“新春纳才 杭向未来”长三角高层次人才招聘会", "Spring Talent Fairs (新春纳才)"),
    "talent-day": ("杭州人才日", "Hangzhou Talent Day"),
    "campus-fairs": ("高校毕业生校园招聘专场", "University career fairs"),
    "youth-season": ("“青春潮创 杭向未来”高校毕业生招聘季", "Youth Season: graduate recruitment series"),
    "innovation-contest": ("“创客天下·杭向未来”海外高层次人才创新创业大赛",
                           "Makers of the World: innovation and entrepreneurship contest"),
}

# Venues: name_zh, name_en, address, halls, district.
VENUES = {
    "expo": ("杭州国际博览中心", "Hangzhou International Expo Center",
             "杭州市萧山区奔竞大道353号 / 353 Benjing Avenue, Xiaoshan, Hangzhou", "A, B, C, D", "萧山区"),
    "convention": ("杭州国际会议中心", "Hangzhou International Conference Center",
                   "杭州市上城区解放东路2号 / 2 Jiefang East Road, Shangcheng, Hangzhou", "Main hall, Hall 1, Hall 2",
                   "上城区"),
    "dream-town": ("梦想小镇路演中心", "Dream Town Roadshow Center",
                   "杭州市余杭区仓前街道文一西路1号 / 1 Wenyi West Road, Yuhang, Hangzhou", "Roadshow hall", "余杭区"),
    "zju": ("浙江大学紫金港校区体育馆", "Zhejiang University Zijingang Gymnasium",
            "杭州市西湖区余杭塘路866号 / 866 Yuhangtang Road, Xihu, Hangzhou", "Gym", "西湖区"),
    "hdu": ("杭州电子科技大学下沙校区体育馆", "Hangzhou Dianzi University Xiasha Gymnasium",
            "杭州市钱塘区白杨街道2号大街1158号 / 1158 Street 2, Qiantang, Hangzhou", "Gym", "钱塘区"),
    "zjut": ("浙江工业大学朝晖校区", "Zhejiang University of Technology, Zhaohui campus",
             "杭州市拱墅区潮王路18号 / 18 Chaowang Road, Gongshu, Hangzhou", "Hall", "拱墅区"),
    "westlake": ("西湖大学云谷校区", "Westlake University, Yungu campus",
                 "杭州市西湖区墩余路600号 / 600 Dunyu Road, Xihu, Hangzhou", "Auditorium", "西湖区"),
    "binjiang": ("滨江区人才市场", "Binjiang Talent Market",
                 "杭州市滨江区江南大道3850号 / 3850 Jiangnan Avenue, Binjiang, Hangzhou", "Hall 1, Hall 2", "滨江区"),
    "qingshanhu": ("青山湖科技城会展中心", "Qingshanhu Science City Exhibition Center",
                   "杭州市临安区青山湖街道大园路 / Dayuan Road, Lin'an, Hangzhou", "Hall", "临安区"),
    "fuyang": ("富阳区人力资源市场", "Fuyang Human Resources Market",
               "杭州市富阳区桂花路 / Guihua Road, Fuyang, Hangzhou", "Hall", "富阳区"),
    "linping": ("临平新城会展中心", "Linping New Town Exhibition Center",
                "杭州市临平区迎宾路 / Yingbin Road, Linping, Hangzhou", "Hall A, Hall B", "临平区"),
}


@dataclass(frozen=True)
class PastEvent:
    slug: str  # "{year}" is filled in
    kind: EventKind
    title_zh: str
    title_en: str
    month: int
    day: int
    venue: str
    capacity: int
    series: str | None = None
    booths: int = 0  # organizations with a booth
    matching: bool = False  # a published matching run with interviews
    eligible_degrees: str = ""
    popularity: float = 0.25  # share of the demo's people who ask for a place


PAST_EVENTS = [
    PastEvent("spring-talent-fair-{year}", EventKind.FAIR, "“新春纳才 杭向未来” {year} 长三角高层次人才招聘会",
              "Spring Talent Fair {year}: high-level talent for the Yangtze River Delta", 2, 21, "expo", 20000,
              "spring-talent", booths=26, matching=True, popularity=.55),
    PastEvent("zju-career-fair-{year}", EventKind.FAIR, "浙江大学 {year} 届毕业生春季双选会",
              "Zhejiang University spring career fair {year}", 3, 14, "zju", 3000, "campus-fairs", booths=14,
              popularity=.22),
    PastEvent("hdu-career-fair-{year}", EventKind.FAIR, "杭州电子科技大学 {year} 春季校园招聘会",
              "Hangzhou Dianzi University spring career fair {year}", 4, 11, "hdu", 2500, "campus-fairs", booths=12,
              popularity=.18),
    PastEvent("zjut-career-fair-{year}", EventKind.FAIR, "浙江工业大学 {year} 届毕业生就业洽谈会",
              "Zhejiang University of Technology career fair {year}", 5, 9, "zjut", 2500, "campus-fairs", booths=10,
              popularity=.16),
    PastEvent("westlake-phd-session-{year}", EventKind.CONFERENCE, "西湖大学 {year} 博士、博士后人才专场",
              "Westlake University PhD and postdoc session {year}", 5, 23, "westlake", 300, "campus-fairs",
              eligible_degrees="phd,postdoc", popularity=.9),
    PastEvent("qingshanhu-tech-fair-{year}", EventKind.FAIR, "{year} 青山湖科技城科创人才招聘会",
              "Qingshanhu Science City tech talent fair {year}", 6, 6, "qingshanhu", 1500, booths=8, popularity=.1),
    PastEvent("overseas-innovation-contest-{year}", EventKind.COMPETITION,
              "“创客天下·杭向未来” {year} 海外高层次人才创新创业大赛",
              "Makers of the World {year}: innovation and entrepreneurship contest", 6, 20, "dream-town", 400,
              "innovation-contest", eligible_degrees="master,phd,postdoc", popularity=.12),
    PastEvent("binjiang-digital-fair-{year}", EventKind.FAIR, "{year} 滨江数字经济人才专场招聘会",
              "Binjiang digital economy talent fair {year}", 7, 11, "binjiang", 2000, booths=12, popularity=.16),
    PastEvent("fuyang-manufacturing-fair-{year}", EventKind.FAIR, "{year} 富阳智能制造人才招聘会",
              "Fuyang smart manufacturing talent fair {year}", 8, 22, "fuyang", 1200, booths=8, popularity=.08),
    PastEvent("talent-day-{year}", EventKind.TALENT_DAY, "{year} 杭州人才日", "Hangzhou Talent Day {year}", 9, 28,
              "convention", 3000, "talent-day", booths=18, popularity=.45),
    PastEvent("autumn-graduate-fair-{year}", EventKind.FAIR, "“金秋纳才” {year} 高校毕业生秋季招聘会",
              "Golden Autumn Graduate Job Fair {year}", 10, 18, "expo", 30000, "youth-season", booths=24,
              matching=True, popularity=.5),
    PastEvent("linping-biomedicine-fair-{year}", EventKind.FAIR, "{year} 临平生物医药人才专场招聘会",
              "Linping biomedicine talent fair {year}", 11, 8, "linping", 1500, booths=8, popularity=.1),
    PastEvent("international-talent-conference-{year}", EventKind.CONFERENCE,
              "{year} 杭州国际人才交流与项目合作大会",
              "Hangzhou International Talent Exchange and Project Cooperation Conference {year}", 11, 22,
              "convention", 1500, popularity=.12),
]

# name, industry, size: the history's employers, in the sections of GB/T 4754 a Hangzhou fair sees.
EMPLOYERS = [
    ("杭州数澜信息技术有限公司", Industry.I, OrganizationSize.FROM_100),
    ("杭州钱江数智科技有限公司", Industry.I, OrganizationSize.FROM_500),
    ("浙江之江实验室科技服务有限公司", Industry.M, OrganizationSize.FROM_500),
    ("杭州六和桥网络科技有限公司", Industry.I, OrganizationSize.FROM_20),
    ("浙江海创医疗器械有限公司", Industry.C, OrganizationSize.FROM_100),
    ("杭州九堡精密机械有限公司", Industry.C, OrganizationSize.FROM_500),
    ("浙江临平生物制药股份有限公司", Industry.C, OrganizationSize.FROM_1000),
    ("杭州湖滨商业银行股份有限公司", Industry.J, OrganizationSize.FROM_1000),
    ("杭州运河证券有限公司", Industry.J, OrganizationSize.FROM_500),
    ("杭州城西建设集团有限公司", Industry.E, OrganizationSize.FROM_1000),
    ("浙江富春江环境工程有限公司", Industry.N, OrganizationSize.FROM_100),
    ("杭州武林跨境贸易有限公司", Industry.F, OrganizationSize.FROM_20),
    ("杭州萧山国际物流有限公司", Industry.G, OrganizationSize.FROM_500),
    ("浙江良渚教育集团", Industry.P, OrganizationSize.FROM_500),
    ("杭州仁和医院管理有限公司", Industry.Q, OrganizationSize.FROM_1000),
    ("杭州云谷研究院", Industry.M, OrganizationSize.FROM_100),
    ("杭州宋城文旅发展有限公司", Industry.R, OrganizationSize.FROM_500),
    ("浙江钱塘能源有限公司", Industry.D, OrganizationSize.FROM_1000),
    ("杭州滨盛人力资源服务有限公司", Industry.L, OrganizationSize.FROM_100),
    ("杭州青山湖新材料有限公司", Industry.C, OrganizationSize.FROM_100),
    ("杭州丁兰置业有限公司", Industry.K, OrganizationSize.FROM_100),
    ("杭州灵隐餐饮管理有限公司", Industry.H, OrganizationSize.FROM_20),
    ("杭州小河智能装备有限公司", Industry.C, OrganizationSize.FROM_100),
    ("杭州紫金港软件有限公司", Industry.I, OrganizationSize.FROM_100),
    ("浙江天堂硅谷创业投资有限公司", Industry.J, OrganizationSize.FROM_20),
    ("杭州西兴智慧农业有限公司", Industry.A, OrganizationSize.FROM_20),
    ("杭州闻堰社区服务中心", Industry.S, OrganizationSize.FROM_20),
    ("杭州北山路设计院有限公司", Industry.M, OrganizationSize.FROM_20),
]
JOBS = [("软件工程师", Degree.BACHELOR, 12000, 25000), ("算法研究员", Degree.PHD, 30000, 55000),
        ("数据分析师", Degree.MASTER, 15000, 26000), ("研发工程师", Degree.MASTER, 18000, 32000),
        ("管培生", Degree.BACHELOR, 8000, 14000), ("博士后研究员", Degree.PHD, 25000, 40000),
        ("销售代表", Degree.ASSOCIATE, 6000, 12000), ("技术员", Degree.VOCATIONAL, 5500, 9000)]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "子涵", "欣怡", "梓轩", "浩然", "雨桐", "宇航", "思远", "嘉怡", "一鸣", "佳琪"]
SCHOOLS = ["浙江大学", "杭州电子科技大学", "浙江工业大学", "西湖大学", "浙江理工大学", "杭州师范大学", "中国美术学院",
           "浙江财经大学", "复旦大学", "上海交通大学", "南京大学", "中国科学技术大学", "浙江工商大学", "杭州职业技术学院"]
MAJORS = ["计算机科学与技术", "软件工程", "人工智能", "电子信息工程", "机械工程", "材料科学与工程", "生物医学工程", "药学",
          "金融学", "会计学", "统计学", "新闻传播", "工商管理", "化学工程", "土木工程", "临床医学"]
# Where people live: mostly Hangzhou's districts (as the profile form offers them), some elsewhere or not given.
CITIES = [(district, 12 if district in ("西湖区", "滨江区", "余杭区", "拱墅区", "上城区") else 4)
          for district in HANGZHOU_DISTRICTS] + [("上海", 6), ("宁波", 4), ("南京", 3), ("", 10)]
DEGREES = [(Degree.VOCATIONAL, 4), (Degree.ASSOCIATE, 9), (Degree.BACHELOR, 40), (Degree.MASTER, 30),
           (Degree.PHD, 11), (Degree.POSTDOC, 4), (Degree.OTHER, 2)]
TALENT_CLASSES = [(TalentClass.A, 1), (TalentClass.B, 3), (TalentClass.C, 8), (TalentClass.D, 14),
                  (TalentClass.E, 18), (TalentClass.F, 16), (None, 40)]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def _pick(rng: random.Random, weighted):
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def history_events(today: date) -> list[tuple[PastEvent, date]]:
    """The history's events with their days: last year's and this year's, those over by today."""
    return [(past, day) for year in (today.year - 1, today.year) for past in PAST_EVENTS
            if (day := date(year, past.month, past.day)) < today]


def seed_history(today: date, password_hash: str) -> dict[str, int]:
    """Add what is missing of the two years' history; returns how many events and registrations were added."""
    rng = random.Random(2026)
    series = ensure_series()
    people = _people(today, password_hash, rng)
    organizations = _organizations(password_hash)
    added = {"events": 0, "registrations": 0}
    for past, day in history_events(today):
        event, created = _event(past, day, series)
        added["events"] += created
        event_rng = random.Random(f"{past.slug}-{day.year}")
        if db.session.scalar(select(Registration.id).where(Registration.event_id == event.id,
                                                           Registration.user_id.in_(people))):
            continue
        # This year's events draw more people than last year's, as the city's talent work grows.
        growth = 1 + GROWTH * (day.year - today.year + 1)
        attended = _registrations(event, past, day, people, event_rng, growth)
        added["registrations"] += attended[1]
        booths = _booths(event, past, organizations, event_rng, growth)
        if past.matching and booths and attended[0]:
            _matching(event, day, booths, attended[0], event_rng)
    db.session.flush()
    return added


def ensure_series() -> dict[str, Series]:
    """The demo's series by slug, made where missing."""
    found = {row.slug: row for row in db.session.scalars(select(Series).where(Series.slug.in_(SERIES)))}
    for slug, (title_zh, title_en) in SERIES.items():
        if slug not in found:
            found[slug] = Series(slug=slug, title_zh=title_zh, title_en=title_en)
            db.session.add(found[slug])
    db.session.flush()
    return found


def _people(today: date, password_hash: str, rng: random.Random) -> list[int]:
    """The history's candidates' ids, made on the first run: names, degrees, ages (mostly under 35), talent
    classes and graduation years drawn as a city fair sees them."""
    emails = [PERSON_EMAIL.format(number) for number in range(1, PEOPLE + 1)]
    existing = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    now = utcnow()
    missing = [email for email in emails if email not in existing]
    if missing:
        names = {email: rng.choice(SURNAMES) + rng.choice(GIVEN) for email in missing}
        ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"email": email, "password_hash": password_hash, "display_name": names[email], "role": Role.CANDIDATE,
             "email_verified_at": now, "locale": "en" if rng.random() < .08 else None} for email in missing]).all()
        profiles = []
        for email, user_id in zip(missing, ids, strict=True):
            existing[email] = user_id
            degree = _pick(rng, DEGREES)
            doctor = degree in (Degree.PHD, Degree.POSTDOC)
            age = int(rng.triangular(21, 45, 25 if not doctor else 31))
            school = rng.choice(SCHOOLS)
            graduated = today.year + 1 - min(int(rng.expovariate(.45)), 12)
            profiles.append({
                "user_id": user_id, "name": names[email], "phone": f"+86137{user_id % 100000000:08d}",
                "birth_year": today.year - age, "degree": degree, "school": school, "major": rng.choice(MAJORS),
                "graduation_year": graduated, "city": _pick(rng, CITIES),
                "talent_class": _pick(rng, TALENT_CLASSES[:5] if doctor else TALENT_CLASSES),
                "show_to_employers": rng.random() < .6, "search_text": search_text_of(names[email], "", school, []),
                "skill_keys": skill_keys_of([])})
        db.session.execute(insert(CandidateProfile), profiles)
    return [existing[email] for email in emails]


def _organizations(password_hash: str) -> list[int]:
    """The history's verified employers (one HR owner each); their ids."""
    ids = []
    for number, (name_zh, industry, size) in enumerate(EMPLOYERS, start=1):
        organization = db.session.scalar(select(Organization).where(Organization.name_zh == name_zh))
        if organization is None:
            owner = User(email=EMPLOYER_EMAIL.format(number), display_name=f"{name_zh[:6]} HR", role=Role.EMPLOYER,
                         password_hash=password_hash, email_verified_at=utcnow())
            db.session.add(owner)
            db.session.flush()
            body = f"91330110MA27{number:05d}"[:17]
            organization = Organization(name_zh=name_zh, name_en="", credit_code=body + check_character(body),
                                        industry=industry, size=size, city="杭州", status=OrganizationStatus.VERIFIED,
                                        verified_at=utcnow(), description=f"{name_zh}，诚邀英才加盟。")
            organization.members = [OrganizationMember(user_id=owner.id, role=MemberRole.OWNER)]
            db.session.add(organization)
            db.session.flush()
        ids.append(organization.id)
    return ids


def _event(past: PastEvent, day: date, series: dict[str, Series]) -> tuple[Event, int]:
    """The history's event of that year: found (the seeder's own, by slug, or that year's Talent Day) or made."""
    slug = past.slug.format(year=day.year)
    event = find_event_by_slug(slug)
    if event is None and past.kind == EventKind.TALENT_DAY:
        event = db.session.scalar(select(Event).where(Event.talent_day_year == day.year))
    if event is not None:
        if event.series_id is None and past.series:
            event.series = series[past.series]
        return event, 0
    name_zh, name_en, address, halls, district = VENUES[past.venue]
    opens = _at(day - timedelta(days=90), 9)
    event = Event(slug=slug, kind=past.kind, status=EventStatus.PUBLISHED, title_zh=past.title_zh.format(year=day.year),
                  title_en=past.title_en.format(year=day.year), description_zh=f"{name_zh}举办的往届活动。",
                  description_en=f"A past event at the {name_en}.", timezone="Asia/Shanghai", capacity=past.capacity,
                  starts_at=_at(day, 9), ends_at=_at(day, 16), registration_opens_at=opens,
                  registration_closes_at=_at(day - timedelta(days=1), 18), published_at=opens,
                  venue_name_zh=name_zh, venue_name_en=name_en, venue_address=address, venue_halls=halls,
                  district=district,
                  eligible_degrees=past.eligible_degrees, series=series[past.series] if past.series else None,
                  talent_day_year=day.year if past.kind == EventKind.TALENT_DAY else None)
    db.session.add(event)
    db.session.flush()
    return event, 1


STATUSES = [(RegistrationStatus.CONFIRMED, 80), (RegistrationStatus.CANCELLED, 9), (RegistrationStatus.WAITLISTED, 4),
            (RegistrationStatus.REJECTED, 4), (RegistrationStatus.PENDING, 3)]


def _registrations(event: Event, past: PastEvent, day: date, people: list[int], rng: random.Random,
                   growth: float) -> tuple[list[int], int]:
    """Registrations in every status and check-ins of about seven in ten confirmed (the rest are no-shows);
    returns who came and how many registrations were written."""
    eligible = people
    if past.eligible_degrees:
        wanted = past.eligible_degrees.split(",")
        eligible = list(db.session.scalars(select(CandidateProfile.user_id).where(
            CandidateProfile.user_id.in_(people), CandidateProfile.degree.in_(wanted))))
    chosen = rng.sample(eligible, int(len(eligible) * min(.95, past.popularity * growth)))
    taken = set(db.session.scalars(select(Registration.user_id).where(Registration.event_id == event.id)))
    rows, check_ins, came = [], [], []
    for user_id in chosen:
        if user_id in taken:
            continue
        status = _pick(rng, STATUSES)
        asked = _at(day - timedelta(days=rng.randint(2, 85)), rng.randint(8, 22), rng.randint(0, 59))
        row = {"event_id": event.id, "user_id": user_id, "status": status, "created_at": asked, "queued_at": asked,
               "updated_at": asked}
        if status == RegistrationStatus.CONFIRMED:
            row["confirmed_at"] = asked
            if rng.random() < .72:
                arrived = _at(day, 9) + timedelta(minutes=rng.randint(0, 300))
                row["attended_at"] = arrived
                check_ins.append({"event_id": event.id, "holder_id": user_id, "checked_in_at": arrived,
                                  "recorded_at": arrived, "gate": rng.choice(["A", "B", "C"]), "method": "scan"})
                came.append(user_id)
        elif status == RegistrationStatus.CANCELLED:
            row["cancelled_at"] = asked + timedelta(days=1)
        elif status == RegistrationStatus.REJECTED:
            row["decision_reason"] = "不符合本场报名条件 / Does not meet this event's conditions"
        rows.append(row)
    if rows:
        db.session.execute(insert(Registration), rows)
    if check_ins:
        db.session.execute(insert(CheckIn), check_ins)
    return came, len(rows)


def _booths(event: Event, past: PastEvent, organizations: list[int], rng: random.Random,
            growth: float) -> list[tuple[int, int]]:
    """Booths (most approved, some rejected or withdrawn) with openings; returns the approved (id, interviewers)."""
    if not past.booths or db.session.scalar(select(Booth.id).where(Booth.event_id == event.id,
                                                                   Booth.organization_id.in_(organizations))):
        return []
    approved = []
    for organization_id in rng.sample(organizations, min(round(past.booths * growth), len(organizations))):
        status = _pick(rng, [(BoothStatus.APPROVED, 86), (BoothStatus.REJECTED, 7), (BoothStatus.WITHDRAWN, 7)])
        interviewers = rng.randint(1, 5)
        booth = Booth(event_id=event.id, organization_id=organization_id, interviewers=interviewers,
                      booth_type=BoothType.DOUBLE if rng.random() < .2 else BoothType.STANDARD, status=status,
                      decided_at=event.starts_at - timedelta(days=20))
        db.session.add(booth)
        if status != BoothStatus.APPROVED:
            continue
        db.session.flush()
        approved.append((booth.id, interviewers))
        for title, degree, salary_min, salary_max in rng.sample(JOBS, rng.randint(1, 3)):
            db.session.add(Opening(organization_id=organization_id, event_id=event.id, title=title, degree=degree,
                                   headcount=rng.choice([1, 2, 3, 5, 8, 10]), salary_min=salary_min,
                                   salary_max=salary_max, work_city="杭州",
                                   description="工作地点杭州，五险一金，人才补贴可叠加申请。"))
    db.session.flush()
    return approved


def _matching(event: Event, day: date, booths: list[tuple[int, int]], came: list[int], rng: random.Random) -> None:
    """The fair's matching round and its published run: choices, and one to three interviews for about half of
    those who came, mostly at a booth they ranked first."""
    slot_minutes, slots = 30, 10
    start = _at(day, 10)
    matching_round = MatchingRound(event_id=event.id, deadline=_at(day - timedelta(days=3), 18), max_ranked=5,
                                   interviews_per_candidate=3, slot_minutes=slot_minutes, interviews_start_at=start,
                                   interviews_end_at=start + timedelta(minutes=slot_minutes * slots))
    db.session.add(matching_round)
    published = _at(day - timedelta(days=2), 10)
    run = MatchRun(event_id=event.id, seed=rng.randint(1, 2**31), status=RunStatus.PUBLISHED, slots=slots,
                   created_at=published, published_at=published)
    db.session.add(run)
    db.session.flush()
    matched = rng.sample(came, len(came) // 2)
    booth_ids = [booth_id for booth_id, _ in booths]
    free = {booth_id: set(range(slots * interviewers)) for booth_id, interviewers in booths}
    choices, candidates, interviews = [], [], []
    for candidate_id in matched:
        ranked = rng.sample(booth_ids, min(len(booth_ids), rng.randint(2, 5)))
        candidates.append({"run_id": run.id, "candidate_id": candidate_id, "choices_json": json.dumps(ranked)})
        choices += [{"event_id": event.id, "candidate_id": candidate_id, "booth_id": booth_id, "position": position,
                     "created_at": published - timedelta(days=4)} for position, booth_id in enumerate(ranked, 1)]
        used_slots = set()
        for position, booth_id in enumerate(ranked[:rng.choice([1, 1, 2, 2, 3])], start=1):
            cell = next((cell for cell in sorted(free[booth_id]) if cell % slots not in used_slots), None)
            if cell is None:
                continue
            free[booth_id].discard(cell)
            used_slots.add(cell % slots)
            begins = start + timedelta(minutes=slot_minutes * (cell % slots))
            interviews.append({"run_id": run.id, "candidate_id": candidate_id, "booth_id": booth_id,
                               "slot": cell % slots, "starts_at": begins, "ends_at": begins + timedelta(minutes=30),
                               "choice_position": position})
    db.session.execute(insert(MatchRunBooth), [
        {"run_id": run.id, "booth_id": booth_id, "capacity": slots * interviewers, "interviewers": interviewers,
         "ranking_json": "[]"} for booth_id, interviewers in booths])
    if candidates:
        db.session.execute(insert(MatchRunCandidate), candidates)
        db.session.execute(insert(CandidateChoice), choices)
        db.session.execute(insert(Interview), interviews)
    run.inputs_summary, run.results_summary = _summaries(matching_round, booths, choices, interviews, len(candidates),
                                                         slots)


def _summaries(matching_round: MatchingRound, booths: list[tuple[int, int]], choices: list[dict],
               interviews: list[dict], candidates: int, slots: int) -> tuple[str, str]:
    """The run's summaries with the keys the engine writes (matchmaking.runs), so its pages read them."""
    capacity = sum(slots * interviewers for _booth, interviewers in booths)
    matched = len({interview["candidate_id"] for interview in interviews})
    first = len({interview["candidate_id"] for interview in interviews if interview["choice_position"] == 1})
    per_booth = Counter(interview["booth_id"] for interview in interviews)
    inputs = {"candidates": candidates, "choices": len(choices), "booths": len(booths), "booths_ranked": 0,
              "total_capacity": capacity, "demand": len(choices), "shortlisted_pairs": 0, "excluded_pairs": 0,
              "settings": settings_snapshot(matching_round), "weights": {}}
    results = {"candidates": candidates, "matched": matched, "share_matched": matched / candidates if candidates else 0.0,
               "first_choice": first, "share_first_choice": first / candidates if candidates else 0.0,
               "unmatched": candidates - matched, "interviews": len(interviews), "slots_used": slots,
               "slots_per_day": slots, "total_capacity": capacity,
               "share_capacity_used": len(interviews) / capacity if capacity else 0.0,
               "fill": [[booth_id, per_booth.get(booth_id, 0), slots * interviewers] for booth_id, interviewers in booths]}
    return json.dumps(inputs), json.dumps(results)
