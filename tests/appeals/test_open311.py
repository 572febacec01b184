"""Open311 GeoReport v2 driven by a client written from the specification: every endpoint, the
errors in the GeoReport format, the API key for POST, expected_datetime = the answer due date,
our finer status in status_notes, and no personal data without a key."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from appeals import services
from appeals.models import Open311Key, Report, Status
from grid import demo
from tests.appeals.factories import BASE_URL, confirmed_report
from tests.appeals.georeport_client import GeoReportClient, GeoReportError
from tests.backend.factories import UserFactory
from workflow import calendar
from workflow.models import local_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def key():
    return Open311Key.issue(name="Городское приложение")[1]


@pytest.fixture
def client(key):
    return GeoReportClient(Client(HTTP_ACCEPT_LANGUAGE="en"), api_key=key)


@pytest.fixture
def public():
    return GeoReportClient(Client(HTTP_ACCEPT_LANGUAGE="en"))


def test_services_and_definitions(public):
    codes = {service["service_code"] for service in public.services()}
    assert codes == {"outage", "low_voltage", "voltage_fluctuations", "equipment_defect"}
    definition = public.service_definition("equipment_defect")
    defect = next(item for item in definition["attributes"] if item["code"] == "defect_kind")
    assert defect["required"] is True
    assert {value["key"] for value in defect["values"]} >= {"wire_down", "sparking", "fallen_pole"}
    assert [item["code"] for item in public.service_definition("outage")["attributes"]] == ["started_at"]
    with pytest.raises(GeoReportError) as error:
        public.service_definition("graffiti")
    assert error.value.status == 404


def test_post_with_lat_long_and_read_back(client, public, branch):
    started = (timezone.now() - timedelta(hours=2)).isoformat()
    created = client.post_request(
        "low_voltage",
        lat="45.001",
        long="42.001",
        email="citizen@example.ru",
        first_name="Анна",
        last_name="Иванова",
        phone="+79000000000",
        description="Свет тусклый",
        media_url="https://example.ru/p.jpg",
        attributes={"started_at": started},
    )
    report = Report.objects.get(number=created["service_request_id"])
    assert report.confirmed_at is not None and report.incident is not None
    assert report.channel == "open311" and report.contact_name == "Анна Иванова"
    assert "Answer due by" in created["service_notice"]
    row = client.request(created["service_request_id"])
    assert row["status"] == "open" and row["service_code"] == "low_voltage"
    assert row["agency_responsible"] == "Тестовый РЭС"
    expected = datetime.fromisoformat(row["expected_datetime"])
    assert expected.date() == report.due_date == calendar.add_working_days(local_today(), 8)
    assert row["description"] == "Свет тусклый" and row["media_url"] == "https://example.ru/p.jpg"
    assert row["lat"] == 45.001
    anonymous_view = public.request(created["service_request_id"])
    assert anonymous_view["description"] == "" and anonymous_view["media_url"] == ""
    assert anonymous_view["lat"] == 45.0  # rounded
    assert client.token(created["token"])["service_request_id"] == created["service_request_id"]


def test_post_with_address_string(client):
    demo.load_branches()
    created = client.post_request(
        "outage", address_string="Ставропольский край, г Ипатово, ул. Ленина", email="a@example.ru"
    )
    report = Report.objects.get(number=created["service_request_id"])
    assert report.settlement == "Ипатово" and report.branch.name == "Ипатовский РЭС"


def test_wire_down_notice_names_the_emergency_number(client, branch, settings):
    settings.APPEALS_EMERGENCY_PHONE = "112"
    created = client.post_request(
        "equipment_defect",
        lat="45.001",
        long="42.001",
        email="a@example.ru",
        attributes={"defect_kind": "wire_down"},
    )
    assert created["service_notice"].startswith("Danger to life") and "112" in created["service_notice"]
    assert Report.objects.get().urgent


@pytest.mark.parametrize(
    ("fields", "status", "mentions"),
    [
        (
            {"service_code": "graffiti", "lat": "45.001", "long": "42.001", "email": "a@example.ru"},
            400,
            "service_code",
        ),
        ({"service_code": "outage", "email": "a@example.ru"}, 400, "address_string"),
        ({"service_code": "outage", "lat": "45.001", "email": "a@example.ru"}, 400, "long"),
        ({"service_code": "outage", "lat": "55.75", "long": "37.61", "email": "a@example.ru"}, 400, "lat"),
        ({"service_code": "outage", "lat": "45.001", "long": "42.001"}, 400, "email"),
        (
            {"service_code": "equipment_defect", "lat": "45.001", "long": "42.001", "email": "a@example.ru"},
            400,
            "attribute[defect_kind]",
        ),
        (
            {
                "service_code": "outage",
                "lat": "45.001",
                "long": "42.001",
                "email": "a@example.ru",
                "attribute[started_at]": "yesterday",
            },
            400,
            "attribute[started_at]",
        ),
        (
            {
                "service_code": "outage",
                "lat": "45.001",
                "long": "42.001",
                "email": "a@example.ru",
                "media_url": "ftp://x",
            },
            400,
            "media_url",
        ),
    ],
)
def test_post_errors(client, branch, fields, status, mentions):
    code = fields.pop("service_code")
    with pytest.raises(GeoReportError) as error:
        client.post_request(code, **fields)
    assert error.value.status == status
    assert any(mentions in item["description"] for item in error.value.errors), error.value.errors
    assert Report.objects.count() == 0


def test_post_needs_a_valid_key(public, branch, key):
    with pytest.raises(GeoReportError) as error:
        public.post_request("outage", lat="45.001", long="42.001", email="a@example.ru")
    assert error.value.status == 403
    wrong = GeoReportClient(public.http, api_key="not-a-key")
    with pytest.raises(GeoReportError) as error:
        wrong.post_request("outage", lat="45.001", long="42.001", email="a@example.ru")
    assert error.value.status == 403
    Open311Key.objects.update(is_active=False)
    with pytest.raises(GeoReportError) as error:
        GeoReportClient(public.http, api_key=key).post_request(
            "outage", lat="45.001", long="42.001", email="a@example.ru"
        )
    assert error.value.status == 403
    assert Report.objects.count() == 0


def test_request_list_filters_and_status_notes(client, public, branch):
    first = confirmed_report(contact_email="a@example.ru")
    outage = confirmed_report(kind="outage", contact_email="b@example.ru")
    unconfirmed = services.submit_report(
        kind="outage",
        latitude="45.0",
        longitude="42.0",
        started_at=timezone.now(),
        contact_email="c@example.ru",
        client_address="10.0.0.9",
        base_url=BASE_URL,
    )
    planned = calendar.add_working_days(local_today(), 2)
    services.change_incident_status(
        incident_id=first.incident_id,
        actor=UserFactory(role="supervisor"),
        status=Status.PLANNED,
        planned_fix_date=planned,
        answer_text="Бригада в пути",
        base_url=BASE_URL,
    )
    rows = public.requests()
    assert {row["service_request_id"] for row in rows} == {first.number, outage.number}  # not the unconfirmed
    row = public.request(first.number)
    assert row["status"] == "open"
    assert row["status_notes"].startswith("Repair planned") and planned.isoformat() in row["status_notes"]
    assert "Бригада" not in row["status_notes"]  # the answer text only with a key
    assert "Бригада" in client.request(first.number)["status_notes"]
    assert [r["service_request_id"] for r in public.requests(service_code="outage")] == [outage.number]
    assert [r["service_request_id"] for r in public.requests(status="closed")] == []
    assert len(public.requests(service_request_id=f"{first.number},{outage.number}")) == 2
    later = (timezone.now() + timedelta(days=1)).isoformat()
    assert public.requests(start_date=later) == []
    for params in ({"status": "done"}, {"start_date": "yesterday"}, {"service_code": "graffiti"}):
        with pytest.raises(GeoReportError) as error:
            public.requests(**params)
        assert error.value.status == 400
    with pytest.raises(GeoReportError) as error:
        public.request(unconfirmed.number)
    assert error.value.status == 404
    with pytest.raises(GeoReportError) as error:
        public.request("R-999999")
    assert error.value.status == 404
    with pytest.raises(GeoReportError) as error:
        GeoReportClient(public.http, api_key="wrong").request(first.number)
    assert error.value.status == 403


def test_unknown_token_and_xml(public, branch):
    with pytest.raises(GeoReportError) as error:
        public.token("00000000-0000-0000-0000-000000000000")
    assert error.value.status == 404
    with pytest.raises(GeoReportError) as error:
        public.token("not-a-token")
    assert error.value.status == 404
    response = public.http.get("/open311/v2/services.xml")
    assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_no_personal_data_without_a_key(public, branch):
    report = confirmed_report(
        contact_name="Секрет",
        contact_email="secret@example.ru",
        contact_phone="+79991112233",
        address="ул. Тайная, 5",
    )
    text = public.http.get("/open311/v2/requests.json").content.decode()
    for private in ("Секрет", "secret@example.ru", "79991112233", "Тайная", report.private_token):
        assert private not in text
