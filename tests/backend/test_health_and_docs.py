"""Health check, API root, schema and documentation pages (served without internet)."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_healthz_is_liveness_and_touches_no_service(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_and_says_what_is_not_configured(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "not_configured", "broker": "not_configured"},
    }


def test_docs_pages_use_local_assets_only(client):
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        external = [src for src in re.findall(r'(?:src|href)="([^"]+)"', html) if src.startswith("http")]
        assert external == [], f"{url} loads {external}"
        assert "/static/drf_spectacular_sidecar/" in html


def test_schema_endpoint_serves_openapi_3(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert operation.get("description"), f"{method.upper()} {path} has no description"


def test_committed_schema_is_current():
    call_command("check_schema")


def test_schema_check_fails_when_committed_file_is_edited(tmp_path, settings):
    from pathlib import Path

    committed = Path(settings.BASE_DIR) / "api_schema" / "openapi.yaml"
    edited = tmp_path / "openapi.yaml"
    edited.write_text(committed.read_text(encoding="utf-8").replace("Issue an API token", "Hand-edited"))
    with pytest.raises(CommandError, match="stale"):
        call_command("check_schema", committed=str(edited))


def test_api_root_lists_endpoints(make_client, applicant):
    body = make_client(applicant).get("/api/v1/").json()
    assert "branches" in body


def test_home_and_about_pages_in_russian_and_english(client):
    response = client.get("/")
    assert "Подключение к электрическим сетям онлайн" in response.content.decode()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Connect to the electricity grid online" in response.content.decode()
    assert "OpenStreetMap" in client.get("/about/").content.decode()


def test_load_demo_is_idempotent(settings):
    from backend.users.models import User
    from grid.models import Branch

    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    assert Branch.objects.count() == 34
    assert Branch.objects.filter(is_default=True).count() == 1
    assert User.objects.filter(email__endswith="@demo.local").count() == 4
    admin = User.objects.get(email="admin@demo.local")
    assert admin.is_superuser and admin.check_password("demo-admin-2026")
    # the registered demo application got its power from the calculator, kept with its trace
    from connection.models import LoadCalculation

    calculation = LoadCalculation.objects.get()
    assert calculation.request.state == "submitted"
    assert calculation.request.requested_kw == calculation.design_kw
    assert calculation.result["trace"]


def test_schema_documents_every_field_and_shows_examples():
    from pathlib import Path

    import yaml
    from django.conf import settings

    schema = yaml.safe_load(
        (Path(settings.BASE_DIR) / "api_schema" / "openapi.yaml").read_text(encoding="utf-8")
    )
    undocumented = [
        f"{name}.{prop}"
        for name, component in schema["components"]["schemas"].items()
        for prop, field in (component.get("properties") or {}).items()
        if not (field.get("description") or field.get("title"))
    ]
    assert undocumented == []
    for path in ("/api/v1/connection-requests/", "/api/v1/applicants/", "/api/v1/auth/register/"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body.get("examples"), f"POST {path} has no example"
