"""Integration clients: keys (hashed, scoped, expiring, two for rotation, last use), authority
given by applicants (checked on every call, revocable), history under the client's name, the
client's own rate limit, and the permission matrix over every operation of the schema."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from integration import services
from integration.models import ClientKey
from integration.scopes import Scope, required_scope
from tests.backend.factories import UserFactory
from tests.integration.factories import ALL_SCOPES, authorise, client_with_key, headers
from tests.workflow.helpers import URL, application_in_state
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).resolve().parents[2] / "api_schema" / "openapi.yaml"


def operations() -> list[tuple[str, str]]:
    paths = yaml.safe_load(SCHEMA.read_text())["paths"]
    return [
        (path, method.upper())
        for path, item in paths.items()
        for method in item
        # Open311 (/open311/v2/) takes its own keys (appeals.Open311Key), per the GeoReport spec.
        if method in ("get", "post", "put", "patch", "delete") and path.startswith("/api/")
    ]


def concrete(path: str, application_id: int) -> str:
    return (
        path.replace("{id}", str(application_id))
        .replace("{request_pk}", str(application_id))
        .replace("{name}", "submit")
        .replace("{attachment_pk}", "1")
    )


def authenticates(path: str) -> bool:
    """Views that take no credentials at all (registration, logging in) are anonymous for anyone."""
    return resolve(path).func.cls.authentication_classes != []


def call(api: APIClient, method: str, path: str, **extra):
    return getattr(api, method.lower())(path, {}, format="json", **extra)


def test_key_is_stored_hashed_and_shown_once():
    client, raw = client_with_key()
    key = ClientKey.objects.get(client=client)
    assert raw.startswith("ik_") and raw not in (key.digest, key.prefix)
    assert key.digest == services.key_digest(raw)


def test_two_active_keys_for_rotation_then_refused_until_one_is_revoked():
    client, _first = client_with_key()
    second = services.issue_key(client=client, scopes=[Scope.READ_APPLICATIONS])
    with pytest.raises(ValidationError):
        services.issue_key(client=client, scopes=[Scope.READ_APPLICATIONS])
    services.revoke_key(key=second.key)
    services.issue_key(client=client, scopes=[Scope.READ_APPLICATIONS])


@pytest.mark.parametrize("scopes", [[], ["everything"]])
def test_unknown_or_no_scopes_are_refused(scopes):
    client, _raw = client_with_key()
    services.revoke_key(key=client.keys.get())
    with pytest.raises(ValidationError) as error:
        services.issue_key(client=client, scopes=scopes)
    assert "scopes" in error.value.message_dict


def test_expired_revoked_and_unknown_keys_answer_401():
    client, raw = client_with_key()
    api = APIClient()
    assert api.get("/api/v1/events/", **headers(raw)).status_code == 200
    key = client.keys.get()
    assert key.last_used_at is not None
    ClientKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/events/", **headers(raw)).json()["errors"][0]["code"] == "key_expired"
    ClientKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() + timedelta(days=1))
    services.revoke_key(key=key)
    response = api.get("/api/v1/events/", **headers(raw))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "key_revoked"
    assert api.get("/api/v1/events/", **headers("ik_unknown")).status_code == 401


def test_client_acts_for_an_applicant_and_history_names_it(branch):
    client, raw = client_with_key(name="СолнцеМонтаж")
    application = application_in_state("draft")
    authorise(client, application.owner)
    api = APIClient()
    listed = api.get(URL, **headers(raw, acting_for=application.owner))
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [application.pk]
    submitted = api.post(
        f"{URL}{application.pk}/transitions/submit/", {}, format="json", **headers(raw, application.owner)
    )
    assert submitted.status_code == 200, submitted.content
    entry = TransitionLog.objects.get(application=application)
    assert entry.actor_id == application.owner_id
    assert entry.via == "СолнцеМонтаж"
    history = api.get(f"{URL}{application.pk}/history/", **headers(raw, application.owner)).json()
    assert history[0]["via"] == "СолнцеМонтаж"
    assert application.owner.integration_authorities.get().client == client


def test_without_acting_for_the_client_sees_no_applicant_data(branch):
    client, raw = client_with_key()
    application = application_in_state("draft")
    authorise(client, application.owner)
    response = APIClient().get(f"{URL}{application.pk}/", **headers(raw))
    assert response.status_code in (403, 404)


def test_applicant_revokes_from_their_account_and_the_next_call_is_refused(make_client, branch):
    client, raw = client_with_key()
    application = application_in_state("draft")
    authority = authorise(client, application.owner)
    api = APIClient()
    assert api.get(URL, **headers(raw, application.owner)).status_code == 200

    owner_api = make_client(application.owner)
    listed = owner_api.get("/api/v1/integration/authorities/").json()
    assert [item["id"] for item in listed] == [authority.pk]
    assert listed[0]["is_active"] is True
    other = UserFactory(role="applicant")
    assert (
        make_client(other).post(f"/api/v1/integration/authorities/{authority.pk}/revoke/").status_code == 404
    )
    revoked = owner_api.post(f"/api/v1/integration/authorities/{authority.pk}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False

    response = api.get(URL, **headers(raw, application.owner))
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "authority_missing"


def test_expired_authority_is_refused(branch):
    client, raw = client_with_key()
    applicant = UserFactory(role="applicant")
    authority = authorise(client, applicant)
    type(authority).objects.filter(pk=authority.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert APIClient().get(URL, **headers(raw, applicant)).status_code == 403


def test_each_client_has_its_own_rate_limit():
    slow, slow_key = client_with_key(name="Медленный", rate_limit="3/min")
    _fast, fast_key = client_with_key(name="Быстрый", rate_limit="100/min")
    api = APIClient()
    answers = [api.get("/api/v1/events/", **headers(slow_key)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert api.get("/api/v1/events/", **headers(fast_key)).status_code == 200
    # A second key of the same client shares its count.
    second = services.issue_key(client=slow, scopes=ALL_SCOPES)
    assert api.get("/api/v1/events/", **headers(second.raw)).status_code == 429


@pytest.fixture
def matrix_world(branch):
    application = application_in_state("submitted", branch=branch)
    return application


@pytest.mark.parametrize(("path", "method"), operations())
def test_a_key_without_the_scope_is_refused_on_every_operation(matrix_world, path, method):
    application = matrix_world
    url = concrete(path, application.pk)
    if not authenticates(url):
        pytest.skip("anonymous operation: takes no credentials")
    needed = required_scope(url, method)
    scopes = [scope for scope in ALL_SCOPES if scope != needed]
    client, raw = client_with_key(scopes=scopes)
    authorise(client, application.owner)  # full authority: only the key lacks the scope
    for acting_for in (None, application.owner):
        response = call(APIClient(), method, url, **headers(raw, acting_for))
        if url == "/api/v1/auth/token/" and method == "POST":
            # Logging in takes the personal-token scheme only: a client key there is an invalid token.
            assert response.status_code == 401, response.content
            continue
        assert response.status_code == 403, (method, url, response.content)
        assert response.json()["errors"][0]["code"] == "scope_missing"


@pytest.mark.parametrize(("path", "method"), operations())
def test_acting_for_an_applicant_who_revoked_authority_is_refused_on_every_operation(
    matrix_world, path, method
):
    application = matrix_world
    url = concrete(path, application.pk)
    if not authenticates(url) or required_scope(url, method) is None:
        pytest.skip("no client may make this call at all (covered above)")
    client, raw = client_with_key()
    services.revoke_authority(authority=authorise(client, application.owner))
    response = call(APIClient(), method, url, **headers(raw, application.owner))
    assert response.status_code == 403, (method, url, response.content)
    assert response.json()["errors"][0]["code"] == "authority_missing"


@pytest.mark.parametrize(("path", "method"), operations())
def test_authority_without_the_scope_is_refused_on_every_operation(matrix_world, path, method):
    application = matrix_world
    url = concrete(path, application.pk)
    needed = required_scope(url, method)
    if not authenticates(url) or needed is None:
        pytest.skip("no client may make this call at all (covered above)")
    client, raw = client_with_key()
    authorise(client, application.owner, scopes=[scope for scope in ALL_SCOPES if scope != needed])
    response = call(APIClient(), method, url, **headers(raw, application.owner))
    assert response.status_code == 403, (method, url, response.content)
