"""Celery tasks. Without a broker (development, tests) they run in-process (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import logging

from celery import shared_task

from workflow.jobs import run_deadline_jobs as run
from workflow.outbox import send_emails, send_pending_emails

# The outbox tasks are imported so that a worker started on this module registers them.
__all__ = ["run_deadline_jobs", "send_emails", "send_pending_emails"]

logger = logging.getLogger(__name__)


@shared_task
def run_deadline_jobs() -> dict[str, int]:
    """The scheduled job (Celery beat): annulments and overdue notices. Idempotent."""
    report = run()
    logger.info("Deadline jobs: %s", report)
    return report
