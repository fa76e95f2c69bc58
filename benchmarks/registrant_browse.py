"""Server time of employers' filtered registrant browse on a large fair (issue 4).

Builds the schema with the migrations and fills it with bulk inserts: 100,000 candidates with profiles
(0–5 skills each, realistic degrees, schools, majors and years), one fair with 20,000 confirmed
registrants (most of them consenting to be seen, plus cancelled and waiting ones), other events with
registrations of their own, and 1,000 verified organizations with an approved booth at the fair. Then,
as a staff member of one of those booths (a signed session cookie, as the login would set), it times
GET /employer/events/<id>/registrants with three filters and a text search, page 1 and page 50,
through Flask's in-process test client: no network, no web server. Every response must be 200 and
page 50 must list 25 people. It prints the median and p95 per page, the CPU time this process spent
per request (with SQLite that is the whole server time), with PostgreSQL the CPU time of its server
processes per request, and the machine's load average: other work on the machine stretches the
wall-clock times, far less the CPU times.

    .venv/bin/python benchmarks/registrant_browse.py
    .venv/bin/python benchmarks/registrant_browse.py --database-url postgresql://postgres@127.0.0.1:5432/bench_browse

Without --database-url it uses a fresh SQLite file in a temporary directory, removed at the end.
A PostgreSQL database is created if missing and its `public` schema is dropped and rebuilt, so
never point it at data you want to keep (`test` and the maintenance databases are refused).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from support import build_schema, insert_chunks, prepare_database, weighted  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.passwords import hash_password  # noqa: E402
from eventsapp.accounts.services import start_login_session  # noqa: E402
from eventsapp.booths.models import Booth, BoothStatus, BoothType  # noqa: E402
from eventsapp.browse.models import ShortlistEntry  # noqa: E402
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS, SKILL_SUGGESTIONS  # noqa: E402
from eventsapp.candidates.models import (  # noqa: E402
    CandidateProfile,
    CandidateSkill,
    Degree,
    TalentClass,
    search_text_of,
    skill_keys_of,
)
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.organizations.models import (  # noqa: E402
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402

TARGET_P95_MS = 50.0
WARMUP_REQUESTS = 20
PER_PAGE = 25
LANGUAGES = ("zh-CN", "en")
FAIR_SLUG = "autumn-graduate-fair"

# What the timed employer asks for: three filters and a text search.
BROWSE_QUERY = {"degree": ["bachelor", "master", "phd"], "graduation_from": "2022", "graduation_to": "2027",
                "skills": "Python, 数据分析, Java, Excel, 英语", "q": "浙江"}

# --- Realistic material -----------------------------------------------------------------------

SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"),
            ("胡", "Hu"), ("朱", "Zhu"), ("高", "Gao"), ("林", "Lin"), ("何", "He"), ("郭", "Guo"), ("马", "Ma"),
            ("罗", "Luo"), ("沈", "Shen"), ("钱", "Qian"), ("蒋", "Jiang"), ("叶", "Ye")]
GIVEN_NAMES = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"),
               ("洋", "Yang"), ("婷", "Ting"), ("明轩", "Mingxuan"), ("子涵", "Zihan"), ("浩然", "Haoran"),
               ("欣怡", "Xinyi"), ("宇航", "Yuhang"), ("思远", "Siyuan"), ("雨桐", "Yutong"), ("俊杰", "Junjie"),
               ("佳琪", "Jiaqi"), ("志强", "Zhiqiang"), ("晓燕", "Xiaoyan"), ("博文", "Bowen")]
# (school, weight): a Hangzhou fair draws mostly from Zhejiang, and from the big national universities.
SCHOOLS = {
    "浙江大学": 9, "浙江工业大学": 7, "杭州电子科技大学": 7, "浙江理工大学": 5, "浙江工商大学": 5,
    "浙江师范大学": 4, "杭州师范大学": 4, "浙江财经大学": 3, "宁波大学": 4, "中国计量大学": 3, "浙江科技大学": 2,
    "浙江中医药大学": 2, "温州医科大学": 2, "浙江农林大学": 2, "中国美术学院": 1, "浙江传媒学院": 1,
    "浙江大学城市学院": 2, "杭州职业技术学院": 2, "浙江机电职业技术大学": 1, "复旦大学": 2, "上海交通大学": 2,
    "同济大学": 2, "南京大学": 2, "东南大学": 2, "中国科学技术大学": 2, "清华大学": 1, "北京大学": 1,
    "武汉大学": 2, "华中科技大学": 2, "西安交通大学": 1, "哈尔滨工业大学": 1, "中山大学": 1, "厦门大学": 1,
    "苏州大学": 2, "安徽大学": 2, "江西财经大学": 1, "University of Manchester": 1,
    "National University of Singapore": 1,
}
MAJORS = ["计算机科学与技术", "软件工程", "电子信息工程", "通信工程", "自动化", "机械设计制造及其自动化",
          "电气工程及其自动化", "人工智能", "数据科学与大数据技术", "信息安全", "金融学", "会计学", "工商管理",
          "市场营销", "国际经济与贸易", "电子商务", "法学", "汉语言文学", "英语", "日语", "新闻传播学", "视觉传达设计",
          "生物医学工程", "药学", "临床医学", "化学工程与工艺", "材料科学与工程", "土木工程", "环境工程", "统计学",
          "应用数学", "物流管理", "人力资源管理", "教育学", "Computer Science", "Business Administration"]
DEGREE_WEIGHTS = {Degree.BACHELOR: 45, Degree.MASTER: 28, Degree.ASSOCIATE: 9, Degree.PHD: 6,
                  Degree.VOCATIONAL: 6, Degree.POSTDOC: 1, Degree.OTHER: 2, None: 3}
TALENT_WEIGHTS = {None: 84, TalentClass.F: 7, TalentClass.E: 6, TalentClass.D: 2, TalentClass.C: 0.7,
                  TalentClass.B: 0.25, TalentClass.A: 0.05}
OTHER_CITIES = ["宁波", "温州", "绍兴", "嘉兴", "湖州", "金华", "上海", "南京", "苏州", ""]
# Common skills come up far more often than rare ones.
SKILL_WEIGHTS = {skill: 1.0 for skill in SKILL_SUGGESTIONS}
SKILL_WEIGHTS.update({"Python": 8, "Excel": 8, "英语": 9, "数据分析": 6, "Java": 5, "PPT": 5, "SQL": 4,
                      "市场营销": 3, "财务": 3, "项目管理": 3, "机器学习": 3, "前端开发": 3})
FAIR_STATUS_EXTRAS = {RegistrationStatus.CANCELLED: 2_000, RegistrationStatus.WAITLISTED: 800}
ORGANIZATION_WORDS = [("数字", "Digital"), ("智能", "Smart"), ("云", "Cloud"), ("新材料", "New Materials"),
                      ("生物", "Bio"), ("医药", "Pharma"), ("电子", "Electronics"), ("汽车", "Automotive"),
                      ("物流", "Logistics"), ("金融", "Finance"), ("文化", "Culture"), ("教育", "Education")]
PLACES = [("杭州", "Hangzhou"), ("西湖", "West Lake"), ("钱塘", "Qiantang"), ("之江", "Zhijiang"),
          ("滨江", "Binjiang"), ("余杭", "Yuhang"), ("萧山", "Xiaoshan"), ("浙江", "Zhejiang")]



# --- Database preparation ---------------------------------------------------------------------

# --- Generated rows ---------------------------------------------------------------------------

def candidate_rows(rng: random.Random, count: int, now: datetime, password_hash: str) -> list[dict]:
    rows = []
    for number in range(1, count + 1):
        (surname_zh, surname_en), (given_zh, given_en) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        rows.append({"email": f"{given_en}.{surname_en}.{number}@example.com".lower(), "password_hash": password_hash,
                     "display_name": f"{surname_zh}{given_zh}", "role": Role.CANDIDATE,
                     "locale": rng.choice((None, None, "zh_CN", "en")),
                     "created_at": now - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))})
    return rows


def profile_row(rng: random.Random, user_id: int, display_name: str, email: str, this_year: int,
                now: datetime) -> dict:
    given_en, surname_en = email.split("@")[0].split(".")[:2]
    degree = weighted(rng, DEGREE_WEIGHTS)
    birth_year = rng.choices([rng.randint(1996, 2004), rng.randint(1980, 1995), None], weights=[70, 27, 3])[0]
    study_years = {Degree.MASTER: 25, Degree.PHD: 28, Degree.POSTDOC: 30, Degree.ASSOCIATE: 21,
                   Degree.VOCATIONAL: 20}.get(degree, 22)
    graduation = None
    if birth_year is not None and rng.random() < 0.97:
        graduation = min(birth_year + study_years + rng.randint(-1, 2), this_year + 3)
    return {
        "user_id": user_id, "name": display_name, "name_latin": f"{surname_en.title()} {given_en.title()}",
        "phone": f"+86138{rng.randint(0, 99_999_999):08d}", "birth_year": birth_year, "degree": degree,
        "school": weighted(rng, SCHOOLS), "major": rng.choice(MAJORS), "graduation_year": graduation,
        "talent_class": weighted(rng, TALENT_WEIGHTS),
        "city": rng.choice(HANGZHOU_DISTRICTS) if rng.random() < 0.7 else rng.choice(OTHER_CITIES),
        "show_to_employers": False, "consent_changed_at": None, "created_at": now, "updated_at": now,
    }


def skill_rows(rng: random.Random, user_id: int) -> list[dict]:
    count = rng.randint(0, 5)
    chosen: list[str] = []
    while len(chosen) < count:
        skill = weighted(rng, SKILL_WEIGHTS)
        if skill not in chosen:
            chosen.append(skill)
    return [{"user_id": user_id, "name": skill} for skill in chosen]


def event_row(slug: str, title_zh: str, title_en: str, starts: datetime, capacity: int, now: datetime) -> dict:
    return {"slug": slug, "kind": EventKind.FAIR, "status": EventStatus.PUBLISHED, "title_zh": title_zh,
            "title_en": title_en, "venue_name_zh": "杭州国际博览中心",
            "venue_name_en": "Hangzhou International Expo Center",
            "venue_halls": "A, B, C, D", "timezone": "Asia/Shanghai", "starts_at": starts,
            "ends_at": starts + timedelta(hours=7), "capacity": capacity, "created_at": now, "updated_at": now,
            "published_at": now}


def organization_rows(rng: random.Random, count: int, now: datetime) -> list[dict]:
    rows = []
    for number in range(1, count + 1):
        (place_zh, place_en), (word_zh, word_en) = rng.choice(PLACES), rng.choice(ORGANIZATION_WORDS)
        rows.append({"name_zh": f"{place_zh}{word_zh}科技有限公司{number}",
                     "name_en": f"{place_en} {word_en} Technology Co., Ltd. {number}",
                     "credit_code": f"91330100MA{number:08d}", "industry": rng.choice(list(Industry)),
                     "size": rng.choice(list(OrganizationSize)), "city": "杭州", "status": OrganizationStatus.VERIFIED,
                     "verified_at": now, "created_at": now, "updated_at": now})
    return rows


# --- Filling ----------------------------------------------------------------------------------

@dataclass
class Dataset:
    candidates: int
    skills: int
    fair_id: int
    confirmed: int
    consenting: int
    registrations: int
    organizations: int
    staff_id: int
    staff_session_id: str
    fill_seconds: float


def fill(app: Flask, rng: random.Random, candidates: int, registrants: int, organizations: int) -> Dataset:
    now = datetime.now(UTC).replace(microsecond=0)
    this_year = now.year
    started = time.perf_counter()
    password_hash = hash_password("benchmark-password-not-secret")  # one Argon2 hash shared by every row
    with app.app_context(), db.engine.begin() as connection:
        insert_chunks(connection, User.__table__, candidate_rows(rng, candidates, now, password_hash))
        people = connection.execute(select(User.id, User.display_name, User.email)
                                    .where(User.role == Role.CANDIDATE).order_by(User.id)).all()
        profiles = [profile_row(rng, user_id, name, email, this_year, now) for user_id, name, email in people]
        skills = [row for user_id, _, _ in people for row in skill_rows(rng, user_id)]
        # Bulk inserts pass by the ORM hook that keeps the search columns in step: fill them here.
        skills_of = defaultdict(list)
        for row in skills:
            skills_of[row["user_id"]].append(row["name"])
        for profile in profiles:
            names = skills_of[profile["user_id"]]
            profile["search_text"] = search_text_of(profile["name"], profile["name_latin"], profile["school"], names)
            profile["skill_keys"] = skill_keys_of(names)

        fair_starts = now + timedelta(days=30)
        events = [event_row(FAIR_SLUG, "2027届高校毕业生秋季招聘会", "Autumn graduate fair", fair_starts,
                            registrants, now)]
        events += [event_row(f"other-fair-{n}", f"专场招聘会 {n}", f"Job fair {n}", now + timedelta(days=7 * n), 20_000,
                             now) for n in range(1, 5)]
        insert_chunks(connection, Event.__table__, events)
        event_ids = dict(connection.execute(select(Event.slug, Event.id)).all())
        fair_id = event_ids[FAIR_SLUG]

        user_ids = [user_id for user_id, _, _ in people]
        chosen = rng.sample(user_ids, registrants + sum(FAIR_STATUS_EXTRAS.values()))
        statuses = [RegistrationStatus.CONFIRMED] * registrants + [
            status for status, count in FAIR_STATUS_EXTRAS.items() for _ in range(count)]
        registrations = [{"event_id": fair_id, "user_id": user_id, "status": status, "queued_at": now,
                          "created_at": now, "updated_at": now, "confirmed_at": now}
                         for user_id, status in zip(chosen, statuses, strict=True)]
        for slug, event_id in event_ids.items():
            if slug != FAIR_SLUG:
                registrations += [{"event_id": event_id, "user_id": user_id, "status": RegistrationStatus.CONFIRMED,
                                   "queued_at": now, "created_at": now, "updated_at": now, "confirmed_at": now}
                                  for user_id in rng.sample(user_ids, 10_000)]
        # Most people at the fair agree to be seen; a third of everyone else has too.
        confirmed_ids = set(chosen[:registrants])
        consenting = 0
        for profile in profiles:
            share = 0.85 if profile["user_id"] in confirmed_ids else 0.33
            if rng.random() < share:
                profile["show_to_employers"], profile["consent_changed_at"] = True, now
                consenting += profile["user_id"] in confirmed_ids
        insert_chunks(connection, CandidateProfile.__table__, profiles)
        insert_chunks(connection, CandidateSkill.__table__, skills)
        insert_chunks(connection, Registration.__table__, registrations)

        insert_chunks(connection, Organization.__table__, organization_rows(rng, organizations, now))
        organization_ids = [row[0] for row in connection.execute(select(Organization.id).order_by(Organization.id))]
        insert_chunks(connection, User.__table__, [
            {"email": f"hr{n}@org{n}.example.com", "password_hash": password_hash, "display_name": f"HR {n}",
             "role": Role.EMPLOYER, "created_at": now} for n in range(1, organizations + 1)])
        staff_ids = [row[0] for row in connection.execute(select(User.id).where(User.role == Role.EMPLOYER)
                                                          .order_by(User.id))]
        insert_chunks(connection, OrganizationMember.__table__, [
            {"organization_id": organization_id, "user_id": staff_id, "role": MemberRole.OWNER, "created_at": now}
            for organization_id, staff_id in zip(organization_ids, staff_ids, strict=True)])
        insert_chunks(connection, Booth.__table__, [
            {"event_id": fair_id, "organization_id": organization_id, "booth_type": BoothType.STANDARD,
             "interviewers": rng.randint(1, 4), "status": BoothStatus.APPROVED, "created_at": now, "decided_at": now}
            for organization_id in organization_ids])
        # The timed staff member's booth already shortlisted a few dozen people.
        booth_id = connection.scalar(select(Booth.id).where(Booth.organization_id == organization_ids[0]))
        insert_chunks(connection, ShortlistEntry.__table__, [
            {"booth_id": booth_id, "candidate_id": user_id, "rank": rank, "note": "", "created_at": now,
             "updated_at": now} for rank, user_id in enumerate(rng.sample(sorted(confirmed_ids), 40), start=1)])
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Do now what autovacuum would do soon after a bulk load, so it does not run during the timing.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        session_id = start_login_session(db.session.get(User, staff_ids[0]))
        db.session.commit()
    return Dataset(candidates=len(profiles), skills=len(skills), fair_id=fair_id, confirmed=registrants,
                   consenting=consenting, registrations=len(registrations), organizations=organizations,
                   staff_id=staff_ids[0], staff_session_id=session_id, fill_seconds=time.perf_counter() - started)


# --- Measuring --------------------------------------------------------------------------------

class QueryCounter:
    """Counts SQL statements sent by the engine, to tell one query from an N+1.

    Every statement counts, including the BEGIN IMMEDIATE the app issues itself on SQLite.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1


@dataclass
class Summary:
    page: str
    requests: int
    median_ms: float
    p95_ms: float
    app_cpu_median_ms: float  # this process's CPU: all of it with SQLite, the Python side with PostgreSQL
    db_cpu_mean_ms: float | None  # PostgreSQL's server processes (None with SQLite: it runs in this process)
    queries: float


def logged_in_client(app: Flask, session_user_id: str):
    """A test client carrying the session cookie the login would have set for this staff member."""
    client = app.test_client()
    serializer = app.session_interface.get_signing_serializer(app)
    client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"),
                      serializer.dumps({"_user_id": session_user_id, "_fresh": True}))
    return client


def browse_path(fair_id: int, page: int) -> str:
    return f"/employer/events/{fair_id}/registrants?{urlencode({**BROWSE_QUERY, 'page': page}, doseq=True)}"


class BackendClock:
    """CPU time of the PostgreSQL server processes serving this app's connections (same machine), from
    /proc: unlike wall-clock times it hardly grows with other work on the machine."""

    def __init__(self) -> None:
        self.pids: set[int] = set()
        self.tick = os.sysconf("SC_CLK_TCK")

    def connected(self, dbapi_connection, record) -> None:
        self.pids.add(dbapi_connection.info.backend_pid)

    def seconds(self) -> float:
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # a closed connection's process
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / self.tick


def time_page(client, counter: QueryCounter, clock: BackendClock | None, page: int, path: str,
              requests: int) -> Summary:
    """GET the path WARMUP_REQUESTS + requests times; the first WARMUP_REQUESTS are not kept."""
    times, cpu_times, queries = [], [], []
    db_started = 0.0
    for number in range(WARMUP_REQUESTS + requests):
        if number == WARMUP_REQUESTS and clock is not None:
            db_started = clock.seconds()
        counter.count = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers={"Accept-Language": LANGUAGES[number % len(LANGUAGES)]})
        elapsed_ms, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}, expected 200")
        if number >= WARMUP_REQUESTS:
            times.append(elapsed_ms)
            cpu_times.append(cpu_ms)
            queries.append(counter.count)
    db_cpu = (clock.seconds() - db_started) * 1000 / len(times) if clock is not None else None
    return Summary(page=f"page {page}", requests=len(times), median_ms=statistics.median(times),
                   p95_ms=statistics.quantiles(times, n=20)[-1], app_cpu_median_ms=statistics.median(cpu_times),
                   db_cpu_mean_ms=db_cpu, queries=statistics.fmean(queries))


def matches_of(app: Flask, client, fair_id: int) -> tuple[int, int]:
    """How many registrants the timed filters match, and how many cards page 50 shows."""
    first = client.get(browse_path(fair_id, 1), headers={"Accept-Language": "en"}).get_data(as_text=True)
    total = int(re.search(r"(\d+) registrants? match", first).group(1))
    fiftieth = client.get(browse_path(fair_id, 50)).get_data(as_text=True)
    return total, len(re.findall(r'data-testid="candidate-\d+"', fiftieth))


def measure(app: Flask, data: Dataset, requests: int) -> tuple[list[Summary], int, list[float]]:
    counter = QueryCounter()
    clock = None
    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", counter)
        if db.engine.dialect.name == "postgresql":
            clock = BackendClock()
            db.engine.dispose()  # so that every connection the timing uses is seen being opened
            sa_event.listen(db.engine, "connect", clock.connected)
    # Requests run outside any outer app context, so each gets a fresh session as in production.
    client = logged_in_client(app, data.staff_session_id)
    total, cards = matches_of(app, client, data.fair_id)
    if cards != PER_PAGE:
        raise SystemExit(f"page 50 shows {cards} registrants ({total} match): the data is too small for page 50")
    load = [os.getloadavg()[0]]
    summaries = [time_page(client, counter, clock, page, browse_path(data.fair_id, page), requests)
                 for page in (1, 50)]
    load.append(os.getloadavg()[0])
    return summaries, total, load


# --- Reporting --------------------------------------------------------------------------------

def print_table(report: dict) -> None:
    print(f"\n{report['engine']} {report['engine_version']} · {report['candidates']:,} candidate profiles "
          f"({report['skills']:,} skills) · fair with {report['confirmed']:,} confirmed registrants "
          f"({report['consenting']:,} consenting) · {report['registrations']:,} registrations in all · "
          f"{report['organizations']:,} approved booths")
    print(f"schema at {report['schema_revision']} (migrations {report['schema_seconds']:.1f} s) · "
          f"fill {report['fill_seconds']:.1f} s")
    print(f"filters: {json.dumps(BROWSE_QUERY, ensure_ascii=False)} → {report['matches']:,} registrants")
    print(f"{report['cpus']} CPUs, load average {report['load_before']:.1f} before the timing and "
          f"{report['load_after']:.1f} after\n")
    print(f"{'page':<10} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'app CPU ms':>11} {'DB CPU ms':>10} {'SQL/req':>8}")
    for row in report["pages"]:
        db_cpu = f"{row['db_cpu_mean_ms']:>10.1f}" if row["db_cpu_mean_ms"] is not None else f"{'—':>10}"
        print(f"{row['page']:<10} {row['requests']:>4} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
              f"{row['app_cpu_median_ms']:>11.1f} {db_cpu} {row['queries']:>8.1f}")
    for row in report["pages"]:
        verdict = "met" if row["p95_ms"] < TARGET_P95_MS else "MISSED"
        print(f"target p95 < {TARGET_P95_MS:.0f} ms, {row['page']}: {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file in a temp dir)")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--registrants", type=int, default=20_000, help="confirmed registrants of the fair")
    parser.add_argument("--organizations", type=int, default=1_000, help="organizations with an approved booth")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page, after warm-up")
    parser.add_argument("--seed", type=int, default=4, help="random seed for the data")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    extras = sum(FAIR_STATUS_EXTRAS.values())
    if args.registrants + extras > args.candidates or args.candidates < 10_000 or args.organizations < 1:
        parser.error(f"need --candidates >= 10000 and >= --registrants + {extras}, and --organizations >= 1")
    if args.requests < 10:
        parser.error("need --requests >= 10")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="eventsapp-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "SECRET_KEY": "bench", "TESTING": False})
        print(f"building the schema on {url.render_as_string(hide_password=True)} …", file=sys.stderr)
        schema_seconds, revision = build_schema(app)
        print(f"filling {args.candidates:,} candidates, {args.registrants:,} registrants, "
              f"{args.organizations:,} organizations …", file=sys.stderr)
        data = fill(app, rng, args.candidates, args.registrants, args.organizations)
        print(f"timing {args.requests} requests per page …", file=sys.stderr)
        summaries, matches, load = measure(app, data, args.requests)
        with app.app_context():
            version = ".".join(map(str, db.engine.dialect.server_version_info))
            engine_name = db.engine.dialect.name
            db.engine.dispose()
    report = {
        "engine": engine_name, "engine_version": version, "python": sys.version.split()[0],
        "candidates": data.candidates, "skills": data.skills, "confirmed": data.confirmed,
        "consenting": data.consenting, "registrations": data.registrations, "organizations": data.organizations,
        "matches": matches, "cpus": os.cpu_count(), "load_before": load[0], "load_after": load[1],
        "seed": args.seed, "schema_revision": revision, "schema_seconds": schema_seconds,
        "fill_seconds": data.fill_seconds, "target_p95_ms": TARGET_P95_MS,
        "pages": [asdict(summary) for summary in summaries],
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
