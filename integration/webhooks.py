"""Webhooks: each sequenced event becomes a delivery for every active subscription of a client
that may see it; deliveries are POSTed, signed, in feed order per application, retried with
back-off, logged, and a subscription whose delivery fails for good is disabled and its client told.

The work is one idempotent job (`run_webhooks`): sequence the outbox, fan out, send what is due.
It runs after each commit that recorded events (a Celery task) and on Celery beat, so events whose
task the broker lost are found by the next scan. Delivery is at least once: a crash between the
receiver's answer and the commit sends again, with the same event id to deduplicate by.

Signature: header `Portal-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.events.models import Event, EventKind
from backend.events.services import sequence_all
from integration.models import DeliveryAttempt, IntegrationClient, WebhookDelivery, WebhookSubscription
from integration.selectors import represented_applicant_ids
from workflow.outbox import enqueue_email

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Portal-Signature"
#: Waits after the 1st, 2nd, … failed try: 8 tries over 24 hours.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=4),
    timedelta(minutes=25),
    timedelta(minutes=90),
    timedelta(hours=3),
    timedelta(hours=5),
    timedelta(hours=14),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
FAN_OUT_BATCH = 1000
SEND_BATCH = 200
USER_AGENT = "grid-connection-portal-webhooks/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event_body(event: Event) -> bytes:
    return json.dumps(
        {
            "id": event.pk,
            "cursor": event.position,
            "kind": event.kind,
            "application_id": event.application_id,
            "created_at": event.created_at.isoformat(),
            "via": event.via,
            "payload": event.payload,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


# Subscriptions


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError({"url": ValidationError(_("Give an http(s) URL."), code="invalid")})
    if parts.scheme == "http" and not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        raise ValidationError(
            {"url": ValidationError(_("Webhooks are sent over https only."), code="insecure")}
        )


@transaction.atomic
def subscribe(*, client: IntegrationClient, url: str, event_kinds: list[str]) -> WebhookSubscription:
    """A subscription to future events of `event_kinds`; its signing secret is in `.secret`."""
    _check_url(url)
    unknown = [kind for kind in event_kinds if kind not in EventKind.values]
    if unknown or not event_kinds:
        raise ValidationError(
            {
                "event_kinds": ValidationError(
                    _("Choose event kinds among: %(allowed)s.") % {"allowed": ", ".join(EventKind.values)},
                    code="invalid_choice",
                )
            }
        )
    return WebhookSubscription.objects.create(
        client=client,
        url=url,
        event_kinds=sorted(set(event_kinds)),
        secret=secrets.token_hex(32),
        fanned_out_to=Event.objects.aggregate(last=Max("position"))["last"] or 0,
    )


@transaction.atomic
def unsubscribe(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the event again now, as a fresh series of tries (also after it was delivered)."""
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    return delivery


# The job


def fan_out(*, now: datetime | None = None) -> int:
    """Give each active subscription its deliveries of the events sequenced since it last looked."""
    now = now or timezone.now()
    created = 0
    for subscription_id in WebhookSubscription.objects.filter(is_active=True).values_list("id", flat=True):
        with transaction.atomic():
            subscription = (
                WebhookSubscription.objects.select_for_update(skip_locked=True)
                .select_related("client")
                .filter(pk=subscription_id, is_active=True)
                .first()
            )
            if subscription is None:
                continue
            events = list(
                Event.objects.filter(position__gt=subscription.fanned_out_to)
                .order_by("position")
                .values_list("id", "position", "kind", "owner_id")[:FAN_OUT_BATCH]
            )
            if not events:
                continue
            visible = set(represented_applicant_ids(subscription.client))
            rows = [
                WebhookDelivery(
                    subscription=subscription, event_id=event_id, next_attempt_at=now, created_at=now
                )
                for event_id, _position, kind, owner_id in events
                if kind in subscription.event_kinds and owner_id in visible
            ]
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            subscription.fanned_out_to = events[-1][1]
            subscription.save(update_fields=["fanned_out_to"])
            created += len(rows)
    return created


@dataclass
class SendReport:
    delivered: int = 0
    failed: int = 0
    disabled: list[int] = field(default_factory=list)


def _address_allowed(host: str) -> bool:
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return True  # the request itself will fail and be logged
    return all(ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses)


def _post(
    subscription: WebhookSubscription, event: Event, http: urllib3.PoolManager
) -> tuple[int | None, str]:
    host = urlsplit(subscription.url).hostname or ""
    if not _address_allowed(host):
        return None, "address not allowed"
    body = event_body(event)
    timestamp = int(time.time())
    try:
        response = http.request(
            "POST",
            subscription.url,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                SIGNATURE_HEADER: signature(subscription.secret, timestamp, body),
                "Portal-Event-Id": str(event.pk),
                "Portal-Event-Kind": event.kind,
            },
            retries=False,
            redirect=False,
            timeout=urllib3.Timeout(
                connect=settings.WEBHOOK_TIMEOUT_SECONDS, read=settings.WEBHOOK_TIMEOUT_SECONDS
            ),
            preload_content=True,
        )
    except urllib3.exceptions.HTTPError as error:
        return None, str(error)[:500]
    return response.status, ""


def _disable(subscription: WebhookSubscription, delivery: WebhookDelivery, now: datetime) -> None:
    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False, disabled_at=now)
    client = subscription.client
    enqueue_email(
        to=client.contact_email,
        subject=_("Webhook disabled: %(url)s") % {"url": subscription.url},
        body=_(
            "The grid connection portal could not deliver event %(event)s to %(url)s in %(tries)s tries "
            "over 24 hours (last answer: %(answer)s), and has disabled this webhook. The events stay in "
            "the events feed (GET /api/v1/events/). Fix the receiver, then ask the administrator to "
            "enable the webhook again or create a new one."
        )
        % {
            "event": delivery.event_id,
            "url": subscription.url,
            "tries": delivery.attempts,
            "answer": delivery.last_status_code or delivery.last_error or "—",
        },
    )


def send_due(*, now: datetime | None = None) -> SendReport:
    """POST the due deliveries of every active subscription, oldest first. A delivery waits while an
    earlier one for the same application is not delivered yet, so each application's events
    arrive in order."""
    now = now or timezone.now()
    report = SendReport()
    http = urllib3.PoolManager()
    for subscription_id in WebhookSubscription.objects.filter(is_active=True).values_list("id", flat=True):
        # One sender per subscription at a time (another worker skips it), so nothing is sent twice.
        with transaction.atomic():
            subscription = (
                WebhookSubscription.objects.select_for_update(skip_locked=True)
                .select_related("client")
                .filter(pk=subscription_id, is_active=True)
                .first()
            )
            if subscription is None:
                continue
            _send_subscription(subscription, http, now, report)
    return report


def _send_subscription(subscription, http, now: datetime, report: SendReport) -> None:
    pending = list(
        WebhookDelivery.objects.filter(subscription=subscription, status=WebhookDelivery.Status.PENDING)
        .select_related("event")
        .order_by("event__position")[:SEND_BATCH]
    )
    if not pending:
        return
    visible = set(represented_applicant_ids(subscription.client))
    blocked: set[int | None] = set()
    for delivery in pending:
        event = delivery.event
        application = event.application_id
        if application is not None and application in blocked:
            continue
        if event.owner_id not in visible:  # the authority ended after the event
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = "authority ended"
            delivery.save(update_fields=["status", "last_error"])
            continue
        if delivery.next_attempt_at > now:
            blocked.add(application)
            continue
        started = time.monotonic()
        status_code, error = _post(subscription, event, http)
        DeliveryAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            report.delivered += 1
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            report.failed += 1
            _disable(subscription, delivery, now)
            report.disabled.append(subscription.pk)
            delivery.save()
            return
        else:
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
            blocked.add(application)
            report.failed += 1
        delivery.save()


def run_webhooks(*, now: datetime | None = None) -> dict[str, int]:
    """The whole job; idempotent, safe to run from several workers at once."""
    now = now or timezone.now()
    sequenced = sequence_all()
    fanned = fan_out(now=now)
    sent = send_due(now=now)
    return {
        "sequenced": sequenced,
        "deliveries_created": fanned,
        "delivered": sent.delivered,
        "failed_tries": sent.failed,
        "disabled": len(sent.disabled),
    }
