"""Celery tasks of consumers' reports (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from appeals import jobs


@shared_task
def flag_overdue_reports() -> int:
    return jobs.flag_overdue_reports()
