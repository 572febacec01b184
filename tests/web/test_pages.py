"""Server-side tests of the web UI (Django test client): pages, the wizard's saves and errors,
visibility, actions from the workflow, and the weight of each page's scripts and styles."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client

from connection.models import ConnectionRequest
from tests.backend.factories import DEFAULT_PASSWORD, UserFactory
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory
from tests.grid.factories import TerritoryFactory, point
from tests.workflow.factories import version_with
from tests.workflow.helpers import application_in_state
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
#: The consent to the processing of personal data, ticked for the version in force (a data migration).
CONSENT = {"personal_data_consent": "on", "consent_version": "2026-12-01"}


def client_for(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


@pytest.fixture
def applicant():
    return UserFactory(role="applicant", email="anna@example.ru")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/about/",
        "/calculator/",
        "/map/",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password-reset/",
    ],
)
def test_public_pages_render(url):
    response = Client(**EN).get(url)
    assert response.status_code == 200
    assert b"<main" in response.content


def test_home_page_states_the_limits_of_the_rulebook_in_force():
    def limits(language: str) -> str:
        html = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert "up to 15 kW in total, reliability category III, 0.4 kV or below" in limits("en")
    assert "до 15 кВт в сумме, категория надёжности III, 0,4 кВ и ниже" in limits("ru")
    assert "devices of up to 150 kW at up to 20 kV" in limits("en")
    version_with(
        date(2025, 1, 1),
        household_max_kw="12",
        household_max_voltage_kv="0.23",
        business_max_kw="140",
        business_max_voltage_kv="10",
        business_reliability_categories="III",
    )
    page = limits("en")
    assert "up to 12 kW in total, reliability category III, 0.23 kV or below" in page
    assert "up to 140 kW in total, reliability category III, up to 10 kV" in page
    assert "devices of up to 140 kW at up to 10 kV" in page


def test_register_mails_an_activation_link_then_the_login_opens_the_applications(
    django_capture_on_commit_callbacks,
):
    client = Client(**EN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/register/",
            {
                "email": "new@example.ru",
                "last_name": "Smirnova",
                "first_name": "Olga",
                "password1": DEFAULT_PASSWORD,
                "password2": DEFAULT_PASSWORD,
                **CONSENT,
            },
        )
    assert response.status_code == 302 and response.url == "/accounts/register/sent/"
    assert b"register-sent" in client.get(response.url).content
    login = {"username": "new@example.ru", "password": DEFAULT_PASSWORD}
    assert client.post("/accounts/login/", login).status_code == 200  # not active yet
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/activate/\S+/)", message.body).group(1)
    assert client.get(link).url == "/accounts/login/"
    response = client.post("/accounts/login/", login)
    assert response.status_code == 302 and response.url == "/applications/"
    assert client.get("/applications/").status_code == 200


def test_register_answers_alike_for_an_address_with_an_account(django_capture_on_commit_callbacks):
    UserFactory(email="taken@example.ru")
    data = {"last_name": "A", "first_name": "B", "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD}
    data.update(CONSENT)
    with django_capture_on_commit_callbacks(execute=True):
        taken = Client(**EN).post("/accounts/register/", {"email": "taken@example.ru", **data})
        fresh = Client(**EN).post("/accounts/register/", {"email": "fresh@example.ru", **data})
    assert (taken.status_code, taken.url) == (fresh.status_code, fresh.url)
    assert [message.to for message in mail.outbox] == [["taken@example.ru"], ["fresh@example.ru"]]
    assert "/accounts/reset/" in mail.outbox[0].body and "/accounts/activate/" in mail.outbox[1].body


def test_register_errors_are_next_to_their_fields():
    response = Client(**EN).post(
        "/accounts/register/",
        {
            "email": "not-an-address",
            "last_name": "A",
            "first_name": "B",
            "password1": "123",
            "password2": "123",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in html and 'aria-describedby="id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_password1_error"' in html


def test_login_by_email_and_logout_by_post(applicant):
    client = Client(**EN)
    response = client.post("/accounts/login/", {"username": applicant.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/applications/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/applications/").status_code == 302


def test_password_reset_sends_a_link(applicant):
    client = Client(**EN)
    response = client.post("/accounts/password-reset/", {"email": applicant.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and b"new_password1" in page.content


def test_wizard_saves_every_step_and_submits(applicant):
    TerritoryFactory()
    point("45.001", "42.001")
    client = client_for(applicant)
    response = client.post("/applications/new/")
    draft = ConnectionRequest.objects.get(owner=applicant)
    assert response.url == f"/applications/{draft.pk}/edit/applicant/"
    base = f"/applications/{draft.pk}/edit/"
    person = {
        "applicant_type": "individual",
        "last_name": "Petrova",
        "first_name": "Anna",
        "passport_series": "0712",
        "passport_number": "345678",
        "passport_issued_by": "GU MVD",
        "passport_issued_on": "2015-06-01",
        "registration_address": "Stavropol, Lenina 1",
        "phone": "+7 900 123-45-67",
        "email": "anna@example.ru",
        "go": "next",
    }
    assert client.post(base + "applicant/", person).url == base + "object/"
    obj = {
        "object_name": "House",
        "object_address": "Mikhailovsk, Polevaya 5",
        "cadastral_number": "26:11:020101:123",
        "latitude": "45.000000",
        "longitude": "42.000000",
        "kind": "new",
        "go": "next",
    }
    assert client.post(base + "object/", obj).url == base + "power/"
    page = client.get(base + "object/").content.decode()
    assert 'id="nearest"' in page and "kW free" in page
    assert (
        client.post(base + "power/", {"previously_connected_kw": "0", "requested_kw": "12", "go": "next"}).url
        == base + "supply/"
    )
    supply = {
        "voltage_level": "0.4",
        "phases": "3",
        "reliability_category": "III",
        "load_character": "household",
        "guaranteeing_supplier": "Stavropolenergosbyt",
        "payment_option": "lump_sum",
        "stage_1_date": "2027-06-01",
        "stage_1_kw": "12",
        "go": "next",
    }
    assert client.post(base + "supply/", supply).url == base + "documents/"
    review = client.get(base + "review/").content.decode()
    assert "Attach the document" in review and f"{base}documents/#doc-location_plan" in review
    for doc_type in ("location_plan", "title_to_plot", "passport"):
        upload = client.post(
            f"/applications/{draft.pk}/documents/",
            {"doc_type": doc_type, "file": _pdf(f"{doc_type}.pdf")},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        assert upload.status_code == 200, upload.content
    review = client.get(base + "review/").content.decode()
    assert 'id="complete"' in review
    response = client.post(base + "review/", CONSENT)
    assert response.status_code == 302 and response.url == f"/applications/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.state == "submitted" and draft.requested_kw == Decimal("12")
    detail = client.get(response.url).content.decode()
    assert 'id="current-step"' in detail and "Withdraw" in detail


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_field_errors_keep_the_typed_values_and_save_nothing(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    client = client_for(applicant)
    response = client.post(
        f"/applications/{draft.pk}/edit/object/",
        {
            "object_name": "Barn",
            "cadastral_number": "not-a-number",
            "latitude": "10",
            "longitude": "10",
            "kind": "new",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_cadastral_number_error"' in html and 'value="Barn"' in html
    draft.refresh_from_db()
    assert draft.object_name == "Жилой дом"


def test_household_power_over_the_limit_is_refused_on_the_field(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    response = client_for(applicant).post(
        f"/applications/{draft.pk}/edit/power/", {"previously_connected_kw": "0", "requested_kw": "40"}
    )
    assert 'id="id_requested_kw_error"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.requested_kw == Decimal("15")


def test_another_applicants_pages_are_404(applicant):
    other = ConnectionRequestFactory()
    submitted = application_in_state("submitted")
    client = client_for(applicant)
    for url in (
        f"/applications/{other.pk}/",
        f"/applications/{other.pk}/edit/applicant/",
        f"/applications/{submitted.pk}/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/applications/{submitted.pk}/actions/withdraw/").status_code == 404


def test_actions_come_from_the_workflow(applicant):
    application = application_in_state("needs_info", applicant__owner=applicant, owner=applicant)
    ConnectionRequest.objects.filter(pk=application.pk).update(requested_items=["Passport page 2"])
    client = client_for(applicant)
    html = client.get(f"/applications/{application.pk}/").content.decode()
    assert 'id="action-resubmit"' in html and 'id="action-withdraw"' in html
    assert 'id="action-accept"' not in html and "Passport page 2" in html
    response = client.post(f"/applications/{application.pk}/actions/resubmit/", {"comment": "Attached"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "submitted"


def test_calculator_computes_and_applies_to_a_draft(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    client = client_for(applicant)
    data = {
        "devices-TOTAL_FORMS": "2",
        "devices-INITIAL_FORMS": "0",
        "devices-0-device_type": "electric_cooker",
        "devices-0-quantity": "1",
        "devices-1-device_type": "kettle",
        "devices-1-quantity": "1",
        "application": str(draft.pk),
        "action": "calculate",
    }
    page = client.post("/calculator/", data).content.decode()
    assert 'id="design-kw"' in page
    data["action"] = "apply"
    response = client.post("/calculator/", data)
    assert response.status_code == 302 and response.url.endswith("/edit/power/")
    draft.refresh_from_db()
    assert draft.requested_kw != Decimal("15")


STATIC = re.compile(r'<(?:script[^>]+src|link[^>]+href)="/static/([^"?]+)"')


def test_no_page_loads_more_than_300_kb_of_scripts_and_styles(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    client = client_for(applicant)
    urls = [
        "/",
        "/about/",
        "/calculator/",
        "/map/",
        "/accounts/login/",
        "/accounts/register/",
        "/applications/",
        f"/applications/{draft.pk}/",
    ]
    urls += [
        f"/applications/{draft.pk}/edit/{step}/"
        for step in ("applicant", "object", "power", "supply", "documents", "review")
    ]
    anonymous = Client(**EN)
    for url in urls:
        html = (anonymous if url.startswith("/accounts/") else client).get(url).content.decode()
        total = sum(Path(finders.find(path)).stat().st_size for path in STATIC.findall(html))
        assert STATIC.findall(html), url
        assert total <= 300 * 1024, (url, total)


@pytest.mark.django_db
def test_applicant_chooses_a_connection_point_and_the_offer_reserves_there(branch):
    from decimal import Decimal

    from grid.models import AssetCapacity

    near = point("45.001000", "42.000000", installed_kw="100", name="ТП-1", branch=branch)
    other = point("45.002000", "42.000000", installed_kw="100", name="ТП-2", branch=branch)
    draft = ConnectionRequestFactory(with_documents=True)
    client = client_for(draft.owner)
    page = client.get(f"/applications/{draft.pk}/edit/object/").content.decode()
    assert f'name="preferred_connection_point" value="{near.pk}"' in page
    assert f'value="{other.pk}"' in page
    data = {
        "object_name": draft.object_name,
        "object_address": draft.object_address,
        "cadastral_number": draft.cadastral_number,
        "latitude": "45.000000",
        "longitude": "42.000000",
        "kind": "new",
        "preferred_connection_point": str(other.pk),
        "go": "next",
    }
    assert client.post(f"/applications/{draft.pk}/edit/object/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.preferred_connection_point_id == other.pk

    from connection import workflow_actions
    from tests.workflow.helpers import data_for

    workflow_actions.submit(application=draft, user=draft.owner)
    engineer = UserFactory(role="engineer", branches=[branch])
    draft.refresh_from_db()
    workflow_actions.perform_transition(application=draft, name="accept", user=engineer)
    offer = {**data_for("issue_offer"), "fee_rub": Decimal("75000"), "grid_distance_m": Decimal("120")}
    workflow_actions.perform_transition(application=draft, name="issue_offer", user=engineer, data=offer)
    assert AssetCapacity.objects.get(pk=other.pk).reserved_kw == draft.requested_kw
    assert AssetCapacity.objects.get(pk=near.pk).reserved_kw == 0


def test_owner_sees_and_writes_in_the_message_thread(branch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from connection import messaging, workflow_actions
    from connection.models import Message

    application = ConnectionRequestFactory(with_documents=True)
    workflow_actions.submit(application=application, user=application.owner)
    engineer = UserFactory(role="engineer", branches=[branch])
    reply = messaging.post_message(
        application=application,
        author=engineer,
        text="Пришлите схему",
        files=[SimpleUploadedFile("схема.pdf", PDF_BYTES)],
    )
    client = client_for(application.owner)
    listing = client.get("/applications/").content.decode()
    assert f'href="/applications/{application.pk}/#messages"><strong>1</strong>' in listing

    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Пришлите схему" in page
    attachment = reply.attachments.get()
    assert (
        f"/api/v1/connection-requests/{application.pk}/messages/{reply.pk}/attachments/{attachment.pk}/download/"
        in page
    )
    assert 'label for="id_text"' in page and 'label for="id_files"' in page
    assert messaging.unread_count(application, application.owner) == 0  # viewing marks it read

    # An empty message is refused with the error next to the field.
    response = client.post(f"/applications/{application.pk}/messages/", {"text": ""})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()
    # A bad file is refused next to the file field.
    response = client.post(
        f"/applications/{application.pk}/messages/",
        {"text": "Вот", "files": [SimpleUploadedFile("x.pdf", b"MZ not a pdf")]},
    )
    assert response.status_code == 400
    assert 'id="id_files_error"' in response.content.decode()

    response = client.post(
        f"/applications/{application.pk}/messages/",
        {"text": "Схема во вложении", "files": [SimpleUploadedFile("scheme.pdf", PDF_BYTES)]},
    )
    assert response.status_code == 302
    message = Message.objects.get(text="Схема во вложении")
    assert message.author_side == "applicant" and message.attachments.count() == 1
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Схема во вложении" in page and "scheme.pdf" in page
    # Another applicant cannot post to it.
    other = client_for(UserFactory(role="applicant"))
    assert other.post(f"/applications/{application.pk}/messages/", {"text": "x"}).status_code == 404


@pytest.mark.django_db
def test_review_shows_the_indicative_fee_from_the_tariffs(branch):
    from django.core.management import call_command

    call_command("load_tariffs", verbosity=0)
    point("45.001000", "42.000000", installed_kw="400", name="ТП-1", branch=branch)
    draft = ConnectionRequestFactory(with_documents=True)
    page = (
        client_for(draft.owner)
        .get(f"/applications/{draft.pk}/edit/review/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "roubles" in page and "example tariff" in page


@pytest.mark.django_db
def test_calculator_with_a_non_ascii_digit_application_id_is_not_an_error(applicant):
    response = client_for(applicant).get("/calculator/", {"application": "²"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_choosing_a_saved_applicant_with_a_malformed_id_is_404(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    response = client_for(applicant).post(f"/applications/{draft.pk}/edit/applicant/", {"use_applicant": "²"})
    assert response.status_code == 404


def test_withdraw_asks_for_confirmation_and_a_reason_kept_in_the_history(applicant):
    application = application_in_state("submitted", applicant__owner=applicant, owner=applicant)
    client = client_for(applicant)
    html = client.get(f"/applications/{application.pk}/").content.decode()
    assert 'id="confirm-withdraw"' in html and 'name="confirm"' in html
    url = f"/applications/{application.pk}/actions/withdraw/"

    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="action-withdraw-reason_error"' in html and 'id="action-withdraw-confirm_error"' in html
    response = client.post(url, {"reason": "Передумал"})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == "submitted"

    response = client.post(url, {"reason": "Передумал", "confirm": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "withdrawn"
    assert (
        TransitionLog.objects.get(application=application, transition="withdraw").data["reason"]
        == "Передумал"
    )
    assert "Передумал" in client.get(f"/applications/{application.pk}/").content.decode()


def test_withdraw_over_the_api_keeps_working_and_records_the_reason(applicant, make_client):
    application = application_in_state("submitted", applicant__owner=applicant, owner=applicant)
    response = make_client(applicant).post(
        f"/api/v1/connection-requests/{application.pk}/transitions/withdraw/",
        {"reason": "Продал дом"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (
        TransitionLog.objects.get(application=application, transition="withdraw").data["reason"]
        == "Продал дом"
    )


CALCULATION = {
    "devices-TOTAL_FORMS": "2",
    "devices-INITIAL_FORMS": "0",
    "devices-0-device_type": "electric_cooker",
    "devices-0-quantity": "1",
    "devices-1-device_type": "kettle",
    "devices-1-quantity": "1",
    "action": "calculate",
}


def test_the_calculator_scrolls_to_the_result_and_applies_from_the_standalone_page(applicant):
    client = client_for(applicant)
    page = client.post("/calculator/", CALCULATION).content.decode()
    assert 'formaction="/calculator/#result"' in page and 'id="result"' in page  # the result in view
    assert 'id="apply-new"' in page and 'form="calculator-form"' in page
    response = client.post("/calculator/", {**CALCULATION, "action": "apply_new"})
    assert response.status_code == 302 and response.url.endswith("/edit/applicant/")
    draft = ConnectionRequest.objects.get(owner=applicant)
    assert draft.state == "draft" and draft.requested_kw is not None and draft.requested_kw > 0


def test_anonymous_calculator_users_are_asked_to_log_in_to_apply():
    page = Client(**EN).post("/calculator/", CALCULATION).content.decode()
    assert 'href="/accounts/login/?next=/calculator/"' in page
    response = Client(**EN).post("/calculator/", {**CALCULATION, "action": "apply_new"})
    assert response.status_code == 200 and not ConnectionRequest.objects.exists()


def big_load(**supply: str) -> dict[str, str]:
    """A cooker, a sauna heater and a boiler: advised three-phase; the chosen supply as posted."""
    rows = {
        "devices-TOTAL_FORMS": "3",
        "devices-INITIAL_FORMS": "0",
        "devices-0-device_type": "electric_cooker",
        "devices-0-quantity": "1",
        "devices-1-device_type": "other",
        "devices-1-unit_kw": "9",
        "devices-1-quantity": "1",
        "devices-2-device_type": "other",
        "devices-2-unit_kw": "6",
        "devices-2-quantity": "1",
        "action": "calculate",
    }
    return {**rows, **{f"supply-{key}": value for key, value in supply.items()}}


def design_current(page: str) -> str:
    return re.search(r"<dt>Design current</dt><dd>([^<]+)</dd>", page).group(1)


def test_the_web_calculator_takes_the_supply_like_the_api(applicant):
    client = Client(**EN)
    advised = client.post("/calculator/", big_load()).content.decode()
    notice = "Single-phase supply was chosen although the design power"
    assert notice not in advised

    single = client.post("/calculator/", big_load(phases="1", voltage_v="230")).content.decode()
    assert notice in single  # honoured with a notice, not silently made three-phase
    assert design_current(single) != design_current(advised)

    at_220 = client.post("/calculator/", big_load(phases="1", voltage_v="220")).content.decode()
    assert design_current(at_220) != design_current(single)  # the current is computed at 220 V

    api = client.post(
        "/api/v1/load-calculations/",
        {
            "devices": [
                {"device_type": "electric_cooker", "quantity": 1},
                {"device_type": "other", "unit_kw": "9", "quantity": 1},
                {"device_type": "other", "unit_kw": "6", "quantity": 1},
            ],
            "supply": {"phases": 1, "voltage_v": 220},
        },
        content_type="application/json",
    ).json()
    page_current = Decimal(design_current(at_220).split()[0].replace(",", ".").replace("\u00a0", ""))
    assert page_current == Decimal(api["design_current_a"])


def test_a_supply_outside_the_choices_is_refused_on_its_field(applicant):
    page = Client(**EN).post("/calculator/", big_load(phases="2", voltage_v="110")).content.decode()
    assert 'id="design-kw"' not in page
    assert page.count("Select a valid choice") == 2  # phases and voltage, each on its field
