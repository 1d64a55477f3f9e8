from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from kenes.core.backup import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder (default var/backups/<time>)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="folder to create")

    def handle(self, *args, output, **options):
        from django.conf import settings

        folder = output or Path(settings.VAR_DIR) / "backups" / timezone.now().strftime("%Y%m%dT%H%M%S")
        result = backup(folder)
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {result.folder} ({sum(result.counts.values())} rows).")
        )
