from django.core.management.base import BaseCommand, CommandError

from kenes.core.audit import verify_chain
from kenes.core.models import LogEntry


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exits non-zero if any entry was changed or deleted."

    def handle(self, *args, **options):
        problems = list(verify_chain())
        if problems:
            for problem in problems[:50]:
                self.stderr.write(f"entry {problem.sequence}: {problem.problem}")
            raise CommandError(f"The audit log is broken in {len(problems)} place(s).")
        self.stdout.write(self.style.SUCCESS(f"The audit log is intact: {LogEntry.objects.count()} entries."))
