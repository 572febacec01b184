"""On PostgreSQL with a real Celery worker on Redis: a receiver on 127.0.0.1 that is down, then
back, gets every event exactly once and in order per application (after deduplication by id); a
broker that is gone while events are committed loses none of them (the periodic scan finds them)."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.celery import app as celery_app
from backend.events.models import Event, EventKind
from backend.events.services import record_event
from integration import webhooks
from integration.models import DeliveryAttempt, WebhookDelivery
from tests.integration.factories import authorise, client_with_key
from tests.integration.receiver import Receiver
from tests.workflow.helpers import application_in_state

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]
BROKER = "redis://127.0.0.1:6379/8"  # this developer's Redis database
DEAD_BROKER = "redis://127.0.0.1:8452/0"  # nothing listens there: a broker that is down


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@contextmanager
def publishing_to(url: str):
    """This process publishes its tasks to `url` instead of running them in-process."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        conf.broker_url, conf.task_always_eager = saved


def wait_until(condition, *, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def commit_events(application, count: int) -> list[Event]:
    events = []
    for n in range(count):
        with transaction.atomic():
            events.append(
                record_event(kind=EventKind.MESSAGE_CREATED, application=application, payload={"n": n})
            )
    return events


@pytest.fixture
def worker():
    if not _redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "1",
        "CELERY_BROKER_URL": BROKER,
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    subprocess.run(  # nothing left over from an earlier run
        [sys.executable, "-m", "celery", "-A", "backend", "purge", "-f"],
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
        capture_output=True,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.communicate(timeout=30)


def test_receiver_down_then_back_and_a_broker_outage_lose_nothing(worker):
    receiver = Receiver()
    client, _raw = client_with_key()
    applications = [application_in_state("submitted") for _ in range(3)]
    for application in applications:
        authorise(client, application.owner)
    webhooks.subscribe(client=client, url=receiver.url, event_kinds=list(EventKind.values))
    try:
        with publishing_to(BROKER):
            events = [event for application in applications for event in commit_events(application, 3)]
            # The worker tried the head of each application's queue; the receiver is down.
            wait_until(lambda: DeliveryAttempt.objects.count() >= 3, what="failed tries")
            assert not WebhookDelivery.objects.filter(status="delivered").exists()

        with publishing_to(DEAD_BROKER):  # committed while the broker is gone: nothing queued
            events += commit_events(applications[0], 2) + commit_events(applications[2], 1)
        # Nothing was queued for these; only the scan (or a run already under way) finds them.

        receiver.start()
        # The back-off has run out (here: by moving the due times), and the beat's periodic scan runs.
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        with publishing_to(BROKER):
            celery_app.send_task("integration.tasks.deliver_webhooks")
            wait_until(
                lambda: WebhookDelivery.objects.filter(status="delivered").count() == len(events),
                what="every delivery",
            )
    finally:
        receiver.stop()

    arrived = receiver.unique_events()
    assert sorted(event["id"] for event in arrived) == sorted(event.pk for event in events)
    assert len(receiver.received) == len(events)
    for application in applications:
        got = [event["id"] for event in arrived if event["application_id"] == application.pk]
        assert got == [event.pk for event in events if event.application_id == application.pk]
