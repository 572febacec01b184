"""On PostgreSQL: two transactions commit out of id order while a client polls; the feed skips
nothing (a cursor on ids would)."""

import threading

import pytest
from django.conf import settings
from django.db import connections, transaction
from rest_framework.test import APIClient

from backend.events.models import Event, EventKind
from backend.events.services import record_event, sequence_pending
from tests.integration.factories import authorise, client_with_key, headers
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
FEED = "/api/v1/events/"


def test_a_transaction_committing_after_a_later_one_is_not_skipped():
    client, key = client_with_key()
    first_app = application_in_state("draft")
    second_app = application_in_state("draft", applicant__owner=first_app.owner)
    authorise(client, first_app.owner)
    recorded = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def slow_transaction():
        try:
            with transaction.atomic():
                record_event(kind=EventKind.MESSAGE_CREATED, application=first_app, payload={"n": "slow"})
                recorded.set()
                assert release.wait(timeout=30)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            recorded.set()
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_transaction)
    slow.start()
    assert recorded.wait(timeout=30)
    with transaction.atomic():  # commits first, with the higher id
        fast = record_event(kind=EventKind.MESSAGE_CREATED, application=second_app, payload={"n": "fast"})
    slow_id = Event.objects.exclude(pk=fast.pk).values_list("pk", flat=True).first()
    assert slow_id is None  # not committed yet: invisible to this connection

    api = APIClient()
    page = api.get(FEED, **headers(key)).json()
    assert [event["payload"]["n"] for event in page["events"]] == ["fast"]
    cursor = page["next_cursor"]

    release.set()
    slow.join(timeout=30)
    assert not errors, errors
    slow_event = Event.objects.get(payload__n="slow")
    assert slow_event.pk < fast.pk  # the id order differs from the commit order
    # Paging by id after the event read would lose the late commit:
    assert not Event.objects.filter(pk__gt=fast.pk).exists()

    page = api.get(FEED, {"after": cursor}, **headers(key)).json()
    assert [event["payload"]["n"] for event in page["events"]] == ["slow"]
    assert page["events"][0]["id"] == slow_event.pk
    assert api.get(FEED, {"after": page["next_cursor"]}, **headers(key)).json()["events"] == []


def test_concurrent_writers_and_sequencers_give_each_event_one_position():
    application = application_in_state("draft")
    barrier = threading.Barrier(8)

    def write_and_sequence():
        try:
            barrier.wait()
            for _ in range(25):
                with transaction.atomic():
                    record_event(kind=EventKind.MESSAGE_CREATED, application=application)
                sequence_pending()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write_and_sequence) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sequence_pending()
    positions = sorted(Event.objects.values_list("position", flat=True))
    assert positions == list(range(1, 201))
