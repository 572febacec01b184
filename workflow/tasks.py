"""Celery tasks. Without a broker (development, tests) they run in-process (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail notifications not yet sent; a notification whose recipient has no address stays in-app."""
    from workflow.models import Notification

    sent = 0
    for notification in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient"):
        if not notification.recipient.email:
            continue
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
            fail_silently=False,
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@shared_task
def run_deadline_jobs() -> dict[str, int]:
    """The scheduled job (Celery beat): annulments and overdue notices. Idempotent."""
    from workflow.jobs import run_deadline_jobs as run

    report = run()
    logger.info("Deadline jobs: %s", report)
    return report
