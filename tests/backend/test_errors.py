"""One error body for every 4xx, in Russian by default and in English on request."""

import pytest

from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory

pytestmark = pytest.mark.django_db


def test_validation_error_body_in_russian_by_default(api_client):
    response = api_client.post("/api/v1/auth/register/", {})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {error["field"] for error in errors} == {"email", "password", "last_name", "first_name"}
    assert all(set(error) == {"code", "message", "field"} for error in errors)
    assert {error["code"] for error in errors} == {"required"}
    assert errors[0]["message"] == "Обязательное поле."


def test_validation_error_body_in_english(api_client):
    response = api_client.post("/api/v1/auth/register/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"][0]["message"] == "This field is required."


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Учетные данные не были предоставлены."),
        ("en", "Authentication credentials were not provided."),
    ],
)
def test_401_body_in_both_languages(api_client, language, message):
    response = api_client.get("/api/v1/users/me/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.json() == {"errors": [{"code": "not_authenticated", "message": message, "field": None}]}


def test_unknown_api_url_gets_404_in_the_same_shape(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_object_outside_reach_is_404(make_client, applicant):
    response = make_client(applicant).get("/api/v1/auth/tokens/999999/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] is None


def test_malformed_json_is_400_parse_error(api_client):
    response = api_client.post("/api/v1/auth/register/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_method_not_allowed_shape(make_client, applicant):
    response = make_client(applicant).put("/api/v1/users/me/", {})
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_nested_errors_get_dotted_field_paths():
    from rest_framework.exceptions import ErrorDetail

    from backend.api.errors import flatten_errors

    detail = {
        "stages": [{}, {"power_kw": [ErrorDetail("Too big.", code="max_value")]}],
        "non_field_errors": [ErrorDetail("Bad.", code="invalid")],
    }
    assert flatten_errors(detail) == [
        {"code": "max_value", "message": "Too big.", "field": "stages.1.power_kw"},
        {"code": "invalid", "message": "Bad.", "field": None},
    ]


def _framework_messages():
    """Every message of DRF's fields, serializers and exceptions, as the classes define them."""
    import inspect

    from django.utils.functional import Promise
    from rest_framework import exceptions, fields, relations, serializers

    found = {}
    for module in (fields, serializers, relations, exceptions):
        for _name, kind in inspect.getmembers(module, inspect.isclass):
            if not kind.__module__.startswith("rest_framework"):
                continue
            for key, message in getattr(kind, "default_error_messages", {}).items():
                found[f"{kind.__name__}.{key}"] = message
            if isinstance(getattr(kind, "default_detail", None), str | Promise):
                found[f"{kind.__name__}.detail"] = kind.default_detail
    return found


#: Words a Russian message may keep: formats and protocol names.
KEPT_WORDS = {"JSON", "UUID", "URL", "Accept", "IPv", "null", "slug"}


def test_every_framework_message_is_russian():
    import re

    from django.utils import translation

    with translation.override("ru"):
        leftovers = {}
        for key, message in _framework_messages().items():
            text = re.sub(r"\{[^}]*\}", "", str(message))
            words = set(re.findall(r"[A-Za-z]{3,}", text)) - KEPT_WORDS
            if words:
                leftovers[key] = text
    assert leftovers == {}


@pytest.mark.parametrize(
    ("language", "wait", "message"),
    [
        ("ru", 1, "Слишком много запросов. Повторите через 1 секунду."),
        ("ru", 3, "Слишком много запросов. Повторите через 3 секунды."),
        ("ru", 57, "Слишком много запросов. Повторите через 57 секунд."),
        ("ru", 21, "Слишком много запросов. Повторите через 21 секунду."),
        ("en", 57, "Too many requests. Try again in 57 seconds."),
        ("en", 1, "Too many requests. Try again in 1 second."),
    ],
)
def test_throttling_tells_the_wait_with_plural_forms(api_client, settings, language, wait, message):
    from unittest import mock

    from rest_framework.throttling import ScopedRateThrottle

    with (
        mock.patch.object(ScopedRateThrottle, "allow_request", return_value=False),
        mock.patch.object(ScopedRateThrottle, "wait", return_value=wait - 0.4),
    ):
        response = api_client.post("/api/v1/auth/register/", {}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429
    assert response.json()["errors"] == [{"code": "throttled", "message": message, "field": None}]
    assert response["Retry-After"] == str(wait)


def test_list_length_and_body_shape_messages_are_russian(make_client):
    from tests.workflow.helpers import application_in_state

    branch = BranchFactory()
    application = application_in_state("submitted", branch=branch)
    client = make_client(UserFactory(role="engineer", branches=[branch]))
    url = f"/api/v1/connection-requests/{application.pk}/transitions/request_info/"
    response = client.post(url, {"items": []}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["message"] == "Число элементов в этом поле должно быть не меньше 1."
    response = client.post(url, [1, 2], format="json")
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["message"]
        == "Недопустимые данные: ожидался объект с полями (JSON-объект)."
    )


def test_list_length_message_reads_well_in_english():
    from django.utils import translation
    from rest_framework import serializers

    class Items(serializers.Serializer):
        items = serializers.ListField(child=serializers.CharField(), min_length=1)

    with translation.override("en"):
        checked = Items(data={"items": []})
        assert not checked.is_valid()
        assert str(checked.errors["items"][0]) == "The number of entries in this field must be at least 1."
