"""In-process checks of the operations layer: the e-mail outbox, request ids, /metrics, Sentry
switched by its variable, Redis failing open, and the file sweep."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count

from connection.models import ConnectionRequest, DocumentVersion
from tests.backend.factories import UserFactory
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory
from tests.grid.factories import BranchFactory, TerritoryFactory
from tests.workflow.helpers import application_in_state
from workflow.models import Notification, OutboxEmail

pytestmark = pytest.mark.django_db

#: A port of this developer's range where nothing listens: connections are refused at once.
CLOSED_PORT = 8398


def accept(client, application):
    return client.post(f"/api/v1/connection-requests/{application.pk}/transitions/accept/", {}, format="json")


@pytest.fixture
def submitted(db):
    branch = BranchFactory()
    TerritoryFactory(branch=branch)
    engineer = UserFactory(role="engineer", branches=[branch])
    return engineer, [application_in_state("submitted", branch=branch) for _ in range(3)]


def test_a_transition_writes_its_emails_to_the_outbox_and_the_commit_sends_them(
    make_client, submitted, django_capture_on_commit_callbacks
):
    engineer, applications = submitted
    client = make_client(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        for application in applications:
            assert accept(client, application).status_code == 200
    rows = OutboxEmail.objects.all()
    assert rows.count() == len(applications)
    assert {row.to for row in rows} == {application.owner.email for application in applications}
    assert all(row.sent_at is not None for row in rows)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(row.to for row in rows)
    # The in-app notice says it was e-mailed.
    assert not Notification.objects.filter(outbox_emails__isnull=False, emailed_at__isnull=True).exists()


def test_an_email_the_mail_server_refused_stays_pending_and_the_sweep_sends_it_once(
    make_client, submitted, settings, django_capture_on_commit_callbacks
):
    engineer, applications = submitted
    # A real SMTP connection to a port where no server listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", CLOSED_PORT, 2
    client = make_client(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        for application in applications:
            assert accept(client, application).status_code == 200
    assert ConnectionRequest.objects.filter(state="under_review").count() == len(applications)
    pending = OutboxEmail.objects.filter(sent_at__isnull=True)
    assert pending.count() == len(applications)
    assert all(row.attempts == 1 and row.last_error for row in pending)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_outbox", "--older-than", "0")
    assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == len(applications)
    call_command("send_outbox", "--older-than", "0")  # idempotent: nothing sent twice
    assert len(mail.outbox) == len(applications)


def test_the_sweep_leaves_fresh_rows_to_the_task_queued_at_commit(settings):
    OutboxEmail.objects.create(to="a@example.ru", subject="s", body="b")
    settings.OUTBOX_RETRY_AFTER_SECONDS = 3600
    call_command("send_outbox")
    assert mail.outbox == []
    call_command("run_deadline_jobs")  # the cron job sends what is due too
    assert mail.outbox == []
    settings.OUTBOX_RETRY_AFTER_SECONDS = 0
    call_command("run_deadline_jobs")
    assert [message.to for message in mail.outbox] == [["a@example.ru"]]


def test_the_request_id_is_taken_from_the_proxy_or_made_and_returned(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="edge-42.a").headers["X-Request-ID"] == "edge-42.a"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    # Not an id (log injection): replaced.
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" level=ERROR\n').headers["X-Request-ID"]
    assert forged != 'x" level=ERROR\n' and len(forged) == 32


def test_metrics_need_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    settings.METRICS_ALLOWED_ADDRESSES = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1"]  # the test client's REMOTE_ADDR
    assert client.get("/metrics").status_code == 200


def _samples(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


def test_metrics_count_requests_applications_per_state_overdue_steps_and_the_outbox(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1"]
    branch = BranchFactory()
    late = application_in_state("submitted", branch=branch)
    ConnectionRequest.objects.filter(pk=late.pk).update(due_date="2020-01-10", acting_party="grid")
    application_in_state("submitted", branch=branch)
    application_in_state("needs_info", branch=branch)
    ConnectionRequestFactory()  # a draft
    OutboxEmail.objects.create(to="a@example.ru", subject="s", body="b")
    client.get("/healthz")

    values = _samples(client.get("/metrics").content.decode())
    expected = dict(ConnectionRequest.objects.values_list("state").annotate(n=Count("pk")).order_by())
    for state, count in expected.items():
        assert values[f'portal_applications{{state="{state}"}}'] == count
    assert values['portal_applications{state="closed"}'] == 0
    assert values["portal_overdue_steps"] == 1
    assert values["portal_outbox_pending_emails"] == 1
    healthz = [
        name
        for name in values
        if name.startswith("django_http_requests_total_by_view_transport_method_total")
        and 'view="healthz"' in name
    ]
    assert healthz and values[healthz[0]] >= 1


def test_sentry_is_initialised_only_with_a_dsn():
    code = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"

    def active(dsn: str | None) -> str:
        env = {key: value for key, value in os.environ.items() if key != "SENTRY_DSN"}
        if dsn:
            env["SENTRY_DSN"] = dsn
        env["DJANGO_SETTINGS_MODULE"] = "backend.settings"
        return subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[2],
        ).stdout.strip()

    assert active(None) == "False"
    assert active(f"http://public@127.0.0.1:{CLOSED_PORT}/1") == "True"


@pytest.fixture
def dead_redis_cache(settings):
    """The cache on a Redis that does not answer (a real client, connection refused)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "backend.cache"
    # (Django's setting_changed handler drops the cache connections made with the old settings.)
    assert type(caches["default"]).__module__ == "django_redis.cache"


@pytest.mark.usefixtures("dead_redis_cache")
def test_with_the_redis_cache_down_pages_and_api_answer_and_readyz_says_so(
    client, api_client, make_client, submitted, caplog
):
    engineer, applications = submitted
    urls = [
        "/",
        "/calculator/",
        "/map/",
        "/accounts/login/",
        "/api/v1/",
        "/api/v1/connection-points/?bbox=41,44,45,46",
    ]
    statuses = [client.get(url).status_code for url in urls]
    statuses += [
        api_client.post(
            "/api/v1/load-calculations/", {"method": "devices", "devices": []}, format="json"
        ).status_code
        for _ in range(5)
    ]
    staff = make_client(engineer)
    statuses += [
        staff.get(f"/api/v1/connection-requests/{application.pk}/").status_code
        for application in applications
    ]
    statuses.append(accept(staff, applications[0]).status_code)
    assert [status for status in statuses if status >= 500] == []
    assert any(record.name == "backend.cache" for record in caplog.records)  # logged
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["cache"] == "unavailable"
    assert client.get("/healthz").status_code == 200


def test_the_sweep_removes_orphan_files_and_stale_spooled_uploads_and_keeps_the_rest(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    kept = ConnectionRequestFactory(with_documents=True)
    kept_files = set(DocumentVersion.objects.filter(document__request=kept).values_list("file", flat=True))
    orphan = default_storage.save("documents/999/orphan.pdf", ContentFile(PDF_BYTES))
    fresh_orphan = default_storage.save("documents/999/fresh.pdf", ContentFile(PDF_BYTES))
    stale_upload = Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmpstale.upload"
    stale_upload.write_bytes(b"x" * 100)
    old = time.time() - 7200
    os.utime(default_storage.path(orphan), (old, old))
    os.utime(stale_upload, (old, old))

    call_command("sweep_files", "--grace", "3600")

    assert not default_storage.exists(orphan) and not stale_upload.exists()
    assert default_storage.exists(fresh_orphan)  # within the grace period: maybe a row about to commit
    assert kept_files and all(default_storage.exists(name) for name in kept_files)
