"""The scale data set (benchmarks/scale_data.py) is consistent: every application's history leads
to its state, numbers are unique, the long-history application is there. PostgreSQL only (COPY)."""

import argparse
import itertools
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Sum

from benchmarks import scale_data
from connection.figures import STEP_STATES
from connection.models import ConnectionRequest, DailyFlow, Document, Message, StepExit
from workflow.models import TransitionLog
from workflow.states import State

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY: PostgreSQL only"),
]


def test_a_small_set_is_consistent():
    args = argparse.Namespace(
        applications=400, branches=5, history_per_application=10.0, messages_per_application=2
    )
    counts = scale_data.build(args)

    applications = dict(ConnectionRequest.objects.values_list("pk", "state"))
    assert counts["applications"] == len(applications) == 400
    roads = defaultdict(list)
    for application_id, source, target in TransitionLog.objects.order_by("id").values_list(
        "application_id", "from_state", "to_state"
    ):
        roads[application_id].append((source, target))
    for application_id, state in applications.items():
        road = roads.get(application_id, [])
        if state == State.DRAFT:
            assert road == []
            continue
        assert road[0][0] == State.DRAFT
        assert road[-1][1] == state, (application_id, road)
        assert all(before[1] == after[0] for before, after in itertools.pairwise(road))
    assert max(len(road) for road in roads.values()) == scale_data.LONG_HISTORY_ROWS
    assert 8 <= counts["history"] / len(applications) <= 13
    numbers = [number for number in ConnectionRequest.objects.values_list("number", flat=True) if number]
    assert len(numbers) == len(set(numbers))
    assert Document.objects.count() == 3 * len(applications)
    assert Message.objects.filter(request__state=State.DRAFT).count() == 0
    assert ConnectionRequest.objects.values("branch").distinct().count() == 5
    # The dashboard's counters were made from this history.
    received = DailyFlow.objects.aggregate(total=Sum("received"))["total"]
    assert received == ConnectionRequest.objects.filter(submitted_at__isnull=False).count()
    exits = StepExit.objects.aggregate(total=Sum("finished"))["total"]
    assert exits == TransitionLog.objects.filter(from_state__in=STEP_STATES).count()
    # The identity sequences follow the copied ids: the ORM can add rows after the set.
    assert ConnectionRequest.objects.create(
        owner_id=ConnectionRequest.objects.first().owner_id, object_name="x", object_address="y"
    ).pk > max(applications)
