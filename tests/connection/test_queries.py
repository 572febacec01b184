"""Each endpoint of the throughput benchmark runs a fixed number of queries, whatever the number of
applications, candidates, documents, stages or history entries (counted, not timed)."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.users.services import issue_token
from connection.models import Document, DocumentVersion
from grid import index_cache
from tests.backend.factories import UserFactory
from tests.connection.factories import ApplicantFactory, ConnectionRequestFactory
from tests.grid.factories import point
from tests.workflow.helpers import application_in_state
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8
DETAIL_QUERIES = 4  # the token with its user, its roles, the application with its relations, its stages
NEAREST_QUERIES = 4  # the rulebook in force, the territories' stamp, the assets' stamp, the candidates' rows
# The token, its roles, the engineer's branches, whether they own applications, the count, the page,
# the stages of the page.
LIST_QUERIES = 7


@pytest.fixture(autouse=True)
def _steady_caches(settings):
    settings.WORKFLOW_CALENDAR_RECHECK_SECONDS = 3600  # no calendar re-check in the middle of a count
    index_cache.clear_cache()
    yield
    index_cache.clear_cache()


def token_client(user) -> APIClient:
    """Authenticated as API clients are, by a token: its lookup is part of every count."""
    _token, raw = issue_token(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def add_documents(application, number: int) -> None:
    """Documents with a version each, added to an application already past the draft."""
    for index in range(number):
        document = Document.objects.create(request=application, doc_type="other")
        DocumentVersion.objects.create(
            document=document,
            version=1,
            file=f"documents/test/{application.pk}-{index}.pdf",
            original_name="scan.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=application.owner,
        )


def count(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 300, response.content
    return len(captured)


def count_list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/connection-requests/", {"page_size": 100})
    assert response.status_code == 200
    return len(captured), response.json()["count"]


def test_list_queries_do_not_grow_with_rows(make_client):
    applicant = ApplicantFactory()
    client = make_client(applicant.owner)
    ConnectionRequestFactory(applicant=applicant)
    # Warm the per-process caches (the user's roles, the rulebook, the calendar) once.
    client.get("/api/v1/connection-requests/")
    one, count_ = count_list_queries(client)
    assert count_ == 1
    ConnectionRequestFactory.create_batch(49, applicant=applicant)
    fifty, count_ = count_list_queries(client)
    assert count_ == 50
    assert fifty == one
    assert one <= MAX_QUERIES


def test_engineer_list_by_token_does_not_grow_with_rows(branch):
    engineer = UserFactory(role="engineer")
    engineer.branches.add(branch)
    client = token_client(engineer)
    url = "/api/v1/connection-requests/?page_size=20"
    application_in_state("submitted", branch=branch)
    client.get(url)  # warm-up (and the token's first-use stamp)
    few = count(lambda: client.get(url))
    for _ in range(25):
        application_in_state("submitted", branch=branch)
    many = count(lambda: client.get(url))
    assert client.get(url).json()["count"] == 26
    assert few == many == LIST_QUERIES


def test_detail_does_not_grow_with_documents_stages_or_history(branch):
    applicant = ApplicantFactory()
    client = token_client(applicant.owner)
    plain = application_in_state("under_review", branch=branch, applicant=applicant)
    rich = application_in_state("under_review", branch=branch, applicant=applicant)
    add_documents(rich, 5)
    for position in range(2, 6):
        rich.stages.create(position=position, planned_date="2027-07-01", power_kw=Decimal("1"))
    TransitionLog.objects.bulk_create(
        TransitionLog(application=rich, transition="submit", from_state="draft", to_state="submitted")
        for _ in range(30)
    )
    client.get(f"/api/v1/connection-requests/{plain.pk}/")  # warm-up
    few = count(lambda: client.get(f"/api/v1/connection-requests/{plain.pk}/"))
    many = count(lambda: client.get(f"/api/v1/connection-requests/{rich.pk}/"))
    assert len(client.get(f"/api/v1/connection-requests/{rich.pk}/").json()["stages"]) == 5
    assert few == many == DETAIL_QUERIES


def test_nearest_does_not_grow_with_candidates(api_client, branch):
    url = "/api/v1/connection-points/nearest/"
    query = {"lat": "45.0", "lon": "42.0", "power_kw": "15", "voltage_kv": "0.4"}
    point("45.001000", "42.000000", installed_kw="100")
    api_client.get(url, query)  # builds the index
    few = count(lambda: api_client.get(url, query))
    for index in range(40):
        point(f"45.{2000 + index * 50:06d}", "42.000000", installed_kw="400")
    api_client.get(url, query)  # the index is rebuilt for the new data version
    many = count(lambda: api_client.get(url, query))
    assert len(api_client.get(url, query).json()["candidates"]) == 5
    assert few == many == NEAREST_QUERIES


def test_calculator_runs_no_query_whatever_the_devices(api_client):
    def calculate(devices: int):
        body = {"devices": [{"device_type": "kettle", "quantity": 1} for _ in range(devices)]}
        return api_client.post(
            "/api/v1/load-calculations/", json.dumps(body), content_type="application/json"
        )

    calculate(1)
    assert count(lambda: calculate(1)) == count(lambda: calculate(40)) == 0


def test_transition_does_not_grow_with_documents_or_history(branch):
    engineer = UserFactory(role="engineer")
    engineer.branches.add(branch)
    client = token_client(engineer)
    first, plain, rich = (application_in_state("submitted", branch=branch) for _ in range(3))
    add_documents(rich, 5)
    TransitionLog.objects.bulk_create(
        TransitionLog(
            application=rich, transition="request_info", from_state="submitted", to_state="needs_info"
        )
        for _ in range(30)
    )

    def accept(application):
        return lambda: client.post(
            f"/api/v1/connection-requests/{application.pk}/transitions/accept/",
            {"comment": ""},
            format="json",
        )

    accept(first)()  # warm-up
    assert count(accept(plain)) == count(accept(rich))
