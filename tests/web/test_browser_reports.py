"""Consumers' reports in a real browser (Playwright on Debian's Chromium): anonymous residents
report low voltage by clicking the map, with a photo, and confirm by the e-mailed link; reports in
three districts reach their branches by the real OSM district polygons; a second report nearby
joins the first one's incident; the engineer answers the incident with a planned date; both
reporters see it on their status pages; the public incident map shows no personal data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.models import Report
from grid import demo
from grid.models import Branch
from tests.appeals.factories import jpeg_with_gps
from tests.backend.factories import UserFactory
from tests.web.browser import CHROMIUM, SCREENSHOTS, log_in, open_page, wait_until
from workflow import calendar
from workflow.models import OutboxEmail, local_today

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]

WIDTHS = (1280, 375)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def click_map(page, latitude: float, longitude: float) -> None:
    """Zoom the map to the place and click it there, as a resident does."""
    wait_until(page, "() => document.getElementById('report-map').leafletMap")
    page.locator("#report-map").scroll_into_view_if_needed()
    point = page.evaluate(
        """([lat, lon]) => {
            const map = document.getElementById('report-map').leafletMap;
            map.setView([lat, lon], 15, {animate: false});
            const p = map.latLngToContainerPoint([lat, lon]);
            return {x: p.x, y: p.y};
        }""",
        [latitude, longitude],
    )
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def report_on_map(
    page, live_server, *, latitude: float, longitude: float, email: str, photo: bool = False
) -> Report:
    page.goto(f"{live_server.url}/reports/new/")
    page.check("input[name=kind][value=low_voltage]")
    click_map(page, latitude, longitude)
    assert abs(float(page.input_value("#id_latitude")) - latitude) < 0.0005
    assert abs(float(page.input_value("#id_longitude")) - longitude) < 0.0005
    started = timezone.localtime() - timedelta(hours=1)
    page.fill("#id_started_at", started.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_description", "Лампы горят вполнакала, холодильник не включается.")
    if photo:
        page.set_input_files(
            "#id_photos", files=[{"name": "street.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
        )
    page.fill("#id_contact_name", "Житель " + email.split("@")[0])
    page.fill("#id_contact_email", email)
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    assert page.locator("#awaiting-confirmation").is_visible()
    report = Report.objects.get(contact_email=email)
    # The resident opens the e-mailed link and confirms.
    body = OutboxEmail.objects.get(to=email).body
    link = re.search(r"https?://\S+/reports/confirm/\S+/", body).group(0)
    page.goto(link)
    with page.expect_navigation():
        page.click("#confirm-form button[type=submit]")
    assert page.url.endswith(f"/reports/{report.private_token}/")
    report.refresh_from_db()
    assert report.confirmed_at is not None
    return report


def test_reports_routed_grouped_answered_and_shown(page, second_page, browser, live_server):
    demo.load_branches()
    resident, neighbour = page, second_page

    # Three districts, three branches, by the real polygons.
    first = report_on_map(
        resident, live_server, latitude=45.15, longitude=42.05, email="first@example.ru", photo=True
    )
    assert first.branch.name == "Шпаковский РЭС"
    assert "Шпаковский РЭС" in resident.inner_text("#report-facts")
    assert first.photos.count() == 1
    assert resident.locator("img.report-photo").evaluate("img => img.naturalWidth") == 64
    shoot(resident, "report-status-received")
    other = open_context(browser)
    assert report_on_map(
        other, live_server, latitude=44.6, longitude=41.85, email="k@example.ru"
    ).branch.name == ("Кочубеевский РЭС")
    assert report_on_map(
        other, live_server, latitude=45.7, longitude=42.9, email="i@example.ru"
    ).branch.name == ("Ипатовский РЭС")
    other.context.close()

    # A neighbour 400 m away reports the same: one incident.
    neighbour.goto(f"{live_server.url}/reports/new/")
    shoot(neighbour, "report-form")
    second = report_on_map(
        neighbour, live_server, latitude=45.153, longitude=42.053, email="second@example.ru"
    )
    assert second.incident_id == first.incident_id
    assert neighbour.inner_text("#incident-number") == first.incident.number

    # The engineer of the branch answers the incident with a planned date.
    branch = Branch.objects.get(name="Шпаковский РЭС")
    UserFactory(role="engineer", branches=[branch], email="engineer@example.ru", last_name="Сидоров")
    engineer = open_context(browser)
    log_in(engineer, live_server, "engineer@example.ru", lands_on=r"/console/$")
    engineer.goto(f"{live_server.url}/console/reports/")
    shoot(engineer, "report-queue")
    with engineer.expect_navigation():
        engineer.click(f"#incident-queue >> text={first.incident.number}")
    assert engineer.locator("#incident-reports tbody tr").count() == 2
    planned = calendar.add_working_days(local_today(), 3)
    engineer.select_option("#id_status", "planned")
    engineer.fill("#id_planned_fix_date", planned.isoformat())
    engineer.fill("#id_answer_text", "Заменим перегруженный трансформатор на ТП-12.")
    shoot(engineer, "incident-answer")
    with engineer.expect_navigation():
        engineer.click("#status-form button[type=submit]")
    assert engineer.get_attribute("#incident-status", "data-status") == "planned"
    engineer.context.close()

    # Both reporters see the answer and the date.
    for person, report in ((resident, first), (neighbour, second)):
        person.goto(f"{live_server.url}/reports/{report.private_token}/")
        assert person.get_attribute("#report-status", "data-status") == "planned"
        assert "Заменим перегруженный трансформатор" in person.inner_text("#answer")
        assert person.locator("#planned-fix").is_visible()
        assert OutboxEmail.objects.filter(to=report.contact_email, body__contains="трансформатор").exists()
    shoot(resident, "report-status-planned")

    # The public map: the incident, no personal data.
    neighbour.goto(f"{live_server.url}/incidents/")
    wait_until(neighbour, "() => document.getElementById('incident-map').dataset.incidents === '3'")
    assert neighbour.locator("#incident-map .leaflet-interactive").count() == 3
    text = neighbour.content()
    for private in ("first@example.ru", "second@example.ru", "Житель", first.private_token, "вполнакала"):
        assert private not in text
    assert planned.isoformat() in neighbour.inner_text("#incident-table")
    shoot(neighbour, "incident-map")


def open_context(browser):
    return open_page(browser)
