"""Celery tasks. Without a broker (development, tests) they run in-process (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import logging

from celery import shared_task

from workflow.email_delivery import send_notification_emails
from workflow.jobs import run_deadline_jobs as run

__all__ = ["run_deadline_jobs", "send_notification_emails"]

logger = logging.getLogger(__name__)


@shared_task
def run_deadline_jobs() -> dict[str, int]:
    """The scheduled job (Celery beat): annulments and overdue notices. Idempotent."""
    report = run()
    logger.info("Deadline jobs: %s", report)
    return report
