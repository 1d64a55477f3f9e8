from django.core.management.base import BaseCommand

from kenes.core.reference import load_reference


class Command(BaseCommand):
    help = "Load or refresh Kazakhstan's reference data (regions, districts, bodies, topics, groups). Idempotent."

    def handle(self, *args, **options):
        report = load_reference()
        if report.untouched:
            self.stdout.write("Reference data is up to date.")
            return
        for kind, count in sorted(report.created.items()):
            self.stdout.write(f"created {count} {kind}")
        for kind, count in sorted(report.changed.items()):
            self.stdout.write(f"changed {count} {kind}")
