"""What the task workers add to django-tasks-db: tasks of dead workers and lost databases run again.

django-tasks-db marks a task running when a worker claims it and finished when it ends. A worker
killed in between (``kill -9``, out of memory, a machine lost) would leave it running for ever,
and a task whose database connection broke (a restart, a fail-over) would end as failed. Here:

- while ``manage.py db_worker`` runs a task, a thread renews the task's lease (``TaskLease``)
  every third of ``KENES_TASK_LEASE_SECONDS``;
- the scheduler puts back on the queue every running task whose lease has not been renewed for
  that long (:func:`requeue_abandoned`);
- a task that failed on a lost database connection is queued again a few seconds later
  (:func:`requeue_if_interrupted`);

both up to ``KENES_TASK_MAX_ATTEMPTS`` runs in all (the claims are counted in ``worker_ids``),
after which the task is failed for good. Tasks therefore run at least once and must be safe to
run again: notifications are created once per person and event, and each mail is claimed before
it is sent (``kenes.core.notify``).
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import TaskLease

logger = logging.getLogger(__name__)

# Exceptions that say nothing about the task, only that the database went away under it.
TRANSIENT_ERRORS = {"django.db.utils.OperationalError", "django.db.utils.InterfaceError"}
# Seconds before a task interrupted by a lost database connection is tried again.
INTERRUPTED_RETRY_SECONDS = 5


class WorkerLost(Exception):
    """Recorded on a task whose worker stopped without finishing it, once attempts are used up."""


@contextmanager
def lease(task_result: DBTaskResult, *, worker_id: str):
    """Hold a lease on ``task_result`` while the block runs, renewed from a thread of its own."""
    TaskLease.objects.update_or_create(
        task_id=task_result.pk, defaults={"worker_id": worker_id, "renewed_at": timezone.now()}
    )
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(task_result.pk, stop), name=f"lease-{task_result.pk}", daemon=True
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        with suppress(DatabaseError):  # the database is gone; the lease expires by itself
            TaskLease.objects.filter(task_id=task_result.pk).delete()


def _renew(task_id, stop: threading.Event) -> None:
    try:
        while not stop.wait(settings.KENES_TASK_LEASE_SECONDS / 3):
            try:
                TaskLease.objects.filter(task_id=task_id).update(renewed_at=timezone.now())
            except DatabaseError:
                logger.warning("could not renew the lease of task %s; trying again", task_id)
                connections.close_all()  # this thread's connections: reconnect next time
    finally:
        connections.close_all()


def _attempts(task_result: DBTaskResult) -> int:
    return len(task_result.worker_ids or [])


def requeue_abandoned(*, now: datetime | None = None) -> list[str]:
    """Queue again the running tasks whose lease expired (their worker died); the ids of the tasks
    queued again or failed for good.

    A task that has already used ``KENES_TASK_MAX_ATTEMPTS`` runs is failed instead, so a task
    that kills its worker every time (out of memory) stops coming back.
    """
    now = now or timezone.now()
    expired = now - timedelta(seconds=settings.KENES_TASK_LEASE_SECONDS)
    renewed = TaskLease.objects.filter(renewed_at__gte=expired).values("task_id")
    # Started before the cut-off: a task claimed a moment ago may not hold its lease yet.
    abandoned = DBTaskResult.objects.running().filter(started_at__lt=expired).exclude(pk__in=renewed)
    requeued = []
    for task_result in abandoned:
        # Only if nobody claimed it again since it was read.
        unchanged = DBTaskResult.objects.filter(
            pk=task_result.pk, status=TaskResultStatus.RUNNING, started_at=task_result.started_at
        )
        attempts = _attempts(task_result)
        if attempts >= settings.KENES_TASK_MAX_ATTEMPTS:
            changed = unchanged.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"The worker stopped while running this task, {attempts} times "
                f"(workers {', '.join(task_result.worker_ids)}).",
            )
        else:
            changed = unchanged.update(status=TaskResultStatus.READY)
        TaskLease.objects.filter(task_id=task_result.pk).delete()
        if changed:
            logger.warning(
                "task %s (%s) lost its worker %s after attempt %d: %s",
                task_result.pk,
                task_result.task_path,
                task_result.worker_ids[-1] if task_result.worker_ids else "?",
                attempts,
                "failed for good" if attempts >= settings.KENES_TASK_MAX_ATTEMPTS else "queued again",
            )
            requeued.append(str(task_result.pk))
    return requeued


def requeue_if_interrupted(task_result: DBTaskResult) -> bool:
    """Queue ``task_result`` again if it failed only because the database connection broke."""
    task_result.refresh_from_db(fields=["status", "exception_class_path", "worker_ids"])
    if (
        task_result.status != TaskResultStatus.FAILED
        or task_result.exception_class_path not in TRANSIENT_ERRORS
        or _attempts(task_result) >= settings.KENES_TASK_MAX_ATTEMPTS
    ):
        return False
    changed = DBTaskResult.objects.filter(pk=task_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        finished_at=None,
        run_after=timezone.now() + timedelta(seconds=INTERRUPTED_RETRY_SECONDS),
    )
    if changed:
        logger.warning(
            "task %s (%s) was interrupted by the database; queued again",
            task_result.pk,
            task_result.task_path,
        )
    return bool(changed)
