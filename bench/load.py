"""Load and faults on the production layout: ``python bench/run.py --only load,faults [--quick]``.

Both parts start the cluster (``scripts/cluster.sh``: nginx with TLS, two gunicorn servers, two task
workers, the scheduler, the cluster's own PostgreSQL, Redis) on loopback and stop it at the end.

- ``load``: locust's headless runner (bench/locustfile.py) with 200 users for 2 minutes (20 for
  20 s with --quick): anonymous readers of public pages and searches, council members signing in
  and filing problems, state bodies' systems answering recommendations by token. Requests, errors
  and p50/p95/p99 per kind; afterwards every write that got a success answer is looked up in
  PostgreSQL. Then wrk requests a cached page and nginx's static copy of the same HTML with the
  same connections, and the ratio of their requests per second is reported.
- ``faults``: the same mix while, in turn, one app server's gunicorn master is killed (-9), a task
  worker is killed (-9) in the middle of a mail job, and PostgreSQL is restarted; errors by
  status, seconds to recovery, lost writes, the retried task and duplicate mails.

wrk comes from Debian (``apt-get install wrk``); it is installed here when missing and we are root.
Client and servers share this machine's cores, so the figures are a floor, not a capacity.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from ssl import CERT_NONE, create_default_context

ROOT = Path(__file__).resolve().parents[1]
CLUSTER = ROOT / "scripts" / "cluster.sh"
DIR = ROOT / "var" / "cluster"
SITE = "https://127.0.0.1:8443"
POSTGRES = os.environ.get("KENES_CLUSTER_POSTGRES_URL", "postgres://postgres@127.0.0.1:5433/kenes_cluster")
LOCUST = Path(sys.executable).with_name("locust")
TLS = create_default_context()
TLS.check_hostname = False
TLS.verify_mode = CERT_NONE

PLAN_CODE = r"""
import json, secrets
from pathlib import Path
from django.conf import settings
from django.db.models import Exists, OuterRef
from kenes.core.models import Role, User
from kenes.core.rules import holds_role_on
from kenes.core.services import role_grant
from kenes.councils.models import Council
from kenes.recommendations.models import Dispatch, Response
from kenes.recommendations.services import body_token_create

tokens_file = Path(settings.VAR_DIR) / "bench-tokens.json"
tokens = json.loads(tokens_file.read_text()) if tokens_file.exists() else {}
admin = User.objects.get(email="administrator@demo.kenes.kz")
answered = Response.objects.filter(dispatch=OuterRef("pk"))
unanswered = Dispatch.objects.filter(sent_on__isnull=False).exclude(Exists(answered))
# Earlier runs answered the demo's open letters: send fresh ones so the officers have work.
if unanswered.count() < 400:
    from django.utils import timezone
    from kenes.core.models import StateBody
    from kenes.recommendations.models import Recommendation
    from kenes.recommendations.services import _start_clock
    council = Council.objects.get(code="pc-min-health")
    bodies = list(StateBody.objects.filter(code__in=["min-health", "min-enlightenment", "min-labour", "min-ecology"]))
    today = timezone.localdate()
    for n in range(400):
        recommendation = Recommendation.objects.create(
            council=council, title=f"Load test letter {n}", text="Sent by bench/load.py for the officers to answer.",
            status=Recommendation.Status.SENT, adopted_on=today, sent_on=today,
        )
        _start_clock(Dispatch.objects.create(recommendation=recommendation, body=bodies[n % len(bodies)]), today)
open_dispatches = list(unanswered.select_related("body"))
dispatches = []
for dispatch in open_dispatches:
    body = dispatch.body
    if body.code not in tokens:
        officer, _ = User.objects.get_or_create(
            email=f"bench-officer-{body.pk}@bench.kenes.kz", defaults={"full_name": f"Bench officer {body.code}"}
        )
        if not holds_role_on(officer, (Role.STATE_BODY_OFFICER,), body):
            role_grant(user=officer, role=Role.STATE_BODY_OFFICER, target=body, acting_user=None)
        _token, raw = body_token_create(body=body, name="bench/load.py", officer=officer, acting_user=admin)
        tokens[body.code] = raw
    dispatches.append({"dispatch": dispatch.pk, "token": tokens[body.code]})
tokens_file.write_text(json.dumps(tokens))
members = [
    {"email": f"{role}@demo.kenes.kz", "council": "pc-min-health"}
    for role in ("council-member", "council-secretary", "council-chair")
]
councils = list(Council.objects.order_by("code").values_list("code", flat=True)[:80])
print("PLAN " + json.dumps({
    "members": members, "password": settings.KENES_DEMO_PASSWORD, "councils": councils, "dispatches": dispatches,
}))
"""

DRILL_CODE = r"""
import json
from kenes.core.models import Notification, User
token, count = "@TOKEN@", @COUNT@
people = list(User.objects.filter(is_active=True, notification_digest=False).exclude(email="").order_by("pk")[:count])
Notification.objects.bulk_create([
    Notification(recipient=people[n % len(people)], key=f"bench-drill:{token}:{n}",
                 title=f"Kenes fault drill {token} #{n}", body="A mail of bench/load.py's worker fault drill.")
    for n in range(count)
])
print("DRILL " + json.dumps({"notifications": count}))
"""


# --- The cluster --------------------------------------------------------------------------------


def cluster(*args: str, timeout: float = 900) -> str:
    completed = subprocess.run(
        [str(CLUSTER), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if completed.returncode:
        raise RuntimeError(f"cluster.sh {' '.join(args)} failed: {completed.stderr[-2000:]}")
    return completed.stdout


def manage(code: str, *args: str, marker: str) -> dict:
    output = cluster("manage", "shell", "-c", code, *args)
    line = next(line for line in output.splitlines() if line.startswith(marker + " "))
    return json.loads(line.removeprefix(marker + " "))


def query(sql: str, params: list | None = None) -> list[tuple]:
    import psycopg

    with psycopg.connect(POSTGRES, connect_timeout=3) as connection:
        return connection.execute(sql, params or []).fetchall()


def get(path: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(SITE + path, context=TLS, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def pid_of(name: str) -> int:
    return int((DIR / f"{name}.pid").read_text())


def wait_for_quiet_queue(limit_s: float) -> dict:
    """Wait (up to ``limit_s``) for the workers to finish their backlog — the national demo's vectors
    after a first start — so that the load is measured against idle workers."""
    started = time.monotonic()
    while True:
        waiting = query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
        )[0][0]
        missing = query(  # published issues only: those awaiting moderation or spam get no vector
            "SELECT count(*) FROM issues_issue i WHERE i.status NOT IN ('pending', 'spam') AND NOT EXISTS "
            "(SELECT 1 FROM search_embedding e WHERE e.collection = 'issues' AND e.key = i.id)"
        )[0][0]
        if (not waiting and not missing) or time.monotonic() - started > limit_s:
            break
        time.sleep(5)
    return {
        "waited_s": round(time.monotonic() - started),
        "tasks_waiting": waiting,
        "vectors_missing": missing,
    }


# --- locust -------------------------------------------------------------------------------------


def start_locust(users: int, seconds: int, out: Path, plan: dict) -> subprocess.Popen:
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "KENES_LOAD_PLAN": str(out / "plan.json"), "KENES_LOAD_OUT": str(out)}
    command = [
        str(LOCUST),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        SITE,
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 20)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(out / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    return subprocess.Popen(command, env=env, stdout=open(out / "locust.log", "w"), stderr=subprocess.STDOUT)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)


def summarize(out: Path, since: float = 0, until: float = float("inf")) -> dict:
    """Requests, failures and p50/p95/p99 per kind, from every request locust made."""
    kinds: dict[str, list[tuple[int, float]]] = {}
    with (out / "requests.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            at = float(row["time"])
            if since <= at <= until:
                kinds.setdefault(row["name"], []).append((int(row["status"]), float(row["ms"])))
    by_kind = {}
    for name, rows in sorted(kinds.items()):
        times = [ms for _status, ms in rows]
        by_kind[name] = {
            "requests": len(rows),
            "errors": sum(1 for status, _ms in rows if not 200 <= status < 400),
            "p50_ms": _percentile(times, 0.50),
            "p95_ms": _percentile(times, 0.95),
            "p99_ms": _percentile(times, 0.99),
            "max_ms": round(max(times), 1),
        }
    statuses = Counter(status for rows in kinds.values() for status, _ms in rows)
    return {
        "requests": sum(kind["requests"] for kind in by_kind.values()),
        "errors": sum(kind["errors"] for kind in by_kind.values()),
        "errors_by_status": {str(s): n for s, n in sorted(statuses.items()) if not 200 <= s < 400},
        "by_kind": by_kind,
    }


def verify_writes(out: Path) -> dict:
    """Every write that got a success answer, looked up in PostgreSQL: acknowledged, found, lost."""
    writes = json.loads((out / "writes.json").read_text(encoding="utf-8"))
    issues = {w["id"]: w["title"] for w in writes if w["kind"] == "issue"}
    responses = {w["id"] for w in writes if w["kind"] == "response"}
    found_issues = {
        pk
        for pk, title in query("SELECT id, title FROM issues_issue WHERE id = ANY(%s)", [list(issues)])
        if issues[pk] == title
    }
    found_responses = {
        pk for (pk,) in query("SELECT id FROM recommendations_response WHERE id = ANY(%s)", [list(responses)])
    }
    return {
        "issues_acknowledged": len(issues),
        "issues_found": len(found_issues),
        "responses_acknowledged": len(responses),
        "responses_found": len(found_responses),
        "lost": len(issues) - len(found_issues) + len(responses) - len(found_responses),
    }


def run_locust(users: int, seconds: int, out: Path) -> dict:
    plan = manage(PLAN_CODE, marker="PLAN")
    plan["run"] = out.name
    process = start_locust(users, seconds, out, plan)
    process.wait(timeout=seconds + 120)
    result = {"users": users, "seconds": seconds, "dispatches_open": len(plan["dispatches"])}
    result.update(summarize(out))
    result["requests_per_s"] = round(result["requests"] / seconds, 1)
    result["writes"] = verify_writes(out)
    return result


# --- A cached page beside nginx's static copy ---------------------------------------------------


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        if os.geteuid() != 0:
            raise SystemExit("wrk is needed for the static-page comparison: apt-get install wrk")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
    return shutil.which("wrk")


def wrk(url: str, seconds: int, connections: int = 50) -> dict:
    completed = subprocess.run(
        [ensure_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    text = completed.stdout
    figures = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for label in ("50%", "99%"):
        found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", text)
        value, unit = float(found.group(1)), found.group(2)
        figures[f"p{label[:-1]}_ms"] = round(value * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    figures["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return figures


def cached_versus_static(seconds: int, path: str = "/councils/") -> dict:
    """The same HTML twice with the same tool and connections: Django's cached page, nginx's file."""
    request = urllib.request.Request(SITE + path)
    for _ in range(2):
        with urllib.request.urlopen(request, context=TLS) as response:
            html, cache_state = response.read(), response.headers.get("X-Page-Cache")
    folder = DIR / "bench-static"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(html)
    cached = wrk(SITE + path, seconds)
    static = wrk(SITE + "/bench-static/page.html", seconds)
    return {
        "page": path,
        "bytes": len(html),
        "second_request_from_cache": cache_state == "hit",
        "tool": "wrk -t2 -c50",
        "seconds": seconds,
        "cached_page": cached,
        "nginx_static": static,
        "ratio": round(cached["requests_per_s"] / static["requests_per_s"], 4),
    }


# --- Faults -------------------------------------------------------------------------------------


class HealthProbe:
    """``/healthz`` through nginx every 0.2 s: when the database was seen down and up again."""

    def __init__(self):
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.samples.append((time.time(), get("/healthz", timeout=2)))
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def recovered_after(self, since: float) -> float | None:
        """Seconds from ``since`` to the first 200 after the last failure (None: never failed)."""
        failures = [at for at, status in self.samples if at >= since and status != 200]
        if not failures:
            return None
        back = [at for at, status in self.samples if at > failures[-1] and status == 200]
        return round(back[0] - since, 2) if back else float("inf")


def mail_counts(token: str) -> Counter:
    """How many mail files carry each drill notification (the file backend writes one per message)."""
    counts: Counter = Counter()
    marker = re.compile(rf"Kenes fault drill {re.escape(token)} #(\d+)")
    for path in (DIR / "mail").glob("*.log"):
        for found in marker.finditer(path.read_text(encoding="utf-8", errors="replace")):
            counts[int(found.group(1))] += 1
    return counts


def fault_app_server() -> dict:
    """kill -9 the first app server's gunicorn master; its workers notice and exit; nginx must
    send everything to the second. Started again 15 s later, as systemd would."""
    killed_at = time.time()
    os.kill(pid_of("app1"), signal.SIGKILL)
    time.sleep(15)
    ports = {str(port): _port_open(port) for port in (8101, 8102)}
    cluster("revive")
    return {"killed": "app1 gunicorn master", "at": killed_at, "ports_open_15s_later": ports}


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def fault_worker(token: str, count: int) -> dict:
    """Enqueue the mail job, kill -9 the worker that runs it once it has started, start a new one."""
    # Both workers are paused while the job is queued, then one is let go and killed as soon as
    # it runs the job: an idle worker would otherwise send the 150 mails before we could look.
    paused = [pid_of("worker1"), pid_of("worker2")]
    for pid in paused:
        os.kill(pid, signal.SIGSTOP)
    try:
        output = cluster(
            "manage",
            "shell",
            "-c",
            "from kenes.core.tasks import retry_mail; print('TASK', retry_mail.enqueue().id)",
        )
    finally:
        os.kill(paused[0], signal.SIGCONT)
    task_id = next(line.split()[1] for line in output.splitlines() if line.startswith("TASK "))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, workers = query(
                "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id]
            )[0]
            # Killed as soon as it runs: an idle worker sends the 150 mails in a fraction of a second.
            if status == "RUNNING":
                break
            if status in ("SUCCESSFUL", "FAILED"):
                return {"error": "the mail job finished before the worker could be killed"}
            time.sleep(0.005)
        else:
            return {"error": f"the mail job did not start (status {status})"}
        worker = {"cluster-worker-1": "worker1", "cluster-worker-2": "worker2"}[workers[-1]]
        os.kill(pid_of(worker), signal.SIGKILL)
        killed_at = time.time()
    finally:
        os.kill(paused[1], signal.SIGCONT)
    sent_before_kill = len(mail_counts(token))
    cluster("revive")  # as systemd would: the same worker id again
    while time.monotonic() < deadline + 120:
        status, workers = query(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id]
        )[0]
        if status in ("SUCCESSFUL", "FAILED"):
            break
        time.sleep(0.5)
    finished_after = round(time.time() - killed_at, 1)
    counts = mail_counts(token)
    return {
        "killed": worker,
        "at": killed_at,
        "task": task_id,
        "mails_sent_before_kill": sent_before_kill,
        "task_status": status,
        "task_attempts": len(workers),
        "finished_s_after_kill": finished_after,
        "notifications": count,
        "mailed": len(counts),
        "missing_mails": count - len(counts),
        "duplicate_mails": sum(n - 1 for n in counts.values() if n > 1),
    }


def fault_postgres(probe: HealthProbe) -> dict:
    started = time.time()
    cluster("restart-postgres")
    restarted = time.time()
    time.sleep(15)
    alive = {}
    for name in ("worker1", "worker2", "scheduler"):
        try:
            os.kill(pid_of(name), 0)
            alive[name] = True
        except (OSError, ValueError):
            alive[name] = False
    return {
        "at": started,
        "restart_took_s": round(restarted - started, 2),
        "healthz_back_after_s": probe.recovered_after(started),
        "workers_and_scheduler_alive": alive,
    }


def run_faults(users: int, seconds: int, out: Path) -> dict:
    plan = manage(PLAN_CODE, marker="PLAN")
    plan["run"] = out.name
    token = uuid.uuid4().hex[:8]
    drill_count = 150  # the mail job sends up to 200 a run
    manage(DRILL_CODE.replace("@TOKEN@", token).replace("@COUNT@", str(drill_count)), marker="DRILL")
    process = start_locust(users, seconds, out, plan)
    began = time.time()
    ramp = 20
    faults = {}
    with HealthProbe() as probe:
        # The database first, then an app server, then a worker: each in the middle of the load,
        # with time for the figures of the one before to settle.
        time.sleep(ramp + 5)
        faults["postgres"] = fault_postgres(probe)
        faults["app_server"] = fault_app_server()
        faults["worker"] = fault_worker(token, drill_count)
        faults["load_still_running_after_faults"] = process.poll() is None
        process.wait(timeout=max(10, seconds - (time.time() - began)) + 120)
    # Errors in the seconds after each fault, by status.
    windows = {"app_server": 15, "worker": 15, "postgres": 20}
    for name, fault in faults.items():
        if isinstance(fault, dict) and "at" in fault:
            window = summarize(out, fault["at"], fault["at"] + windows[name])
            fault["requests_in_window"] = window["requests"]
            fault["window_s"] = windows[name]
            fault["errors_by_status"] = window["errors_by_status"]
            failures = _failure_times(out, fault["at"], fault["at"] + windows[name])
            fault["last_error_s_after"] = round(failures[-1] - fault["at"], 2) if failures else None
            del fault["at"]
    result = {"users": users, "seconds": seconds, "faults": faults}
    result.update(summarize(out))
    result["writes"] = verify_writes(out)
    return result


def _failure_times(out: Path, since: float, until: float) -> list[float]:
    with (out / "requests.csv").open(encoding="utf-8") as handle:
        return [
            float(row["time"])
            for row in csv.DictReader(handle)
            if since <= float(row["time"]) <= until and not 200 <= int(row["status"]) < 400
        ]


# --- Driver -------------------------------------------------------------------------------------


def _guarded(part, *args) -> dict:
    """A part that breaks is reported as such; the other parts' figures are kept."""
    try:
        return part(*args)
    except Exception as error:  # noqa: BLE001 - reported in the results
        return {"error": f"{type(error).__name__}: {error}"}


def run(quick: bool, parts: set[str]) -> dict:
    """Start the cluster, run the chosen parts (``load``, ``faults``), stop the cluster."""
    stamp = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    users, seconds = (20, 20) if quick else (200, 120)
    result: dict = {"load_average_at_start": os.getloadavg()}
    cluster("start")
    try:
        result["queue_before"] = wait_for_quiet_queue(60 if quick else 900)
        if "load" in parts:
            result["load"] = run_locust(users, seconds, DIR / "load" / f"{stamp}-load")
            result["cached_vs_static"] = cached_versus_static(5 if quick else 15)
        if "faults" in parts:
            result["faults"] = _guarded(
                run_faults, users, max(seconds, 100 if quick else 150), DIR / "load" / f"{stamp}-faults"
            )
    finally:
        cluster("stop")
    return result


def markdown(result: dict) -> str:
    if not result:
        return ""
    lines = ["## load and faults on the cluster (scripts/cluster.sh)", ""]
    lines.append(
        f"load average at start: {', '.join(f'{x:.2f}' for x in result['load_average_at_start'])}; "
        f"task queue before: {result.get('queue_before')}"
    )
    lines.append("")
    load = result.get("load")
    if load:
        lines += [
            f"### load: {load['users']} users for {load['seconds']} s — {load['requests']} requests "
            f"({load['requests_per_s']}/s), {load['errors']} errors {load['errors_by_status'] or ''}",
            "",
            "| kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, kind in load["by_kind"].items():
            lines.append(
                f"| {name} | {kind['requests']} | {kind['errors']} | {kind['p50_ms']} | {kind['p95_ms']} "
                f"| {kind['p99_ms']} | {kind['max_ms']} |"
            )
        writes = load["writes"]
        lines += [
            "",
            f"acknowledged writes: {writes['issues_acknowledged']} problems filed ({writes['issues_found']} found), "
            f"{writes['responses_acknowledged']} answers ({writes['responses_found']} found): "
            f"**{writes['lost']} lost**",
            "",
        ]
    versus = result.get("cached_vs_static")
    if versus:
        lines += [
            f"### cached page `{versus['page']}` ({versus['bytes']} bytes) vs nginx's static copy, {versus['tool']}, "
            f"{versus['seconds']} s",
            "",
            "| | requests/s | p50 ms | p99 ms | non-2xx |",
            "|---|---|---|---|---|",
        ]
        for label, key in (
            ("cached page (gunicorn + Redis)", "cached_page"),
            ("nginx static file", "nginx_static"),
        ):
            figures = versus[key]
            lines.append(
                f"| {label} | {figures['requests_per_s']} | {figures['p50_ms']} | {figures['p99_ms']} | {figures['non_2xx']} |"
            )
        lines += ["", f"ratio cached/static: **{versus['ratio']}**", ""]
    faults = result.get("faults")
    if faults and "error" in faults:
        lines += [f"### faults: did not complete ({faults['error']})", ""]
    elif faults:
        lines += [
            f"### faults during load: {faults['users']} users for {faults['seconds']} s — {faults['requests']} "
            f"requests, {faults['errors']} errors {faults['errors_by_status'] or ''}; writes lost: "
            f"**{faults['writes']['lost']}** of {faults['writes']['issues_acknowledged'] + faults['writes']['responses_acknowledged']}",
            "",
        ]
        for name, fault in faults["faults"].items():
            if isinstance(fault, dict):
                lines.append(f"- **{name}**: " + ", ".join(f"{k} {v}" for k, v in fault.items()))
            else:
                lines.append(f"- {name}: {fault}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--parts", default="load,faults")
    args = parser.parse_args()
    result = run(args.quick, set(args.parts.split(",")))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(markdown(result))


if __name__ == "__main__":
    main()
