"""Requests Django refuses as a whole (body too large, too many fields, unknown host, malformed
JSON or multipart) and unhandled errors: the API's one error body, translated, for /api/; the
portal's error pages elsewhere."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

QUESTIONS = "/api/v1/questions/"


def _only_error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["errors"] and len(body["errors"]) == 1
    return body["errors"][0]


@pytest.mark.parametrize(
    ("language", "message"),
    [("ru", "Тело запроса слишком велико."), ("en", "The request body is too large.")],
)
def test_api_body_over_the_limit_is_413_json(client, settings, language, message):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@example.ru", "password": "x" * 2000})
    response = client.post(
        "/api/v1/auth/register/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 413
    assert _only_error(response) == {"code": "too_large", "message": message, "field": None}


def test_api_body_under_the_limit_is_parsed(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/auth/register/", "{}", content_type="application/json")
    assert response.status_code == 400
    assert {error["code"] for error in response.json()["errors"]} == {"required"}


def test_api_too_many_multipart_fields_is_400_json(make_client, applicant, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    data = {f"field{number}": "x" for number in range(10)}
    response = make_client(applicant).post(QUESTIONS, data, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert _only_error(response) == {
        "code": "too_many_fields",
        "message": "The request has too many fields or files.",
        "field": None,
    }


@pytest.mark.parametrize(
    ("language", "message"),
    [("ru", "Тело запроса — не корректный JSON."), ("en", "The request body is not valid JSON.")],
)
def test_api_malformed_json_is_translated(client, language, message):
    response = client.post(
        "/api/v1/auth/register/", "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert _only_error(response) == {"code": "parse_error", "message": message, "field": None}


def test_api_malformed_multipart_is_400_json(make_client, applicant):
    response = make_client(applicant).generic(
        "POST",
        QUESTIONS,
        b"no boundary here",
        content_type="multipart/form-data; boundary=",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    error = _only_error(response)
    assert error["code"] == "parse_error"
    assert error["message"] == "The request body is not valid multipart form data."


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/auth/register/"])
def test_api_unknown_host_is_400_json(client, path):
    response = client.get(path, HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert _only_error(response) == {
        "code": "disallowed_host",
        "message": "This host name is not served here.",
        "field": None,
    }


def test_api_unhandled_error_is_500_json(settings):
    settings.ROOT_URLCONF = "tests.backend.errors_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/test-failure/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert _only_error(response) == {
        "code": "server_error",
        "message": "Internal server error.",
        "field": None,
    }


def test_web_unhandled_error_is_the_portal_page(settings):
    settings.ROOT_URLCONF = "tests.backend.errors_urls"
    client = Client(raise_request_exception=False)
    page = client.get("/test-failure/").content.decode()
    assert "Что-то пошло не так" in page and "portal.css" in page
    page = client.get("/test-failure/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Something went wrong" in page


@pytest.mark.parametrize(("language", "title"), [("ru", "Страница не найдена"), ("en", "Page not found")])
def test_web_404_is_the_portal_page(client, language, title):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert title in page and 'class="site-header"' in page


def test_web_form_over_the_limit_is_the_portal_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/accounts/login/", {"username": "a@example.ru", "password": "x" * 2000})
    assert response.status_code == 413
    assert "Запрос не удалось обработать" in response.content.decode()


def test_web_unknown_host_is_the_portal_page(client):
    response = client.get("/", HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The request could not be processed" in response.content.decode()


def test_web_permission_denied_is_the_portal_page(client, settings):
    settings.ROOT_URLCONF = "tests.backend.errors_urls"
    from backend import error_views

    request = Client().get("/").wsgi_request
    response = error_views.permission_denied(request)
    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()
