"""The installer's web page: people of the client's organisation see its applications, filter them
and export them; nobody else does."""

import csv
import io

import pytest
from django.test import Client

from connection.models import ConnectionRequest
from tests.backend.factories import UserFactory
from tests.integration.factories import authorise, client_with_key
from tests.workflow.helpers import application_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_browser():
    client, _raw = client_with_key(name="СолнцеМонтаж")
    member = UserFactory(role="applicant")
    client.members.add(member)
    submitted = application_in_state("submitted")
    offered = application_in_state("offer_issued")
    ConnectionRequest.objects.filter(pk=offered.pk).update(due_date="2026-01-10", acting_party="applicant")
    for application in (submitted, offered):
        authorise(client, application.owner)
    application_in_state("submitted")  # someone the client does not act for
    browser = Client()
    browser.force_login(member)
    return browser, submitted, offered


def test_member_sees_and_filters_the_applications(member_browser):
    browser, submitted, offered = member_browser
    page = browser.get("/agent/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-application=") == 2
    assert "Заявки, по которым мы действуем" in html
    filtered = browser.get("/agent/", {"state": "offer_issued"}).content.decode()
    assert f'data-application="{offered.pk}"' in filtered
    assert f'data-application="{submitted.pk}"' not in filtered


def test_bad_filter_answers_400_with_the_field_marked(member_browser):
    browser, *_rest = member_browser
    response = browser.get("/agent/", {"due_before": "вчера"})
    assert response.status_code == 400
    assert "has-error" in response.content.decode()


def test_csv_export_with_the_page_filters(member_browser):
    browser, _submitted, offered = member_browser
    response = browser.get("/agent/export.csv", {"overdue": "true"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert [int(row[0]) for row in rows[1:]] == [offered.pk]
    assert browser.get("/agent/export.jsonl").status_code == 200
    assert browser.get("/agent/export.xls").status_code == 404


def test_people_outside_the_organisation_are_refused(member_browser):
    outsider = Client()
    outsider.force_login(UserFactory(role="applicant"))
    assert outsider.get("/agent/").status_code == 403
    assert outsider.get("/agent/export.csv").status_code == 403
    assert Client().get("/agent/").status_code == 302
