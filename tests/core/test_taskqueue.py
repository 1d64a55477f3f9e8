"""Tasks of dead workers run again, leases while a task runs, and mail sent once however often a job runs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db.utils import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kenes.core import taskqueue
from kenes.core.models import Notification, TaskLease
from kenes.core.notify import retry_unsent_mail
from tests.core.tasks_for_tests import add

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def stored_task(transactional_db):
    with override_settings(TASKS=DATABASE_TASKS):
        result = add.enqueue(2, 3)
        yield DBTaskResult.objects.get(pk=result.id)


def _run_worker() -> None:
    with override_settings(TASKS=DATABASE_TASKS):
        call_command(
            "db_worker", batch=True, queue_name="default", reload=False, startup_delay=False, verbosity=0
        )


def test_task_of_a_dead_worker_is_queued_again_and_runs(stored_task):
    with time_machine.travel("2026-12-01 09:00 +05:00", tick=False) as clock:
        stored_task.claim("worker-that-died")  # what a killed worker leaves: running, no lease
        clock.shift(timedelta(seconds=10))
        assert taskqueue.requeue_abandoned() == []  # too early to tell
        clock.shift(timedelta(seconds=25))
        assert taskqueue.requeue_abandoned() == [str(stored_task.pk)]
    stored_task.refresh_from_db()
    assert stored_task.status == TaskResultStatus.READY
    _run_worker()
    stored_task.refresh_from_db()
    assert stored_task.status == TaskResultStatus.SUCCESSFUL and stored_task.return_value == 5
    assert stored_task.worker_ids[0] == "worker-that-died" and len(stored_task.worker_ids) == 2
    assert not TaskLease.objects.exists()


def test_task_with_a_renewed_lease_is_left_running(stored_task):
    with time_machine.travel("2026-12-01 09:00 +05:00", tick=False) as clock:
        stored_task.claim("busy-worker")
        clock.shift(timedelta(minutes=5))
        TaskLease.objects.create(task=stored_task, worker_id="busy-worker", renewed_at=timezone.now())
        clock.shift(timedelta(seconds=20))
        assert taskqueue.requeue_abandoned() == []
    stored_task.refresh_from_db()
    assert stored_task.status == TaskResultStatus.RUNNING


def test_task_that_keeps_losing_its_worker_fails_for_good(stored_task):
    with time_machine.travel("2026-12-01 09:00 +05:00", tick=False) as clock:
        for worker in ("first", "second", "third"):
            stored_task.claim(worker)
            clock.shift(timedelta(minutes=1))
            taskqueue.requeue_abandoned()
            stored_task.refresh_from_db()
    assert stored_task.status == TaskResultStatus.FAILED
    assert stored_task.exception_class_path == "kenes.core.taskqueue.WorkerLost"
    assert "3 times" in stored_task.traceback


def test_lease_is_renewed_while_the_task_runs_and_dropped_after(stored_task):
    stored_task.claim("this-worker")
    with (
        override_settings(KENES_TASK_LEASE_SECONDS=0.3),
        taskqueue.lease(stored_task, worker_id="this-worker"),
    ):
        first = TaskLease.objects.get(task=stored_task).renewed_at
        deadline = time.monotonic() + 5
        while TaskLease.objects.get(task=stored_task).renewed_at == first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert TaskLease.objects.get(task=stored_task).renewed_at > first
    assert not TaskLease.objects.filter(task=stored_task).exists()


def test_task_interrupted_by_the_database_is_queued_again(stored_task):
    stored_task.claim("worker")
    stored_task.set_failed(OperationalError("server closed the connection unexpectedly"))
    assert taskqueue.requeue_if_interrupted(stored_task)
    stored_task.refresh_from_db()
    assert stored_task.status == TaskResultStatus.READY and stored_task.run_after > timezone.now()


def test_task_that_failed_on_its_own_is_not_retried(stored_task):
    stored_task.claim("worker")
    stored_task.set_failed(ValueError("a bug"))
    assert not taskqueue.requeue_if_interrupted(stored_task)


def test_a_mail_job_run_again_sends_each_mail_once(make_user):
    people = [make_user() for _ in range(3)]
    for person in people:
        Notification.objects.create(recipient=person, key="event:1", title="Хабар", body="Мәтін")
    # The first run got as far as the first mail before its worker died.
    Notification.objects.filter(recipient=people[0]).update(emailed_at=timezone.now())
    assert retry_unsent_mail() == 2
    assert retry_unsent_mail() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[1:])


def _sqlite_rows(path: Path, task_id: str) -> tuple[str, list[str]]:
    with sqlite3.connect(path) as database:
        status, workers = database.execute(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = ?",
            [task_id.replace("-", "")],
        ).fetchone()
    return status, json.loads(workers)


def _wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_worker_killed_in_the_middle_of_a_task_is_replaced(tmp_path):
    """Real processes on a database file: kill -9 the worker running a task, the scheduler puts the
    task back, and another worker runs it to the end."""
    database = tmp_path / "kenes.sqlite3"
    env = {
        **os.environ,
        "KENES_ENV": "development",
        "KENES_DEBUG": "false",
        "KENES_DATABASE_URL": f"sqlite:///{database}",
        "KENES_VAR_DIR": str(tmp_path),
        "KENES_TASK_LEASE_SECONDS": "1",
        "KENES_SIMILARITY_BACKEND": "lexical",
        "DJANGO_SETTINGS_MODULE": "kenes.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]

    def run(*args: str) -> str:
        return subprocess.run(
            [*manage, *args], env=env, check=True, capture_output=True, text=True, timeout=300
        ).stdout

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*manage, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def worker(name: str) -> subprocess.Popen:
        return start(
            "db_worker", "--worker-id", name, "--no-reload", "--no-startup-delay", "--interval", "0.1"
        )

    run("migrate", "--noinput", "-v0")
    task_id = run(
        "shell",
        "-c",
        f"from tests.core.tasks_for_tests import wait_for_release; "
        f"print(wait_for_release.enqueue({str(tmp_path)!r}).id)",
    ).split()[-1]
    processes = [worker("worker-a")]
    try:
        _wait_for(lambda: (tmp_path / "started-1").exists(), "the first worker to start the task")
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=10)
        assert _sqlite_rows(database, task_id) == ("RUNNING", ["worker-a"])
        (tmp_path / "release").touch()
        processes.append(worker("worker-b"))
        processes.append(start("scheduler", "--interval", "0.5"))
        _wait_for(lambda: _sqlite_rows(database, task_id)[0] == "SUCCESSFUL", "the second worker to finish")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
    assert _sqlite_rows(database, task_id) == ("SUCCESSFUL", ["worker-a", "worker-b"])
    assert (tmp_path / "started-2").exists() and not (tmp_path / "started-3").exists()
