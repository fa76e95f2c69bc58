"""The opening minute of a large fair, for Locust (started by benchmarks/load_fair.py, which seeds the database
and writes the JSON file named by LOAD_FAIR_DATA): 80 % of the simulated people browse (home, the event
list, the fair's page, its floor plan, its places), 15 % register for the fair (each a different candidate,
logged in by a signed session cookie, answering the fair's required question) and 5 % are employers browsing
the fair's registrants. Every answer is checked (status, and where a registration leads): anything else is
counted as a failure. Also usable alone:

    LOAD_FAIR_DATA=fair.json .venv/bin/locust -f benchmarks/locustfile_fair.py --headless -u 100 -t 60s \\
        --host http://127.0.0.1:8080
"""
from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_FAIR_DATA"]) as data_file:
    DATA = json.load(data_file)

SLUG = DATA["slug"]
EVENT_ID = DATA["event_id"]
REGISTERING = DATA["registrants"]  # each used once: popped by whoever registers next
EMPLOYERS = DATA["employers"]
BROWSER_HEADERS = {"Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
# Where the candidates nobody registered are listed when Locust stops: the others were sent (load_fair.py checks
# that each of them is registered once, and nobody else).
UNSENT_PATH = os.environ.get("LOAD_FAIR_UNSENT")
# Each simulated person waits this long between two clicks (seconds; LOAD_FAIR_WAIT="0.2,1").
WAIT = tuple(float(part) for part in os.environ.get("LOAD_FAIR_WAIT", "0.2,1.0").split(","))


def expect(response, status: int, location: str = "") -> None:
    if response.status_code != status:
        response.failure(f"status {response.status_code}, expected {status}")
    elif location and not response.headers.get("Location", "").endswith(location):
        response.failure(f"sent to {response.headers.get('Location')!r}, expected {location!r}")
    else:
        response.success()


class Visitor(HttpUser):
    """Someone looking at the fair: the pages a person clicks through, more of the list and the fair's page."""

    weight = 80
    wait_time = between(*WAIT)

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, headers=BROWSER_HEADERS, catch_response=True,
                             allow_redirects=False) as response:
            expect(response, 200)

    @task(2)
    def home(self) -> None:
        self.get("/", "home /")

    @task(3)
    def event_list(self) -> None:
        self.get("/events" if random.random() < 0.7 else "/events?kind=fair", "list /events")

    @task(3)
    def event_page(self) -> None:
        self.get(f"/events/{SLUG}", "event /events/[slug]")

    @task(1)
    def floor_plan(self) -> None:
        self.get(f"/events/{SLUG}/floor-plan", "floor plan /events/[slug]/floor-plan")

    @task(2)
    def places(self) -> None:
        with self.client.get(f"/events/{SLUG}/places.json", name="places /events/[slug]/places.json",
                             catch_response=True) as response:
            expect(response, 200)


class Registrant(HttpUser):
    """A candidate who opened the fair's page and registers: one POST per candidate, then their events."""

    weight = 15
    wait_time = between(*WAIT)

    @task
    def register(self) -> None:
        if not REGISTERING:  # every candidate seeded for this run has registered (load_fair.py seeds plenty)
            return
        person = REGISTERING.pop()
        headers = {**BROWSER_HEADERS, "Cookie": f"session={person['cookie']}",
                   "Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(f"/events/{SLUG}/register", data=person["form"], headers=headers,
                              name="register POST /events/[slug]/register", catch_response=True,
                              allow_redirects=False) as response:
            expect(response, 302, "/my/events")


class Employer(HttpUser):
    """A booth's staff member browsing the registrants who agreed to be seen."""

    weight = 5
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        self.cookie = random.choice(EMPLOYERS)

    @task
    def registrants(self) -> None:
        page = random.choice(("", "?page=2", "?degree=master"))
        with self.client.get(f"/employer/events/{EVENT_ID}/registrants{page}", name="employer registrants",
                             headers={**BROWSER_HEADERS, "Cookie": f"session={self.cookie}"},
                             catch_response=True, allow_redirects=False) as response:
            expect(response, 200)


@events.quitting.add_listener
def _write_unsent(environment, **_kwargs) -> None:
    if UNSENT_PATH:
        with open(UNSENT_PATH, "w") as unsent:
            json.dump([person["user_id"] for person in REGISTERING], unsent)
