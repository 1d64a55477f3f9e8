"""What the benchmarks share: a fresh PostgreSQL database, and a worker process on a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def run_worker(script: Path, database: str, postgres_url: str, args: list[str], *, what: str) -> dict | None:
    """Run ``script --worker *args`` on a fresh ``postgres`` or ``sqlite`` database; its RESULT line."""
    with tempfile.TemporaryDirectory() as folder:
        if database == "postgres":
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
