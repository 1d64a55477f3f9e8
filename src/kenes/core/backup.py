"""Backups of the database and the uploaded files, and their restoration.

A backup is a folder: ``database.sqlite3`` (SQLite's online backup API, consistent while the site
runs) or ``database.dump`` (``pg_dump --format=custom``), ``media.tar.gz`` with the uploaded files,
and ``manifest.json`` with the engine, the time and the row counts of every table, so that a
restore can be checked against what was saved.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    counts: dict[str, int]


def table_counts(using: str = "default") -> dict[str, int]:
    """Rows per table of every installed model, for checking a restore."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        counts[model._meta.db_table] = model._base_manager.using(using).count()
    return counts


def _pg_environment(conf: dict) -> dict[str, str]:
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    return env


def _pg_args(conf: dict) -> list[str]:
    args = ["--host", conf.get("HOST") or "127.0.0.1", "--port", str(conf.get("PORT") or 5432)]
    if conf.get("USER"):
        args += ["--username", conf["USER"]]
    return args


def backup(folder: Path, *, using: str = "default") -> BackupResult:
    """Write a backup of database ``using`` and the media folder into ``folder``."""
    folder.mkdir(parents=True, exist_ok=False)
    connection = connections[using]
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(folder / "database.dump"),
                *_pg_args(conf),
                conf["NAME"],
            ],
            check=True,
            env=_pg_environment(conf),
            capture_output=True,
        )
    else:
        raise RuntimeError(f"No backup method for {connection.vendor}.")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    counts = table_counts(using)
    manifest = {"engine": connection.vendor, "created": timezone.now().isoformat(), "counts": counts}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return BackupResult(folder, counts)


def restore(folder: Path, *, conf: dict, media_root: Path) -> dict:
    """Restore a backup into the (new, empty) database described by ``conf`` and ``media_root``."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest["engine"] == "sqlite":
        target = Path(conf["NAME"])
        if target.exists() and target.stat().st_size:
            raise RuntimeError(f"{target} is not empty; restore into a new database.")
        shutil.copyfile(folder / "database.sqlite3", target)
    else:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                conf["NAME"],
                *_pg_args(conf),
                str(folder / "database.dump"),
            ],
            check=True,
            env=_pg_environment(conf),
            capture_output=True,
        )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for member in members:
            member.name = member.name.removeprefix("media").lstrip("/") or "."
        archive.extractall(media_root, members=members, filter="data")
    return manifest
