"""Badge PDFs (issue 6): a 1,000-badge batch on A4 2×4 sheets, and one badge with a Chinese name.

Fills a fresh database with one fair: 1,000 badge holders with mixed names (Chinese, some with
rare characters such as 䶮 or 𠇔, and Latin), confirmed registrants, booth staff across two halls
and a crew, and their badges (issued by `sync_badges`, as `flask badges sync` does: timed apart). Then
it measures what `flask badges render` does:

- the batch: choosing and sorting the badges (pinyin order), the pre-print font check, and the
  PDF (WeasyPrint, runs of sheets spread over BADGE_RENDER_PROCESSES worker processes), in
  badges per second, with the peak memory of this process and of the largest worker;
- one badge with a Chinese name, as GET /events/<slug>/badge.pdf through the test client
  (median of 25), and the rendering alone;
- that the CJK font is embedded as a subset (`pdffonts`), i.e. WeasyPrint took HarfBuzz's fast path.

    .venv/bin/python benchmarks/badges.py
    .venv/bin/python benchmarks/badges.py --database-url postgresql://postgres@127.0.0.1:5432/bench_badges

Without --database-url it uses a fresh SQLite file in a temporary directory. A PostgreSQL database
is created if missing and its `public` schema dropped and rebuilt: never point it at data you keep.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from pypdf import PdfReader  # noqa: E402
from sqlalchemy import select  # noqa: E402
from support import build_schema, prepare_database  # noqa: E402

import eventsapp.models  # noqa: E402, F401 - every model mapped before a service builds a query at import
from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.services import start_login_session  # noqa: E402
from eventsapp.badges import batches, fonts, rendering  # noqa: E402
from eventsapp.badges.models import BadgeRole, EventCrew  # noqa: E402
from eventsapp.badges.services import (  # noqa: E402
    current_badge,
    sync_badges,
)
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall  # noqa: E402
from eventsapp.candidates.models import CandidateProfile  # noqa: E402
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

TARGET_BADGES_PER_SECOND = 70
TARGET_PEAK_RSS_MB = 1536
TARGET_SINGLE_MS = 150
HOLDERS = 1000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉浩宇轩然博文思雨欣怡子涵梓萱"
RARE = "䶮𠇔堃喆昇赟犇淼燚鑫"
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方"]
LATIN_GIVEN = ["Anna", "Lukas", "Maria", "James", "Olivia", "Mohammed", "Sofia", "Noah", "Emma", "Liam", "Zoë",
               "Søren", "Chloé", "José", "Alexandra-Katharina"]
LATIN_FAMILY = ["Schmidt", "Müller", "Smith", "Johnson", "García", "Rossi", "Dubois", "Nowak", "Kowalski",
                "Andersson", "O'Brien", "Wolfeschlegelsteinhausen", "Nguyen", "Kim", "Tanaka"]


def chinese_name(rng: random.Random) -> str:
    family = rng.choice(COMPOUND) if rng.random() < 0.05 else rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN + RARE if rng.random() < 0.1 else GIVEN) for _ in range(rng.choice((1, 2))))
    return family + given


def fill(app, rng: random.Random) -> Event:
    """One fair: 70% Chinese-named candidates, 15% Latin-named, booth staff in two halls, a crew."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    with app.app_context():
        event = Event(slug="bench-fair", kind=EventKind.FAIR, status=EventStatus.PUBLISHED,
                      title_zh="2027 杭州新春人才交流大会", title_en="2027 Hangzhou New-Year Talent Fair",
                      timezone="Asia/Shanghai", starts_at=starts, ends_at=starts + timedelta(hours=7), capacity=5000)
        db.session.add(event)
        db.session.flush()
        halls = [Hall(event_id=event.id, name=name, rows=10, cols=10) for name in ("A", "B")]
        db.session.add_all(halls)
        db.session.flush()
        users = []
        for number in range(HOLDERS):
            latin_person = rng.random() < 0.18
            name = (f"{rng.choice(LATIN_GIVEN)} {rng.choice(LATIN_FAMILY)}" if latin_person else chinese_name(rng))
            user = User(email=f"holder{number}@bench.example", display_name=name, role=Role.CANDIDATE,
                        password_hash="not-a-real-hash")
            users.append((user, name, latin_person))
        db.session.add_all(user for user, _, _ in users)
        db.session.flush()
        staff_count, crew_count = 120, 30
        organizations = []
        for number in range(staff_count // 3):
            organization = Organization(
                name_zh=f"杭州示例科技有限公司{number}", name_en=f"Hangzhou Example Tech {number}",
                credit_code=f"91330100BENCH{number:05d}", industry=Industry.I, size=OrganizationSize.FROM_100,
                city="杭州", status=OrganizationStatus.VERIFIED)
            organizations.append(organization)
        db.session.add_all(organizations)
        db.session.flush()
        for number, organization in enumerate(organizations):
            hall = halls[number % 2]
            db.session.add(Booth(event_id=event.id, organization_id=organization.id, booth_type=BoothType.STANDARD,
                                 status=BoothStatus.APPROVED, hall_id=hall.id, row=number // 10 + 1,
                                 col=number % 10 + 1, code=f"{hall.name}-{number + 1:02d}"))
        for index, (user, name, latin_person) in enumerate(users):
            if index < staff_count:
                user.role = Role.EMPLOYER
                db.session.add(OrganizationMember(organization_id=organizations[index // 3].id, user_id=user.id,
                                                  role=MemberRole.STAFF))
            elif index < staff_count + crew_count:
                db.session.add(EventCrew(event_id=event.id, user_id=user.id,
                                         role=rng.choice((BadgeRole.VOLUNTEER, BadgeRole.JUDGE, BadgeRole.ORGANIZER))))
            else:
                latin = name if latin_person else ""
                db.session.add(CandidateProfile(user_id=user.id, name=name, name_latin=latin, school="浙江大学"))
                db.session.add(Registration(event_id=event.id, user_id=user.id,
                                            status=RegistrationStatus.CONFIRMED))
        db.session.commit()
        return event.id


class ProcessTreeSampler(threading.Thread):
    """The memory of every process below this one, sampled from /proc every 250 ms, and their CPU
    time. The rendering workers are children of multiprocessing's fork server, so getrusage()
    does not see them; the fork server's counters for its reaped children do."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.peak_rss_mb: dict[int, float] = {}
        self.peak_total_rss_mb = 0.0

    @staticmethod
    def _processes() -> dict[int, tuple[int, float, float]]:
        """pid -> (parent pid, CPU seconds of the process and of its reaped children, RSS in MB)."""
        result = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
            result[int(entry)] = int(fields[1]), cpu, int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        return result

    def _below(self, processes) -> set[int]:
        below, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {pid for pid, (ppid, _, _) in processes.items() if ppid in frontier} - below
            below |= frontier
        return below

    def sample(self) -> None:
        processes = self._processes()
        total = processes.get(os.getpid(), (0, 0.0, 0.0))[2]
        for pid in self._below(processes):
            rss = processes[pid][2]
            self.peak_rss_mb[pid] = max(self.peak_rss_mb.get(pid, 0.0), rss)
            total += rss
        self.peak_total_rss_mb = max(self.peak_total_rss_mb, total)

    def children_cpu_seconds(self) -> float:
        """CPU time of the processes below this one, including workers that ended (all reaped)."""
        processes = self._processes()
        return sum(cpu for pid, (ppid, cpu, _) in processes.items() if ppid == os.getpid())

    def run(self) -> None:
        while not self.stopping.wait(0.25):
            self.sample()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def _own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def pdffonts(pdf: bytes, workdir: Path) -> list[str]:
    path = workdir / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL to fill (default: a temporary SQLite file)")
    parser.add_argument("--processes", type=int, default=None, help="worker processes (default: the app's setting)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        url = prepare_database(args.database_url, workdir)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "BABEL_DEFAULT_LOCALE": "zh_CN", "BADGE_FOLDER": str(workdir / "badges")})
        processes = args.processes or app.config["BADGE_RENDER_PROCESSES"]
        build_schema(app)
        event_id = fill(app, rng)
        with app.app_context():
            # The rows above were bulk-inserted: issue their badges as the changes that entitle people do.
            begin = time.perf_counter()
            sync_badges(event_id)
            db.session.commit()
            issued = time.perf_counter() - begin

        with app.test_request_context():
            fonts.missing_characters("王 W"), fonts.width_em("王 W")  # font metrics load once per process
            cpu_before = _own_cpu_seconds()
            sampler = ProcessTreeSampler()
            children_cpu_before = sampler.children_cpu_seconds()
            sampler.start()
            started = time.perf_counter()
            event = db.session.get(Event, event_id)
            options = batches.BatchOptions(layout="a4-2x4", sort="name")
            cards = batches.batch_cards(event, options)
            db.session.commit()
            selected = time.perf_counter()
            problems = batches.preprint_check(cards, options.layout_spec)
            checked = time.perf_counter()
            pdf = rendering.render_pdf(cards, options.layout_spec, processes=processes)
            finished = time.perf_counter()
            sampler.stop()
            cpu_main = _own_cpu_seconds() - cpu_before
            time.sleep(0.5)  # the fork server reaps its last workers
            # The fork server starts with this batch: its start-up (importing WeasyPrint) is counted.
            cpu_workers = sampler.children_cpu_seconds() - children_cpu_before
            batch_fonts = pdffonts(pdf, workdir)

        with app.app_context():
            holder = db.session.scalar(select(User).join(CandidateProfile, CandidateProfile.user_id == User.id)
                                       .where(CandidateProfile.name_latin == "").order_by(User.id).limit(1))
            holder_id, session_id = holder.id, start_login_session(holder)
            db.session.commit()
            holder_name = db.session.get(CandidateProfile, holder.id).name
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id  # signed in as the candidate
            session["_fresh"] = True
        timings = []
        for _ in range(26):
            begin = time.perf_counter()
            response = client.get("/events/bench-fair/badge.pdf")
            timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, response.status_code
        single_fonts = pdffonts(response.data, workdir)
        with app.test_request_context():
            badge = current_badge(event_id, holder_id)
            card = batches.cards_for(badge.event, [badge])
            render_only = []
            for _ in range(25):
                begin = time.perf_counter()
                rendering.render_pdf(card, rendering.LAYOUTS["single"])
                render_only.append((time.perf_counter() - begin) * 1000)

    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_child = max(sampler.peak_rss_mb.values(), default=0.0)
    total = finished - started
    figures = {
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
        "database": url.get_backend_name(),
        "badges": len(cards), "pages": len(PdfReader(io.BytesIO(pdf)).pages), "pdf_kb": len(pdf) // 1024,
        "processes": processes,
        "issue_s": round(issued, 2), "select_and_sort_s": round(selected - started, 2),
        "font_check_s": round(checked - selected, 3),
        "render_s": round(finished - checked, 2), "total_s": round(total, 2),
        "badges_per_second": round(len(cards) / total, 1),
        # On a busy machine the wall clock says little: the CPU time says what the batch costs, and
        # what it would take on `processes` idle cores (the main process's share runs alongside).
        "cpu_s_main": round(cpu_main, 2), "cpu_s_workers": round(cpu_workers, 2),
        "cpu_ms_per_badge": round((cpu_main + cpu_workers) * 1000 / len(cards), 1),
        "badges_per_second_on_idle_cores": round(len(cards) / max(cpu_main, (cpu_main + cpu_workers) / processes), 1),
        "unprintable_names": len(problems),
        "peak_rss_mb_main": round(rss_self), "peak_rss_mb_largest_worker": round(rss_child),
        "peak_rss_mb_all_processes_at_once": round(sampler.peak_total_rss_mb),
        "single_badge_http_median_ms": round(statistics.median(timings[1:]), 1),
        "single_badge_render_median_ms": round(statistics.median(render_only), 1),
        "single_badge_name": holder_name,
        "cjk_font_embedded_subset": any("Noto-Sans-CJK-SC" in line and line.split()[-5:-3] == ["yes", "yes"]
                                        for line in single_fonts),
        "batch_fonts": sorted({line.split()[0].split("+")[-1] for line in batch_fonts}),
    }
    figures["meets_targets"] = (figures["badges_per_second"] >= TARGET_BADGES_PER_SECOND
                                and sampler.peak_total_rss_mb < TARGET_PEAK_RSS_MB
                                and figures["single_badge_http_median_ms"] < TARGET_SINGLE_MS)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for key, value in figures.items():
        print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
