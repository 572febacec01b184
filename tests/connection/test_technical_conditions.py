"""Technical conditions: the proposal that prefills the offer (point, distance, measures, fee,
validity) and the structured conditions recorded at issue_offer, over the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from connection import technical_conditions
from connection.models import Reservation, TechnicalConditions
from tests.backend.factories import UserFactory
from tests.connection.factories import LegalEntityFactory, TariffFactory
from tests.grid.factories import BranchFactory, point
from tests.workflow.helpers import TC_MEASURES, application_in_state

pytestmark = pytest.mark.django_db

URL = "/api/v1/connection-requests/"
MEASURES = TC_MEASURES


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def issue(client, application, **data):
    body = {"fee_rub": "1000.00", "grid_distance_m": "111", **MEASURES, **data}
    return client.post(f"{URL}{application.pk}/transitions/issue_offer/", body, format="json")


def fields_of(response) -> dict[str, str]:
    return {error.get("field"): error["code"] for error in response.json()["errors"]}


def test_proposal_takes_the_nearest_sufficient_point_and_the_rulebook_validity(branch):
    full = point("45.000500", "42.000000", installed_kw="10", branch=branch, name="ТП-полная")
    roomy = point("45.001000", "42.000000", installed_kw="100", branch=branch, name="ТП-свободная")
    application = application_in_state("under_review", branch=branch)
    proposal = technical_conditions.proposal(application, today=date(2026, 11, 27))
    assert proposal.values["connection_point_id"] == roomy.pk
    assert [option.capacity_id for option in proposal.points] == [full.pk, roomy.pk]
    assert not proposal.points[0].sufficient and proposal.points[1].sufficient
    assert Decimal("110") < proposal.values["grid_distance_m"] < Decimal("113")
    assert proposal.values["overhead_km"] == Decimal("0.111")
    assert proposal.values["max_power_kw"] == Decimal("15")
    assert proposal.validity_years == 2 and proposal.valid_until == date(2028, 11, 27)
    # the texts go into the documents: the portal's language, whatever the engineer's screen
    assert "ТП-свободная" in proposal.values["grid_measures"]
    assert (
        proposal.values["grid_measures"] == technical_conditions.proposal(application).values["grid_measures"]
    )


def test_proposal_prefers_the_applicants_choice_even_when_not_among_the_nearest(branch):
    point("45.001000", "42.000000", branch=branch)
    far = point("45.050000", "42.000000", branch=branch, name="ТП-дальняя")
    application = application_in_state("under_review", branch=branch, preferred_connection_point=far)
    proposal = technical_conditions.proposal(application)
    assert proposal.values["connection_point_id"] == far.pk
    assert Decimal("5500") < proposal.values["grid_distance_m"] < Decimal("5600")  # ~5.56 km, geodesic
    assert proposal.values["needs_construction"] is True


def test_proposal_near_the_grid_needs_no_line(branch, settings):
    substation = point("45.000050", "42.000000", branch=branch)  # ~5.6 m
    proposal = technical_conditions.proposal(application_in_state("under_review", branch=branch))
    assert proposal.values["overhead_km"] == Decimal("0")
    assert proposal.values["needs_construction"] is False
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext(
            "No line construction: the grid of %(point)s is within %(metres)s m of the plot boundary."
        ) % {
            "point": technical_conditions.point_label(substation),
            "metres": 15,
        }
    assert proposal.values["grid_measures"].splitlines()[1] == expected


def test_proposal_without_any_point_asks_to_type_it(branch):
    application = application_in_state("under_review", branch=branch)
    proposal = technical_conditions.proposal(application)
    assert proposal.points == []
    assert proposal.values["connection_point_id"] == "" and proposal.values["fee_rub"] == ""
    assert len(proposal.notes) == 2  # no point; no fee


def test_the_point_of_the_register_names_itself_and_the_conditions_are_in_the_detail(
    make_client, supervisor, branch
):
    substation = point("45.001000", "42.000000", branch=branch, name="ТП-77", dispatch_number="ТП-10/0,4-77")
    application = application_in_state("under_review", branch=branch)
    client = make_client(supervisor)
    assert client.get(f"{URL}{application.pk}/").json()["technical_conditions"] is None
    response = issue(client, application, connection_point_id=substation.pk, fee_override_reason="test")
    assert response.status_code == 200, response.json()
    body = response.json()
    conditions = body["technical_conditions"]
    assert conditions["connection_point"] == "ТП-77 (ТП-10/0,4-77), 0,4 кВ"  # named as the documents do
    assert conditions["number"] == f"ТУ-{application.number}"
    assert conditions["connection_capacity"] == substation.pk
    assert conditions["max_power_kw"] == "15.00"
    assert conditions["voltage_level"] == "0.4" and conditions["reliability_category"] == "III"
    assert conditions["applicant_measures"] == MEASURES["applicant_measures"]
    assert conditions["validity_years"] == 2


def test_without_a_point_of_any_kind_the_offer_is_refused(make_client, supervisor, branch):
    application = application_in_state("under_review", branch=branch)
    response = issue(make_client(supervisor), application, fee_override_reason="test")
    assert response.status_code == 400
    assert fields_of(response) == {"connection_point": "required"}
    assert not TechnicalConditions.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"max_power_kw": "15.01"}, "max_power_kw", "above_request"),
        ({"voltage_level": "10"}, "voltage_level", "above_limit"),
        ({"reliability_category": "II"}, "reliability_category", "not_allowed"),
        ({"voltage_level": "35"}, "voltage_level", "invalid_choice"),
        ({"grid_measures": " "}, "grid_measures", "blank"),
    ],
)
def test_household_conditions_stay_within_the_rules(make_client, supervisor, branch, data, field, code):
    application = application_in_state("under_review", branch=branch)
    response = issue(
        make_client(supervisor),
        application,
        connection_point="ТП-1, РУ-0,4 кВ",
        fee_override_reason="x",
        **data,
    )
    assert response.status_code == 400
    assert fields_of(response) == {field: code}
    application.refresh_from_db()
    assert application.state == "under_review"
    assert not TechnicalConditions.objects.exists()


def test_a_business_may_get_category_ii_at_10_kv(make_client, supervisor, branch):
    application = application_in_state(
        "under_review",
        branch=branch,
        applicant=LegalEntityFactory(),
        requested_kw=Decimal("100"),
        voltage_level="10",
        reliability_category="II",
    )
    response = issue(
        make_client(supervisor),
        application,
        connection_point="ТП-1, РУ-10 кВ",
        fee_override_reason="x",
        max_power_kw="80",
    )
    assert response.status_code == 200, response.json()
    conditions = TechnicalConditions.objects.get(request=application)
    assert (conditions.max_power_kw, conditions.voltage_level, conditions.reliability_category) == (
        Decimal("80"),
        "10",
        "II",
    )


def test_transitions_api_describes_the_choices(make_client, supervisor, branch):
    application = application_in_state("under_review", branch=branch)
    described = make_client(supervisor).get(f"{URL}{application.pk}/transitions/").json()
    offer = next(item for item in described if item["name"] == "issue_offer")
    voltage = next(field for field in offer["fields"] if field["name"] == "voltage_level")
    assert voltage["type"] == "choice"
    assert [choice["value"] for choice in voltage["choices"]] == ["0.23", "0.4", "6", "10", "20"]
    measures = next(field for field in offer["fields"] if field["name"] == "grid_measures")
    assert measures["required"] is True and measures["choices"] == []


def test_offer_proposal_is_refused_for_drafts_and_other_branches(make_client, branch):
    application = application_in_state("under_review", branch=branch)
    outsider = UserFactory(role="engineer", branches=[BranchFactory(code="far")])
    assert make_client(outsider).get(f"{URL}{application.pk}/offer-proposal/").status_code == 404


# The point, the power and the voltage agree across documents, reservation and fee


def test_a_point_of_the_register_wins_over_a_typed_name(make_client, supervisor, branch):
    substation = point("45.001000", "42.000000", branch=branch, name="ТП-Б")
    application = application_in_state("under_review", branch=branch)
    response = issue(
        make_client(supervisor),
        application,
        connection_point_id=substation.pk,
        connection_point="ТП-А, 0,4 кВ",
        fee_override_reason="x",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["technical_conditions"]["connection_point"].startswith("ТП-Б")
    assert Reservation.objects.get(application=application).capacity == substation


def test_zero_means_a_point_outside_the_register_even_when_the_applicant_chose_one(
    make_client, supervisor, branch
):
    chosen = point("45.001000", "42.000000", branch=branch, installed_kw="1")  # too small anyway
    application = application_in_state("under_review", branch=branch, preferred_connection_point=chosen)
    response = issue(
        make_client(supervisor),
        application,
        connection_point_id=0,
        connection_point="Опора № 12 ВЛ-0,4 кВ Ф-3",
        fee_override_reason="x",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["technical_conditions"]["connection_point"] == "Опора № 12 ВЛ-0,4 кВ Ф-3"
    assert response.json()["technical_conditions"]["connection_capacity"] is None
    assert not Reservation.objects.filter(application=application).exists()


def test_the_power_granted_is_what_is_reserved_and_paid_for(make_client, supervisor, branch):

    TariffFactory()
    substation = point("45.001000", "42.000000", branch=branch)
    application = application_in_state("under_review", branch=branch, settlement_kind="urban")
    client = make_client(supervisor)
    refused = issue(
        client, application, connection_point_id=substation.pk, max_power_kw="10", fee_rub="75000.00"
    )
    assert refused.status_code == 400
    assert "50000.00" in refused.json()["errors"][0]["message"]  # 10 kW × 5 000, not 15 kW
    response = issue(
        client, application, connection_point_id=substation.pk, max_power_kw="10", fee_rub="50000.00"
    )
    assert response.status_code == 200, response.json()
    assert Reservation.objects.get(application=application).kw == Decimal("10")


def test_the_voltage_granted_must_match_the_point(make_client, supervisor, branch):
    low = point("45.001000", "42.000000", branch=branch, voltage_kv="0.4")
    application = application_in_state(
        "under_review", branch=branch, applicant=LegalEntityFactory(), requested_kw=Decimal("100")
    )
    response = issue(
        make_client(supervisor),
        application,
        connection_point_id=low.pk,
        voltage_level="10",
        reliability_category="II",
        fee_override_reason="x",
    )
    assert response.status_code == 400
    assert fields_of(response) == {"connection_point_id": "unsuitable_point"}
    assert not TechnicalConditions.objects.exists() and not Reservation.objects.exists()


def test_a_failed_offer_leaves_no_files_behind(make_client, supervisor, branch, settings, monkeypatch):
    from pathlib import Path

    from django.core.exceptions import ValidationError

    from connection import workflow_actions

    def documents_then_failure(*, application, user):
        real_offer_documents(application=application, user=user)
        raise ValidationError({"fee_rub": ValidationError("simulated failure after the PDFs", code="x")})

    real_offer_documents = workflow_actions.offer_documents
    monkeypatch.setattr(workflow_actions, "offer_documents", documents_then_failure)
    application = application_in_state("under_review", branch=branch)
    before = {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
    response = issue(make_client(supervisor), application, connection_point="ТП-1", fee_override_reason="x")
    assert response.status_code == 400
    after = {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
    assert after == before
    assert not TechnicalConditions.objects.exists()


def test_an_unusable_chosen_point_is_not_proposed(branch):
    other = point("45.001000", "42.000000", branch=BranchFactory(code="elsewhere"), name="ТП-чужая")
    mine = point("45.002000", "42.000000", branch=branch, name="ТП-своя")
    application = application_in_state("under_review", branch=branch, preferred_connection_point=other)
    proposal = technical_conditions.proposal(application)
    assert proposal.values["connection_point_id"] == mine.pk
    assert any("another branch" in note for note in proposal.notes)


def test_offer_proposal_only_for_an_application_accepted_as_complete(make_client, supervisor, branch):
    application = application_in_state("submitted", branch=branch)
    assert make_client(supervisor).get(f"{URL}{application.pk}/offer-proposal/").status_code == 409
