"""Tokens (issue, use, revoke, expire), failed-login throttling, 401 for anonymous."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.users import services
from backend.users.models import ApiToken
from tests.backend.factories import DEFAULT_PASSWORD, UserFactory
from tests.grid.factories import BranchFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me/"
TOKEN = "/api/v1/auth/token/"


def error_fields(response):
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("url", [ME, "/api/v1/branches/", "/api/v1/auth/tokens/"])
def test_anonymous_gets_401_on_protected_endpoints(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_issue_use_and_revoke(api_client):
    user = UserFactory(email="client@example.ru", role="integration")
    response = api_client.post(
        TOKEN, {"email": "client@example.ru", "password": DEFAULT_PASSWORD, "name": "CRM"}
    )
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    stored = ApiToken.objects.get(user=user)
    assert raw not in (stored.digest, stored.prefix)  # only a hash is stored
    assert stored.expires_at is not None

    for keyword in ("Bearer", "Token"):
        api_client.credentials(HTTP_AUTHORIZATION=f"{keyword} {raw}")
        assert api_client.get(ME).json()["email"] == "client@example.ru"

    assert api_client.delete(TOKEN).status_code == 204
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "token_revoked"


def test_expired_token_gets_401(api_client):
    token, raw = services.issue_token(user=UserFactory(), lifetime_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "token_expired"


def test_unknown_token_and_inactive_user_get_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer gcp_not-a-real-token")
    assert api_client.get(ME).status_code == 401
    user = UserFactory(is_active=False)
    _token, raw = services.issue_token(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get(ME).status_code == 401


def test_token_that_never_expires(api_client):
    UserFactory(email="forever@example.ru")
    response = api_client.post(
        TOKEN, {"email": "forever@example.ru", "password": DEFAULT_PASSWORD, "lifetime_days": 0}
    )
    assert response.status_code == 201
    assert response.json()["expires_at"] is None


def test_revoke_one_token_by_id_only_own(make_client):
    owner, stranger = UserFactory(), UserFactory()
    token, _raw = services.issue_token(user=owner)
    assert make_client(stranger).delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    client = make_client(owner)
    listed = client.get("/api/v1/auth/tokens/").json()
    assert [item["id"] for item in listed["results"]] == [token.pk]
    assert "token" not in listed["results"][0] and "digest" not in listed["results"][0]
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_wrong_password_gets_401_and_repeated_failures_lock(api_client, settings):
    UserFactory(email="victim@example.ru")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = api_client.post(TOKEN, {"email": "victim@example.ru", "password": "wrong"})
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "invalid_credentials"
    # The last allowed failure locks the account ...
    response = api_client.post(TOKEN, {"email": "victim@example.ru", "password": "wrong"})
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "login_locked"
    cooloff = int(settings.LOGIN_COOLOFF.total_seconds())
    assert cooloff - 5 <= int(response["Retry-After"]) <= cooloff
    # ... even for the right password, from a client the owner never logged in with.
    response = api_client.post(TOKEN, {"email": "victim@example.ru", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "login_locked"
    assert 0 < int(response["Retry-After"]) <= cooloff


def test_token_request_validation_names_fields(api_client):
    response = api_client.post(
        TOKEN, {"email": "not-an-email", "lifetime_days": -1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert error_fields(response) == {"email", "password", "lifetime_days"}


def test_me_shows_roles_and_branches(make_client):
    branch = BranchFactory(code="res-99")
    engineer = UserFactory(role="engineer", branches=[branch])
    body = make_client(engineer).get(ME).json()
    assert body["roles"] == ["engineer"]
    assert body["branches"] == ["res-99"]


def test_session_login_through_admin_form_is_throttled_too(client, settings):
    UserFactory(email="staff@example.ru", is_staff=True)
    url = reverse("admin:login")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(url, {"username": "staff@example.ru", "password": "wrong"})
    response = client.post(url, {"username": "staff@example.ru", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
