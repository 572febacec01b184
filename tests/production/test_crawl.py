"""The production crawl's own pieces (the crawl itself runs in CI's production stage, .ci/production),
collectstatic with the production storage, and the demo accounts a DEBUG=0 test instance needs."""

import pytest
from django.core.management import call_command

from connection.demo import DEMO_ACCOUNTS
from tests.production import crawl


def test_crawl_logs_in_with_the_demo_accounts():
    expected = {(account.email, account.password) for account in DEMO_ACCOUNTS}
    assert {credentials for credentials in crawl.ROLES.values() if credentials} == expected
    assert crawl.ROLES["anonymous"] is None


def test_url_shapes_group_objects_and_filters():
    assert crawl.shape("/admin/users/user/12/change/") == crawl.shape("/admin/users/user/7/change/")
    assert crawl.shape("/admin/users/user/?o=1") == crawl.shape("/admin/users/user/?groups__id__exact=2")
    assert crawl.shape("/admin/users/user/") != crawl.shape("/admin/users/user/?o=1")


def test_json_links_include_list_details():
    payload = {
        "count": 2,
        "next": "https://h/api/v1/x/?page=2",
        "results": [{"id": 3}, {"id": 5, "name": "a"}],
    }
    links = crawl.json_links(payload, list_path="/api/v1/x/")
    assert links[:2] == ["/api/v1/x/3/", "/api/v1/x/5/"]
    assert "https://h/api/v1/x/?page=2" in links


def test_script_src_check_reads_the_directive_or_its_default():
    assert crawl._directive("default-src 'self'; script-src 'self' 'unsafe-inline'", "script-src") == (
        "'self' 'unsafe-inline'"
    )
    assert crawl._directive("default-src 'self'", "script-src") == "'self'"
    check = crawl.SECURITY_HEADERS["Content-Security-Policy"]
    assert check("default-src 'self'; script-src 'self'")
    assert not check("default-src 'self' 'unsafe-inline'")


def test_collectstatic_with_the_production_storage(settings, tmp_path):
    """Every file the static files reference exists (the manifest storage fails otherwise): the
    vendored Leaflet's source map once did not, and every page answered 500 in production."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/leaflet/leaflet.js.map" in manifest
    assert list(tmp_path.glob("vendor/leaflet/leaflet.*.js.gz"))


@pytest.mark.django_db
def test_demo_accounts_with_debug_off_only_when_asked(settings):
    from backend.users.models import User

    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    assert not User.objects.filter(email__endswith="@demo.local").exists()
    call_command("load_demo", "--demo-accounts", verbosity=0)
    assert User.objects.filter(email__endswith="@demo.local").count() == len(DEMO_ACCOUNTS)


def _readme_recipe() -> tuple[set[str], list[str]]:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Production", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return _variables(block), [line for line in block.splitlines() if line.startswith(".venv/bin/")]


def _variables(script: str) -> set[str]:
    import re

    exports = re.search(r"^export (.*?)(?<!\\)$", script, re.MULTILINE | re.DOTALL)
    assert exports, "no export line"
    return set(re.findall(r"([A-Z_]+)=", exports.group(1)))


def test_ci_production_stage_runs_the_readme_recipe():
    """The README's production section is what CI runs: the same variables, the same commands (CI
    adds only its demo accounts and the redirection of each process's log)."""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / ".ci" / "production").read_text(encoding="utf-8")
    variables, commands = _readme_recipe()
    assert _variables(script) == variables
    ci_commands = [
        line.split(" >", 1)[0].split("  #", 1)[0]
        for line in script.splitlines()
        if line.startswith(".venv/bin/") and "inspect ping" not in line and "crawl.py" not in line
    ]
    assert [line for line in ci_commands if "--demo-accounts" not in line] == commands


def test_schema_templates_are_filled_from_listed_ids():
    templates = [
        "/api/v1/connection-requests/{id}/",
        "/api/v1/connection-requests/{request_pk}/history/",
        "/api/v1/connection-requests/{request_pk}/documents/{id}/",
        "/api/v1/branches/{id}/",
    ]
    seen = {"/api/v1/connection-requests/": [7, 8, 9]}
    paths = crawl.expand_templates(templates, seen, visited={"/api/v1/connection-requests/7/"})
    assert paths == [
        "/api/v1/connection-requests/8/",
        "/api/v1/connection-requests/7/history/",
        "/api/v1/connection-requests/8/history/",
        "/api/v1/connection-requests/7/documents/",
        "/api/v1/connection-requests/8/documents/",
    ]
