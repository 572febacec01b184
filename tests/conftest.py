"""Shared fixtures: API clients per role, clean throttles, Russian as the default language."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    # Throttle counters live in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_client():
    """An API client authenticated as the given user (session-less, by force)."""

    def _make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return _make


@pytest.fixture
def applicant(db):
    return UserFactory(role="applicant")


@pytest.fixture
def engineer(db):
    return UserFactory(role="engineer")


@pytest.fixture
def supervisor(db):
    return UserFactory(role="supervisor")
