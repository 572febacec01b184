"""Drafts, validation, completeness, submission, numbering and routing through the API."""

import datetime
from decimal import Decimal

import pytest

from connection.models import Applicant, ConnectionRequest
from grid.models import RoutingMethod
from tests.connection.factories import VALID, ApplicantFactory, ConnectionRequestFactory, LegalEntityFactory
from tests.grid.factories import BranchFactory, TerritoryFactory, square_wkt

pytestmark = pytest.mark.django_db

URL = "/api/v1/connection-requests/"


def fields(response):
    return {error["field"] for error in response.json()["errors"]}


def codes(response):
    return {error["code"] for error in response.json()["errors"]}


def draft_payload(applicant, **overrides):
    payload = {
        "applicant": applicant.pk,
        "object_name": "Жилой дом",
        "object_address": "г. Михайловск, ул. Полевая, д. 5",
        "cadastral_number": "26:11:020101:123",
        "latitude": "45.000000",
        "longitude": "42.000000",
        "kind": "new",
        "requested_kw": "15",
        "voltage_level": "0.4",
        "phases": 3,
        "reliability_category": "III",
        "load_character": "household",
        "guaranteeing_supplier": "ПАО «Ставропольэнергосбыт»",
        "payment_option": "lump_sum",
        "stages": [{"planned_date": "2027-06-01", "power_kw": "15"}],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def owner_client(make_client):
    applicant = ApplicantFactory()
    return applicant, make_client(applicant.owner)


def test_create_draft_derives_total_and_hides_routing(owner_client):
    applicant, client = owner_client
    response = client.post(
        URL,
        draft_payload(
            applicant,
            requested_kw="15",
            stages=[
                {"planned_date": "2027-06-01", "power_kw": "10"},
                {"planned_date": "2027-09-01", "power_kw": "5"},
            ],
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["number"] is None and body["branch"] is None
    assert Decimal(body["total_kw"]) == Decimal("15")
    assert [stage["position"] for stage in body["stages"]] == [1, 2]


def test_read_only_fields_cannot_be_set(owner_client, branch):
    applicant, client = owner_client
    response = client.post(
        URL,
        draft_payload(applicant, number="ТП-2026-999999", state="closed", total_kw="1", branch=branch.pk),
    )
    assert response.status_code == 201
    created = ConnectionRequest.objects.get()
    assert (created.number, created.state, created.branch_id, created.total_kw) == (
        None,
        "draft",
        None,
        Decimal("15"),
    )


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"cadastral_number": "26-11-020101"}, "cadastral_number", "cadastral_number"),
        ({"latitude": "55.750000", "longitude": "37.620000"}, "latitude", "outside_service_area"),
        ({"latitude": "91"}, "latitude", "max_value"),
        ({"reliability_category": "I"}, "reliability_category", "category_not_allowed"),
        ({"reliability_category": "II"}, "reliability_category", "category_not_allowed"),
        ({"voltage_level": "35"}, "voltage_level", "voltage_not_allowed"),
        ({"voltage_level": "3"}, "voltage_level", "invalid_choice"),
        ({"voltage_level": "10", "phases": 3}, "voltage_level", "voltage_not_allowed"),
        ({"voltage_level": "0.23", "phases": 3}, "phases", "phases_mismatch"),
        (
            {"requested_kw": "16", "stages": [{"planned_date": "2027-06-01", "power_kw": "16"}]},
            "requested_kw",
            "power_limit",
        ),
        ({"stages": [{"planned_date": "2027-06-01", "power_kw": "10"}]}, "stages", "stages_sum"),
        ({"requested_kw": "-1"}, "requested_kw", "min_value"),
        ({"requested_kw": "abc"}, "requested_kw", "invalid"),
        ({"kind": "temporary", "temporary_term_months": 7}, "temporary_term_months", "temporary_term"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(owner_client, overrides, field, code):
    applicant, client = owner_client
    response = client.post(URL, draft_payload(applicant, **overrides))
    assert response.status_code == 400, response.content
    assert field in fields(response)
    assert code in codes(response)
    assert not ConnectionRequest.objects.exists()


def test_household_increase_beyond_15_kw_names_rule_and_numbers(owner_client):
    applicant, client = owner_client
    response = client.post(
        URL,
        draft_payload(
            applicant,
            kind="power_increase",
            previously_connected_kw="10",
            requested_kw="6",
            stages=[{"planned_date": "2027-06-01", "power_kw": "6"}],
        ),
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "requested_kw" and error["code"] == "power_limit"
    assert "15" in error["message"] and "10 + 6 = 16" in error["message"]
    assert not ConnectionRequest.objects.exists()


def test_business_may_ask_150_kw_category_ii_at_10_kv(make_client):
    applicant = LegalEntityFactory()
    response = make_client(applicant.owner).post(
        URL,
        draft_payload(
            applicant,
            requested_kw="150",
            reliability_category="II",
            voltage_level="10",
            load_character="production",
            stages=[{"planned_date": "2027-06-01", "power_kw": "150"}],
        ),
    )
    assert response.status_code == 201, response.content
    response = make_client(applicant.owner).post(
        URL,
        draft_payload(
            applicant, requested_kw="150.01", stages=[{"planned_date": "2027-06-01", "power_kw": "150.01"}]
        ),
    )
    assert response.status_code == 400 and "power_limit" in codes(response)


def test_someone_elses_applicant_cannot_be_named(owner_client):
    _applicant, client = owner_client
    stranger = ApplicantFactory()
    response = client.post(URL, draft_payload(stranger))
    assert response.status_code == 400 and fields(response) == {"applicant"}


def test_update_keeps_stages_consistent_and_is_atomic(owner_client):
    applicant, client = owner_client
    draft = client.post(URL, draft_payload(applicant)).json()
    response = client.patch(f"{URL}{draft['id']}/", {"requested_kw": "12"})
    assert response.status_code == 400 and "stages" in fields(response)
    assert ConnectionRequest.objects.get().requested_kw == Decimal("15")
    response = client.patch(
        f"{URL}{draft['id']}/",
        {"requested_kw": "12", "stages": [{"planned_date": "2027-06-01", "power_kw": "12"}]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["total_kw"] == "12.00"


def test_completeness_lists_fields_and_documents_with_codes(owner_client):
    applicant, client = owner_client
    draft = client.post(URL, {"applicant": applicant.pk, "object_name": "Дом"}).json()
    body = client.get(f"{URL}{draft['id']}/completeness/").json()
    assert body["complete"] is False
    missing = {item["field"]: item["code"] for item in body["missing"]}
    assert missing["cadastral_number"] == "field_missing"
    assert missing["location"] == "location_missing"
    assert missing["stages"] == "stages_missing"
    assert missing["documents.location_plan"] == "document_missing"
    assert missing["documents.passport"] == "document_missing"
    assert "object_name" not in missing


def test_completeness_depends_on_applicant_type(make_client):
    legal = LegalEntityFactory(kpp="")
    draft = ConnectionRequestFactory(applicant=legal, reliability_category="III")
    body = make_client(legal.owner).get(f"{URL}{draft.pk}/completeness/").json()
    fields_missing = {item["field"] for item in body["missing"]}
    assert "applicant.kpp" in fields_missing
    assert "documents.passport" not in fields_missing  # organisations attach no passport


def test_submitting_incomplete_draft_is_refused_with_the_same_list(owner_client):
    applicant, client = owner_client
    draft = ConnectionRequestFactory(applicant=applicant)  # complete fields, no documents
    listed = client.get(f"{URL}{draft.pk}/completeness/").json()["missing"]
    response = client.post(f"{URL}{draft.pk}/transitions/submit/")
    assert response.status_code == 400
    assert [(e["field"], e["code"], e["message"]) for e in response.json()["errors"]] == [
        (item["field"], item["code"], item["message"]) for item in listed
    ]
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.number is None


def test_submit_numbers_routes_and_snapshots(owner_client, branch):
    applicant, client = owner_client
    draft = ConnectionRequestFactory(applicant=applicant, with_documents=True)
    response = client.post(f"{URL}{draft.pk}/transitions/submit/")
    assert response.status_code == 200, response.content
    body = response.json()
    year = datetime.date.today().year
    assert body["number"] == f"ТП-{year}-000001"
    assert body["state"] == "submitted"
    assert body["branch"]["code"] == "res-test"
    assert body["routing_method"] == RoutingMethod.TERRITORY
    assert body["settlement_kind"] == "rural"
    assert body["rulebook_version"] is not None
    assert body["applicant_snapshot"]["last_name"] == "Петров"

    # Later edits of the applicant do not change what was submitted.
    Applicant.objects.filter(pk=applicant.pk).update(last_name="Сидоров")
    assert client.get(f"{URL}{draft.pk}/").json()["applicant_snapshot"]["last_name"] == "Петров"

    # A submitted application is no longer a draft.
    assert client.patch(f"{URL}{draft.pk}/", {"object_name": "Баня"}).status_code == 409
    assert client.delete(f"{URL}{draft.pk}/").status_code == 409
    assert client.post(f"{URL}{draft.pk}/transitions/submit/").status_code == 409

    second = ConnectionRequestFactory(applicant=applicant, with_documents=True)
    assert client.post(f"{URL}{second.pk}/transitions/submit/").json()["number"] == f"ТП-{year}-000002"


def test_routing_to_nearest_territory_and_to_default_branch(owner_client, default_branch, settings):
    applicant, client = owner_client
    near = BranchFactory(code="res-near")
    # A square whose edge is about 1.1 km east of the object at (45.0, 42.0).
    TerritoryFactory(branch=near, boundary_wkt=square_wkt(45.0, 42.064, 0.05))
    settings.ROUTING_MAX_DISTANCE_M = 5000
    draft = ConnectionRequestFactory(applicant=applicant, with_documents=True)
    body = client.post(f"{URL}{draft.pk}/transitions/submit/").json()
    assert (body["branch"]["code"], body["routing_method"], body["routing_needs_attention"]) == (
        "res-near",
        "nearest",
        False,
    )

    far = ConnectionRequestFactory(applicant=applicant, with_documents=True, latitude=Decimal("44.0"))
    body = client.post(f"{URL}{far.pk}/transitions/submit/").json()
    assert (body["branch"]["code"], body["routing_method"], body["routing_needs_attention"]) == (
        "res-default",
        "default",
        True,
    )


def test_urban_town_inside_district_wins(owner_client):
    applicant, client = owner_client
    district = BranchFactory(code="res-district")
    TerritoryFactory(branch=district, settlement_kind="rural", boundary_wkt=square_wkt(45.0, 42.0, 0.5))
    TerritoryFactory(
        branch=district,
        name="г. Тест",
        settlement_kind="urban",
        priority=10,
        boundary_wkt=square_wkt(45.0, 42.0, 0.02),
    )
    draft = ConnectionRequestFactory(applicant=applicant, with_documents=True)
    body = client.post(f"{URL}{draft.pk}/transitions/submit/").json()
    assert body["settlement_kind"] == "urban" and body["territory_name"] == "г. Тест"


def test_list_filters_and_search(make_client, branch):
    applicant = ApplicantFactory(last_name="Уникальнов")
    client = make_client(applicant.owner)
    submitted = ConnectionRequestFactory(applicant=applicant, with_documents=True)
    client.post(f"{URL}{submitted.pk}/transitions/submit/")
    ConnectionRequestFactory(applicant=applicant, kind="new")
    assert client.get(URL, {"state": "submitted"}).json()["count"] == 1
    assert client.get(URL, {"state": ["submitted", "draft"]}).json()["count"] == 2
    assert client.get(URL, {"search": "Уникальнов"}).json()["count"] == 2
    assert (
        client.get(URL, {"search": submitted.__class__.objects.get(pk=submitted.pk).number}).json()["count"]
        == 1
    )
    assert client.get(URL, {"search": VALID["inn_person"]}).json()["count"] == 2
    assert client.get(URL, {"branch": "res-test"}).json()["count"] == 1
    today = datetime.date.today().isoformat()
    assert client.get(URL, {"submitted_after": today}).json()["count"] == 1
    assert client.get(URL, {"applicant_type": "legal_entity"}).json()["count"] == 0
    response = client.get(URL, {"state": "bogus"})
    assert response.status_code == 400 and fields(response) == {"state"}
    assert client.get(URL, {"page_size": 1000}).status_code == 200  # capped, not refused


def test_applicant_identity_is_validated_and_nothing_saved(make_client, applicant):
    client = make_client(applicant)
    response = client.post(
        "/api/v1/applicants/",
        {"applicant_type": "individual", "last_name": "Петров", "first_name": "Пётр", "inn": "500100732258"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "inn"
    assert response.json()["errors"][0]["code"] == "inn_checksum"
    response = client.post(
        "/api/v1/applicants/",
        {
            "applicant_type": "legal_entity",
            "organisation_name": "ООО",
            "inn": VALID["inn_org"],
            "ogrn": VALID["ogrnip"],
        },
    )
    assert response.status_code == 400 and fields(response) == {"ogrn"}
    assert not Applicant.objects.exists()
    response = client.post(
        "/api/v1/applicants/",
        {
            "applicant_type": "entrepreneur",
            "last_name": "Иванов",
            "first_name": "Иван",
            "inn": VALID["inn_person"],
            "ogrn": VALID["ogrnip"],
            "phone": "+7 900 000-00-00",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["display_name"].endswith("Иванов Иван")


def test_applicant_in_use_cannot_be_deleted(make_client):
    draft = ConnectionRequestFactory()
    response = make_client(draft.owner).delete(f"/api/v1/applicants/{draft.applicant_id}/")
    assert response.status_code == 409


def test_applicant_supplies_missing_data_while_information_is_requested(make_client, branch):
    from tests.workflow.helpers import application_in_state

    application = application_in_state("needs_info", branch=branch)
    client = make_client(application.owner)
    response = client.patch(f"{URL}{application.pk}/", {"object_name": "Жилой дом с баней"})
    assert response.status_code == 200, response.content
    assert response.json()["object_name"] == "Жилой дом с баней"
    response = client.patch(f"{URL}{application.pk}/", {"latitude": "45.010000", "longitude": "42.010000"})
    assert response.status_code == 400
    assert {error["code"] for error in response.json()["errors"]} == {"fixed_at_registration"}
    assert client.delete(f"{URL}{application.pk}/").status_code == 409
