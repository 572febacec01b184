"""Concurrent submissions get distinct, consecutive numbers (PostgreSQL, real threads)."""

import threading

import pytest
from django.conf import settings
from django.db import connections

from connection import workflow_actions
from connection.models import ConnectionRequest
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import BranchFactory, TerritoryFactory

# Skipped at collection, not in a fixture: a transactional test that starts on SQLite would flush
# and restore the database around itself for nothing.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks are what this tests; run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]


def test_twenty_concurrent_submissions_get_twenty_consecutive_numbers():
    TerritoryFactory(branch=BranchFactory())
    drafts = [ConnectionRequestFactory(with_documents=True) for _ in range(20)]
    barrier = threading.Barrier(len(drafts))
    numbers, errors = [], []

    def submit(draft):
        try:
            barrier.wait()
            numbers.append(workflow_actions.submit(application=draft, user=draft.owner).number)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequence = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert sequence == list(range(1, 21))
    assert ConnectionRequest.objects.filter(state="submitted").count() == 20
