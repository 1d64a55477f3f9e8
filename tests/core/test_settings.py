"""Production mode refuses insecure defaults and passes Django's deployment checks."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x7Kp2-qLm9#vRt4$wZ8^nB1&cF6*hJ3!dG5@sA0%eY2+uI7=oP9~" * 2


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("KENES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_with_insecure_defaults():
    result = manage("check", env={"KENES_ENV": "production"})
    assert result.returncode != 0
    assert "KENES_SECRET_KEY" in result.stderr
    assert "KENES_ALLOWED_HOSTS" in result.stderr


def test_production_passes_check_deploy_without_warnings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "KENES_ENV": "production",
            "KENES_SECRET_KEY": GOOD_SECRET,
            "KENES_ALLOWED_HOSTS": "kenes.kz",
            "KENES_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_time_zone_is_kazakhstan_single_utc_plus_five():
    from django.conf import settings

    zone = ZoneInfo(settings.TIME_ZONE)
    assert settings.TIME_ZONE == "Asia/Almaty"
    assert datetime(2025, 6, 1, 12, tzinfo=zone).utcoffset().total_seconds() == 5 * 3600
    assert datetime(2023, 6, 1, 12, tzinfo=zone).utcoffset().total_seconds() == 6 * 3600


def test_healthz_answers_503_when_the_database_is_down():
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("KENES_")},
            "DJANGO_SETTINGS_MODULE": "kenes.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "KENES_DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "503", result.stderr
