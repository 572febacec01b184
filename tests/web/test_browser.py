"""The applicant's web UI in a real browser: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium, headless) against the live server. Screenshots of each wizard step at 1280 and
360 px go to artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from connection.models import ConnectionRequest
from connection.workflow_actions import perform_transition
from tests.backend.factories import DEFAULT_PASSWORD, UserFactory
from tests.connection.factories import PDF_BYTES
from tests.grid.factories import BranchFactory, TerritoryFactory, point
from tests.web.browser import CHROMIUM, log_in, shoot, upload, wait_until
from tests.workflow.helpers import application_in_state

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]


def test_household_from_registration_to_submitted_application(page, live_server):
    TerritoryFactory()  # around 45.0 N 42.0 E
    point("45.0010", "42.0010", name="ТП-7 Полевая")
    url = live_server.url

    page.goto(f"{url}/accounts/register/")
    page.fill("#id_email", "olga@example.ru")
    page.fill("#id_last_name", "Smirnova")
    page.fill("#id_first_name", "Olga")
    page.fill("#id_phone", "+7 900 111-22-33")
    page.fill("#id_password1", DEFAULT_PASSWORD)
    page.fill("#id_password2", DEFAULT_PASSWORD)
    page.click("#consent summary")
    page.check("#id_personal_data_consent")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/register/sent/$"))
    # The confirmation link from the e-mail (the live server runs in this process: locmem outbox)
    [message] = mail.outbox
    page.goto(re.search(r"https?://\S+/accounts/activate/\S+/", message.body).group(0))
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    page.fill("#id_username", "olga@example.ru")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/applications/$"))
    page.click("#new-application")
    page.wait_for_url(re.compile(r"/edit/applicant/$"))
    draft = ConnectionRequest.objects.get(owner__email="olga@example.ru")

    # 1. Applicant (name, phone and e-mail come from the account)
    assert page.input_value("#id_last_name") == "Smirnova"
    page.check("#id_applicant_type_0")
    page.fill("#id_passport_series", "0712")
    page.fill("#id_passport_number", "345678")
    page.fill("#id_passport_issued_by", "GU MVD Rossii po Stavropolskomu krayu")
    page.fill("#id_passport_issued_on", "2015-06-01")
    page.fill("#id_registration_address", "Stavropol, Lenina 1")
    shoot(page, "step1-applicant")
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/edit/object/$"))

    # 2. Object: the point is picked on the map; the nearest connection point appears
    page.fill("#id_object_name", "Dwelling house")
    page.fill("#id_object_address", "Mikhailovsk, Polevaya 5")
    page.fill("#id_cadastral_number", "26:11:020101:123")
    wait_until(page, "document.getElementById('map').leafletMap !== undefined")
    page.evaluate("document.getElementById('map').leafletMap.setView([45.0, 42.0], 16, {animate: false})")
    page.locator("#map").click()  # the centre of the map
    wait_until(page, "document.getElementById('id_latitude').value !== ''")
    assert abs(float(page.input_value("#id_latitude")) - 45.0) < 0.01
    assert abs(float(page.input_value("#id_longitude")) - 42.0) < 0.01
    page.wait_for_selector("#nearest li.ok")
    assert "ТП-7 Полевая" in page.inner_text("#nearest")
    assert "kW free" in page.inner_text("#nearest")
    shoot(page, "step2-object")
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/edit/power/$"))

    # 3. Power: the calculator's result is applied; the total is shown live against the limit
    shoot(page, "step3-power")
    page.click("#calculator-link")
    page.wait_for_url(re.compile(r"/calculator/\?application="))
    page.select_option("#id_devices-0-device_type", "electric_cooker")
    page.select_option("#id_devices-1-device_type", "kettle")
    page.select_option("#id_devices-2-device_type", "lighting_led")
    page.fill("#id_devices-2-quantity", "20")
    page.click("#calculate")
    page.wait_for_selector("#design-kw")
    design = page.inner_text("#design-kw")
    shoot(page, "calculator")
    page.click("#apply-result")
    page.wait_for_url(re.compile(r"/edit/power/$"))
    assert page.input_value("#id_requested_kw").rstrip("0").rstrip(".") == design
    page.fill("#id_requested_kw", "20")
    assert not page.locator("#over-limit").is_hidden()  # 20 kW is over the household's 15 kW
    page.fill("#id_requested_kw", design)
    assert page.locator("#over-limit").is_hidden()
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/edit/supply/$"))

    # 4. Supply: voltage and phases were suggested by the calculator
    assert page.input_value("#id_voltage_level") == "0.23"
    page.select_option("#id_reliability_category", "III")
    page.select_option("#id_load_character", "household")
    page.fill("#id_guaranteeing_supplier", "Stavropolenergosbyt")
    page.select_option("#id_payment_option", "lump_sum")
    page.fill("#id_stage_1_date", "2027-06-01")
    page.fill("#id_stage_1_kw", design)
    shoot(page, "step4-supply")
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/edit/documents/$"))

    # 5. Documents: upload (with progress), replace = new version
    upload(page, "location_plan", "plan.pdf")
    upload(page, "title_to_plot", "title.pdf")
    upload(page, "passport", "passport.pdf")
    replace = page.locator("#doc-passport form.replace")
    replace.locator("input[type=file]").set_input_files(
        files=[{"name": "passport-v2.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    with page.expect_navigation():
        replace.locator("button").click()
    assert "v2" in page.inner_text("#doc-passport")
    shoot(page, "step5-documents")
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/edit/review/$"))

    # 6. Review and submit
    page.wait_for_selector("#complete")
    assert "Dwelling house" in page.inner_text("main")
    shoot(page, "step6-review")
    page.check("#id_personal_data_consent")
    with page.expect_navigation():
        page.click("#submit-application")
    assert page.url.endswith(f"/applications/{draft.pk}/"), page.inner_text("main")[:2000]
    assert "Registered, completeness check" in page.inner_text("#state")
    page.locator("#current-step").wait_for(state="visible")
    shoot(page, "application-submitted")
    draft.refresh_from_db()
    assert draft.state == "submitted" and draft.number
    assert draft.voltage_level == "0.23" and str(draft.requested_kw).startswith(design)


def test_field_errors_next_to_the_field_and_nothing_lost_on_reload(page, live_server):
    TerritoryFactory()
    UserFactory(role="applicant", email="ivan@example.ru", last_name="Ivanov", first_name="Ivan")
    log_in(page, live_server, "ivan@example.ru")
    page.click("#new-application")
    page.wait_for_url(re.compile(r"/edit/applicant/$"))
    page.fill("#id_inn", "123")  # wrong length and check digits
    page.fill("#id_registration_address", "Stavropol, Mira 3")
    page.click("#save-next")
    error = page.locator("#id_inn_error")
    error.wait_for(state="visible")  # is_visible() does not wait for the form post to come back
    assert page.get_attribute("#id_inn", "aria-invalid") == "true"
    assert "id_inn_error" in page.get_attribute("#id_inn", "aria-describedby")
    assert page.input_value("#id_registration_address") == "Stavropol, Mira 3"  # what was typed stays
    # The summary at the top has the focus and links to the field (GOV.UK error summary)
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert "INN" in page.inner_text("#form-errors")
    page.click("#form-errors a[href='#id_inn']")
    assert page.evaluate("document.activeElement.id") == "id_inn"
    shoot(page, "error-applicant")
    page.fill("#id_inn", "")
    page.click("#save-next")  # the passport is still missing: refused on this step, not at the review
    page.locator("#id_passport_series_error").wait_for(state="visible")
    page.click("button[name=go][value=stay]")  # a draft keeps its gaps
    page.locator(".alert-success").wait_for(state="visible")
    page.click("#step-object a")
    page.wait_for_url(re.compile(r"/edit/object/$"))
    page.fill("#id_object_name", "Garage")
    page.fill("#id_cadastral_number", "26:11")
    page.click("#save-next")
    page.locator("#id_cadastral_number_error").wait_for(state="visible")
    assert page.input_value("#id_object_name") == "Garage"
    # Reload: the saved steps are all there (nothing half-saved from the refused one)
    page.goto(page.url)
    page.goto(page.url.replace("/object/", "/applicant/"))
    assert page.input_value("#id_registration_address") == "Stavropol, Mira 3"
    assert page.input_value("#id_last_name") == "Ivanov"


def test_information_request_answered_and_resubmitted(page, live_server):
    branch = BranchFactory()
    applicant = UserFactory(role="applicant", email="petr@example.ru")
    engineer = UserFactory(role="engineer", branches=[branch])
    application = application_in_state(
        "submitted", branch=branch, applicant__owner=applicant, owner=applicant
    )
    perform_transition(
        application=application,
        name="request_info",
        user=engineer,
        comment="Please add the page with the registration address",
        data={"items": ["Passport: the page with the registration address"]},
    )
    log_in(page, live_server, "petr@example.ru")
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    assert "Passport: the page with the registration address" in page.inner_text("#requested-items")
    assert "Applicant" in page.inner_text("#current-step")
    shoot(page, "needs-info")
    upload(page, "passport", "registration-page.pdf")
    page.fill("#action-resubmit-comment", "The page is attached.")
    with page.expect_navigation():
        page.click("#action-resubmit button[type=submit]")
    assert "Registered, completeness check" in page.inner_text("#state")
    assert "Send the missing information" in page.inner_text("#timeline")
    application.refresh_from_db()
    assert application.state == "submitted"


def test_applicant_cannot_open_anothers_application(page, live_server):
    UserFactory(role="applicant", email="mine@example.ru")
    others = application_in_state("submitted")
    log_in(page, live_server, "mine@example.ru")
    response = page.goto(f"{live_server.url}/applications/{others.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/applications/{others.pk}/edit/review/")
    assert response.status == 404


def test_action_form_errors_are_summarised_at_the_top_with_the_focus(page, live_server):
    branch = BranchFactory()
    UserFactory(role="engineer", branches=[branch], email="eng@example.ru")
    application = application_in_state("submitted", branch=branch)
    log_in(page, live_server, "eng@example.ru", lands_on=r"/console/")
    page.goto(f"{live_server.url}/console/applications/{application.pk}/")
    with page.expect_navigation():
        page.click("#action-request_info button[type=submit]")
    summary = page.locator("#action-errors")
    summary.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "action-errors"
    assert summary.bounding_box()["y"] < 900  # in the first screen, not 8,000 px below
    assert "at least 1" in summary.inner_text()
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id") == "action-request_info-items"
    shoot(page, "error-action-summary")


def test_wizard_warns_before_leaving_unsaved_changes_and_follows_the_applicant_type(page, live_server):
    UserFactory(role="applicant", email="vera@example.ru", last_name="Petrova", first_name="Vera")
    log_in(page, live_server, "vera@example.ru")
    page.click("#new-application")
    page.wait_for_url(re.compile(r"/edit/applicant/$"))
    # A household does not see the organisation's fields; a company does, and not the passport
    page.check("#id_applicant_type_0")
    assert not page.is_visible("#id_organisation_name") and not page.is_visible("#id_kpp")
    assert page.is_visible("#id_passport_series")
    page.check("#id_applicant_type_2")
    assert page.is_visible("#id_organisation_name") and page.is_visible("#id_kpp")
    assert not page.is_visible("#id_passport_series")
    assert page.get_attribute("#id_kpp", "aria-required") == "true"
    page.check("#id_applicant_type_0")

    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.fill("#id_registration_address", "Stavropol, Mira 3")
    page.click("#step-object a")
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/edit/applicant/")  # stayed
    page.click("button[name=go][value=stay]")  # saving leaves without a warning
    page.wait_for_url(re.compile(r"/edit/applicant/$"))
    page.click("#step-object a")
    page.wait_for_url(re.compile(r"/edit/object/$"))
    assert dialogs == ["beforeunload"]
