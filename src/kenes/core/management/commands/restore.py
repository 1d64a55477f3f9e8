from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kenes.core.audit import verify_chain
from kenes.core.backup import restore, table_counts


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the configured (new, empty) database and media folder, then check it."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder, **options):
        try:
            manifest = restore(
                folder, conf=settings.DATABASES["default"], media_root=Path(settings.MEDIA_ROOT)
            )
        except (RuntimeError, OSError) as error:
            raise CommandError(str(error)) from error
        counts = table_counts()
        missing = {table: n for table, n in manifest["counts"].items() if counts.get(table) != n}
        if missing:
            raise CommandError(f"Restored row counts differ: {missing}")
        problems = list(verify_chain())
        if problems:
            raise CommandError(f"The restored audit log is broken in {len(problems)} place(s).")
        self.stdout.write(
            self.style.SUCCESS(f"Restored {sum(counts.values())} rows; the audit chain is intact.")
        )
