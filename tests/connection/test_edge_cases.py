"""Edge cases found by fuzzing the API (schemathesis) and by review: each once gave a 500 or a
wrong answer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.backend.factories import UserFactory
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory
from tests.grid.factories import BranchFactory, point
from tests.workflow.helpers import URL, application_in_state, data_for, run

pytestmark = pytest.mark.django_db


def test_download_with_a_non_ascii_digit_version_is_400(make_client):
    draft = ConnectionRequestFactory()
    client = make_client(draft.owner)
    document = client.post(
        f"{URL}{draft.pk}/documents/",
        {"doc_type": "other", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        format="multipart",
    ).json()
    response = client.get(f"{URL}{draft.pk}/documents/{document['id']}/download/", {"version": "²"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "version"


def test_identity_numbers_may_be_typed_with_spaces_and_dashes(make_client, applicant):
    response = make_client(applicant).post(
        "/api/v1/applicants/",
        {
            "applicant_type": "individual",
            "last_name": "Петров",
            "first_name": "Пётр",
            "snils": "112-233-445 95",
            "inn": "5001 0073 2259",
            "passport_series": "07 12",
            "passport_number": "345 678",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["snils"], body["inn"], body["passport_series"]) == ("11223344595", "500100732259", "0712")


def test_non_ascii_digits_are_not_digits(make_client, applicant):
    response = make_client(applicant).post(
        "/api/v1/applicants/",
        {"applicant_type": "individual", "last_name": "А", "first_name": "Б", "passport_series": "٠٧١٢"},
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "passport_series"


def test_stages_far_in_the_past_or_future_are_refused(make_client):
    draft = ConnectionRequestFactory()
    for day in ("0001-01-01", "9999-12-31"):
        response = make_client(draft.owner).patch(
            f"{URL}{draft.pk}/", {"stages": [{"planned_date": day, "power_kw": "15"}]}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "stages_dates"


@pytest.mark.parametrize(
    ("voltage_kv", "other_branch", "code"),
    [("10", False, "unsuitable_point"), ("0.4", True, "unsuitable_point")],
)
def test_capacity_is_reserved_only_at_a_point_of_the_right_voltage_and_branch(
    make_client, branch, voltage_kv, other_branch, code
):
    capacity = point(
        "45.001000", "42.000000", voltage_kv=voltage_kv, branch=BranchFactory() if other_branch else branch
    )
    application = application_in_state("under_review", branch=branch)
    engineer = make_client(UserFactory(role="engineer", branches=[branch]))
    response = run(
        engineer, application, "issue_offer", {**data_for("issue_offer"), "connection_point_id": capacity.pk}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("connection_point_id", code)


@pytest.mark.parametrize(
    ("option", "amount", "status"),
    [
        ("lump_sum", "1.00", 400),
        ("lump_sum", "75000.00", 200),
        ("instalments", "7500.00", 200),
        ("instalments", "7499.99", 400),
    ],
)
def test_payment_must_cover_what_is_due(make_client, branch, option, amount, status):
    application = application_in_state("under_review", branch=branch, payment_option=option)
    engineer = make_client(UserFactory(role="engineer", branches=[branch]))
    assert run(engineer, application, "issue_offer").status_code == 200
    response = run(
        engineer, application, "record_payment", {**data_for("record_payment"), "amount_rub": amount}
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["errors"][0]["code"] == "underpaid"


def test_csv_endpoint_answers_errors_as_json(api_client):
    response = api_client.get("/api/v1/connection-points/free-capacity.csv/", {"format": "xyz"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == "not_found"


def test_applicant_may_prefer_a_point_of_the_right_voltage_only(make_client, branch):
    draft = ConnectionRequestFactory()
    ten_kv = point("45.001000", "42.000000", voltage_kv="10", branch=branch)
    low = point("45.002000", "42.000000", voltage_kv="0.4", branch=branch)
    client = make_client(draft.owner)
    response = client.patch(f"{URL}{draft.pk}/", {"preferred_connection_point": ten_kv.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "preferred_connection_point"
    response = client.patch(f"{URL}{draft.pk}/", {"preferred_connection_point": low.pk})
    assert response.status_code == 200 and response.json()["preferred_connection_point"] == low.pk
