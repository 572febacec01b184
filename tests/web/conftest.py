"""The browser fixtures (Playwright on Debian's Chromium) for every browser test of the web UI."""

from tests.web.browser import browser, page, second_page  # noqa: F401 - fixtures, registered by importing
