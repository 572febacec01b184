from django.core.management.base import BaseCommand

from workflow.outbox import pending_count, send_pending_emails


class Command(BaseCommand):
    help = "Send the e-mails still pending in the outbox (what a broker outage held back; for cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Only rows pending for at least this many seconds (default: OUTBOX_RETRY_AFTER_SECONDS).",
        )

    def handle(self, *args, older_than=None, **options):
        sent = send_pending_emails(older_than_seconds=older_than)
        self.stdout.write(f"sent: {sent}, pending: {pending_count()}")
