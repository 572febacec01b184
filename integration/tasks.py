"""Celery tasks of the integration app. Without a broker they run in-process."""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError

from integration.idempotency import purge_expired
from integration.webhooks import run_webhooks

logger = logging.getLogger(__name__)


@shared_task
def deliver_webhooks() -> dict[str, int]:
    """Sequence the events, make the deliveries, send what is due (also on Celery beat)."""
    return run_webhooks()


@shared_task
def purge_idempotency_records() -> int:
    return purge_expired()


def on_events_committed(sender, events: list[int], **kwargs) -> None:
    """After a commit that recorded events: queue the job. With the broker down the beat's scan
    finds them later."""
    try:
        deliver_webhooks.delay()
    except BrokerError:
        logger.warning("Could not queue webhook delivery; the periodic scan will deliver", exc_info=True)
