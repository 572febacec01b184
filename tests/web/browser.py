"""Shared by the browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium,
headless) against the live server; screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.backend.factories import DEFAULT_PASSWORD
from tests.connection.factories import PDF_BYTES

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


# Reports every Content-Security-Policy violation of every document (frames too) to the test.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.documentURI}` +
      (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : "")
  );
});
"""


def open_page(browser):
    """A page in a fresh browser context (its own cookies: one signed-in person). Content-Security-
    Policy violations, from the event or from the console, are collected in `page.csp_violations`;
    the fixtures fail a test that caused any."""
    context = browser.new_context(
        locale="en-US", extra_http_headers={"Accept-Language": "en"}, accept_downloads=True
    )
    context.set_default_timeout(15000)
    violations: list[str] = []
    context.expose_function("__reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text} [{page.url} {message.location.get('url', '')}]")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.csp_violations = violations
    return page


def wait_until(page, script: str, *, seconds: float = 15) -> None:
    """Poll `script` (an expression or a function, in the page) until it is truthy. Unlike
    page.wait_for_function, whose polling may compile the predicate inside the page, this evaluates
    through the browser's protocol, so the page's CSP (no eval) never sees it."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {seconds} s: {script}")
        page.wait_for_timeout(100)


def assert_no_csp_violations(page) -> None:
    assert page.csp_violations == [], "Content-Security-Policy violations:\n" + "\n".join(page.csp_violations)


@pytest.fixture
def page(browser, settings):
    settings.MAP_TILE_URL = ""  # no network in tests: the map shows its points without tiles
    page = open_page(browser)
    yield page
    page.context.close()
    assert_no_csp_violations(page)


@pytest.fixture
def second_page(browser, settings):
    """Another person's browser, next to `page`."""
    settings.MAP_TILE_URL = ""
    page = open_page(browser)
    yield page
    page.context.close()
    assert_no_csp_violations(page)


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
