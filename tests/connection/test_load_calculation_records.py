"""Every load calculation applied to an application is kept with what was entered and its trace:
through the API and from the calculator page, never when the apply fails; the list endpoint is
visible to those who see the application; the engineer's partial renders the record and its trace."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from django.utils.html import escape

import capacity_calc
from connection import selectors
from connection.models import ConnectionRequest, LoadCalculation
from tests.backend.factories import UserFactory
from tests.connection.factories import ApplicantFactory, ConnectionRequestFactory, LegalEntityFactory
from tests.grid.factories import BranchFactory
from web.templatetags.portal import source_text

pytestmark = pytest.mark.django_db

HOUSE = [
    {"device_type": "electric_cooker", "quantity": 1},
    {"device_type": "lighting_led", "quantity": 30},
    {"name": "Мастерская", "unit_kw": "2.5"},
]
BUILDING = {
    "apartments": 60,
    "stove_type": "electric",
    "storeys": 9,
    "lifts": [{"count": 2, "unit_kw": "7.5"}],
    "other": [{"device_type": "well_pump", "quantity": 2}],
}
TEMPLATE = "web/console/_load_calculation.html"


def apply_url(application):
    return f"/api/v1/connection-requests/{application.pk}/apply-load-calculation/"


def list_url(application):
    return f"/api/v1/connection-requests/{application.pk}/load-calculations/"


@pytest.fixture
def draft():
    return ConnectionRequestFactory()


def submit_to(application, branch) -> ConnectionRequest:
    """Put the draft into `submitted` at `branch` directly (the workflow is tested elsewhere)."""
    ConnectionRequest.objects.filter(pk=application.pk).update(state="submitted", branch=branch)
    return ConnectionRequest.objects.get(pk=application.pk)


# Keeping the calculation


def test_applying_through_the_api_keeps_the_input_and_the_trace(make_client, draft):
    response = make_client(draft.owner).post(
        apply_url(draft), {"devices": HOUSE, "overwrite_electrical": True}
    )
    assert response.status_code == 200, response.content

    [record] = LoadCalculation.objects.filter(request=draft)
    expected = capacity_calc.calculate_devices(
        [
            capacity_calc.DeviceInput(device_type="electric_cooker", quantity=1),
            capacity_calc.DeviceInput(device_type="lighting_led", quantity=30),
            capacity_calc.DeviceInput(device_type="other", name="Мастерская", unit_kw=Decimal("2.5")),
        ]
    )
    assert record.method == "devices"
    assert record.design_kw == expected.design_kw
    assert record.created_by == draft.owner
    # what the client sent (numbers as typed, the default quantity filled in), without the switch
    assert record.input == {
        "devices": [
            {"device_type": "electric_cooker", "quantity": 1},
            {"device_type": "lighting_led", "quantity": 30},
            {"name": "Мастерская", "unit_kw": "2.5", "quantity": 1},
        ]
    }
    assert record.result == expected.to_dict() == response.json()["calculation"]
    assert {step["code"] for step in record.result["trace"]} >= {"device", "design_power", "breaker"}
    draft.refresh_from_db()
    assert draft.requested_kw == record.design_kw


def test_a_building_is_kept_in_the_shape_of_the_api(make_client):
    draft = ConnectionRequestFactory(applicant=LegalEntityFactory(), load_character="residential_building")
    response = make_client(draft.owner).post(apply_url(draft), {"building": BUILDING})
    assert response.status_code == 200, response.content
    record = selectors.latest_load_calculation(application=draft)
    assert record is not None and record.method == "building"
    assert set(record.input) == {"building"}
    building = record.input["building"]
    assert building["apartments"] == 60 and building["stove_type"] == "electric"
    assert building["lifts"] == [{"count": 2, "unit_kw": "7.5"}]
    assert building["other"] == [{"device_type": "well_pump", "quantity": 2}]
    # the kept input computes the same result again
    again = capacity_calc.calculate_building(capacity_calc.BuildingInput.from_dict(building))
    assert again.to_dict() == record.result


def test_every_apply_is_kept_and_the_newest_comes_first(make_client, draft):
    client = make_client(draft.owner)
    assert selectors.latest_load_calculation(application=draft) is None
    assert client.post(apply_url(draft), {"devices": [{"device_type": "kettle"}]}).status_code == 200
    assert client.post(apply_url(draft), {"devices": HOUSE}).status_code == 200
    records = list(selectors.load_calculations(application=draft))
    assert len(records) == 2
    assert records[0].input == {"devices": [{**row, "quantity": row.get("quantity", 1)} for row in HOUSE]}
    assert records[1].input == {"devices": [{"device_type": "kettle", "quantity": 1}]}
    assert selectors.latest_load_calculation(application=draft) == records[0]
    assert [item["id"] for item in client.get(list_url(draft)).json()] == [records[0].pk, records[1].pk]


def test_applying_from_the_calculator_page_keeps_one(draft):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(draft.owner)
    data = {
        "devices-TOTAL_FORMS": "3",
        "devices-INITIAL_FORMS": "0",
        "devices-0-device_type": "electric_cooker",
        "devices-0-quantity": "1",
        "devices-1-device_type": "",
        "devices-1-quantity": "",
        "devices-2-device_type": "",
        "devices-2-quantity": "2",
        "devices-2-unit_kw": "1.5",
        "application": str(draft.pk),
        "action": "calculate",
    }
    assert client.post("/calculator/", data).status_code == 200
    assert not LoadCalculation.objects.exists()  # calculating alone keeps nothing

    data["action"] = "apply"
    response = client.post("/calculator/", data)
    assert response.status_code == 302, response.content

    [record] = LoadCalculation.objects.filter(request=draft)
    expected = capacity_calc.calculate_devices(
        [
            capacity_calc.DeviceInput(device_type="electric_cooker", quantity=1),
            capacity_calc.DeviceInput(device_type="other", quantity=2, unit_kw=Decimal("1.5")),
        ]
    )
    assert record.input == {
        "devices": [
            {"device_type": "electric_cooker", "quantity": 1},
            {"device_type": "other", "quantity": 2, "unit_kw": "1.5"},
        ],
        "supply": {"phases": None, "voltage_v": 230},  # as advised, at 230/400 V (the page's defaults)
    }
    assert record.result == expected.to_dict()
    assert record.design_kw == expected.design_kw and record.created_by == draft.owner


def test_a_failed_apply_keeps_nothing(make_client, draft, branch):
    client = make_client(draft.owner)
    # the household limit (eligibility) refuses the power: nothing is saved, no record either
    response = client.post(apply_url(draft), {"devices": [{"device_type": "ev_charger_22"}]})
    assert response.status_code == 400, response.content
    assert "requested_kw" in {error["field"] for error in response.json()["errors"]}
    # an input the calculator refuses
    assert client.post(apply_url(draft), {"devices": [{"device_type": "samovar"}]}).status_code == 400
    # an application no longer a draft
    submitted = submit_to(ConnectionRequestFactory(applicant__owner=draft.owner, owner=draft.owner), branch)
    assert client.post(apply_url(submitted), {"devices": [{"device_type": "kettle"}]}).status_code == 409
    assert not LoadCalculation.objects.exists()
    draft.refresh_from_db()
    assert draft.requested_kw == Decimal("15.00")


def test_a_failed_apply_from_the_calculator_page_keeps_nothing(draft):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(draft.owner)
    data = {
        "devices-TOTAL_FORMS": "1",
        "devices-INITIAL_FORMS": "0",
        "devices-0-device_type": "ev_charger_22",
        "devices-0-quantity": "1",
        "application": str(draft.pk),
        "action": "apply",
    }
    response = client.post("/calculator/", data)
    assert response.status_code == 200  # the page again, with the error
    assert not LoadCalculation.objects.exists()


# The list endpoint


def test_the_list_shows_the_calculation_with_its_trace(make_client, draft):
    draft.owner.first_name, draft.owner.last_name = "Анна", "Иванова"
    draft.owner.save()
    client = make_client(draft.owner)
    assert client.get(list_url(draft)).json() == []
    assert client.post(apply_url(draft), {"devices": HOUSE}).status_code == 200
    response = client.get(list_url(draft))
    assert response.status_code == 200, response.content
    [item] = response.json()
    record = LoadCalculation.objects.get()
    assert set(item) == {"id", "method", "design_kw", "input", "result", "created_at", "created_by_name"}
    assert item["id"] == record.pk and item["method"] == "devices"
    assert item["design_kw"] == format(record.design_kw, "f")
    assert item["input"] == record.input and item["result"] == record.result
    assert item["result"]["trace"][0]["formula"]
    assert item["created_by_name"] == draft.owner.get_full_name() == "Иванова Анна"


def test_who_sees_the_list(api_client, make_client, draft, branch):
    assert make_client(draft.owner).post(apply_url(draft), {"devices": HOUSE}).status_code == 200
    branch_engineer = UserFactory(role="engineer", branches=[branch])
    other_engineer = UserFactory(role="engineer", branches=[BranchFactory()])
    other_applicant = ApplicantFactory().owner

    # a draft is private to its owner
    assert make_client(draft.owner).get(list_url(draft)).status_code == 200
    assert make_client(branch_engineer).get(list_url(draft)).status_code == 404

    submitted = submit_to(draft, branch)
    assert api_client.get(list_url(submitted)).status_code == 401
    owner = make_client(submitted.owner).get(list_url(submitted))
    assert owner.status_code == 200 and len(owner.json()) == 1
    engineer = make_client(branch_engineer).get(list_url(submitted))
    assert engineer.status_code == 200 and engineer.json() == owner.json()
    assert make_client(UserFactory(role="supervisor")).get(list_url(submitted)).status_code == 200
    assert make_client(other_applicant).get(list_url(submitted)).status_code == 404
    assert make_client(other_engineer).get(list_url(submitted)).status_code == 404
    assert (
        make_client(submitted.owner).get("/api/v1/connection-requests/999999/load-calculations/").status_code
        == 404
    )


# The engineer's partial


def test_the_partial_shows_the_result_input_and_trace(make_client, draft):
    assert make_client(draft.owner).post(apply_url(draft), {"devices": HOUSE}).status_code == 200
    record = selectors.latest_load_calculation(application=draft)
    with translation.override("en"):
        html = render_to_string(TEMPLATE, {"load_calculation": record})
    assert '<section id="load-calculation" aria-labelledby="load-calculation-title">' in html
    assert '<h2 id="load-calculation-title">' in html
    assert f'<strong id="load-calculation-design-kw">{record.design_kw.normalize():f}</strong>' in html
    assert "Device list" in html
    assert record.result["voltage_label_en"] in html
    for step in record.result["trace"]:
        assert escape(step["formula"]) in html
        assert escape(step["description_en"]) in html
        with translation.override("en"):
            assert escape(source_text(step["source"])) in html  # the norm, without file names
    assert "electric_cooker" in html and "Мастерская" in html and "2.5" in html
    assert "No load calculation" not in html

    with translation.override("ru"):
        html = render_to_string(TEMPLATE, {"load_calculation": record})
    assert record.result["voltage_label"] in html
    assert escape(record.result["trace"][0]["description"]) in html


def test_the_partial_shows_a_building_and_notices(make_client):
    draft = ConnectionRequestFactory(applicant=LegalEntityFactory(), load_character="residential_building")
    assert make_client(draft.owner).post(apply_url(draft), {"building": BUILDING}).status_code == 200
    record = selectors.latest_load_calculation(application=draft)
    notices = [{"code": "no_breaker", "message": "Нет автомата", "message_en": "No breaker fits"}]
    LoadCalculation.objects.filter(pk=record.pk).update(result={**record.result, "notices": notices})
    record.refresh_from_db()
    with translation.override("en"):
        html = render_to_string(TEMPLATE, {"load_calculation": record})
    assert "Residential building" in html and "Electric stoves" in html
    assert "well_pump" in html and "Other power receivers" in html
    assert "No breaker fits" in html and "Нет автомата" not in html
    for step in record.result["trace"]:
        assert escape(step["formula"]) in html


def test_the_partial_without_a_calculation():
    with translation.override("en"):
        html = render_to_string(TEMPLATE, {"load_calculation": None})
    assert 'id="load-calculation"' in html
    assert "No load calculation was applied" in html and "stated the power directly" in html
    assert "load-calculation-trace" not in html
