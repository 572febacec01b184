"""The refusals name the rule that refuses: 150 kW by p. 12(1) of Rules 861 (15 kW by p. 14), and a
35 kV request by the portal's 20 kV limit, not as an unknown choice."""

from decimal import Decimal

import pytest

from connection.models import ConnectionRequest
from tests.connection.factories import ApplicantFactory, LegalEntityFactory
from tests.connection.test_requests_api import URL, draft_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "clause"), [("en", "Rules 861, p. 12(1)"), ("ru", "Правила № 861, п. 12(1)")]
)
def test_the_150_kw_refusal_cites_clause_12_1(make_client, language, clause):
    applicant = LegalEntityFactory()
    response = make_client(applicant.owner).post(
        URL,
        draft_payload(
            applicant, requested_kw="151", stages=[{"planned_date": "2027-06-01", "power_kw": "151"}]
        ),
        HTTP_ACCEPT_LANGUAGE=language,
        format="json",
    )
    assert response.status_code == 400
    [error] = [item for item in response.json()["errors"] if item["code"] == "power_limit"]
    assert clause in error["message"]
    assert "p. 14" not in error["message"] and "п. 14" not in error["message"]
    assert not ConnectionRequest.objects.exists()


def test_the_15_kw_household_refusal_still_cites_clause_14(make_client):
    applicant = ApplicantFactory()
    response = make_client(applicant.owner).post(
        URL,
        draft_payload(
            applicant, requested_kw="16", stages=[{"planned_date": "2027-06-01", "power_kw": "16"}]
        ),
        HTTP_ACCEPT_LANGUAGE="en",
        format="json",
    )
    [error] = [item for item in response.json()["errors"] if item["code"] == "power_limit"]
    assert "Rules 861, p. 14" in error["message"]


@pytest.mark.parametrize("voltage", ["35", "110", "35.0"])
def test_a_35_kv_request_is_refused_by_the_20_kv_rule(make_client, voltage):
    applicant = LegalEntityFactory()
    response = make_client(applicant.owner).post(
        URL, draft_payload(applicant, voltage_level=voltage), HTTP_ACCEPT_LANGUAGE="en", format="json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("voltage_level", "voltage_not_allowed")
    assert "up to 20 kV" in error["message"] and f"{Decimal(voltage).normalize():f} kV" in error["message"]


def test_the_nearest_point_query_refuses_35_kv_by_the_same_rule(api_client):
    response = api_client.get(
        "/api/v1/connection-points/nearest/",
        {"lat": "45", "lon": "42", "power_kw": "100", "voltage_kv": "35"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "voltage_not_allowed"
