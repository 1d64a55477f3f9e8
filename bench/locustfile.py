"""The load mix of bench/load.py, run by locust's headless runner against the cluster (loopback).

Readers (most users): public pages and searches, anonymous, as the page cache serves them.
Members: sign in as the demo council members and file problems on their council.
Officers: a state body's system answers the recommendations addressed to it (bearer token API).

Environment: KENES_LOAD_PLAN (JSON written by bench/load.py: council codes, demo logins, dispatches
with their bodies' tokens) and KENES_LOAD_OUT (folder for acknowledged writes and every request).
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import urllib3
from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["KENES_LOAD_PLAN"]).read_text(encoding="utf-8"))
OUT = Path(os.environ["KENES_LOAD_OUT"])
RUN = PLAN["run"]
WORDS = [
    "су",
    "жол",
    "мектеп",
    "денсаулық",
    "ауыз су",
    "вода",
    "дорога",
    "школа",
    "больница",
    "water",
    "road",
]
PAGES = [
    "/",
    "/councils/",
    "/councils/?level=national",
    "/issues/",
    "/problems/",
    "/recommendations/scoreboard/",
    "/recommendations/awaiting/",
    "/recommendations/accountability/body/min-health/",
    "/regions/",
    "/meetings/",
]
_lock = threading.Lock()
_dispatches = list(PLAN["dispatches"])
random.shuffle(_dispatches)
_requests: list[tuple[float, str, int, float]] = []
_writes: list[dict] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    with _lock:
        _requests.append((time.time(), name, status, response_time))


@events.quitting.add_listener
def _save(environment, **kwargs):
    with (OUT / "requests.csv").open("w", encoding="utf-8") as handle:
        handle.write("time,name,status,ms\n")
        for at, name, status, ms in _requests:
            handle.write(f"{at:.3f},{name},{status},{ms:.1f}\n")
    (OUT / "writes.json").write_text(json.dumps(_writes, ensure_ascii=False), encoding="utf-8")


def _acknowledged(kind: str, **fields) -> None:
    with _lock:
        _writes.append({"kind": kind, **fields})


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


class Visitor(HttpUser):
    abstract = True

    def on_start(self):
        self.client.verify = False  # the cluster's self-signed certificate, on loopback
        # Browsers send it (Referrer-Policy: same-origin); Django's CSRF check needs it over HTTPS.
        self.client.headers["Referer"] = f"{self.host}/"


class Reader(Visitor):
    weight = 18
    wait_time = between(1, 4)

    @task(6)
    def page(self):
        self.client.get(random.choice(PAGES), name="read: page")

    @task(3)
    def council(self):
        self.client.get(f"/councils/{random.choice(PLAN['councils'])}/", name="read: council page")

    @task(2)
    def issue_search(self):
        self.client.get("/issues/", params={"q": random.choice(WORDS)}, name="search: problems")

    @task(1)
    def site_search(self):
        self.client.get("/search/", params={"q": random.choice(WORDS)}, name="search: site")


class Member(Visitor):
    """A council member: signs in once, reads, and files a problem now and then."""

    weight = 1
    wait_time = between(3, 8)

    def on_start(self):
        super().on_start()
        login = random.choice(PLAN["members"])
        self.council = login["council"]
        form = self.client.get("/accounts/login/", name="member: sign-in page")
        self.client.post(
            "/accounts/login/",
            {
                "username": login["email"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": _csrf(form.text),
            },
            name="member: sign in",
        )

    @task(2)
    def read(self):
        self.client.get(random.choice(PAGES), name="member: page")

    @task(1)
    def file_problem(self):
        url = f"/issues/council/{self.council}/new/"
        form = self.client.get(url, name="member: filing form")
        title = f"Жүктеме сынағы {RUN} {uuid.uuid4().hex[:12]}"
        with self.client.post(
            url,
            {
                "csrfmiddlewaretoken": _csrf(form.text),
                "title": title,
                "description": "Ауылдағы ауыз су құбыры жөнделмеген, тұрғындар суды тасып әкеледі.",
                "language": "kk",
                "step": "file",
            },
            name="member: file a problem",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            found = re.search(r"/issues/(\d+)/$", response.headers.get("Location", ""))
            if response.status_code == 302 and found:
                _acknowledged("issue", id=int(found.group(1)), title=title)
                response.success()
            else:
                response.failure(f"not filed: {response.status_code}")


class Officer(Visitor):
    """A state body's system: answers the recommendations addressed to its body, by token."""

    weight = 1
    wait_time = between(2, 5)

    @task
    def answer(self):
        with _lock:
            item = _dispatches.pop() if _dispatches else None
        if item is None:  # everything answered: the officer reads the public list instead
            self.client.get("/api/v1/recommendations", params={"body": "min-health"}, name="officer: read")
            return
        text = f"Ұсыныс қабылданды ({RUN})."
        with self.client.post(
            f"/api/v1/recommendations/dispatches/{item['dispatch']}/response",
            json={
                "answer": "accepted",
                "text": text,
                "commitments": [
                    {
                        "action": "Жоспар бекітіледі",
                        "responsible_unit": "Стратегиялық жоспарлау департаменті",
                        "promised_on": (date.today() + timedelta(days=60)).isoformat(),
                    }
                ],
            },
            headers={"Authorization": f"Bearer {item['token']}"},
            name="officer: answer",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                _acknowledged("response", id=response.json()["id"], dispatch=item["dispatch"])
                response.success()
            else:
                response.failure(f"not answered: {response.status_code}")
