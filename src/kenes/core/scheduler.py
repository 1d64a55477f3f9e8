"""Periodic jobs (deadline sweeps, reminders): declared by apps, enqueued by ``manage.py scheduler``.

Several scheduler processes may run (one per machine); each due job is claimed with a single
conditional UPDATE, so exactly one of them enqueues it. The work itself runs on the task workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledRun


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: object  # a django-tasks Task


_jobs: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta):
    """Decorate a django-tasks task to have the scheduler enqueue it every ``every``."""

    def register(task):
        name = f"{task.module_path}"
        _jobs[name] = PeriodicJob(name=name, every=every, task=task)
        return task

    return register


def jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every job that is due and return their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        try:
            with transaction.atomic():
                ScheduledRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        except IntegrityError:
            pass  # another scheduler created it at the same moment
        claimed = ScheduledRun.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_enqueued_at=now
        )
        if claimed:
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued
