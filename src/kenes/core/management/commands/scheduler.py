import logging
import time
from contextlib import suppress

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections
from django.utils.module_loading import autodiscover_modules

from kenes.core.scheduler import enqueue_due, jobs
from kenes.core.taskqueue import requeue_abandoned

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue periodic jobs when they are due and queue again the tasks of workers that died "
        "(run one or more beside the task workers)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args, interval, once, **options):
        autodiscover_modules("tasks")
        self.stdout.write(f"Scheduler watching {len(jobs())} periodic job(s).")
        while True:
            try:
                for name in enqueue_due():
                    self.stdout.write(f"enqueued {name}")
                for task_id in requeue_abandoned():
                    self.stdout.write(f"task {task_id} lost its worker: queued again or failed")
            except DatabaseError as error:
                if once:
                    raise
                # A database restart or fail-over: check again at the next tick instead of exiting.
                logger.warning(
                    "database unavailable (%s); the scheduler tries again in %s s", error, interval
                )
                with suppress(DatabaseError):
                    connections.close_all()
            if once:
                return
            time.sleep(interval)
