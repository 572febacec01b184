"""The engineer's application page: who may open it, what it shows (fields, documents viewable in
the page, the candidate points, the history) and the transition forms, prefilled and posted."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from connection.models import ConnectionRequest, Reservation, TechnicalConditions
from tests.backend.factories import UserFactory
from tests.connection.factories import TariffFactory, add_document, png_bytes
from tests.grid.factories import BranchFactory, point
from tests.workflow.helpers import application_in_state
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_for(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def page(application) -> str:
    return f"/console/applications/{application.pk}/"


def action(application, name: str) -> str:
    return f"/applications/{application.pk}/actions/{name}/"


@pytest.fixture
def north(branch):
    return branch


@pytest.fixture
def engineer(north):
    return UserFactory(role="engineer", branches=[north], last_name="Сидоров", first_name="Семён")


@pytest.fixture
def stranger():
    return UserFactory(role="engineer", branches=[BranchFactory(code="south", name="Южный РЭС")])


@pytest.fixture
def tariff(db):
    return TariffFactory()


@pytest.fixture
def substation(north):
    # About 111 m north of the factory's object (45.0 N, 42.0 E); room for 100 kW.
    return point("45.001000", "42.000000", installed_kw="100", branch=north, name="ТП-77")


def form_values(response, form_id: str) -> dict[str, str]:
    """The values a browser would post from the form (text inputs, textareas, selected options)."""
    html = response.content.decode()
    start = html.index(f'id="{form_id}"')
    form = html[start : html.index("</form>", start)]
    values = dict(
        re.findall(r'<input type="(?:text|number|date)" id="[^"]*" name="([^"]+)" value="([^"]*)"', form)
    )
    for name, text in re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[name] = text.replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
    for name, options in re.findall(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        values[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'<input type="checkbox" id="[^"]*" name="([^"]+)" checked>', form):
        values[name] = "on"
    return values


def test_branch_engineer_opens_the_page(engineer, north):
    application = application_in_state("submitted", branch=north)
    response = client_for(engineer).get(page(application))
    assert response.status_code == 200
    assert response.templates[0].name == "web/console/application.html"


@pytest.mark.parametrize("who", ["stranger", "owner", "other_applicant"])
def test_everyone_else_gets_404(who, north, stranger):
    application = application_in_state("submitted", branch=north)
    user = {
        "stranger": stranger,
        "owner": application.owner,
        "other_applicant": UserFactory(role="applicant"),
    }[who]
    assert client_for(user).get(page(application)).status_code == 404


def test_other_branch_engineer_cannot_act_or_read_either(north, stranger):
    application = application_in_state("submitted", branch=north)
    client = client_for(stranger)
    assert client.get(f"/applications/{application.pk}/").status_code == 404
    assert client.post(action(application, "accept")).status_code == 404
    assert ConnectionRequest.objects.get(pk=application.pk).state == "submitted"


def test_anonymous_goes_to_login(north):
    application = application_in_state("submitted", branch=north)
    response = Client().get(page(application))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_opening_the_applicant_page_is_sent_to_the_console(engineer, north):
    application = application_in_state("submitted", branch=north)
    response = client_for(engineer).get(f"/applications/{application.pk}/")
    assert response.status_code == 302
    assert response["Location"] == page(application)


def test_supervisor_of_any_branch_opens_it(north):
    application = application_in_state("submitted", branch=north)
    assert client_for(UserFactory(role="supervisor")).get(page(application)).status_code == 200


# What the page shows


def test_every_field_documents_map_history_and_thread(engineer, north, substation):
    application = application_in_state("submitted", branch=north)
    TransitionLog.objects.create(
        application=application,
        transition="submit",
        from_state="draft",
        to_state="submitted",
        actor=application.owner,
        actor_role="applicant",
    )
    response = client_for(engineer).get(page(application))
    html = response.content.decode()
    snapshot_inn = application.applicant.inn
    assert snapshot_inn in html
    for text in ("Жилой дом", "26:11:020101:123", "ПАО «Ставропольэнергосбыт»", application.number):
        assert text in html
    assert 'id="documents"' in html and "inline=1" in html and 'id="doc-viewer"' in html
    # the candidate point on the map, with its distance and free capacity
    assert 'id="object-map"' in html and "ТП-77" in html
    points = response.context["map_data"]["points"]
    assert [item["id"] for item in points] == [substation.pk]
    assert 110 < points[0]["distance_m"] < 113
    assert 'id="load-calculation"' in html
    assert 'data-transition="submit"' in html
    assert 'id="messages"' in html


def test_request_info_is_a_checklist_plus_free_text(engineer, north):
    application = application_in_state("submitted", branch=north)
    client = client_for(engineer)
    html = client.get(page(application)).content.decode()
    assert 'id="action-request_info-items-checklist"' in html
    checklist = client.get(page(application)).context["checklist"]
    assert "Correct cadastral number of the plot" in checklist
    response = client.post(
        action(application, "request_info"),
        {
            "items": [
                "Correct cadastral number of the plot",
                "Фото щита учёта\nСхема ввода\nФото щита учёта",
            ],
            "comment": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == page(application)
    application.refresh_from_db()
    assert application.state == "needs_info"
    assert application.requested_items == [
        "Correct cadastral number of the plot",
        "Фото щита учёта",
        "Схема ввода",
    ]


def test_reject_without_reason_is_refused_next_to_the_field(engineer, north):
    application = application_in_state("submitted", branch=north)
    response = client_for(engineer).post(action(application, "reject"), {"reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="action-reject-reason_error"' in html
    assert ConnectionRequest.objects.get(pk=application.pk).state == "submitted"


def test_offer_form_is_prefilled_from_the_application_point_and_tariff(engineer, north, substation, tariff):
    application = application_in_state("under_review", branch=north, settlement_kind="urban")
    response = client_for(engineer).get(page(application))
    values = form_values(response, "action-issue_offer")
    assert values["connection_point_id"] == str(substation.pk)
    assert "ТП-77" in values["connection_point"]
    assert 110 < Decimal(values["grid_distance_m"]) < 113
    assert Decimal(values["max_power_kw"]) == Decimal("15")
    assert values["voltage_level"] == "0.4" and values["reliability_category"] == "III"
    assert values["grid_measures"] and values["applicant_measures"] and values["metering_requirements"]
    # 15 kW household in a town within 300 m: 15 × 5 000 is less than C1 + C2 × 0.111 km + metering
    assert Decimal(values["fee_rub"]) == Decimal("75000.00")
    assert "2 years" in response.content.decode()


def test_issuing_the_prefilled_offer_records_structured_conditions(engineer, north, substation, tariff):
    application = application_in_state("under_review", branch=north, settlement_kind="urban")
    client = client_for(engineer)
    values = form_values(client.get(page(application)), "action-issue_offer")
    values["applicant_measures"] += "\nУстановить ограничитель перенапряжений."
    response = client.post(action(application, "issue_offer"), values)
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.state == "offer_issued"
    conditions = TechnicalConditions.objects.get(request=application)
    assert conditions.number == f"ТУ-{application.number}"
    assert conditions.connection_capacity_id == substation.pk
    assert conditions.max_power_kw == Decimal("15")
    assert "ограничитель" in conditions.applicant_measures
    assert conditions.validity_years == 2
    assert conditions.valid_until == conditions.issued_on + relativedelta(years=2)
    assert Reservation.objects.filter(application=application, capacity=substation, released_at=None).exists()
    assert application.fee_rub == Decimal("75000.00")


def test_offer_with_power_above_the_request_is_refused(engineer, north, substation, tariff):
    application = application_in_state("under_review", branch=north, settlement_kind="urban")
    client = client_for(engineer)
    values = form_values(client.get(page(application)), "action-issue_offer")
    values["max_power_kw"] = "20"
    response = client.post(action(application, "issue_offer"), values)
    assert response.status_code == 400
    assert 'id="action-issue_offer-max_power_kw_error"' in response.content.decode()
    application.refresh_from_db()
    assert application.state == "under_review"
    assert not Reservation.objects.filter(application=application).exists()
    assert not TechnicalConditions.objects.filter(request=application).exists()


def test_payment_and_connection_forms_are_prefilled(engineer, north):
    application = application_in_state("offer_issued", branch=north)
    ConnectionRequest.objects.filter(pk=application.pk).update(fee_rub=Decimal("75000.00"))
    values = form_values(client_for(engineer).get(page(application)), "action-record_payment")
    assert values == {"paid_on": timezone.localdate().isoformat(), "amount_rub": "75000.00", "comment": ""}
    application = application_in_state("ready_for_check", branch=north)
    values = form_values(client_for(engineer).get(page(application)), "action-confirm_connection")
    assert values["connected_on"] == timezone.localdate().isoformat()


def test_documents_are_served_inline_for_the_viewer_only_when_asked(engineer, north):
    application = application_in_state("submitted", branch=north)
    document = application.documents.first()
    url = f"/api/v1/connection-requests/{application.pk}/documents/{document.pk}/download/"
    client = client_for(engineer)
    inline = client.get(url + "?inline=1")
    assert inline.status_code == 200
    assert inline["Content-Disposition"].startswith("inline")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Frame-Options"] == "DENY"


# The proposal over the API


def test_offer_proposal_api(make_client, engineer, north, stranger, substation, tariff):
    application = application_in_state("under_review", branch=north, settlement_kind="urban")
    url = f"/api/v1/connection-requests/{application.pk}/offer-proposal/"
    response = make_client(engineer).get(url)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["values"]["connection_point_id"] == substation.pk
    assert data["values"]["fee_rub"] == "75000.00"
    assert data["points"][0]["capacity_id"] == substation.pk
    assert data["fee"]["total_rub"] == "75000.00"
    assert data["validity_years"] == 2
    assert make_client(application.owner).get(url).status_code == 403
    assert make_client(stranger).get(url).status_code == 404


def test_queries_do_not_grow_with_documents_history_and_messages(engineer, north, substation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connection import messaging

    application = application_in_state("needs_info", branch=north)
    client = client_for(engineer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(application)).status_code == 200
        return len(captured)

    def add(index: int) -> None:
        add_document(application, "other", name=f"extra-{index}.pdf")
        TransitionLog.objects.create(
            application=application,
            transition="take_into_work",
            from_state="needs_info",
            to_state="needs_info",
            actor=engineer,
            actor_role="engineer",
        )
        messaging.post_message(application=application, author=engineer, text=f"Вопрос {index}")
        messaging.post_message(application=application, author=application.owner, text=f"Ответ {index}")

    add(0)  # one of each: prefetches of empty lists are skipped, so start from non-empty ones
    client.get(page(application))  # warm the per-process caches (rulebook, calendar, point index)
    before = count()
    for index in range(1, 5):
        add(index)
    assert count() == before


def test_images_are_viewable_in_the_page_too(engineer, north):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from connection import services

    application = application_in_state("needs_info", branch=north)
    version = services.upload_document(
        application=application,
        user=application.owner,
        doc_type="other",
        upload=SimpleUploadedFile("meter-board.png", png_bytes(), content_type="image/png"),
    )
    html = client_for(engineer).get(page(application)).content.decode()
    assert 'data-view-kind="image"' in html and "meter-board.png" in html
    url = f"/api/v1/connection-requests/{application.pk}/documents/{version.document_id}/download/?inline=1"
    response = client_for(engineer).get(url)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
