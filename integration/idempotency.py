"""Idempotent POSTs: the first request with a caller's Idempotency-Key claims it; its answer is
stored and replayed to every repetition with the same request for IDEMPOTENCY_TTL. A repetition
with another request is refused; one that arrives while the first is still running waits for its
answer. A claim whose request died (no answer after CLAIM_TIMEOUT) is taken over, and answers of
5xx are not stored, so a retry runs again."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.exceptions import StateConflict
from integration.exceptions import IdempotencyConflict
from integration.models import IdempotencyRecord

#: How long an answer is replayed.
IDEMPOTENCY_TTL = timedelta(hours=24)
#: A claim without an answer after this long belongs to a request that died.
CLAIM_TIMEOUT = timedelta(seconds=120)
#: How long a repetition waits for the first request's answer before answering 409.
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Claim:
    record: IdempotencyRecord
    replay: bool  # True: `record` holds the answer to send again


def claim(*, principal: str, key: str, fingerprint: str, wait_seconds: float = WAIT_SECONDS) -> Claim:
    """Claim `key` for this request, or return the stored answer. Raises IdempotencyConflict for
    the same key with another request, StateConflict while the first request is still running."""
    now = timezone.now()
    IdempotencyRecord.objects.filter(
        principal=principal, key=key, created_at__lt=now - IDEMPOTENCY_TTL
    ).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                principal=principal, key=key, fingerprint=fingerprint, created_at=now
            )
        return Claim(record=record, replay=False)
    except IntegrityError:
        pass
    deadline = time.monotonic() + wait_seconds
    while True:
        record = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if record is None:  # released after a failure a moment ago: claim it anew
            return claim(principal=principal, key=key, fingerprint=fingerprint, wait_seconds=wait_seconds)
        if record.fingerprint != fingerprint:
            raise IdempotencyConflict(
                _("This Idempotency-Key was used with a different request; use a new key for a new request."),
                code="idempotency_key_reused",
            )
        if record.completed_at is not None:
            return Claim(record=record, replay=True)
        if _take_over_abandoned(record):
            return Claim(record=record, replay=False)
        if time.monotonic() >= deadline:
            raise StateConflict(
                _("A request with this Idempotency-Key is still being processed; retry in a moment."),
                code="idempotency_in_progress",
            )
        time.sleep(POLL_SECONDS)


def _take_over_abandoned(record: IdempotencyRecord) -> bool:
    now = timezone.now()
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, completed_at__isnull=True, created_at__lt=now - CLAIM_TIMEOUT
    ).update(created_at=now)
    return taken == 1


def complete(
    *, record: IdempotencyRecord, status_code: int, content_type: str, location: str, body: bytes
) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        completed_at=timezone.now(),
        status_code=status_code,
        content_type=content_type,
        location=location,
        body=body,
    )


def release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed on the server's side, so a retry runs again."""
    IdempotencyRecord.objects.filter(pk=record.pk, completed_at__isnull=True).delete()


def purge_expired() -> int:
    deleted, _by_model = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_TTL
    ).delete()
    return deleted
