"""Recording events (by domain services, inside their transaction) and giving them their place in
the feed (after commit, one sequencer at a time)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.dispatch import Signal

from backend.acting import acting_via
from backend.events.models import Event, EventKind

#: Sent after the commit of a transaction that recorded events, with `events` (their ids).
events_committed = Signal()

#: The PostgreSQL advisory lock held by the sequencer (an arbitrary constant of this project).
SEQUENCER_LOCK = 7_104_015_001
#: Events given positions by one sequencer pass at most; the next pass takes the rest.
SEQUENCE_BATCH = 1000


def record_event(
    *,
    kind: EventKind | str,
    application=None,
    payload: dict[str, Any] | None = None,
    actor=None,
) -> Event:
    """Write an event in the caller's transaction; it is published when that transaction commits.

    `application` is any model with `pk`, `owner_id`, `number` and `state` (the workflow's
    application model); `actor` the user who caused it (None: the portal itself)."""
    body: dict[str, Any] = {}
    if application is not None:
        body["application"] = {
            "id": application.pk,
            "number": application.number or None,
            "state": application.state,
        }
    body.update(payload or {})
    actor_id = getattr(actor, "pk", None) if actor is not None and actor.is_authenticated else None
    event = Event.objects.create(
        kind=str(kind),
        application_id=application.pk if application is not None else None,
        owner_id=application.owner_id if application is not None else None,
        actor_id=actor_id,
        via=acting_via(actor),
        payload=body,
    )
    transaction.on_commit(lambda: events_committed.send_robust(sender=Event, events=[event.pk]), robust=True)
    return event


def sequence_pending(*, wait: bool = True, batch: int = SEQUENCE_BATCH) -> int:
    """Give the committed events without a position the next positions, in id order; returns how
    many. `wait=False` returns 0 at once when another sequencer is at work (it will do it)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if wait:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
                else:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
                    if not cursor.fetchone()[0]:
                        return 0
        pending = list(
            Event.objects.filter(position__isnull=True).order_by("id").values_list("id", flat=True)[:batch]
        )
        if not pending:
            return 0
        last = Event.objects.aggregate(last=Max("position"))["last"] or 0
        table = connection.ops.quote_name(Event._meta.db_table)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # One statement run for many rows: a CASE over a thousand ids is quadratic on SQLite.
                cursor.executemany(
                    f"UPDATE {table} SET position = %s WHERE id = %s",  # noqa: S608 - the model's table
                    [(last + offset, pk) for offset, pk in enumerate(pending, 1)],
                )
        except IntegrityError:  # SQLite only: a concurrent sequencer took these positions first
            return 0
    return len(pending)


def sequence_all() -> int:
    """Sequence until nothing is pending (the periodic job)."""
    total = 0
    while count := sequence_pending():
        total += count
    return total
