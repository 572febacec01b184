"""Sending notifications by e-mail: a Celery task (in-process without a broker), queued by
workflow.notifications once the transaction commits. Registered with the worker through
workflow.tasks under its historical name."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from workflow.models import Notification


@shared_task(name="workflow.tasks.send_notification_emails")
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail notifications not yet sent; a notification whose recipient has no address stays in-app."""
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
