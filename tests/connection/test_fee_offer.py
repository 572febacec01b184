"""The fee over the API (estimate), on the offer (a fee other than the calculated one needs a
recorded reason), the demo tariff file, and issued document types refused on upload."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from connection.models import ConnectionRequest, Tariff
from connection.tariff_data import load_demo_tariffs
from tests.connection.factories import ConnectionRequestFactory, TariffFactory
from tests.workflow.helpers import TC_MEASURES, application_in_state
from workflow.models import TransitionLog

URL = "/api/v1/connection-requests/"
ESTIMATE = "/api/v1/fees/estimate/"
OFFER = {
    **TC_MEASURES,
    "connection_point": "ТП-1, РУ-0,4 кВ",
    "grid_distance_m": "120",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def household_tariff(db):
    return TariffFactory()


def errors_by_field(response) -> dict[str, str]:
    return {error.get("field"): error["code"] for error in response.json()["errors"]}


def test_estimate_needs_an_account(api_client, db):
    assert api_client.post(ESTIMATE, {}, format="json").status_code in (401, 403)


def test_estimate_returns_the_breakdown(make_client, applicant, household_tariff):
    body = {
        "applicant_group": "household",
        "requested_kw": "15",
        "voltage_kv": "0.4",
        "grid_distance_m": "250",
        "settlement_kind": "urban",
        "overhead_km": "0.25",
    }
    response = make_client(applicant).post(ESTIMATE, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["total_rub"] == "75000.00"
    assert data["method"] == "preferential"
    assert data["within_conditions"] is True
    assert data["lines"] == [
        {
            "code": "preferential",
            "label": "Preferential rate",
            "formula": "15 kW × 5000",
            "amount_rub": "75000.00",
        }
    ]
    assert data["alternative_total_rub"] == "426000.00"
    assert data["tariff"]["id"] == household_tariff.pk


def test_estimate_errors_name_the_field(make_client, applicant, household_tariff):
    client = make_client(applicant)
    body = {"applicant_group": "household", "requested_kw": "15", "voltage_kv": "0.4"}
    assert errors_by_field(client.post(ESTIMATE, body, format="json")) == {"grid_distance_m": "required"}
    response = client.post(ESTIMATE, {**body, "within_distance": True, "on": "2023-06-01"}, format="json")
    assert response.status_code == 400
    assert errors_by_field(response) == {"on": "no_tariff"}
    response = client.post(ESTIMATE, {**body, "within_distance": True, "on": "2019-06-01"}, format="json")
    assert errors_by_field(response) == {"on": "no_rulebook"}  # before the first rulebook version


# The fee on the offer


def issue_offer(client, application, **extra):
    return client.post(f"{URL}{application.pk}/transitions/issue_offer/", {**OFFER, **extra}, format="json")


def last_history(application) -> dict:
    return TransitionLog.objects.filter(application_id=application.pk, transition="issue_offer").get().data


def test_the_calculated_fee_is_recorded(make_client, supervisor, branch, household_tariff):
    application = application_in_state("under_review", branch=branch, settlement_kind="urban")
    response = issue_offer(make_client(supervisor), application, fee_rub="51000.00")
    assert response.status_code == 200, response.json()
    application = ConnectionRequest.objects.get(pk=application.pk)
    assert application.fee_calculated_rub == Decimal("51000.00")
    assert application.fee_override_reason == ""
    assert last_history(application)["fee_calculated_rub"] == "51000.00"


def test_a_different_fee_needs_a_reason_which_is_recorded(make_client, supervisor, branch, household_tariff):
    application = application_in_state("under_review", branch=branch, settlement_kind="urban")
    client = make_client(supervisor)
    response = issue_offer(client, application, fee_rub="60000.00")
    assert response.status_code == 400
    assert errors_by_field(response) == {"fee_override_reason": "required"}
    assert ConnectionRequest.objects.get(pk=application.pk).state == "under_review"

    reason = "Дополнительная опора по согласованию с заявителем"
    response = issue_offer(client, application, fee_rub="60000.00", fee_override_reason=reason)
    assert response.status_code == 200, response.json()
    application = ConnectionRequest.objects.get(pk=application.pk)
    assert (application.fee_rub, application.fee_calculated_rub) == (Decimal("60000.00"), Decimal("51000.00"))
    assert application.fee_override_reason == reason
    history = last_history(application)
    assert history["fee_override_reason"] == reason and history["fee_calculated_rub"] == "51000.00"


def test_without_a_tariff_the_engineers_fee_is_accepted(make_client, supervisor, branch):
    application = application_in_state("under_review", branch=branch)
    assert issue_offer(make_client(supervisor), application, fee_rub="75000.00").status_code == 200
    application = ConnectionRequest.objects.get(pk=application.pk)
    assert application.fee_calculated_rub is None
    assert "no tariff" in last_history(application)["fee_note"]


@pytest.mark.django_db
def test_demo_tariffs_load_idempotently_and_are_examples():
    count = load_demo_tariffs()
    assert count == Tariff.objects.count() == load_demo_tariffs()
    assert set(Tariff.objects.values_list("is_example", flat=True)) == {True}
    assert all("EXAMPLE" in note for note in Tariff.objects.values_list("source_note", flat=True))


def test_applicants_cannot_upload_issued_document_types(make_client, applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    upload = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = make_client(applicant).post(
        f"{URL}{draft.pk}/documents/", {"doc_type": "invoice", "file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert errors_by_field(response) == {"doc_type": "invalid_choice"}


def test_the_upload_service_refuses_issued_document_types(applicant):
    from django.core.exceptions import ValidationError

    from connection import services

    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    upload = SimpleUploadedFile("act.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.upload_document(application=draft, user=applicant, doc_type="connection_act", upload=upload)
    assert error.value.error_dict["doc_type"][0].code == "invalid_choice"
