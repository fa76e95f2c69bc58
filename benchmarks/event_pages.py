"""Server time of the public event pages on a large database (issue 2).

Builds the schema with the migrations, fills it with bulk inserts (events with their agenda,
series and user accounts), then times GET /events (a mix of filters) and GET /events/<slug>
through Flask's in-process test client, so the figures are the application's own time: no
network, no web server. Every response must be 200. It prints the median and p95 per page.

    .venv/bin/python benchmarks/event_pages.py
    .venv/bin/python benchmarks/event_pages.py --database-url postgresql://postgres@127.0.0.1:5432/bench

Without --database-url it uses a fresh SQLite file in a temporary directory, removed at the end.
A PostgreSQL database is created if missing and its `public` schema is dropped and rebuilt, so
never point it at data you want to keep.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from support import build_schema, insert_chunks, prepare_database, weighted  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.passwords import hash_password  # noqa: E402
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus, Series  # noqa: E402
from eventsapp.events.services import slugify, talent_day_titles  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.talentday.services import talent_day_date  # noqa: E402

TARGET_P95_MS = 50.0
WARMUP_REQUESTS = 20
YEARS_AROUND_NOW = 3
SITE_ZONE = "Asia/Shanghai"
# What the public sees: every generated cancelled event was published first (see lifecycle).
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)
LANGUAGES = ("zh-CN", "en")

# --- Realistic bilingual material -------------------------------------------------------------

CITIES = [("杭州", "Hangzhou"), ("宁波", "Ningbo"), ("温州", "Wenzhou"), ("绍兴", "Shaoxing"),
          ("嘉兴", "Jiaxing"), ("湖州", "Huzhou"), ("金华", "Jinhua")]
SECTORS = [("数字经济", "Digital Economy"), ("智能制造", "Smart Manufacturing"), ("生物医药", "Biomedicine"),
           ("金融科技", "Fintech"), ("新能源汽车", "New Energy Vehicles"), ("文化创意", "Creative Industries"),
           ("跨境电商", "Cross-border E-commerce"), ("人工智能", "Artificial Intelligence")]
AUDIENCES = [("高校毕业生", "Graduate"), ("海外人才", "Overseas Talent"), ("博士后", "Postdoctoral"),
             ("技能人才", "Skilled Worker"), ("", "")]
VENUES = [
    ("杭州国际博览中心", "Hangzhou International Expo Center",
     "杭州市萧山区奔竞大道353号 / 353 Benjing Avenue, Xiaoshan, Hangzhou", "A, B, C, D"),
    ("杭州国际会议中心", "Hangzhou International Conference Center",
     "杭州市上城区解放东路2号 / 2 Jiefang East Road, Shangcheng, Hangzhou", "Main hall, Hall 1, Hall 2"),
    ("梦想小镇路演中心", "Dream Town Roadshow Center",
     "杭州市余杭区仓前街道文一西路1号 / 1 Wenyi West Road, Yuhang, Hangzhou", "Roadshow hall"),
    ("宁波国际会议展览中心", "Ningbo International Conference and Exhibition Center",
     "宁波市鄞州区宁穿路1号 / 1 Ningchuan Road, Yinzhou, Ningbo", "1, 2, 3"),
    ("浙江大学紫金港校区", "Zhejiang University Zijingang Campus",
     "杭州市西湖区余杭塘路866号 / 866 Yuhangtang Road, Xihu, Hangzhou", ""),
]
SERIES_THEMES = [("高校毕业生秋季招聘季", "Graduate Autumn Recruitment Season"),
                 ("春季人才引进季", "Spring Talent Season"),
                 ("海外高层次人才招聘季", "Overseas Talent Recruitment Season")]
AGENDA_TITLES = [("开幕式", "Opening ceremony"), ("主旨演讲", "Keynote speech"), ("企业宣讲", "Employer presentations"),
                 ("圆桌论坛", "Panel discussion"), ("现场面试", "On-site interviews"), ("项目路演", "Project roadshow"),
                 ("颁奖典礼", "Awards ceremony"), ("人才政策解读", "Talent policy briefing")]
ROOMS = ["主会场 Main hall", "1号厅 Hall 1", "2号厅 Hall 2", "A 馆 Hall A", "路演厅 Roadshow hall", ""]
SPEAKERS = ["", "", "陈静 Chen Jing", "王芳 Wang Fang", "李明轩 Li Mingxuan", "张伟 Zhang Wei", "Dr. Anna Schmidt"]
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu")]
GIVEN_NAMES = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"),
               ("洋", "Yang"), ("婷", "Ting"), ("明轩", "Mingxuan"), ("子涵", "Zihan")]

KIND_WEIGHTS = {EventKind.FAIR: 50, EventKind.CONFERENCE: 30, EventKind.COMPETITION: 20}
STATUS_WEIGHTS = {EventStatus.PUBLISHED: 85, EventStatus.DRAFT: 10, EventStatus.CANCELLED: 5}
ROLE_WEIGHTS = {Role.CANDIDATE: 900, Role.EMPLOYER: 85, Role.ORGANIZER: 12, Role.ADMIN: 3}
ZONE_WEIGHTS = {SITE_ZONE: 95, "Asia/Singapore": 2, "Europe/Berlin": 2, "America/Los_Angeles": 1}
START_TIMES = [(9, 0), (9, 30), (10, 0), (13, 30), (14, 0)]
DURATION_HOURS = {EventKind.FAIR: (3, 4, 6, 7), EventKind.COMPETITION: (3, 5, 8, 32),
                  EventKind.CONFERENCE: (4, 8, 32, 56)}



# --- Database preparation ---------------------------------------------------------------------

# --- Generated rows ---------------------------------------------------------------------------

def local_moment(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def series_rows(now: datetime) -> dict[tuple[int, int], dict]:
    """One series per (year, theme number)."""
    return {
        (year, theme): {"slug": f"{slugify(title_en)}-{year}", "title_zh": f"{year}{title_zh}",
                        "title_en": f"{title_en} {year}", "created_at": now - timedelta(days=400)}
        for year in range(now.year - YEARS_AROUND_NOW, now.year + YEARS_AROUND_NOW + 1)
        for theme, (title_zh, title_en) in enumerate(SERIES_THEMES)
    }


def event_titles(rng: random.Random, kind: EventKind, year: int) -> tuple[str, str]:
    (city_zh, city_en), (sector_zh, sector_en) = rng.choice(CITIES), rng.choice(SECTORS)
    if kind == EventKind.FAIR:
        audience_zh, audience_en = rng.choice(AUDIENCES)
        title_zh = f"{year}年{city_zh}{sector_zh}{audience_zh}专场招聘会"
        title_en = " ".join(filter(None, [city_en, sector_en, audience_en, "Job Fair", str(year)]))
    elif kind == EventKind.COMPETITION:
        edition = rng.randint(1, 15)
        title_zh = f"第{edition}届{city_zh}{sector_zh}创新创业大赛"
        title_en = f"{city_en} {sector_en} Innovation and Entrepreneurship Competition No. {edition}"
    else:
        title_zh = f"{year}{city_zh}{sector_zh}人才发展交流会"
        title_en = f"{city_en} {sector_en} Talent Exchange Conference {year}"
    roll = rng.random()  # a few events are written in one language only
    if roll < 0.05:
        return title_zh, ""
    if roll < 0.08:
        return "", title_en
    return title_zh, title_en


def lifecycle(rng: random.Random, status: EventStatus, starts: datetime, now: datetime) -> dict:
    """Creation, publication and cancellation times that happened before `now`."""
    created = min(starts - timedelta(days=rng.randint(30, 180)), now - timedelta(days=1))
    published = min(created + timedelta(days=rng.randint(1, 14)), now) if status != EventStatus.DRAFT else None
    cancelled = min(published + timedelta(days=rng.randint(1, 20)), now) if status == EventStatus.CANCELLED else None
    return {"status": status, "created_at": created, "updated_at": cancelled or published or created,
            "published_at": published, "cancelled_at": cancelled}


def event_row(rng: random.Random, number: int, kind: EventKind, starts: datetime, ends: datetime, zone: str,
              titles: tuple[str, str], status: EventStatus, now: datetime, series_id: int | None = None,
              talent_day_year: int | None = None, slug: str | None = None) -> dict:
    title_zh, title_en = titles
    venue_zh, venue_en, address, halls = rng.choice(VENUES)
    with_registration = rng.random() < 0.7
    return {
        "slug": slug or f"{slugify(title_en) or kind.value}-{number}",
        "kind": kind, "series_id": series_id, "talent_day_year": talent_day_year,
        "title_zh": title_zh, "title_en": title_en,
        "description_zh": f"{title_zh or title_en}：汇聚用人单位与人才，现场交流、洽谈与签约。欢迎提前注册。",
        "description_en": f"{title_en or title_zh}: employers and talent meet for talks, interviews and offers. "
                          "Register early to secure a place.",
        "venue_name_zh": venue_zh, "venue_name_en": venue_en, "venue_address": address, "venue_halls": halls,
        "timezone": zone, "starts_at": starts, "ends_at": ends,
        "registration_opens_at": starts - timedelta(days=30) if with_registration else None,
        "registration_closes_at": starts - timedelta(days=1) if with_registration else None,
        "capacity": rng.choice((80, 120, 200, 300, 500, 800, 1500, 3000, 5000)),
        **lifecycle(rng, status, starts, now),
    }


def agenda_rows(rng: random.Random, event: dict) -> list[dict]:
    """0–5 items spread over the event; the event id is added once the event is inserted."""
    count = rng.randint(0, 5)
    if count == 0:
        return []
    slot = (event["ends_at"] - event["starts_at"]) / count
    items = []
    for position in range(count):
        starts = event["starts_at"] + slot * position
        title_zh, title_en = rng.choice(AGENDA_TITLES)
        items.append({"starts_at": starts, "ends_at": starts + slot * 0.75 if rng.random() < 0.8 else None,
                      "room": rng.choice(ROOMS), "title_zh": title_zh, "title_en": title_en,
                      "speaker": rng.choice(SPEAKERS)})
    return items


def talent_day_events(rng: random.Random, now: datetime) -> list[dict]:
    """One Talent Day a year (28 September, Asia/Shanghai) over the years around now."""
    rows = []
    for year in range(now.year - YEARS_AROUND_NOW, now.year + YEARS_AROUND_NOW + 1):
        day = talent_day_date(year)
        rows.append(event_row(rng, 0, EventKind.TALENT_DAY, local_moment(day, 9, 0, SITE_ZONE),
                              local_moment(day, 17, 0, SITE_ZONE), SITE_ZONE, talent_day_titles(None, year),
                              EventStatus.PUBLISHED, now, talent_day_year=year, slug=f"talent-day-{year}"))
    return rows


def generated_events(rng: random.Random, count: int, now: datetime,
                     series_ids: dict[tuple[int, int], int]) -> list[dict]:
    """`count` events: the Talent Days, then fairs, conferences and competitions at random dates."""
    rows = talent_day_events(rng, now)
    today = now.astimezone(ZoneInfo(SITE_ZONE)).date()
    span = YEARS_AROUND_NOW * 365
    for number in range(1, count - len(rows) + 1):
        kind, zone = weighted(rng, KIND_WEIGHTS), weighted(rng, ZONE_WEIGHTS)
        day = today + timedelta(days=rng.randint(-span, span))
        starts = local_moment(day, *rng.choice(START_TIMES), zone)
        ends = starts + timedelta(hours=rng.choice(DURATION_HOURS[kind]))
        series_id = series_ids.get((day.year, rng.randrange(len(SERIES_THEMES)))) if rng.random() < 0.25 else None
        rows.append(event_row(rng, number, kind, starts, ends, zone, event_titles(rng, kind, day.year),
                              weighted(rng, STATUS_WEIGHTS), now, series_id=series_id))
    return rows


def user_rows(rng: random.Random, count: int, now: datetime) -> list[dict]:
    password_hash = hash_password("benchmark-password-not-secret")  # one Argon2 hash shared by every row
    rows = []
    for number in range(1, count + 1):
        (surname_zh, surname_en), (given_zh, given_en) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        created = now - timedelta(seconds=rng.randint(0, YEARS_AROUND_NOW * 365 * 86400))
        rows.append({
            "email": f"{given_en}.{surname_en}.{number}@example.com".lower(),
            "password_hash": password_hash,
            "display_name": f"{surname_zh}{given_zh} {given_en} {surname_en}",
            "role": weighted(rng, ROLE_WEIGHTS),
            "locale": rng.choice((None, None, "zh_CN", "en")),
            "is_active_account": rng.random() < 0.99,
            "created_at": created,
            "last_login_at": created + (now - created) * rng.random() if rng.random() < 0.6 else None,
        })
    return rows


# --- Filling ----------------------------------------------------------------------------------

@dataclass
class Dataset:
    events: int
    public_events: int
    agenda_items: int
    users: int
    published_slugs: list[str]
    busy_month: str
    fill_seconds: float


def busiest_month(events: list[dict]) -> str:
    """The month (site time) with the most public events: the heaviest `?month=` filter."""
    zone = ZoneInfo(SITE_ZONE)
    months = Counter(f"{row['starts_at'].astimezone(zone):%Y-%m}" for row in events
                     if row["status"] in PUBLIC_STATUSES)
    return months.most_common(1)[0][0]


def fill(app: Flask, rng: random.Random, event_count: int, user_count: int) -> Dataset:
    """Bulk-insert series, events, agenda items and users (Core inserts in chunks)."""
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    with app.app_context(), db.engine.begin() as connection:
        series = series_rows(now)
        insert_chunks(connection, Series.__table__, list(series.values()))
        series_slug_ids = {slug: id_ for slug, id_ in connection.execute(select(Series.slug, Series.id))}
        series_ids = {key: series_slug_ids[row["slug"]] for key, row in series.items()}
        events = generated_events(rng, event_count, now, series_ids)
        insert_chunks(connection, Event.__table__, events)
        event_ids = {slug: id_ for slug, id_ in connection.execute(select(Event.slug, Event.id))}
        agenda = [{**item, "event_id": event_ids[event["slug"]]}
                  for event in events for item in agenda_rows(rng, event)]
        insert_chunks(connection, AgendaItem.__table__, agenda)
        insert_chunks(connection, User.__table__, user_rows(rng, user_count, now))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Do now what autovacuum would do soon after a bulk load, so it does not run during the timing.
            # SQLite is left as it is: it only has planner statistics if the app runs ANALYZE.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    return Dataset(
        events=len(events), public_events=sum(row["status"] in PUBLIC_STATUSES for row in events),
        agenda_items=len(agenda), users=user_count,
        published_slugs=[row["slug"] for row in events if row["status"] == EventStatus.PUBLISHED],
        busy_month=busiest_month(events), fill_seconds=time.perf_counter() - started,
    )


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
class Sample:
    variant: str
    ms: float
    queries: int


@dataclass
class Summary:
    page: str
    variant: str
    requests: int
    median_ms: float
    p95_ms: float
    queries: float


def timed_requests(app: Flask, counter: QueryCounter, plan: list[tuple[str, str]]) -> list[Sample]:
    """GET every (variant, path) in turn; the first WARMUP_REQUESTS are not kept."""
    client = app.test_client()
    samples = []
    for number, (variant, path) in enumerate(plan):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(path, headers={"Accept-Language": LANGUAGES[number % len(LANGUAGES)]})
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}, expected 200")
        if number >= WARMUP_REQUESTS:
            samples.append(Sample(variant, elapsed_ms, counter.count))
    return samples


def summarize(page: str, variant: str, samples: list[Sample]) -> Summary:
    times = [sample.ms for sample in samples]
    return Summary(page=page, variant=variant, requests=len(samples), median_ms=statistics.median(times),
                   p95_ms=statistics.quantiles(times, n=20)[-1],
                   queries=statistics.fmean(sample.queries for sample in samples))


def page_50_cursors(app: Flask) -> tuple[int, int]:
    """The `after=` of the 50th page of all events and of upcoming events: the last event of page 49, as
    the "next" link of page 49 gives it (keyset pagination: no page numbers in the URL)."""
    position = 49 * app.config["EVENTS_PER_PAGE"] - 1
    with app.app_context():
        now = datetime.now(UTC)
        return tuple(db.session.scalar(query.offset(position).limit(1)) for query in (
            select(Event.id).where(Event.is_public).order_by(Event.starts_at.desc(), Event.id.desc()),
            select(Event.id).where(Event.is_public, Event.ends_at >= now).order_by(Event.starts_at, Event.id)))


def measure_pages(app: Flask, data: Dataset, rng: random.Random, requests: int) -> list[Summary]:
    """The list page cycles through its filters; the event page opens random published events."""
    deep_all, deep_upcoming = page_50_cursors(app)
    list_variants = [("default", "/events"), ("kind=fair", "/events?kind=fair"), ("when=past", "/events?when=past"),
                     (f"month={data.busy_month}", f"/events?month={data.busy_month}"),
                     ("when=all, page 50", f"/events?when=all&after={deep_all}"),
                     ("upcoming, page 50", f"/events?after={deep_upcoming}")]
    total = WARMUP_REQUESTS + requests
    list_plan = [list_variants[number % len(list_variants)] for number in range(total)]
    detail_plan = [("random published", f"/events/{rng.choice(data.published_slugs)}") for _ in range(total)]

    counter = QueryCounter()
    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", counter)
    # Requests run outside any outer app context, so each gets a fresh session as in production.
    list_samples = timed_requests(app, counter, list_plan)
    detail_samples = timed_requests(app, counter, detail_plan)

    summaries = [summarize("event list", "mix", list_samples)]
    summaries += [summarize("event list", variant, [s for s in list_samples if s.variant == variant])
                  for variant, _ in list_variants]
    summaries.append(summarize("event page", "random published", detail_samples))
    return summaries


# --- Reporting --------------------------------------------------------------------------------

def print_table(report: dict) -> None:
    print(f"\n{report['engine']} {report['engine_version']} · {report['events']:,} events "
          f"({report['public_events']:,} public, {report['agenda_items']:,} agenda items) · "
          f"{report['users']:,} users")
    print(f"schema at {report['schema_revision']} (migrations {report['schema_seconds']:.1f} s) · "
          f"fill {report['fill_seconds']:.1f} s\n")
    print(f"{'page':<12} {'variant':<20} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8}")
    for row in report["pages"]:
        print(f"{row['page']:<12} {row['variant']:<20} {row['requests']:>4} {row['median_ms']:>10.1f} "
              f"{row['p95_ms']:>8.1f} {row['queries']:>8.1f}")
    for row in report["pages"]:
        if row["variant"] in ("mix", "random published"):
            verdict = "met" if row["p95_ms"] < TARGET_P95_MS else "MISSED"
            print(f"target p95 < {TARGET_P95_MS:.0f} ms, {row['page']}: {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file in a temp dir)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page, after warm-up")
    parser.add_argument("--seed", type=int, default=2, help="random seed for the data and the requests")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.events < 100 or args.users < 0 or args.requests < 10:
        parser.error("need --events >= 100, --users >= 0 and --requests >= 10")
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
        print(f"filling {args.events:,} events and {args.users:,} users …", file=sys.stderr)
        data = fill(app, rng, args.events, args.users)
        print(f"timing {args.requests} requests per page …", file=sys.stderr)
        summaries = measure_pages(app, data, rng, args.requests)
        with app.app_context():
            version = ".".join(map(str, db.engine.dialect.server_version_info))
            engine_name = db.engine.dialect.name
            db.engine.dispose()
    report = {
        "engine": engine_name, "engine_version": version, "python": sys.version.split()[0],
        "events": data.events, "public_events": data.public_events, "agenda_items": data.agenda_items,
        "users": data.users, "busy_month": data.busy_month, "seed": args.seed, "schema_revision": revision,
        "schema_seconds": schema_seconds, "fill_seconds": data.fill_seconds, "target_p95_ms": TARGET_P95_MS,
        "pages": [asdict(summary) for summary in summaries],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
