"""Benchmark of the full-text search of topical problems (``kenes.issues.search.issue_search``).

``python bench/search_fulltext.py [--rows N] [--database postgres|sqlite] [--queries 200]`` — or from
``bench/run.py``. In a fresh database: migrate, bulk-load N generated issues
(``kenes.issues.textgen``; COPY on PostgreSQL, executemany on SQLite) with the full-text index
dropped, then build the index and time it; report the sizes of the table and the indexes, the
resident memory of the PostgreSQL backend (``VmRSS`` of ``pg_backend_pid()``) and of this Python
process, then run realistic queries (Kazakh, Russian, Latin Kazakh, with and without filters; every
one with its facets) through ``issue_search`` and report p50/p95/max in ms.

The target (issue 5): p95 ≤ 50 ms at 1,000,000 issues on PostgreSQL.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bulk_insert, run_worker  # noqa: E402 - bench/common.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 50


def _rss_kb(pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return round(ordered[max(0, int(len(ordered) * share + 0.5) - 1)], 2)


def _figures(timings: list[float]) -> dict:
    return {
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": _percentile(timings, 0.95),
        "max_ms": round(max(timings), 2),
    }


# --- Inside the benchmarked process (Django set up against the fresh database) --------------------


def _councils():
    from kenes.core.models import Region, StateBody
    from kenes.councils.models import Council

    body = StateBody.objects.order_by("pk").first()
    councils = {}
    for region in Region.objects.order_by("code"):
        state_body = StateBody.objects.filter(code=f"akimat-{region.code}").first() or body
        councils[region.code] = Council.objects.get_or_create(
            code=f"bench-{region.code}",
            defaults={
                "name_kk": f"Бенчмарк кеңесі {region.code}",
                "name_ru": f"Совет бенчмарка {region.code}",
                "name_en": f"Benchmark council {region.code}",
                "level": Council.Level.LOCAL,
                "state_body": state_body,
                "region": region,
                "min_members": 10,
                "max_members": 30,
            },
        )[0]
    return councils


STATUSES = [
    ("new", 30),
    ("under_review", 15),
    ("in_work", 20),
    ("raised", 5),
    ("resolved", 20),
    ("duplicate", 3),
    ("rejected", 4),
    ("pending", 2),
    ("spam", 1),
]


# Rows are generated in chunks by two processes (generating and stemming the texts is most of a
# load's time) while this one streams them into the database.
CHUNK = 50_000


def _rows(count: int, seed: int):
    """Issue rows (as field-name dicts) plus their topic and group links, generated and indexed, in
    ``id`` order. The reference rows are read first, and the generating processes started, before
    COPY holds the connection."""
    import multiprocessing

    from kenes.core.models import Region, Topic, VulnerableGroup

    councils = {code: council.pk for code, council in _councils().items()}
    reference = {
        "councils": councils,
        "fallback_council": next(iter(councils.values())),
        "regions": {region.code: region.pk for region in Region.objects.all()},
        "topics": {topic.code: topic.pk for topic in Topic.objects.all()},
        "groups": {group.code: group.pk for group in VulnerableGroup.objects.all()},
    }
    chunks = [(first, min(CHUNK, count - first), count, seed, reference) for first in range(0, count, CHUNK)]
    if len(chunks) == 1:
        return iter(_chunk(chunks[0]))
    # (fork: the children only generate; they never touch the parent's database connection.)
    pool = multiprocessing.get_context("fork").Pool(2)

    def rows():
        try:
            for chunk in pool.imap(_chunk, chunks):
                yield from chunk
        finally:
            pool.terminate()

    return rows()


def _chunk(task) -> list[tuple[dict, int | None, int | None]]:
    from datetime import UTC, datetime, timedelta

    from kenes.issues.textgen import generate
    from kenes.search.fulltext import document

    first, size, count, seed, reference = task
    rng = random.Random(seed * 1_000_003 + first)
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    span = int(timedelta(days=3 * 365).total_seconds())
    found = []
    generated_issues = generate(size, seed=seed + first, languages=("kk", "ru", "en"))
    for number, generated in enumerate(generated_issues, start=first + 1):
        # Issues are appended as they are filed: the table's physical order follows created_at, as
        # on a live server (within a minute's jitter).
        created = start + timedelta(seconds=span * (number - 1) // count + rng.randrange(60))
        found.append(
            (
                {
                    "id": number,
                    "title": generated.title[:300],
                    "description": generated.description,
                    "language": generated.language,
                    "council_id": reference["councils"].get(generated.region_code)
                    or reference["fallback_council"],
                    "region_id": reference["regions"].get(generated.region_code),
                    "source": "council",
                    "status": rng.choice(statuses),
                    "search_document": document(generated.title, generated.description),
                    "created_at": created,
                    "updated_at": created,
                },
                reference["topics"].get(generated.topic_code),
                reference["groups"].get(generated.group_code) if generated.group_code else None,
            )
        )
    return found


def _load(count: int, seed: int) -> dict:
    from django.db import connection

    from kenes.issues import labels
    from kenes.issues.models import Issue

    postgres = connection.vendor == "postgresql"
    topics, groups = Issue.topics.through, Issue.groups.through
    topic_links, group_links = [], []

    def issues():
        for row, topic, group in _rows(count, seed):
            if topic:
                topic_links.append({"issue_id": row["id"], "topic_id": topic})
            if group:
                group_links.append({"issue_id": row["id"], "vulnerablegroup_id": group})
            if postgres:
                row["search_labels"] = sorted(
                    [labels.label(labels.TOPIC, topic)] * bool(topic)
                    + [labels.label(labels.GROUP, group)] * bool(group)
                )
            yield row

    started = time.perf_counter()
    link_tables = [model._meta.db_table for model in (topics, groups)]
    with connection.cursor() as cursor:
        # PostgreSQL: the topic and group labels (``kenes.issues.labels``) are written with the rows,
        # so the link tables' triggers, which would write them one table at a time (twice), are off
        # during the load; ``_index_build`` checks the labels against the links afterwards.
        for table in link_tables if postgres else ():
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        bulk_insert(Issue, issues(), extra=("search_labels",) if postgres else ())
        bulk_insert(topics, topic_links)
        bulk_insert(groups, group_links)
        if postgres:
            cursor.execute("SELECT setval(pg_get_serial_sequence('issues_issue', 'id'), %s)", [count])
            for table in link_tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    return {"load_s": round(time.perf_counter() - started, 1)}


def _index_build() -> dict:
    from django.db import connection

    from kenes.search.fulltext import CreateFullTextIndex

    operation = CreateFullTextIndex(table="issues_issue", column="search_document")
    result = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statements = operation.index_sql(connection.vendor)
            cursor.execute("SET maintenance_work_mem = '512MB'")
            timings = {}
            for statement in statements:
                started = time.perf_counter()
                cursor.execute(statement)
                label = "trigram" if "gin_trgm_ops" in statement else "fts"
                timings[label] = round(time.perf_counter() - started, 1)
            result["index_build_s"] = timings
            started = time.perf_counter()
            cursor.execute("VACUUM ANALYZE issues_issue")
            cursor.execute("VACUUM ANALYZE issues_issue_topics")
            cursor.execute("VACUUM ANALYZE issues_issue_groups")
            result["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
            # A server that has been answering searches holds the table and its index in memory.
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT pg_prewarm('issues_issue'), pg_prewarm('issues_issue_search_document_fts'), "
                "pg_prewarm('issues_issue_created_at_f365cd6e')"
            )
            cursor.execute("SHOW shared_buffers")
            result["shared_buffers"] = cursor.fetchone()[0]
            cursor.execute(
                "SELECT count(*) FROM issues_issue WHERE search_labels <> issues_search_labels(id)"
            )
            result["labels_differing_from_links"] = cursor.fetchone()[0]
            sizes = {}
            cursor.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c WHERE c.relname IN "
                "('issues_issue', 'issues_issue_search_document_fts', 'issues_issue_search_document_trgm', "
                "'issues_issue_topics_topic_issue', 'issues_issue_groups_group_issue')"
            )
            # (issues_issue includes the stored tsvector column; its TOAST is in the total below. The
            # (topic_id, issue_id) and (vulnerablegroup_id, issue_id) indexes of issues 0003 exist
            # during the load: sizes only.)
            for name, size in cursor.fetchall():
                sizes[name] = round(size / 2**20, 1)
            cursor.execute("SELECT pg_total_relation_size('issues_issue')")
            sizes["issues_issue total (with indexes, TOAST)"] = round(cursor.fetchone()[0] / 2**20, 1)
            result["sizes_mb"] = sizes
        else:
            started = time.perf_counter()
            for statement in operation.forwards_sql(connection.vendor):
                cursor.execute(statement)
            result["index_build_s"] = {"fts5": round(time.perf_counter() - started, 1)}
            cursor.execute("ANALYZE")
            result["sizes_mb"] = {}
            if _has_dbstat(cursor):
                cursor.execute(
                    "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'issues_issue_fts%' "
                    "OR name = 'issues_issue' GROUP BY name"
                )
                result["sizes_mb"] = {name: round(size / 2**20, 1) for name, size in cursor.fetchall()}
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            result["sizes_mb"]["database file"] = round(pages * cursor.fetchone()[0] / 2**20, 1)
    return result


def _has_dbstat(cursor) -> bool:
    try:
        cursor.execute("SELECT 1 FROM dbstat LIMIT 1")
        cursor.fetchall()
        return True
    except Exception:
        return False


def _queries(count: int, seed: int) -> list[tuple[str, str, dict]]:
    """(category, query, filters): words people type, taken from the generator's own vocabulary."""
    from kenes.core.models import Topic
    from kenes.issues.textgen import generate, to_latin

    rng = random.Random(seed + 1)
    samples = list(generate(2_000, seed=seed + 7, languages=("kk", "ru")))
    regions = ["75", "71", "79", "55", "35", "63"]
    topics = list(Topic.objects.values_list("code", flat=True))
    statuses = ["new", "in_work", "resolved"]
    queries = []

    def words_of(text: str) -> list[str]:
        return [word.strip(".,:;!?()«»\"'") for word in text.split() if len(word.strip(".,:;!?()«»\"'")) >= 4]

    while len(queries) < count:
        sample = rng.choice(samples)
        words = words_of(sample.title) or words_of(sample.description)
        if not words:
            continue
        size = rng.choice((1, 1, 2, 2, 3))
        start = rng.randrange(max(1, len(words) - size + 1))
        text = " ".join(words[start : start + size])
        category = sample.language
        if sample.language == "kk" and rng.random() < 0.3:
            text, category = to_latin(text), "kk-latin"
        filters = {}
        if rng.random() < 0.4:
            filters[rng.choice(["region", "topic", "status", "period"])] = None
        for name in filters:
            filters[name] = {
                "region": lambda: rng.choice(regions),
                "topic": lambda: rng.choice(topics),
                "status": lambda: rng.choice(statuses),
                "period": lambda: "2025",
            }[name]()
        queries.append((category + ("+filter" if filters else ""), text, filters))
    # Listing without words (the issues page), with and without a filter.
    queries += [
        ("list", "", {}),
        ("list+filter", "", {"region": "75"}),
        ("list+filter", "", {"topic": "ecology"}),
    ]
    return queries


def worker(rows: int, queries: int, seed: int) -> dict:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from kenes.core.reference import load_reference
    from kenes.search.fulltext import CreateFullTextIndex

    result: dict = {"database": connection.vendor, "rows": rows}
    call_command("migrate", verbosity=0)
    load_reference()
    operation = CreateFullTextIndex(table="issues_issue", column="search_document")
    # Loaded without the full-text indexes, which are then built (and timed) in one go. On
    # PostgreSQL the stored tsvector column stays: COPY computes it row by row.
    drop = operation.drop_index_sql if connection.vendor == "postgresql" else operation.backwards_sql
    with connection.cursor() as cursor:
        for statement in drop(connection.vendor):
            cursor.execute(statement)
    result.update(_load(rows, seed))
    result.update(_index_build())
    result.update(measure(queries, seed))
    return result


def measure(queries: int, seed: int) -> dict:
    """Run the queries against the loaded database; latency figures and resident memory."""
    from datetime import date

    from django.db import connection

    from kenes.issues.search import FACET_SAMPLE, IssueFilters, issue_search

    result: dict = {}
    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    plan = _queries(queries, seed)
    # Warm up: the first queries read the index from disk into the page cache.
    for _category, text, _filters in plan[:20]:
        issue_search(query=text, filters=IssueFilters(), user=None, page=1)
    gc.freeze()  # as an app server does once loaded (kenes/wsgi.py)
    by_category: dict[str, list[float]] = {}
    timings: list[float] = []
    estimated = 0
    totals = []
    slowest = []
    for category, text, raw in plan:
        filters = IssueFilters(
            region=raw.get("region", ""),
            topic=raw.get("topic", ""),
            status=raw.get("status", ""),
            date_from=date(2025, 1, 1) if "period" in raw else None,
            date_to=date(2025, 12, 31) if "period" in raw else None,
        )
        started = time.perf_counter()
        found = issue_search(query=text, filters=filters, user=None, page=1)
        elapsed = (time.perf_counter() - started) * 1000
        timings.append(elapsed)
        by_category.setdefault(category, []).append(elapsed)
        estimated += found.facets_estimated
        totals.append(found.total)
        slowest.append((round(elapsed, 1), text, raw, found.total))
    result["queries"] = _figures(timings)
    result["by_category"] = {name: _figures(values) for name, values in sorted(by_category.items())}
    result["matches_median"] = int(statistics.median(totals))
    result["matches_max"] = max(totals)
    result["facets_estimated_share"] = round(estimated / len(plan), 2)
    result["facet_sample"] = FACET_SAMPLE
    result["slowest"] = sorted(slowest, key=lambda row: row[0], reverse=True)[:5]
    result["python_rss_mb"] = round((_rss_kb() or 0) / 1024, 1)
    if backend_pid:
        rss = _rss_kb(backend_pid)
        result["postgres_backend_rss_mb"] = round(rss / 1024, 1) if rss else None
    return result


# --- Driver ---------------------------------------------------------------------------------------


def run(database: str, rows: int, *, queries: int = 200, seed: int = 2026) -> dict | None:
    """Run the benchmark in a fresh database (``postgres`` or ``sqlite``) in a child process."""
    return run_worker(Path(__file__).resolve(), database, [str(rows), str(queries), str(seed)], what="search")


def markdown(result: dict) -> str:
    figures = result["queries"]
    verdict = ""
    if result["database"] == "postgresql" and result["rows"] >= 1_000_000:
        verdict = " — target ≤ 50 ms: " + ("met" if figures["p95_ms"] <= TARGET_P95_MS else "**not met**")
    lines = [
        f"### Full-text search, {result['database']}, {result['rows']:,} issues",
        "",
        f"- bulk load {result['load_s']} s; index build {result['index_build_s']} s"
        + (
            f"; filter labels differing from the links afterwards: {result['labels_differing_from_links']}"
            if "labels_differing_from_links" in result
            else ""
        ),
        f"- sizes (MB): {result['sizes_mb']}",
        (f"- PostgreSQL shared_buffers {result['shared_buffers']}\n" if result.get("shared_buffers") else "")
        + f"- resident memory: Python {result['python_rss_mb']} MB"
        + (
            f", PostgreSQL backend {result['postgres_backend_rss_mb']} MB"
            if result.get("postgres_backend_rss_mb")
            else ""
        ),
        f"- {figures['n']} queries with facets: p50 **{figures['p50_ms']} ms**, p95 **{figures['p95_ms']} ms**, "
        f"max {figures['max_ms']} ms{verdict}",
        f"- matches per query: median {result['matches_median']:,}, max {result['matches_max']:,}; "
        f"facets estimated from a {result['facet_sample']:,}-row sample (and, on PostgreSQL, the total "
        f"from the pages it covered) in "
        f"{result['facets_estimated_share']:.0%} of queries",
        "",
        "| queries | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for name, values in result["by_category"].items():
        lines.append(
            f"| {name} | {values['n']} | {values['p50_ms']} | {values['p95_ms']} | {values['max_ms']} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure-only":
        # Against the database of KENES_DATABASE_URL as it is (already loaded by an earlier run).
        import django

        django.setup()
        from kenes.issues.models import Issue

        figures = {"database": os.environ["KENES_DATABASE_URL"].split(":")[0], "rows": Issue.objects.count()}
        print("RESULT " + json.dumps({**figures, **measure(int(sys.argv[2]), int(sys.argv[3]))}, default=str))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        rows, queries, seed = (int(value) for value in sys.argv[2:5])
        print("RESULT " + json.dumps(worker(rows, queries, seed), ensure_ascii=False, default=str))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--rows", type=int, default=None, help="issues to load (1,000,000 on PostgreSQL)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="100,000 issues")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000 if args.database == "postgres" else 200_000)
    result = run(args.database, rows, queries=args.queries)
    if result:
        print(markdown(result))
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
