from django.core.management.base import BaseCommand

from backend.storage import sweep_files


class Command(BaseCommand):
    help = (
        "Remove stored files that no row refers to and stale spooled uploads, older than "
        "FILE_SWEEP_GRACE_SECONDS (what a killed worker or a full disk left behind; for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=int, default=None, help="Age in seconds (default: the setting).")

    def handle(self, *args, grace=None, **options):
        report = sweep_files(grace_seconds=grace)
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in report.items()))
