"""Kenes benchmarks: ``make bench`` (or ``python bench/run.py [--quick] [--databases sqlite,postgres]``).

Each database gets a fresh, empty database; the national demo is loaded into it and timed, then the
public pages are requested through Django's test client and their latency reported as p50/p95/max.
Results go to ``bench/results/<date>.json`` and a short Markdown table beside it.

The load and fault drills on the production layout (bench/load.py, about 7 minutes) are part of the
run; ``--no-load`` leaves them out and ``--only load,faults`` runs just those (``--only`` picks any
of the parts). ``--quick`` runs the rest on small data (the small demo, 50,000 rows) in about 3
minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402 - bench/load.py, beside this file
import search_fulltext  # noqa: E402 - bench/search_fulltext.py, beside this file
from common import fresh_postgres  # noqa: E402 - bench/common.py, beside this file

import recommendations  # noqa: E402 - bench/recommendations.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get("KENES_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/kenes_bench")
PAGES = [
    "/meetings/",
    "/meetings/?view=month",
    "/meetings/?view=month&year=2027&month=1",
    "/meetings/?year=2027&month=1",
    "/meetings/council/pc-min-health/?view=month",
    "/meetings/feeds/council/pc-min-health.ics",
    "/api/v1/meetings",
    "/",
    "/councils/",
    "/councils/?compliance=issues&sort=members",
    "/councils/?q=денсаулық",
    "/councils/pc-min-health/",
    "/councils/pc-35/",
    "/regions/",
    "/regions/71/",
    "/search/?q=астана",
    "/api/v1/councils",
]

PARTS = ["pages", "similarity", "search_fulltext", "recommendations", "load", "faults"]  # make bench
QUICK_PARTS = PARTS[:4]  # --quick: smaller data, fewer rounds, no cluster

WORKER = r"""
import json, os, statistics, sys, time
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.db import connection

rounds = int(sys.argv[1])
scale, import_rows = sys.argv[3], int(sys.argv[4])
result = {"database": connection.vendor, "scale": scale}
started = time.perf_counter()
call_command("migrate", verbosity=0)
result["migrate_s"] = round(time.perf_counter() - started, 2)
from kenes.core.demo import load_demo
from kenes.councils.models import Council, Membership
started = time.perf_counter()
load_demo(scale=scale)
result["demo_national_s"] = round(time.perf_counter() - started, 2)
result["councils"] = Council.objects.count()
result["memberships"] = Membership.objects.count()
# A year of occurrences for every series of the national demo, generated afresh.
from datetime import timedelta
from django.utils import timezone
from kenes.meetings.models import Meeting, MeetingSeries
from kenes.meetings.services import series_generate
Meeting.objects.filter(starts_at__gte=timezone.now(), series__isnull=False).delete()
all_series = list(MeetingSeries.objects.all())
started = time.perf_counter()
generated = sum(series_generate(series=s, until=timezone.localdate() + timedelta(days=365)) for s in all_series)
result["occurrences_year_s"] = round(time.perf_counter() - started, 2)
result["occurrences_year_count"] = generated
result["series"] = len(all_series)
client = Client()
pages = {}
for path in json.loads(sys.argv[2]):
    client.get(path)  # warm up
    timings = []
    for _ in range(rounds):
        t = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    pages[path] = {
        "n": rounds,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "max_ms": round(timings[-1], 2),
    }
result["pages"] = pages

# Import of 10,000 member rows (new people across the national councils), planned and applied.
import tempfile
from django.core.files.base import ContentFile
from kenes.core.models import User
from kenes.core.tabular import write_xlsx
from kenes.councils.importing import import_apply, import_preview
from kenes.councils.models import ImportJob
codes = list(Council.objects.order_by("code").values_list("code", flat=True))
rows = [
    [codes[n % len(codes)], f"Импортов{n}", "Арман", "Серікұлы", "мүше", "азамат", "", "01.09.2026", "", f"bench{n}@example.kz"]
    for n in range(import_rows)
]
headers = ["кеңес коды", "тегі", "аты", "әкесінің аты", "рөлі", "сектор", "ұйым", "өкілеттік басталуы", "өкілеттік аяқталуы", "email"]
content = write_xlsx(headers, rows)
admin = User.objects.get(email="administrator@demo.kenes.kz")
job = ImportJob(kind="members", uploaded_by=admin, original_name="bench.xlsx")
job.file.save("bench.xlsx", ContentFile(content), save=False)
job.save()
started = time.perf_counter()
import_preview(job)
result["import_10k_preview_s"] = round(time.perf_counter() - started, 2)
assert job.summary["create"] == import_rows, job.summary
result["import_rows"] = import_rows
job.status = "ready"
started = time.perf_counter()
import_apply(job)
result["import_10k_apply_s"] = round(time.perf_counter() - started, 2)
assert job.status == "applied", job.error
result["import_10k_total_s"] = round(result["import_10k_preview_s"] + result["import_10k_apply_s"], 2)
print("RESULT " + json.dumps(result))
"""


def run_one(database_url: str, rounds: int, *, quick: bool = False) -> dict:
    env = {
        **os.environ,
        "KENES_ENV": "development",
        "KENES_DEBUG": "false",
        "KENES_PAGE_CACHE_SECONDS": "0",  # pages are measured as computed; bench/load.py measures the cache
        "KENES_DATABASE_URL": database_url,
        "KENES_MEDIA_ROOT": tempfile.mkdtemp(prefix="kenes-bench-media-"),
        "KENES_IMPORT_MAX_BYTES": str(50 * 1024 * 1024),
        "DJANGO_SETTINGS_MODULE": "kenes.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            WORKER,
            str(rounds),
            json.dumps(PAGES),
            "small" if quick else "national",
            "1000" if quick else "10000",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def run_search_fulltext(quick: bool, databases: list[str]) -> list[dict]:
    """Full-text search of issues (bench/search_fulltext.py): 1,000,000 issues on PostgreSQL and
    20,000 on SQLite, the national demo's size (50,000 and 10,000 with --quick). Each in its own fresh
    database."""
    rows = {"postgres": 50_000 if quick else 1_000_000, "sqlite": 10_000 if quick else 20_000}
    results = []
    for database in databases:
        if database in rows:
            result = search_fulltext.run(database, rows[database])
            if result:
                results.append(result)
    return results


def run_similarity(quick: bool) -> dict:
    """The similarity engine's benchmark (bench/similarity.py): embedding latency, 1M-vector retrieval."""
    command = [sys.executable, str(ROOT / "bench" / "similarity.py")] + (["--quick"] if quick else [])
    completed = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode or not lines:
        print(f"similarity benchmark failed: {completed.stderr[-2000:]}", file=sys.stderr)
        return {}
    return json.loads(lines[-1])


def markdown_similarity(figures: dict) -> list[str]:
    if not figures:
        return []
    lines = ["## similarity engine", "", f"load average at start: {figures.get('load_at_start')}", ""]
    lines += [
        "| embedding of one text | threads | p50 ms | p95 ms | max ms | batch 16 /s | batch 64 /s |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in figures.get("embedding", []):
        single = run.get("single_text")
        if single:
            lines.append(
                f"| {run['build']} | {run['threads']} | {single['p50_ms']} | {single['p95_ms']} | {single['max_ms']} "
                f"| {run.get('batch_16_texts_per_s', '')} | {run.get('batch_64_texts_per_s', '')} |"
            )
    retrieval = figures.get("retrieval", {})
    lines += [
        "",
        f"retrieval over {retrieval.get('vectors', 0):,} vectors ({retrieval.get('kind')}), "
        f"built in {retrieval.get('build_s')} s, RSS {retrieval.get('rss_mb_with_index')} MB",
        "",
    ]
    lines += ["| search | p50 ms | p95 ms | max ms | recall@5 |", "|---|---|---|---|---|"]
    for name, value in retrieval.items():
        if name.startswith("nprobe_"):
            search = value["search"]
            lines.append(
                f"| {name} | {search['p50_ms']} | {search['p95_ms']} | {search['max_ms']} | {value['recall_at_5']} |"
            )
    exact = retrieval.get("exact_numpy")
    if exact:
        lines.append(
            f"| exact numpy scan | {exact['p50_ms']} | {exact['p95_ms']} | {exact['max_ms']} | 1.0 |"
        )
    return lines + [""]


def markdown(report: dict) -> str:
    lines = [f"# Kenes benchmarks, {report['date']}", "", f"Machine: {report['machine']}", ""]
    durations = report.get("durations_s", {})
    if durations:
        parts = ", ".join(
            f"{name} {seconds / 60:.1f}" for name, seconds in durations.items() if name != "total"
        )
        lines += [f"Run took **{durations['total'] / 60:.1f} min** ({parts} min)", ""]
    for result in report["results"]:
        lines += [
            f"## {result['database']}",
            "",
            f"- {result.get('scale', 'national')} demo: {result['councils']} councils, {result['memberships']} memberships, "
            f"loaded in **{result['demo_national_s']} s** (migrate {result['migrate_s']} s)",
            f"- a year of meetings for all {result['series']} series: {result['occurrences_year_count']} occurrences "
            f"generated in **{result['occurrences_year_s']} s**",
            f"- import of {result.get('import_rows', 10_000):,} member rows (XLSX): preview {result['import_10k_preview_s']} s + apply "
            f"{result['import_10k_apply_s']} s = **{result['import_10k_total_s']} s**",
            "",
            "| page | n | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|---|",
        ]
        for path, figures in result["pages"].items():
            lines.append(
                f"| `{path}` | {figures['n']} | {figures['p50_ms']} | {figures['p95_ms']} | {figures['max_ms']} |"
            )
        lines.append("")
    lines += markdown_similarity(report.get("similarity", {}))
    lines += [search_fulltext.markdown(result) for result in report.get("search_fulltext", [])]
    lines += [recommendations.markdown(result) for result in report.get("recommendations", [])]
    lines.append(load.markdown(report.get("load", {})))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small data, fewer rounds, no load drills (about 3 minutes)"
    )
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--only", default="", help=f"parts to run, of {', '.join(PARTS)}")
    parser.add_argument("--no-load", action="store_true", help="leave out the load and fault drills")
    args = parser.parse_args()
    parts = set(args.only.split(",")) if args.only else set(QUICK_PARTS if args.quick else PARTS)
    if args.no_load:
        parts -= {"load", "faults"}
    rounds = 20 if args.quick else 30
    began = time.perf_counter()
    databases = args.databases.split(",") if "pages" in parts else []
    results = []
    for database in databases:
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results.append(run_one(f"sqlite:///{folder}/bench.sqlite3", rounds, quick=args.quick))
        elif database == "postgres":
            url = fresh_postgres(POSTGRES_URL, what="pages")
            if url:
                results.append(run_one(url, rounds, quick=args.quick))
    stamp = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    report = {
        "date": stamp,
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "quick": args.quick,
        "results": results,
        "durations_s": {"pages": round(time.perf_counter() - began)},
    }
    steps = {
        "similarity": lambda: run_similarity(args.quick),
        "search_fulltext": lambda: run_search_fulltext(args.quick, args.databases.split(",")),
        "recommendations": lambda: recommendations.run_all(args.quick, args.databases.split(",")),
    }
    for name, step in steps.items():
        started = time.perf_counter()
        report[name] = step() if name in parts else ({} if name == "similarity" else [])
        report["durations_s"][name] = round(time.perf_counter() - started)
    started = time.perf_counter()
    report["load"] = load.run(args.quick, parts & {"load", "faults"}) if parts & {"load", "faults"} else {}
    report["durations_s"]["load"] = round(time.perf_counter() - started)
    report["durations_s"]["total"] = round(time.perf_counter() - began)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (RESULTS / f"{stamp}.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
