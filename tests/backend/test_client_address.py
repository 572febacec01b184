"""The client address behind a configured number of proxies, and the throttles keyed on it: a
rotated X-Forwarded-For is not a new client (issue 13: it gave 150/150 calculator and 60/60 token
calls against limits of 60 and 20 a minute)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from backend.users.client_address import client_address
from tests.backend.factories import DEFAULT_PASSWORD, UserFactory

CALCULATOR = "/api/v1/load-calculations/"
TOKEN = "/api/v1/auth/token/"
KETTLE = {"devices": [{"device_type": "kettle", "quantity": 1}]}


def address(xff: str | None, *, remote: str = "10.0.0.1") -> str:
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client_address(RequestFactory().get("/", **extra))


def test_without_proxies_the_header_is_ignored(settings):
    settings.NUM_PROXIES = 0
    assert address("203.0.113.9") == "10.0.0.1"
    assert address(None) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # the left entry is the client's own claim
        (2, "1.2.3.4, 198.51.100.1, 10.1.1.1", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1"),  # fewer entries than proxies: not through the chain
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_entry_the_outermost_proxy_appended_counts(settings, proxies, xff, expected):
    settings.NUM_PROXIES = proxies
    assert address(xff) == expected


def rotated_calls(api_client, url, data, *, count, right_most=None):
    """Calls with a new X-Forwarded-For each time; returns the answers that were not 429 and one 429."""
    allowed, throttled = 0, None
    for index in range(count):
        spoofed = f"198.51.{index // 250}.{index % 250 + 1}"
        xff = spoofed if right_most is None else f"{spoofed}, {right_most}"
        response = api_client.post(url, data, HTTP_X_FORWARDED_FOR=xff)
        if response.status_code == 429:
            throttled = throttled or response
        else:
            allowed += 1
    return allowed, throttled


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_rotating_x_forwarded_for_does_not_escape_the_calculator_throttle(api_client, settings, proxies):
    settings.NUM_PROXIES = proxies
    right_most = "203.0.113.7" if proxies else None
    allowed, throttled = rotated_calls(api_client, CALCULATOR, KETTLE, count=75, right_most=right_most)
    assert allowed == 60  # THROTTLE_CALCULATOR's default, 60/min
    assert throttled.json()["errors"][0]["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_rotating_x_forwarded_for_does_not_escape_the_token_throttle(api_client, settings, proxies):
    settings.NUM_PROXIES = proxies
    UserFactory(email="client@example.ru")
    credentials = {"email": "client@example.ru", "password": DEFAULT_PASSWORD}
    right_most = "203.0.113.7" if proxies else None
    allowed, throttled = rotated_calls(api_client, TOKEN, credentials, count=30, right_most=right_most)
    assert allowed == 20  # THROTTLE_AUTH's default, 20/min
    assert throttled.json()["errors"][0]["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60


@pytest.mark.django_db
def test_behind_a_proxy_two_clients_are_counted_apart(api_client, settings):
    settings.NUM_PROXIES = 1
    first, _ = rotated_calls(api_client, CALCULATOR, KETTLE, count=60, right_most="203.0.113.7")
    second, _ = rotated_calls(api_client, CALCULATOR, KETTLE, count=60, right_most="203.0.113.8")
    assert (first, second) == (60, 60)
