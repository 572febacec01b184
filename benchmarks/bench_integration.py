"""Throughput of the events feed and of webhook delivery.

    .venv/bin/python benchmarks/bench_integration.py            # 20,000 events, 2,000 deliveries
    .venv/bin/python benchmarks/bench_integration.py --quick    # 5,000 events, 500 deliveries

Runs on a temporary SQLite database built by the migrations (or on DATABASE_URL when it is set:
then the rows are added to that database). Events of 200 applicants who authorised one integration
client are bulk-inserted; the bench times (1) sequencing them into the feed, (2) a client reading
the whole feed through the API (Django test client, pages of 1,000, key authentication and
JSON rendering included), and (3) delivering webhooks, signed, one HTTP POST each, to a local
receiver on 127.0.0.1:8453 (http.server in a thread of this process). Prints events/s and
deliveries/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RECEIVER_PORT = 8453
APPLICANTS = 200


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    events_count, deliveries_count = (5000, 500) if args.quick else (20000, 2000)

    folder = tempfile.mkdtemp(prefix="bench-integration-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DEBUG"] = "1"
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from backend.events.models import Event, EventKind
    from backend.events.services import sequence_all
    from backend.users.models import User
    from integration import services, webhooks
    from integration.models import WebhookDelivery
    from tests.integration.receiver import Receiver

    call_command("migrate", verbosity=0)
    client = services.create_client(
        name=f"bench-{os.getpid()}",
        organisation="Bench",
        contact_email="bench@example.ru",
        rate_limit="1000000/min",
    )
    key = services.issue_key(client=client, scopes=["applications:read", "webhooks"]).raw
    applicant_group = Group.objects.get(name="applicant")
    owners = []
    for index in range(APPLICANTS):
        owner = User.objects.create_user(email=f"bench-{os.getpid()}-{index}@example.ru", password=None)
        owner.groups.add(applicant_group)
        services.grant_authority(
            client=client,
            applicant=owner,
            scopes=["applications:read"],
            valid_until=timezone.localdate() + timedelta(days=30),
            document="bench",
        )
        owners.append(owner)
    start_position = Event.objects.filter(position__isnull=False).count()
    Event.objects.bulk_create(
        Event(
            kind=EventKind.APPLICATION_STATE_CHANGED,
            application_id=100000 + index % 1000,
            owner_id=owners[index % APPLICANTS].pk,
            payload={"application": {"id": 100000 + index % 1000, "state": "submitted"}, "n": index},
        )
        for index in range(events_count)
    )
    print(
        f"({connection.vendor}; {events_count} events of {APPLICANTS} applicants; {deliveries_count} deliveries)"
    )

    started = time.perf_counter()
    sequenced = sequence_all()
    elapsed = time.perf_counter() - started
    print(f"{'sequencing into the feed':<40}{sequenced / elapsed:>12,.0f} events/s")

    browser = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    read = 0
    cursor = start_position
    started = time.perf_counter()
    while True:
        page = browser.get("/api/v1/events/", {"after": cursor, "limit": 1000}).json()
        read += len(page["events"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    elapsed = time.perf_counter() - started
    print(f"{'events feed read (API, pages of 1,000)':<40}{read / elapsed:>12,.0f} events/s")
    failed = int(read < events_count)

    receiver = Receiver(port=RECEIVER_PORT)
    receiver.start()
    try:
        webhooks.subscribe(client=client, url=receiver.url, event_kinds=[EventKind.MESSAGE_CREATED])
        Event.objects.bulk_create(
            Event(
                kind=EventKind.MESSAGE_CREATED,
                application_id=200000 + index % 500,
                owner_id=owners[index % APPLICANTS].pk,
                payload={"n": index},
            )
            for index in range(deliveries_count)
        )
        started = time.perf_counter()
        while webhooks.run_webhooks()["delivered"]:
            pass
        elapsed = time.perf_counter() - started
        delivered = WebhookDelivery.objects.filter(status="delivered").count()
        print(f"{'webhook delivery (local receiver)':<40}{delivered / elapsed:>12,.0f} deliveries/s")
        failed += int(delivered < deliveries_count or len(receiver.received) != deliveries_count)
    finally:
        receiver.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
