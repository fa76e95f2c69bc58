"""Award certificates (issue 14): 100 certificates in one PDF, at least 50 per second.

Fills a fresh database with one contest: 50 awarded entries, each with a team of two (Chinese names,
some with rare characters, and Latin names; Chinese and English project titles), so the organizer's
batch is 100 pages. Then it measures what GET /manage/events/<id>/results/certificates.pdf does — the
pages read from the database (``certificate_pages``) and the PDF (``render_certificates``, WeasyPrint in
this process) — as the median of five runs after one warm-up, and checks with `pdffonts` that the CJK
face is embedded as a subset.

    .venv/bin/python benchmarks/contest_certificates.py
    .venv/bin/python benchmarks/contest_certificates.py --database-url postgresql://postgres@127.0.0.1:5432/bench_certs

Without --database-url it uses a fresh SQLite file in a temporary directory. A PostgreSQL database
is created if missing and its `public` schema dropped and rebuilt: never point it at data you keep.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from pypdf import PdfReader  # noqa: E402
from support import build_schema, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.awards import certificates, services  # noqa: E402
from eventsapp.candidates.models import CandidateProfile  # noqa: E402
from eventsapp.contests.models import (  # noqa: E402
    Award,
    Contest,
    Entry,
    EntryState,
    Round,
    RoundKind,
    TeamMember,
    TeamRole,
    Track,
)
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402

ENTRIES, TEAM = 50, 2
TARGET_PER_SECOND = 50
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "䶮", "敏静", "子涵", "𠇔然", "浩宇", "雨桐", "思远", "欣怡"]
LATIN = ["Alice Martin", "Jonas Müller", "Aarav Sharma", "Sofia García", "Kenji Tanaka"]


def fill(app, rng: random.Random) -> int:
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        event = Event(slug="makers-contest", kind=EventKind.COMPETITION, status=EventStatus.PUBLISHED,
                      title_zh="“创客天下·杭向未来”海外高层次人才创新创业大赛",
                      title_en="Makers of the World: innovation and entrepreneurship contest for overseas talent",
                      timezone="Asia/Shanghai", starts_at=now + timedelta(days=30),
                      ends_at=now + timedelta(days=30, hours=8), capacity=400, published_at=now)
        db.session.add(event)
        db.session.flush()
        contest = Contest(event_id=event.id, entries_open_at=now - timedelta(days=90),
                          entries_close_at=now - timedelta(days=60), results_published_at=now)
        contest.tracks = [Track(position=index, name_zh=zh, name_en=en) for index, (zh, en) in
                          enumerate([("数字经济", "Digital economy"), ("生物医药", "Biomedicine"),
                                     ("高端装备", "Advanced equipment")])]
        contest.rounds = [Round(position=1, name_zh="总决赛", name_en="Final", kind=RoundKind.FINAL)]
        db.session.add(contest)
        db.session.flush()
        for number in range(ENTRIES):
            track = contest.tracks[number % 3]
            entry = Entry(contest_id=contest.id, track_id=track.id, title_zh=f"智能制造平台 第{number + 1}号",
                          title_en=f"Smart manufacturing platform no. {number + 1}", state=EntryState.SUBMITTED,
                          submitted_at=now - timedelta(days=70))
            for seat in range(TEAM):
                latin = rng.random() < 0.2
                name = rng.choice(LATIN) if latin else rng.choice(FAMILY) + rng.choice(GIVEN)
                user = User(email=f"maker{number}-{seat}@example.org", display_name=name, role=Role.CANDIDATE,
                            password_hash="x")
                db.session.add(user)
                db.session.flush()
                db.session.add(CandidateProfile(user_id=user.id, name=name, name_latin="" if latin else "Wang Wei"))
                role = TeamRole.LEADER if seat == 0 else TeamRole.MEMBER
                entry.members.append(TeamMember(user_id=user.id, role=role))
            db.session.add(entry)
            db.session.flush()
            rank = number // 3 + 1
            db.session.add(Award(contest_id=contest.id, entry_id=entry.id, track_id=track.id, rank=rank,
                                 name_zh=f"{'一二三'[min(rank, 3) - 1]}等奖", name_en=f"Prize of rank {rank}",
                                 prize_amount=Decimal(100_000 // rank)))
        db.session.commit()
        return contest.id


def run_once(app, contest_id: int) -> tuple[float, bytes, int]:
    with app.test_request_context():
        started = time.perf_counter()
        contest = db.session.get(Contest, contest_id)
        pages = certificates.certificate_pages(services.contest_awards(contest))
        pdf = certificates.render_certificates(pages, app.static_folder)
        elapsed = time.perf_counter() - started
        db.session.rollback()
        return elapsed, pdf, len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL to fill (default: a temporary SQLite file)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the warm-up (default 5)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        url = prepare_database(args.database_url, workdir)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "BABEL_DEFAULT_LOCALE": "zh_CN"})
        build_schema(app)
        contest_id = fill(app, random.Random(14))
        run_once(app, contest_id)  # warm-up: fonts found and loaded once per process
        times, pdf, pages = [], b"", 0
        for _ in range(args.runs):
            elapsed, pdf, pages = run_once(app, contest_id)
            times.append(elapsed)
        path = workdir / "certificates.pdf"
        path.write_bytes(pdf)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        cjk = [line for line in listing.splitlines() if "CJK" in line]
        median = statistics.median(times)
        figures = {
            "database": url.get_backend_name(), "certificates": pages,
            "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages), "pdf_bytes": len(pdf),
            "median_seconds": round(median, 3), "best_seconds": round(min(times), 3),
            "per_second": round(pages / median, 1),
            "cjk_embedded_subset": bool(cjk) and all(line.split()[-5:-3] == ["yes", "yes"] for line in cjk),
        }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    if figures["per_second"] < TARGET_PER_SECOND or not figures["cjk_embedded_subset"]:
        raise SystemExit(f"below target: {TARGET_PER_SECOND} certificates per second with the CJK face embedded")


if __name__ == "__main__":
    main()
