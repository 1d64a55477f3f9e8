"""Benchmark of recommendations' public accountability pages and the nightly sweep.

``python bench/recommendations.py [--database postgres|sqlite] [--rows N] [--quick]`` — or from
``bench/run.py``. In a fresh database: migrate, load the reference data, bulk-insert N dispatches
(1,000,000 on PostgreSQL, 50,000 with ``--quick``; two state bodies per recommendation, sent over
the last two years, due 10 working days later by the real work calendar; about 65 % answered on
time, 20 % late, 15 % still open, a few paused for a clarification), then time through Django's
test client the national scoreboard, the busiest body's page, a region page and the list of
recommendations awaiting an answer (p50/p95/max in ms), and the nightly sweep over the open clocks
with a reminder due today (``services.sweep``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bulk_insert, run_worker  # noqa: E402 - bench/common.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
BATCH = 50_000


def _figures(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


# --- Inside the benchmarked process (Django set up against the fresh database) --------------------


def _load(rows: int, seed: int, today) -> dict:
    from datetime import timedelta

    from django.db import connection

    from kenes.core.models import StateBody
    from kenes.core.workcalendar import WorkCalendar
    from kenes.councils.models import Council
    from kenes.recommendations.models import Answer, Dispatch, Recommendation

    rng = random.Random(seed)
    bodies = list(StateBody.objects.order_by("pk"))
    # A handful of councils send everything (councils do not change what is measured here).
    councils = []
    for n, body in enumerate(bodies[:20]):
        councils.append(
            Council.objects.get_or_create(
                code=f"bench-rec-{n}",
                defaults={
                    "name_kk": f"Бенчмарк кеңесі {n}",
                    "name_ru": f"Совет бенчмарка {n}",
                    "name_en": f"Benchmark council {n}",
                    "level": Council.Level.REPUBLICAN,
                    "state_body": body,
                    "min_members": 10,
                    "max_members": 30,
                },
            )[0]
        )
    # Working days from two years ago to two months ahead: due = the 10th working day after sending.
    start = today - timedelta(days=2 * 365)
    calendar = WorkCalendar(start, today + timedelta(days=60))
    days = [start + timedelta(days=n) for n in range((today - start).days + 61)]
    working = [day for day in days if calendar.is_working_day(day)]
    index = {}  # day → position of the last working day on or before it
    position = -1
    for day in days:
        if position + 1 < len(working) and working[position + 1] == day:
            position += 1
        index[day] = max(position, 0)
    answers = [Answer.ACCEPTED] * 5 + [Answer.PARTIALLY] * 2 + [Answer.REJECTED] * 2 + [Answer.NOT_COMPETENT]
    # Bodies differ in how well they answer, so the scoreboard has something to rank.
    skill = {body.pk: rng.uniform(0.4, 0.95) for body in bodies}
    busy = bodies[: max(1, len(bodies) // 10)]  # a tenth of the bodies get half of the letters
    started = time.perf_counter()
    made = 0
    recommendation_id = 0
    while made < rows:
        recommendations, dispatches = [], []
        for _ in range(min(BATCH, (rows - made + 1) // 2)):
            recommendation_id += 1
            sent = start + timedelta(days=rng.randrange((today - start).days))
            council = rng.choice(councils)
            recommendations.append(
                {
                    "id": recommendation_id,
                    "council_id": council.pk,
                    "title": f"Ұсыным {recommendation_id}",
                    "text": "Бенчмарк",
                    "status": Recommendation.Status.SENT,
                    "adopted_on": sent,
                    "sent_on": sent,
                }
            )
            first = rng.choice(busy) if rng.random() < 0.5 else rng.choice(bodies)
            second = rng.choice(bodies)
            while second.pk == first.pk:
                second = rng.choice(bodies)
            for body in (first, second):
                if made >= rows:
                    break
                made += 1
                sent_index = index[sent]
                due = working[sent_index + 10]
                long_overdue = working[sent_index + 20]
                roll = rng.random()
                answered = taken = None
                paused = None
                if roll < skill[body.pk] * 0.85:
                    taken = rng.randrange(1, 11)
                elif roll < 0.85:
                    taken = rng.randrange(11, 40)
                elif roll < 0.87:
                    paused = working[sent_index + 3]
                if taken is not None and working[sent_index + taken] <= today:
                    answered = working[sent_index + taken]
                if paused and paused > today:
                    paused = None
                open_clock = answered is None and paused is None
                dispatches.append(
                    {
                        "recommendation_id": recommendation_id,
                        "body_id": body.pk,
                        "sent_on": sent,
                        "due_working_days": 10,
                        "long_overdue_working_days": 20,
                        "due_on": None if paused else due,
                        "long_overdue_on": None if paused else long_overdue,
                        "paused_since": paused,
                        "answered_on": answered,
                        "answer": rng.choice(answers) if answered else "",
                        "working_days_taken": taken if answered else None,
                        # About one open clock in fifty has a ladder step due tonight.
                        "next_reminder_on": (today if rng.random() < 0.02 else today + timedelta(days=7))
                        if open_clock
                        else None,
                    }
                )
        # COPY on PostgreSQL (the tally's statement triggers add each batch in one go), executemany
        # on SQLite (its row triggers fire per row): the ORM's objects would double the load's time.
        bulk_insert(Recommendation, recommendations)
        bulk_insert(Dispatch, dispatches)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('recommendations_recommendation', 'id'), %s)",
                [recommendation_id],
            )
    return {"load_s": round(time.perf_counter() - started, 1), "recommendations": recommendation_id}


def _time(client, path: str, rounds: int) -> dict:
    client.get(path)  # warm up
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return _figures(timings)


def worker(rows: int, rounds: int, seed: int) -> dict:
    from datetime import date, timedelta

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from kenes.core.reference import load_reference
    from kenes.recommendations import metrics, services
    from kenes.recommendations.models import Dispatch

    today = timezone.localdate()
    result: dict = {"database": connection.vendor, "rows": rows}
    call_command("migrate", verbosity=0)
    load_reference()
    result.update(_load(rows, seed, today))
    with connection.cursor() as cursor:  # what autovacuum does on a live server (index-only scans)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    # The tally the pages read equals a direct recount of the dispatches (tests check it too).
    started = time.perf_counter()
    periods = [
        metrics.Period(today - timedelta(days=364), today),
        metrics.Period(date(today.year, 1, 1), today),
    ]
    result["tally_equals_recount"] = all(
        metrics.tallied_rates_by_body(period) == metrics.rates_by(Dispatch.objects.all(), period, "body_id")
        for period in periods
    )
    result["recount_s"] = round(time.perf_counter() - started, 1)
    result["open_clocks"] = Dispatch.objects.filter(answered_on__isnull=True).count()
    busiest = Dispatch.objects.values("body__code").annotate(n=Count("pk")).order_by("-n").first()
    region = (
        Dispatch.objects.filter(body__region__isnull=False)
        .values("body__region__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    result["busiest_body_dispatches"] = busiest["n"]
    client = Client()
    pages = {
        "/recommendations/scoreboard/": None,
        f"/recommendations/scoreboard/?year={today.year}&quarter={(today.month - 1) // 3 + 1}": None,
        f"/recommendations/accountability/body/{busiest['body__code']}/": None,
        f"/recommendations/accountability/region/{region['body__region__code']}/": None,
        "/recommendations/awaiting/": None,
        "/recommendations/awaiting/?page=100": None,
    }
    result["pages"] = {path: _time(client, path, rounds) for path in pages}
    due_tonight = Dispatch.objects.filter(
        answered_on__isnull=True, paused_since__isnull=True, next_reminder_on__lte=today
    ).count()
    started = time.perf_counter()
    sent = services.sweep(today=today)
    result["sweep"] = {
        "clocks": due_tonight,
        "notifications": sent,
        "s": round(time.perf_counter() - started, 2),
    }
    return result


# --- Driver ---------------------------------------------------------------------------------------


def run(database: str, rows: int, *, rounds: int = 20, seed: int = 2026) -> dict | None:
    """Run the benchmark in a fresh database (``postgres`` or ``sqlite``) in a child process."""
    return run_worker(
        Path(__file__).resolve(), database, [str(rows), str(rounds), str(seed)], what="recommendations"
    )


def run_all(quick: bool, databases: list[str]) -> list[dict]:
    """For ``bench/run.py``: 1,000,000 dispatches on PostgreSQL and 50,000 on SQLite (50,000 and 5,000
    with --quick)."""
    rows = {"postgres": 50_000 if quick else 1_000_000, "sqlite": 5_000 if quick else 50_000}
    results = []
    for database in databases:
        if database in rows:
            result = run(database, rows[database], rounds=10 if quick else 20)
            if result:
                results.append(result)
    return results


def markdown(result: dict) -> str:
    sweep = result["sweep"]
    lines = [
        f"### Recommendations, {result['database']}, {result['rows']:,} dispatches",
        "",
        f"- bulk load {result['load_s']} s ({result['recommendations']:,} recommendations, "
        f"{result['open_clocks']:,} clocks without an answer; busiest body {result['busiest_body_dispatches']:,})",
        f"- nightly sweep: {sweep['clocks']:,} clocks with a step due, {sweep['notifications']} notifications, "
        f"**{sweep['s']} s**",
        f"- the tally the pages read equals a direct recount: **{result.get('tally_equals_recount')}** "
        f"(recount {result.get('recount_s')} s)",
        "",
        "| page | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for path, figures in result["pages"].items():
        lines.append(
            f"| `{path}` | {figures['n']} | {figures['p50_ms']} | {figures['p95_ms']} | {figures['max_ms']} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        rows, rounds, seed = (int(value) for value in sys.argv[2:5])
        print("RESULT " + json.dumps(worker(rows, rounds, seed), ensure_ascii=False, default=str))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--rows", type=int, default=None, help="dispatches to load")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="50,000 dispatches, 10 rounds")
    args = parser.parse_args()
    rows = args.rows or (50_000 if args.quick else 1_000_000 if args.database == "postgres" else 100_000)
    result = run(args.database, rows, rounds=args.rounds or (10 if args.quick else 30))
    if result:
        print(markdown(result))
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
