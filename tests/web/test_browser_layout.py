"""Phones and narrow screens: the documents and calculator pages fit 375 px, the mobile header
stays small, and the console's «Work» column fits 1280 px (screenshots in artifacts/screenshots/)."""

from __future__ import annotations

import re

import pytest

from tests.backend.factories import UserFactory
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory
from tests.grid.factories import BranchFactory, point
from tests.web.browser import CHROMIUM, log_in, shoot, wait_until
from tests.workflow.helpers import application_in_state

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]

PHONE = {"width": 375, "height": 812}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_documents_and_calculator_fit_a_phone_and_the_header_stays_small(page, live_server):
    owner = UserFactory(role="applicant", email="phone@example.ru")
    draft = ConnectionRequestFactory(applicant__owner=owner, owner=owner, with_documents=True)
    log_in(page, live_server, "phone@example.ru")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/applications/{draft.pk}/edit/documents/")
    assert page.evaluate(OVERFLOW) <= 0
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= PHONE["height"] / 5, header
    shoot(page, "layout-documents")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/calculator/")
    page.select_option("#id_devices-0-device_type", "electric_cooker")
    with page.expect_navigation():
        page.click("#calculate")
    assert re.search(r"#result$", page.url)
    page.locator("#result").wait_for(state="visible")
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 376)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)"
    )
    assert page.evaluate(OVERFLOW) <= 0, wide
    assert page.evaluate("document.getElementById('result').getBoundingClientRect().top") < PHONE["height"]
    shoot(page, "layout-calculator")
    assert PDF_BYTES  # the documents are real PDFs, shown with their sizes


def test_the_consoles_work_column_fits_1280(page, live_server):
    branch = BranchFactory()
    UserFactory(role="engineer", branches=[branch], email="eng1280@example.ru", last_name="Иванов")
    UserFactory(role="engineer", branches=[branch], last_name="Константинопольский", first_name="Вячеслав")
    for _index in range(3):
        application_in_state("submitted", branch=branch)
    log_in(page, live_server, "eng1280@example.ru", lands_on=r"/console/")
    page.set_viewport_size({"width": 1280, "height": 900})
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("element => element.scrollWidth - element.clientWidth") <= 0
    last = page.locator("table.console tbody tr td:last-child").first.bounding_box()
    assert last["x"] + last["width"] <= 1280
    shoot(page, "layout-console")


def test_the_map_downloads_the_view_and_finds_a_town(page, live_server):

    for index in range(30):
        point(f"{44.5 + index * 0.01:.4f}", f"{42.0 + index * 0.01:.4f}")
    requests = []
    page.on(
        "request",
        lambda request: requests.append(request.url) if "/connection-points/" in request.url else None,
    )
    page.goto(f"{live_server.url}/map/")
    wait_until(page, "document.getElementById('map').dataset.pointsLoaded !== undefined")
    assert any("zoom=" in url and "bbox=" in url for url in requests)
    assert int(page.get_attribute("#map", "data-points-loaded")) < 30  # clusters, far out
    page.fill("#place-query", "Пятигорск")
    page.click("#place-search button[type=submit]")
    page.locator("#place-results button").first.click()
    wait_until(page, "document.getElementById('map').leafletMap.getZoom() >= 12")
    shoot(page, "layout-map")
