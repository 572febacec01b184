"""Prometheus metrics at `/metrics`.

Request rates and latencies come from django-prometheus's middleware. Under gunicorn with several
workers set PROMETHEUS_MULTIPROC_DIR (an empty folder; `gunicorn.conf.py` empties it at start and
marks dead workers), so that one scrape sums every worker instead of answering for whichever
worker took it. Gauges that describe the portal rather than the process (applications per state,
overdue steps, the outbox, the Celery queue) are computed at scrape time by the collectors named
in METRICS_COLLECTORS.

Access: a bearer token (`Authorization: Bearer $METRICS_TOKEN`) or a client address listed in
METRICS_ALLOWED_ADDRESSES; anyone else gets a 404. Behind a proxy on the same host every client
is 127.0.0.1, so list it only when the proxy does not pass /metrics through.
"""

from __future__ import annotations

import logging
import os
import secrets

import redis
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(sent.encode(), token.encode()):
            return True
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_ADDRESSES


class CeleryQueueCollector:
    """The number of tasks waiting in the broker's default queue (LLEN; Redis brokers only)."""

    def collect(self):
        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return
        up = GaugeMetricFamily("portal_celery_broker_up", "1 when the Celery broker answers")
        length = GaugeMetricFamily(
            "portal_celery_queue_length", "Tasks waiting in the Celery queue", labels=["queue"]
        )
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            length.add_metric([queue], client.llen(queue))
            up.add_metric([], 1)
        except redis.RedisError:
            logger.warning("Metrics: the Celery broker does not answer")
            up.add_metric([], 0)
            yield up
            return
        yield up
        yield length


def _portal_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    for path in settings.METRICS_COLLECTORS:
        registry.register(import_string(path)())
    return registry


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return HttpResponseNotFound()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    body = generate_latest(process_registry) + generate_latest(_portal_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
