"""The installer's view: the applications of the applicants the client acts for, filters, exports."""

import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from connection.models import ConnectionRequest
from integration import services
from tests.integration.factories import authorise, client_with_key, headers
from tests.workflow.helpers import application_in_state

pytestmark = pytest.mark.django_db
URL = "/api/v1/integration/applications/"


@pytest.fixture
def world():
    client, raw = client_with_key()
    submitted = application_in_state("submitted")
    offered = application_in_state("offer_issued")
    ConnectionRequest.objects.filter(pk=offered.pk).update(due_date="2026-01-10", acting_party="applicant")
    revoked = application_in_state("submitted")
    stranger = application_in_state("submitted")
    for application in (submitted, offered, revoked):
        authorise(client, application.owner)
    services.revoke_authority(authority=revoked.owner.integration_authorities.get())
    return raw, submitted, offered, stranger


def test_lists_only_applications_of_applicants_with_live_authority(world):
    raw, submitted, offered, _stranger = world
    body = APIClient().get(URL, **headers(raw)).json()
    assert body["count"] == 2
    assert {item["id"] for item in body["results"]} == {submitted.pk, offered.pk}
    item = next(item for item in body["results"] if item["id"] == offered.pk)
    assert item["state"] == "offer_issued" and item["acting_party"] == "applicant"
    assert item["due_date"] == "2026-01-10" and item["overdue"] is True
    assert item["applicant_email"] == offered.owner.email


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "offer_issued"}, ["offered"]),
        ({"state": ["offer_issued", "submitted"]}, ["offered", "submitted"]),
        ({"acting_party": "applicant"}, ["offered"]),
        ({"overdue": "true"}, ["offered"]),
        ({"due_before": "2026-02-01"}, ["offered"]),
    ],
)
def test_filters(world, query, expected):
    raw, submitted, offered, _stranger = world
    names = {submitted.pk: "submitted", offered.pk: "offered"}
    body = APIClient().get(URL, query, **headers(raw)).json()
    assert sorted(names[item["id"]] for item in body["results"]) == sorted(expected)


@pytest.mark.parametrize(
    "query", [{"state": "nope"}, {"overdue": "null"}, {"due_before": "tomorrow"}, {"export": "xls"}]
)
def test_bad_filters_answer_400(world, query):
    raw, *_rest = world
    response = APIClient().get(URL, query, **headers(raw))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].split(".")[0] in query


def test_csv_export_opens_in_excel(world):
    raw, submitted, offered, _stranger = world
    response = APIClient().get(URL, {"export": "csv"}, **headers(raw))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][0] == "Идентификатор" and len(rows) == 3
    assert {int(row[0]) for row in rows[1:]} == {submitted.pk, offered.pk}


def test_jsonl_export(world):
    raw, submitted, offered, _stranger = world
    response = APIClient().get(URL, {"export": "jsonl"}, **headers(raw))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert {json.loads(line)["id"] for line in lines} == {submitted.pk, offered.pk}


def test_needs_a_client_key(applicant, make_client):
    assert make_client(applicant).get(URL).status_code == 403
