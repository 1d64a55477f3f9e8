"""``manage.py db_worker``: django-tasks-db's worker, made to survive its database and its own death.

It replaces the library's command of the same name (``kenes.core`` is listed before
``django_tasks_db`` in ``INSTALLED_APPS``) and takes the same options. Differences, see
``kenes.core.taskqueue``: each running task holds a renewed lease, so that the scheduler can queue
it again if this process dies; a task that failed on a lost database connection is queued again;
and when the database goes away the worker waits for it instead of exiting.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import suppress

from django.db import DatabaseError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from kenes.core import taskqueue

logger = logging.getLogger("django_tasks_db")

# Seconds between attempts to reach a database that went away, doubling up to the second figure.
RECONNECT_FIRST, RECONNECT_MAX = 1, 10


class Worker(db_worker.Worker):
    def run_task(self, db_task_result) -> None:
        with taskqueue.lease(db_task_result, worker_id=self.worker_id):
            super().run_task(db_task_result)
        taskqueue.requeue_if_interrupted(db_task_result)

    def run_until_stopped(self) -> None:
        """Run; when the database goes away, wait for it and carry on instead of exiting."""
        delay = RECONNECT_FIRST
        while True:
            try:
                self.run()
                return
            except DatabaseError as error:
                logger.warning(
                    "database unavailable (%s); worker %s waits %d s", error, self.worker_id, delay
                )
                with suppress(DatabaseError):
                    connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX)


class Command(db_worker.Command):
    help = "Run a task worker: leases on running tasks, retries after a lost database, waits for it."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the child process
            run_with_reloader(worker.run_until_stopped)
        else:
            worker.configure_signals()
            worker.run_until_stopped()
