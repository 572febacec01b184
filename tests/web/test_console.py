"""The engineers' console: who may open it, what each role sees, filters, search, ordering,
overdue rows, counts per state, the take / assign buttons, and a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from connection.models import ConnectionRequest
from tests.backend.factories import DEFAULT_PASSWORD, UserFactory
from tests.connection.factories import ApplicantFactory, ConnectionRequestFactory, LegalEntityFactory
from tests.grid.factories import BranchFactory
from workflow import calendar
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
URL = "/console/"
API_URL = "/api/v1/connection-requests/"
_numbers = iter(range(1, 10**6))


def client_for(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def queued(branch, *, state="submitted", due=None, number=None, **fields) -> ConnectionRequest:
    """A submitted application of `branch` in `state` with the given due date (None: no deadline)."""
    application = ConnectionRequestFactory(**fields)
    ConnectionRequest.objects.filter(pk=application.pk).update(
        state=state,
        branch=branch,
        number=number or f"ТП-2026-{next(_numbers):05d}",
        submitted_at=timezone.now(),
        due_date=due,
        acting_party="grid",
    )
    return ConnectionRequest.objects.get(pk=application.pk)


def numbers(response) -> list[str]:
    return [item.number for item in response.context["items"]]


@pytest.fixture
def north():
    return BranchFactory(code="north", name="Северный РЭС")


@pytest.fixture
def south():
    return BranchFactory(code="south", name="Южный РЭС")


@pytest.fixture
def engineer(north):
    return UserFactory(role="engineer", branches=[north], last_name="Сидоров", first_name="Семён")


@pytest.fixture
def colleague(north):
    return UserFactory(role="engineer", branches=[north], last_name="Кузнецов", first_name="Кирилл")


@pytest.fixture
def today():
    return timezone.localdate()


def test_anonymous_is_sent_to_login():
    response = Client(**EN).get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_applicant_is_refused():
    response = client_for(UserFactory(role="applicant")).get(URL)
    assert response.status_code == 403


def test_console_link_only_for_staff(engineer):
    assert b'id="console-link"' in client_for(engineer).get("/about/").content
    assert b'id="console-link"' not in client_for(UserFactory(role="applicant")).get("/about/").content


def test_engineer_sees_only_own_branches_and_no_drafts(engineer, north, south, today):
    mine = queued(north, due=today)
    queued(south, due=today)
    draft = ConnectionRequestFactory()
    ConnectionRequest.objects.filter(pk=draft.pk).update(branch=north)
    response = client_for(engineer).get(URL)
    assert response.status_code == 200
    assert numbers(response) == [mine.number]
    assert "branch" not in response.context["form"].fields


def test_supervisor_sees_all_branches_and_filters_by_branch(north, south, today):
    first = queued(north, due=today)
    second = queued(south, due=today)
    client = client_for(UserFactory(role="supervisor"))
    assert set(numbers(client.get(URL))) == {first.number, second.number}
    assert numbers(client.get(URL, {"branch": south.pk})) == [second.number]


def test_ordered_by_due_date_nulls_last_then_number(engineer, north, today):
    late = queued(north, due=today + datetime.timedelta(days=20), number="ТП-2026-00003")
    none = queued(north, due=None, number="ТП-2026-00001")
    soon_b = queued(north, due=today + datetime.timedelta(days=2), number="ТП-2026-00005")
    soon_a = queued(north, due=today + datetime.timedelta(days=2), number="ТП-2026-00004")
    response = client_for(engineer).get(URL)
    assert numbers(response) == [soon_a.number, soon_b.number, late.number, none.number]


def test_overdue_rows_stand_out_and_filter(engineer, north, today):
    overdue = queued(north, due=today - datetime.timedelta(days=3))
    on_time = queued(north, due=today + datetime.timedelta(days=3))
    client = client_for(engineer)
    response = client.get(URL)
    html = response.content.decode()
    row = html.split(f'id="row-{overdue.pk}"')[1].split("</tr>")[0]
    assert 'class="overdue"' in html.split(f'id="row-{overdue.pk}"')[0].rsplit("<tr", 1)[1]
    assert "overdue" in row  # the text, not only the colour
    other = html.split(f'id="row-{on_time.pk}"')[0].rsplit("<tr", 1)[1]
    assert "overdue" not in other
    assert response.context["overdue_total"] == 1
    assert numbers(client.get(URL, {"overdue": "on"})) == [overdue.number]


def test_due_within_working_days(engineer, north, today):
    limit = calendar.add_working_days(today, 5)
    inside = queued(north, due=limit)
    queued(north, due=limit + datetime.timedelta(days=1))
    assert numbers(client_for(engineer).get(URL, {"due_within": 5})) == [inside.number]


def test_state_kind_and_assignment_filters(engineer, colleague, north, today):
    submitted = queued(north, due=today)
    review = queued(north, state="under_review", due=today)
    offer = queued(north, state="offer_issued", due=today, kind="temporary", temporary_term_months=6)
    ConnectionRequest.objects.filter(pk=review.pk).update(assigned_to=engineer)
    ConnectionRequest.objects.filter(pk=offer.pk).update(assigned_to=colleague)
    client = client_for(engineer)
    assert set(numbers(client.get(URL, {"state": ["submitted", "under_review"]}))) == {
        submitted.number,
        review.number,
    }
    assert numbers(client.get(URL, {"kind": "temporary"})) == [offer.number]
    assert numbers(client.get(URL, {"assigned": "me"})) == [review.number]
    assert numbers(client.get(URL, {"assigned": "none"})) == [submitted.number]


def test_search_by_number_name_and_inn(engineer, north, today):
    person = queued(north, due=today, number="ТП-2026-04711")
    company = queued(north, due=today, applicant=LegalEntityFactory(organisation_name="ООО Ромашка"))
    client = client_for(engineer)
    assert numbers(client.get(URL, {"q": "04711"})) == [person.number]
    assert numbers(client.get(URL, {"q": "Ромашка"})) == [company.number]
    assert numbers(client.get(URL, {"q": company.applicant.inn})) == [company.number]
    assert numbers(client.get(URL, {"q": "Петров"})) == [person.number]


def test_search_and_filters_find_what_the_api_list_finds(engineer, north, today):
    """One filter set: the console's search, state and kind give the API list's answer."""
    person = queued(north, due=today, applicant=ApplicantFactory(last_name="Петров", first_name="Пётр"))
    queued(north, due=today, applicant=ApplicantFactory(last_name="Петров", first_name="Павел"))
    queued(
        north,
        state="under_review",
        due=today,
        kind="temporary",
        temporary_term_months=6,
        applicant=LegalEntityFactory(),
    )
    console, api = client_for(engineer), APIClient()
    api.force_authenticate(engineer)
    for console_query, api_query in (
        ({"q": "Петров Пётр"}, {"search": "Петров Пётр"}),
        ({"state": "under_review", "kind": "temporary"}, {"state": "under_review", "kind": "temporary"}),
    ):
        listed = api.get(API_URL, api_query).json()["results"]
        assert sorted(numbers(console.get(URL, console_query))) == sorted(row["number"] for row in listed)
    assert numbers(console.get(URL, {"q": "Петров Пётр"})) == [person.number]


def test_counts_per_state(engineer, north, today):
    queued(north, due=today)
    queued(north, due=today)
    queued(north, state="under_review", due=today)
    response = client_for(engineer).get(URL, {"state": "under_review"})
    counts = {item["state"]: item["count"] for item in response.context["counts"]}
    assert counts == {"submitted": 2, "under_review": 1}
    assert response.context["total"] == 3
    assert len(response.context["items"]) == 1


def test_paginated_by_50(engineer, north, today):
    applicant = ApplicantFactory()
    for _ in range(51):
        queued(north, due=today, applicant=applicant)
    client = client_for(engineer)
    assert len(client.get(URL).context["items"]) == 50
    assert len(client.get(URL, {"page": 2}).context["items"]) == 1


def count_queries(client) -> int:
    """Queries of one render, counted at the cursor (the test client's request_started signal
    resets connection.queries, which would blind CaptureQueriesContext)."""
    executed = []

    def counter(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        response = client.get(URL)
    assert response.status_code == 200
    return len(executed)


def test_constant_queries_for_1_and_30_rows(engineer, colleague, north, today, settings):
    settings.WORKFLOW_CALENDAR_RECHECK_SECONDS = 3600
    client = client_for(engineer)
    applicant = ApplicantFactory()
    first = queued(north, due=today, applicant=applicant)
    ConnectionRequest.objects.filter(pk=first.pk).update(assigned_to=colleague)
    client.get(URL)  # warm the per-process caches
    one = count_queries(client)
    for index in range(29):
        application = queued(north, due=today + datetime.timedelta(days=index - 10), applicant=applicant)
        if index % 2:
            ConnectionRequest.objects.filter(pk=application.pk).update(assigned_to=engineer)
    thirty = count_queries(client)
    assert len(client.get(URL).context["items"]) == 30
    assert 5 <= one == thirty <= 12


def test_take_into_work_from_console(engineer, north, today):
    application = queued(north, due=today)
    client = client_for(engineer)
    response = client.post(f"/applications/{application.pk}/take/", {"next": URL})
    assert response.status_code == 302 and response["Location"] == URL
    application.refresh_from_db()
    assert application.assigned_to == engineer
    entry = TransitionLog.objects.get(application=application)
    assert entry.transition == "take_into_work"
    page = client.get(URL).content.decode()
    assert "Сидоров" in page


def test_assign_from_application_page(engineer, colleague, north, today):
    application = queued(north, due=today)
    client = client_for(engineer)
    page = client.get(f"/console/applications/{application.pk}/").content.decode()
    assert 'id="assign-form"' in page and 'id="take-form"' in page
    response = client.post(f"/applications/{application.pk}/assign/", {"engineer": colleague.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/console/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.assigned_to == colleague
    page = client.get(f"/console/applications/{application.pk}/").content.decode()
    assert "Assigned" in page and "Кузнецов" in page


def test_assign_to_an_outsider_is_refused(engineer, north, south, today):
    application = queued(north, due=today)
    outsider = UserFactory(role="engineer", branches=[south])
    response = client_for(engineer).post(f"/applications/{application.pk}/assign/", {"engineer": outsider.pk})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.assigned_to is None
    assert not TransitionLog.objects.filter(application=application).exists()


def test_owner_cannot_assign(north, today, engineer):
    application = queued(north, due=today)
    client = client_for(application.owner)
    assert b'id="assign-form"' not in client.get(f"/applications/{application.pk}/").content
    response = client.post(f"/applications/{application.pk}/assign/", {"engineer": engineer.pk})
    assert response.status_code == 403


@pytest.mark.parametrize("value", ["²", "abc", ""])
def test_assign_with_a_malformed_engineer_id_is_refused_not_an_error(engineer, north, today, value):
    application = queued(north, due=today)
    response = client_for(engineer).post(f"/applications/{application.pk}/assign/", {"engineer": value})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.assigned_to is None


def test_staff_land_on_the_console_and_applicants_on_their_applications(engineer):
    applicant = UserFactory(role="applicant")
    for user, landing in ((engineer, "/console/"), (applicant, "/applications/")):
        response = Client(**EN).post(
            "/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302 and response["Location"] == landing
    response = Client(**EN).post(
        "/accounts/login/?next=/about/", {"username": engineer.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == "/about/"
