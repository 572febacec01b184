"""The list endpoint runs a fixed number of queries, whatever the number of applications."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ApplicantFactory, ConnectionRequestFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


def count_list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/connection-requests/", {"page_size": 100})
    assert response.status_code == 200
    return len(captured), response.json()["count"]


def test_list_queries_do_not_grow_with_rows(make_client, settings):
    settings.WORKFLOW_CALENDAR_RECHECK_SECONDS = 3600  # no calendar re-check in the middle of the count
    applicant = ApplicantFactory()
    client = make_client(applicant.owner)
    ConnectionRequestFactory(applicant=applicant)
    # Warm the per-process caches (the user's roles, the rulebook, the calendar) once.
    client.get("/api/v1/connection-requests/")
    one, count = count_list_queries(client)
    assert count == 1
    ConnectionRequestFactory.create_batch(49, applicant=applicant)
    fifty, count = count_list_queries(client)
    assert count == 50
    assert fifty == one
    assert one <= MAX_QUERIES
