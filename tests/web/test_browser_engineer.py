"""The engineer's side in a real browser (Playwright on Debian's Chromium), next to the applicant's:
information requested and supplied, technical conditions and offer issued from the prefilled form,
the PDFs seen in the page and downloaded by the applicant, payment, readiness, connection and
closing — with the history complete; an engineer of another branch gets a 404."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from connection import services
from connection.models import ConnectionRequest, TechnicalConditions
from tests.backend.factories import UserFactory
from tests.connection.factories import TariffFactory
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

CONSOLE = r"/console/$"


def post(page, form_id: str) -> None:
    """Submit a transition form and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(f"#{form_id} button[type=submit]")


def history(page) -> list[str]:
    return page.locator("#history-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.transition)")


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_engineer_processes_an_application_to_closure(page, second_page, live_server, tmp_path):
    branch = BranchFactory(code="res-mikh", name="Михайловский РЭС")
    TerritoryFactory(branch=branch)  # around 45.0 N 42.0 E
    substation = point("45.001000", "42.000000", installed_kw="100", branch=branch, name="ТП-77")
    TariffFactory()
    applicant = UserFactory(role="applicant", email="petrov@example.ru")
    UserFactory(role="engineer", branches=[branch], email="engineer@example.ru", last_name="Сидоров")
    UserFactory(role="engineer", branches=[BranchFactory(code="res-other")], email="other@example.ru")
    application = application_in_state(
        "submitted",
        branch=branch,
        owner=applicant,
        applicant__owner=applicant,
        applicant__last_name="Петров",
        applicant__first_name="Пётр",
        settlement_kind="urban",
    )
    ConnectionRequest.objects.filter(pk=application.pk).update(
        applicant_snapshot=services.applicant_snapshot(application.applicant)
    )
    engineer, owner = page, second_page
    url = live_server.url
    console_page = f"{url}/console/applications/{application.pk}/"
    applicant_page = f"{url}/applications/{application.pk}/"

    # The engineer finds it in the queue and asks for missing data: a checklist item and free text.
    log_in(engineer, live_server, "engineer@example.ru", lands_on=CONSOLE)
    with engineer.expect_navigation():
        engineer.click(f"table.console >> text={application.number}")
    assert engineer.url == console_page
    assert "ТП-77" in engineer.inner_text("#candidates")
    assert engineer.locator("#object-map .leaflet-interactive").count() >= 2  # object, point and line
    engineer.check("#action-request_info-items-checklist input[value='Correct cadastral number of the plot']")
    engineer.fill("#action-request_info-items", "Photo of the meter board")
    engineer.fill("#action-request_info-comment", "Please check the cadastral number.")
    shoot(engineer, "engineer-submitted")
    post(engineer, "action-request_info")
    assert ConnectionRequest.objects.get(pk=application.pk).state == "needs_info"
    assert "Photo of the meter board" in engineer.inner_text("#requested-items")

    # The applicant sees what is asked, attaches it and sends it back.
    log_in(owner, live_server, "petrov@example.ru")
    owner.goto(applicant_page)
    asked = owner.inner_text("#requested-items")
    assert "Correct cadastral number of the plot" in asked and "Photo of the meter board" in asked
    upload(owner, "other", "meter-board.pdf")
    post(owner, "action-resubmit")
    assert ConnectionRequest.objects.get(pk=application.pk).state == "submitted"

    # The engineer accepts and issues the technical conditions and the offer from the prefilled form.
    engineer.goto(console_page)
    post(engineer, "action-accept")
    assert engineer.input_value("#action-issue_offer-connection_point_id") == str(substation.pk)
    assert engineer.input_value("#action-issue_offer-fee_rub") == "75000.00"
    assert engineer.input_value("#action-issue_offer-grid_measures")
    # Farther than 300 m in a town the standardised rates apply: the fee follows the form at once.
    distance = engineer.input_value("#action-issue_offer-grid_distance_m")
    overhead = engineer.input_value("#action-issue_offer-overhead_km")
    engineer.fill("#action-issue_offer-grid_distance_m", "600")
    engineer.fill("#action-issue_offer-overhead_km", "0.6")
    engineer.click("#fee-recalculate")
    wait_until(engineer, "() => document.querySelector('#action-issue_offer-fee_rub').value === '951000.00'")
    assert "C2" in engineer.inner_text("#fee-recalculated")
    engineer.fill("#action-issue_offer-grid_distance_m", distance)
    engineer.fill("#action-issue_offer-overhead_km", overhead)
    engineer.click("#fee-recalculate")
    wait_until(engineer, "() => document.querySelector('#action-issue_offer-fee_rub').value === '75000.00'")
    engineer.fill(
        "#action-issue_offer-other_conditions", "Согласовать трассу ВЛИ с администрацией поселения."
    )
    shoot(engineer, "engineer-offer-form")
    post(engineer, "action-issue_offer")
    application.refresh_from_db()
    assert application.state == "offer_issued"
    conditions = TechnicalConditions.objects.get(request=application)
    assert conditions.connection_capacity_id == substation.pk

    # The issued PDF is shown in the engineer's page.
    engineer.click("#doc-technical_conditions a.view-link")
    assert engineer.locator("#doc-viewer").is_visible()
    source = engineer.get_attribute("#doc-viewer-frame", "src")
    assert "inline=1" in source
    shown = engineer.request.get(source)
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline")

    # The applicant sees and downloads the three documents.
    owner.goto(applicant_page)
    conditions = owner.inner_text("#technical-conditions")
    assert "ТП-77" in conditions and "Согласовать трассу ВЛИ" in conditions
    documents = owner.inner_text("#documents")
    for title in ("Technical conditions", "Contract offer", "Invoice"):
        assert title in documents
    with owner.expect_download() as download:
        owner.click("#doc-technical_conditions td a")
    saved = tmp_path / "tc.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = pdf_text(saved)
        assert application.number in text and "Петров" in text
        assert "Согласовать трассу ВЛИ" in text and "75 000,00" in text

    # Payment is recorded (prefilled with the amount due), the applicant reports readiness,
    # the engineer confirms the connection and closes the application.
    engineer.goto(console_page)
    assert engineer.input_value("#action-record_payment-amount_rub") == "75000.00"
    post(engineer, "action-record_payment")
    owner.goto(applicant_page)
    post(owner, "action-notify_ready")
    engineer.goto(console_page)
    post(engineer, "grid-works-form")
    assert "done on" in engineer.inner_text("#works-grid")
    post(engineer, "action-confirm_connection")
    post(engineer, "action-close")
    application.refresh_from_db()
    assert application.state == "closed"
    assert history(engineer) == [
        "request_info",
        "resubmit",
        "accept",
        "issue_offer",
        "record_payment",
        "notify_ready",
        "grid_works_done",
        "confirm_connection",
        "close",
    ]
    assert "Photo of the meter board" in engineer.inner_text("#history-table")
    shoot(engineer, "engineer-closed")
    owner.goto(applicant_page)
    timeline = owner.inner_text("#timeline")
    for label in (
        "Request missing information",
        "Issue the technical conditions and offer",
        "Close the application",
    ):
        assert label in timeline
    assert "Notice that the connection is ensured" in owner.inner_text("#documents")

    # An engineer of another branch cannot open it.
    engineer.context.clear_cookies()
    log_in(engineer, live_server, "other@example.ru", lands_on=CONSOLE)
    assert engineer.goto(console_page).status == 404
    assert engineer.goto(applicant_page).status == 404
