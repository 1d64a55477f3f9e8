import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kenes.core.demo import SCALES, demo_logins, is_loaded, load_demo


class Command(BaseCommand):
    help = "Load the national demo data set (deterministic from --seed). Runs once; a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="national")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, scale, seed, logins, **options):
        translation.activate("en")
        if not logins:
            if is_loaded():
                self.stdout.write("Demo data is already loaded; nothing to do.")
            else:
                started = time.perf_counter()
                try:
                    context = load_demo(scale=scale, seed=seed)
                except ValueError as error:
                    raise CommandError(str(error)) from error
                elapsed = time.perf_counter() - started
                summary = ", ".join(f"{count} {kind}" for kind, count in context.counts.items())
                self.stdout.write(
                    self.style.SUCCESS(f"Loaded the {scale} demo in {elapsed:.1f} s: {summary}.")
                )
        self.stdout.write("Demo logins:")
        for roles, email, password in demo_logins():
            self.stdout.write(f"  {roles:<45} {email:<40} {password}")
