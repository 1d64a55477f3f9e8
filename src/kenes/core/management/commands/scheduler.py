import time

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from kenes.core.scheduler import enqueue_due, jobs


class Command(BaseCommand):
    help = "Enqueue periodic jobs when they are due (run one or more beside the task workers)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args, interval, once, **options):
        autodiscover_modules("tasks")
        self.stdout.write(f"Scheduler watching {len(jobs())} periodic job(s).")
        while True:
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)
