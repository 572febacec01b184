"""Shared by the browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium,
headless) against the live server; screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.factories import DEFAULT_PASSWORD, PDF_BYTES

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WIDTHS = (1280, 360)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are
    # ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def open_page(browser):
    """A page in a fresh browser context (its own cookies: one signed-in person)."""
    context = browser.new_context(
        locale="en-US", extra_http_headers={"Accept-Language": "en"}, accept_downloads=True
    )
    context.set_default_timeout(15000)
    return context.new_page()


@pytest.fixture
def page(browser, settings):
    settings.MAP_TILE_URL = ""  # no network in tests: the map shows its points without tiles
    page = open_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def second_page(browser, settings):
    """Another person's browser, next to `page`."""
    settings.MAP_TILE_URL = ""
    page = open_page(browser)
    yield page
    page.context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def log_in(page, live_server, email: str, *, lands_on: str = r"/applications/$") -> None:
    """Log in through the form; applicants land on their applications, staff on the console."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(lands_on))


def upload(page, doc_type: str, name: str) -> None:
    page.select_option("#id_doc_type", doc_type)
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    assert page.inner_text("#documents").count(name) == 1
