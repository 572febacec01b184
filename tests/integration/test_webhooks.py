"""Webhooks against a real HTTP receiver on 127.0.0.1: signature (checked with the recipe of the
integrators' guide), down then back, back-off, per-application order, the log, redelivery,
disabling after persistent failure with a notice, the subscription API."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.events.models import Event, EventKind
from backend.events.services import record_event
from integration import services, webhooks
from integration.models import DeliveryAttempt, WebhookDelivery, WebhookSubscription
from tests.integration.factories import authorise, client_with_key, headers
from tests.integration.receiver import Receiver
from tests.workflow.helpers import application_in_state
from workflow.models import OutboxEmail

pytestmark = pytest.mark.django_db
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integration.md"
ALL_KINDS = list(EventKind.values)


def documented_verifier():
    """The Python recipe of the integrators' guide, run as written."""
    code = re.search(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL).group(1)
    namespace: dict = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_portal_signature"]


@pytest.fixture(autouse=True)
def _private_receivers(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def world(receiver):
    client, raw = client_with_key()
    applications = [application_in_state("submitted") for _ in range(2)]
    for application in applications:
        authorise(client, application.owner)
    subscription = webhooks.subscribe(client=client, url=receiver.url, event_kinds=ALL_KINDS)
    return client, raw, applications, subscription


def happen(application, count: int = 1) -> list[Event]:
    return [
        record_event(kind=EventKind.MESSAGE_CREATED, application=application, payload={"n": n})
        for n in range(count)
    ]


def test_a_signed_delivery_that_the_documented_recipe_verifies(world, receiver):
    _client, _raw, (application, _other), subscription = world
    receiver.start()
    (event,) = happen(application)
    report = webhooks.run_webhooks()
    assert report["delivered"] == 1
    (item,) = receiver.received
    assert item["headers"]["Portal-Event-Id"] == str(event.pk)
    assert item["event"]["id"] == event.pk and item["event"]["kind"] == "message.created"
    verify = documented_verifier()
    assert verify(subscription.secret, item["headers"]["Portal-Signature"], item["body"])
    assert not verify(subscription.secret, item["headers"]["Portal-Signature"], item["body"] + b" ")
    assert not verify("another-secret", item["headers"]["Portal-Signature"], item["body"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.last_status_code == 204


def test_down_then_back_every_event_once_in_order_per_application(world, receiver):
    _client, _raw, (first, second), _subscription = world
    now = timezone.now()
    events = happen(first, 3) + happen(second, 2) + happen(first, 2)
    report = webhooks.run_webhooks(now=now)  # the receiver is down: connection refused
    assert report["delivered"] == 0
    assert DeliveryAttempt.objects.count() == 2  # the head of each application's queue was tried
    assert all(attempt.status_code is None and attempt.error for attempt in DeliveryAttempt.objects.all())

    assert webhooks.run_webhooks(now=now + timedelta(seconds=30))["delivered"] == 0  # backing off
    receiver.start()
    later = now + webhooks.BACKOFF[0]
    assert webhooks.run_webhooks(now=later)["delivered"] == len(events)
    arrived = receiver.unique_events()
    assert sorted(event["id"] for event in arrived) == sorted(event.pk for event in events)
    assert len(receiver.received) == len(events)  # exactly once
    for application in (first, second):
        ids = [event["id"] for event in arrived if event["application_id"] == application.pk]
        assert ids == [event.pk for event in events if event.application_id == application.pk]
    assert webhooks.run_webhooks(now=later)["delivered"] == 0


def test_backoff_spans_eight_tries_over_a_day_then_disables_and_tells_the_contact(world, receiver):
    _client, _raw, (application, _other), subscription = world
    receiver.answer = 500
    receiver.start()
    happen(application)
    moment = timezone.now()
    for attempt in range(webhooks.MAX_ATTEMPTS):
        webhooks.run_webhooks(now=moment)
        if attempt < len(webhooks.BACKOFF):
            moment += webhooks.BACKOFF[attempt]
    assert len(receiver.received) == 8
    assert sum(webhooks.BACKOFF, timedelta()) == timedelta(hours=24)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 8
    assert list(delivery.log.values_list("status_code", flat=True)) == [500] * 8
    subscription.refresh_from_db()
    assert subscription.is_active is False and subscription.disabled_at is not None
    notice = OutboxEmail.objects.get(to="it@installer.example")
    assert receiver.url in notice.subject
    # Disabled: later events make no deliveries.
    happen(application)
    webhooks.run_webhooks(now=moment + timedelta(days=1))
    assert WebhookDelivery.objects.count() == 1


def test_events_of_applicants_without_authority_are_not_delivered(world, receiver):
    client, _raw, (application, _other), _subscription = world
    stranger = application_in_state("submitted")
    receiver.start()
    happen(stranger)
    services.revoke_authority(authority=application.owner.integration_authorities.get(client=client))
    happen(application)
    webhooks.run_webhooks()
    assert receiver.received == []


def test_only_subscribed_kinds_are_delivered(receiver):
    client, _raw = client_with_key()
    application = application_in_state("submitted")
    authorise(client, application.owner)
    webhooks.subscribe(client=client, url=receiver.url, event_kinds=["document.issued"])
    receiver.start()
    happen(application)
    record_event(kind=EventKind.DOCUMENT_ISSUED, application=application, payload={"document": {}})
    webhooks.run_webhooks()
    assert [item["event"]["kind"] for item in receiver.received] == ["document.issued"]


def test_subscription_api_log_and_redelivery(receiver):
    client, raw = client_with_key()
    application = application_in_state("submitted")
    authorise(client, application.owner)
    api = APIClient()
    created = api.post(
        "/api/v1/integration/webhooks/",
        {"url": receiver.url, "event_kinds": ["message.created"]},
        format="json",
        **headers(raw),
    )
    assert created.status_code == 201, created.content
    assert len(created.json()["secret"]) == 64
    listed = api.get("/api/v1/integration/webhooks/", **headers(raw)).json()
    assert "secret" not in listed["results"][0]
    receiver.start()
    happen(application)
    webhooks.run_webhooks()
    deliveries = api.get("/api/v1/integration/deliveries/", **headers(raw)).json()["results"]
    assert deliveries[0]["status"] == "delivered"
    assert deliveries[0]["log"][0]["status_code"] == 204
    again = api.post(f"/api/v1/integration/deliveries/{deliveries[0]['id']}/redeliver/", **headers(raw))
    assert again.status_code == 200 and again.json()["status"] == "pending"
    webhooks.run_webhooks()
    assert len(receiver.received) == 2
    assert receiver.received[0]["event"]["id"] == receiver.received[1]["event"]["id"]

    _other, other_raw = client_with_key(name="Чужой")
    assert (
        api.get(f"/api/v1/integration/deliveries/{deliveries[0]['id']}/", **headers(other_raw)).status_code
        == 404
    )
    assert api.get("/api/v1/integration/webhooks/", **headers(other_raw)).json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.ru/x", "event_kinds": ["message.created"]}, "url"),
        ({"url": "https://example.ru/x", "event_kinds": []}, "event_kinds"),
        ({"url": "https://example.ru/x", "event_kinds": ["nothing"]}, "event_kinds.0"),
    ],
)
def test_bad_subscriptions_are_refused(body, field):
    _client, raw = client_with_key()
    response = APIClient().post("/api/v1/integration/webhooks/", body, format="json", **headers(raw))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not WebhookSubscription.objects.exists()


def test_private_addresses_are_refused_in_production(settings, receiver):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client, _raw = client_with_key()
    application = application_in_state("submitted")
    authorise(client, application.owner)
    subscription = webhooks.subscribe(client=client, url="https://localhost:8451/hook", event_kinds=ALL_KINDS)
    happen(application)
    webhooks.run_webhooks()
    assert WebhookDelivery.objects.get(subscription=subscription).last_error == "address not allowed"
