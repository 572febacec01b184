"""Every kind of page under the production Content-Security-Policy in Chromium: no violation (the
page fixture fails the test on any, from the `securitypolicyviolation` event or the console), and
the scripts that the policy would block if they were inline still run."""

from __future__ import annotations

import pytest

from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory, TerritoryFactory, point
from tests.web.browser import CHROMIUM, log_in
from tests.workflow.helpers import application_in_state

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]


def test_public_pages_and_api_docs_run_under_the_policy(page, live_server):
    TerritoryFactory()
    point("45.0010", "42.0010", name="ТП-7 Полевая")
    url = live_server.url
    for path in (
        "/",
        "/about/",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password-reset/",
        "/nope/",
    ):
        response = page.goto(url + path)
        assert "content-security-policy" in response.headers, path
    page.goto(f"{url}/calculator/")
    page.wait_for_selector("form")
    page.goto(f"{url}/map/")
    page.wait_for_selector("#capacity-map .leaflet-interactive, .map .leaflet-interactive")
    # Swagger UI (its start script loaded from a URL, not inline) and ReDoc render the schema.
    page.goto(f"{url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.goto(f"{url}/api/redoc/")
    page.wait_for_selector("redoc h1, #redoc-container h1, .api-content h1")


def test_staff_and_applicant_pages_run_under_the_policy(page, live_server):
    branch = BranchFactory(code="res-csp")
    TerritoryFactory(branch=branch)
    point("45.0010", "42.0010", name="ТП-7", branch=branch)
    owner = UserFactory(role="applicant", email="owner@example.ru")
    UserFactory(role="supervisor", email="supervisor@example.ru")
    application = application_in_state("submitted", branch=branch, owner=owner, applicant__owner=owner)
    url = live_server.url
    log_in(page, live_server, "owner@example.ru")
    page.goto(f"{url}/applications/{application.pk}/")
    page.wait_for_selector("h1")
    page.context.clear_cookies()
    log_in(page, live_server, "supervisor@example.ru", lands_on=r"/console/$")
    for path in ("/console/", "/console/dashboard/", f"/console/applications/{application.pk}/"):
        page.goto(url + path)
        page.wait_for_selector("h1")
    page.wait_for_selector("#object-map .leaflet-interactive")
