from datetime import date

from django.core.management.base import BaseCommand, CommandError

from workflow.jobs import run_deadline_jobs
from workflow.outbox import send_pending_emails


class Command(BaseCommand):
    help = "Annul applications past the applicant's term and report overdue steps (idempotent; for cron)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as of this date (YYYY-MM-DD), for checks and back-fills.")

    def handle(self, *args, today=None, **options):
        try:
            as_of = date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        report = run_deadline_jobs(today=as_of)
        # Cron without Celery: e-mails held back by an outage go out with the daily run too.
        report["outbox_sent"] = send_pending_emails()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in report.items()))
