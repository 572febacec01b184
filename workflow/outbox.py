"""The e-mail outbox: every e-mail is a row (`OutboxEmail`) written in the transaction that causes
it, and sent afterwards.

- At commit, a Celery task is queued for the new rows (in-process without a broker). If the broker
  is down the publish fails fast, is logged, and the transaction's work stands.
- `send_pending_emails` (Celery beat every OUTBOX_SWEEP_EVERY_SECONDS, `manage.py send_outbox`
  for cron, and after `manage.py run_deadline_jobs`) sends every row still pending after
  OUTBOX_RETRY_AFTER_SECONDS, so what the broker lost goes out once it is back.
- Sending locks the row (skipped by a concurrent sender), sends, and marks it sent in one
  transaction: a row is sent once; a crash between the mail server's answer and the commit can
  send it twice (at least once, never lost). A failed send is counted and retried by the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from workflow.models import Notification, OutboxEmail

logger = logging.getLogger(__name__)

#: Rows sent by one sweep at most; the next sweep takes the rest.
SWEEP_BATCH = 500


def enqueue_notification_emails(notifications: Iterable[Notification]) -> list[OutboxEmail]:
    """Queue the e-mail of each notification whose recipient has an address (the others stay
    in-app). Call inside the transaction that created the notifications."""
    rows = [
        OutboxEmail(notification=item, to=item.recipient.email, subject=item.subject, body=item.body)
        for item in notifications
        if item.recipient.email
    ]
    return _enqueue(rows)


def enqueue_email(*, to: str, subject: str, body: str) -> OutboxEmail:
    """Queue one e-mail that belongs to no notification (e.g. an account e-mail)."""
    return _enqueue([OutboxEmail(to=to, subject=subject, body=body)])[0]


def _enqueue(rows: list[OutboxEmail]) -> list[OutboxEmail]:
    if not rows:
        return rows
    created = OutboxEmail.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: _dispatch(ids))
    return created


def _dispatch(ids: list[int]) -> None:
    try:
        send_emails.delay(ids)
    except BrokerError:  # the broker is down: the sweep sends the rows later
        logger.warning(
            "Could not queue %s e-mail(s); the outbox sweep will send them", len(ids), exc_info=True
        )


def _send_one(pk: int) -> bool:
    """Send one pending row; False when it is sent already, taken by another sender, or failed."""
    with transaction.atomic():
        row = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        try:
            send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to], fail_silently=False)
        except Exception as error:  # SMTP, DNS, network: kept for the next sweep
            logger.warning("E-mail %s to %s not sent: %s", row.pk, row.to, error)
            OutboxEmail.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1, last_error=str(error)[:2000]
            )
            return False
        now = timezone.now()
        OutboxEmail.objects.filter(pk=row.pk).update(sent_at=now, attempts=row.attempts + 1, last_error="")
        if row.notification_id:
            Notification.objects.filter(pk=row.notification_id).update(emailed_at=now)
    return True


@shared_task
def send_emails(ids: list[int]) -> int:
    """Send the given outbox rows that are still pending; the number sent."""
    sent = sum(_send_one(pk) for pk in ids)
    logger.info("Sent %s of %s e-mail(s)", sent, len(ids))
    return sent


@shared_task
def send_pending_emails(*, older_than_seconds: int | None = None) -> int:
    """The sweep: send the rows still pending after OUTBOX_RETRY_AFTER_SECONDS (0: all)."""
    wait = settings.OUTBOX_RETRY_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=wait)
    ids = list(
        OutboxEmail.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).values_list("pk", flat=True)[
            :SWEEP_BATCH
        ]
    )
    sent = sum(_send_one(pk) for pk in ids)
    if ids:
        logger.info("Outbox sweep: %s of %s pending e-mail(s) sent", sent, len(ids))
    return sent


def pending_count() -> int:
    return OutboxEmail.objects.filter(sent_at__isnull=True).count()
