"""One error body for every 4xx, in Russian by default and in English on request."""

import pytest

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
