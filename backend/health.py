"""Liveness and readiness.

- `GET /healthz`: the process answers (liveness; touches no service, so a database or Redis
  outage does not get healthy web processes restarted).
- `GET /readyz`: the database, the cache and the Celery broker answer (readiness); 503 when one
  does not, with each check in the body: `{"status": "error", "checks": {"database": "ok",
  "cache": "unavailable", "broker": "ok"}}`. A service that is not configured (the in-process
  cache, no broker) reports "not_configured" and does not fail the check.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.celery import app as celery_app

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "unavailable"
NOT_CONFIGURED = "not_configured"
#: Seconds the broker check waits for a connection.
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Readiness: the database does not answer")
        return DOWN
    return OK


def check_cache() -> str:
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return NOT_CONFIGURED
    # A round trip, not an exception: the Redis cache fails open and swallows its errors.
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, key, timeout=10)
    if cache.get(key) != key:
        logger.error("Readiness: the cache (Redis) does not answer")
        return DOWN
    cache.delete(key)
    return OK


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return NOT_CONFIGURED
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception:  # kombu raises the transport's own errors
        logger.exception("Readiness: the Celery broker does not answer")
        return DOWN
    return OK


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": OK})


@never_cache
@require_GET
def readyz(request):
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    healthy = all(value != DOWN for value in checks.values())
    return JsonResponse(
        {"status": OK if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
