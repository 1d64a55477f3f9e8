"""A backup restores into a fresh database with every record and the audit chain intact."""

import copy
from datetime import date

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from kenes.core.backup import backup, restore
from kenes.core.demo import load_demo
from kenes.councils.models import Council
from kenes.councils.services import composition_order_upload


@pytest.fixture
def restored_database(tmp_path):
    """Settings of a fresh, empty database of the same engine, dropped afterwards."""
    default = connections["default"]
    conf = copy.deepcopy(default.settings_dict)
    created = None
    if default.vendor == "sqlite":
        conf["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        created = f"{default.settings_dict['NAME']}_restored"
        with psycopg.connect(
            host=conf["HOST"] or "127.0.0.1",
            port=conf["PORT"] or 5432,
            user=conf["USER"],
            dbname="postgres",
            autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{created}"')
            admin.execute(f'CREATE DATABASE "{created}"')
        conf["NAME"] = created
    yield conf
    if created:
        with psycopg.connect(
            host=conf["HOST"] or "127.0.0.1",
            port=conf["PORT"] or 5432,
            user=conf["USER"],
            dbname="postgres",
            autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_restores_every_record_file_and_the_audit_chain(tmp_path, settings, restored_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(scale="small", seed=11)
    council = Council.objects.get(code="pc-min-health")
    pdf = SimpleUploadedFile("order.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    composition_order_upload(council=council, file=pdf, order_date=date(2026, 2, 1), acting_user=None)
    council.refresh_from_db()

    result = backup(tmp_path / "backup")
    assert result.counts["core_logentry"] > 100 and result.counts["councils_council"] > 5

    # The restore command itself, against the fresh database: it compares every table's row count
    # with the manifest and verifies the audit chain before saying it is done.
    completed = manage(
        "restore", str(tmp_path / "backup"), database=restored_database, media=tmp_path / "media-restored"
    )
    assert completed.returncode == 0, completed.stderr
    assert "audit chain is intact" in completed.stdout
    restored_file = tmp_path / "media-restored" / council.composition_order.name
    assert restored_file.read_bytes().startswith(b"%PDF-1.7")


def manage(*args, database: dict, media):
    import os
    import subprocess
    import sys
    from pathlib import Path

    if database["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{database['NAME']}"
    else:
        url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("KENES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update({"KENES_DATABASE_URL": url, "KENES_MEDIA_ROOT": str(media), "KENES_ENV": "test"})
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, str(root / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, settings, restored_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(scale="small", seed=12)
    backup(tmp_path / "backup")
    restore(tmp_path / "backup", conf=restored_database, media_root=tmp_path / "m1")
    if connections["default"].vendor == "sqlite":
        with pytest.raises(RuntimeError):
            restore(tmp_path / "backup", conf=restored_database, media_root=tmp_path / "m2")
    else:
        import subprocess

        with pytest.raises(subprocess.CalledProcessError):
            restore(tmp_path / "backup", conf=restored_database, media_root=tmp_path / "m2")


@pytest.mark.django_db(transaction=True)
def test_restore_command_notices_a_tampered_backup(tmp_path, settings, restored_database):
    import sqlite3

    if connections["default"].vendor != "sqlite":
        pytest.skip("the SQLite backup file is edited directly here")
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(scale="small", seed=13)
    backup(tmp_path / "backup")
    with sqlite3.connect(tmp_path / "backup" / "database.sqlite3") as edited:
        edited.execute("UPDATE core_logentry SET object_repr = 'forged' WHERE sequence = 3")
    completed = manage("restore", str(tmp_path / "backup"), database=restored_database, media=tmp_path / "m")
    assert completed.returncode != 0 and "audit log is broken" in completed.stderr
