"""What the benchmarks share: a fresh PostgreSQL database, and a worker process on a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tuned_postgres(name: str) -> str:
    """URL of database ``name`` on the cluster's own PostgreSQL server (``scripts/cluster.sh
    postgres-start``, started here if it is not running), configured as docs/deploy.md recommends
    for a database server — a quarter of the RAM as shared buffers. The million-row benchmarks run
    there: on the default 128 MB every page they read comes from the operating system's cache."""
    completed = subprocess.run(
        [str(ROOT / "scripts" / "cluster.sh"), "postgres-start"], capture_output=True, text=True, timeout=120
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the cluster's PostgreSQL did not start: {completed.stderr[-2000:]}")
    return f"{completed.stdout.strip().splitlines()[-1]}/{name}"


def fresh_postgres(url: str, *, what: str) -> str | None:
    """Drop and create the database named in ``url``; None (and a note) when PostgreSQL is down."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=3,
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL unavailable, {what} benchmark skipped: {error}", file=sys.stderr)
        return None
    return url


def run_worker(script: Path, database: str, args: list[str], *, what: str) -> dict | None:
    """Run ``script --worker *args`` on a fresh ``postgres`` or ``sqlite`` database; its RESULT line.

    PostgreSQL: database ``kenes_bench_<what>`` on the tuned server (``tuned_postgres``), or the URL
    in ``KENES_BENCH_<WHAT>_POSTGRES_URL``.
    """
    with tempfile.TemporaryDirectory() as folder:
        if database == "postgres":
            postgres_url = os.environ.get(f"KENES_BENCH_{what.upper()}_POSTGRES_URL") or tuned_postgres(
                f"kenes_bench_{what}"
            )
            url = fresh_postgres(postgres_url, what=what)
            if url is None:
                return None
        else:
            url = f"sqlite:///{folder}/bench-{script.stem}.sqlite3"
        env = {
            **os.environ,
            "KENES_ENV": "development",
            "KENES_DEBUG": "false",
            "KENES_PAGE_CACHE_SECONDS": "0",  # pages are measured as computed, not from the cache
            "KENES_DATABASE_URL": url,
            "KENES_MEDIA_ROOT": folder,
            "DJANGO_SETTINGS_MODULE": "kenes.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
        completed = subprocess.run(
            [sys.executable, str(script), "--worker", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=3 * 3600,
        )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def bulk_insert(model, rows, *, batch: int = 100_000, extra: tuple[str, ...] = ()) -> int:
    """Insert ``rows`` (dicts by attribute name) into ``model``'s table: COPY on PostgreSQL, executemany
    on SQLite, in batches; fields a row leaves out take their default (or NULL, or ``""``). A row
    without ``id`` gets one from the table; ``extra`` names columns the model does not declare, taken
    from the rows as they are. The ORM's objects and signals are skipped, database triggers are not.
    Returns the number of rows.
    """
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.has_default():
            defaults[field.attname] = field.get_default()
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = None if field.null else ""
    table = connection.ops.quote_name(model._meta.db_table)
    inserted = 0
    pending: list[dict] = []

    def flush():
        if not pending:
            return
        names = (["id"] if "id" in pending[0] else []) + list(defaults) + list(extra)
        columns = ", ".join(
            connection.ops.quote_name(name if name in extra else model._meta.get_field(name).column)
            for name in names
        )
        values = [tuple(row.get(name, defaults.get(name)) for name in names) for row in pending]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                values = [
                    tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in row) for row in values
                ]
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})", values
                )
        pending.clear()

    for row in rows:
        pending.append(row)
        inserted += 1
        if len(pending) >= batch:
            flush()
    flush()
    return inserted
