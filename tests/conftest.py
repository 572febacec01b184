"""Shared fixtures: API clients per role, clean throttles, Russian as the default language."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory, TerritoryFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    # Throttle counters live in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _clear_workflow_caches():
    # A rolled-back test transaction sends no signals, so caches filled in a test outlive its rows.
    from workflow import calendar, rulebook

    calendar.clear_cache()
    rulebook.clear_cache()
    yield
    calendar.clear_cache()
    rulebook.clear_cache()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's deliberate slowness is for attackers, not for building test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files of a test go to its own folder, never to the project's var/.
    settings.MEDIA_ROOT = tmp_path / "media"


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


@pytest.fixture
def branch(db):
    branch = BranchFactory(code="res-test", name="Тестовый РЭС")
    TerritoryFactory(branch=branch, name="Тестовый район")  # a square around 45.0 N, 42.0 E
    return branch


@pytest.fixture
def default_branch(db):
    return BranchFactory(code="res-default", name="РЭС по умолчанию", is_default=True)


@pytest.fixture
def reseeded():
    """For transactional tests (real commits, threads, live server): Django flushes the database
    after each of them, which removes the rows the data migrations seeded. This puts them back —
    role groups with their permissions, the production calendar, the rulebook, the consent text —
    idempotently.
    (serialized_rollback would do the same, but it breaks when transactional tests that do and do
    not use it are mixed, as with pytest-django's live_server.)"""
    from importlib import import_module

    from django.apps import apps

    from backend.users.roles import sync_role_permissions

    import_module("backend.users.migrations.0002_role_groups").create_groups(apps, None)
    import_module("workflow.migrations.0002_seed_calendar").seed_calendar(apps, None)
    import_module("workflow.migrations.0003_seed_rulebook").seed_rulebook(apps, None)
    import_module("connection.migrations.0013_example_requisites").add_example(apps, None)
    import_module("backend.users.migrations.0007_consent_text_first_version").publish(apps, None)
    sync_role_permissions()
