"""A full disk while storing a document or spooling an upload: 507 with the error body (API) or an
error page (web), no row, and no fragment left. The disk is a real 1 MB tmpfs mounted by the test
(needs root; skipped otherwise)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from connection.models import DocumentVersion
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory

pytestmark = pytest.mark.django_db

#: Larger than the 1 MB disk, smaller than the upload limit: accepted, then no room to store it.
BIG_PDF = b"%PDF-1.4\n%" + b"x" * 1_500_000 + PDF_BYTES


@pytest.fixture
def tiny_disk(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a 1 MB tmpfs needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "--lazy", str(folder)], check=True)


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def draft():
    return ConnectionRequestFactory()


def api_upload(make_client, draft):
    return make_client(draft.owner).post(
        f"/api/v1/connection-requests/{draft.pk}/documents/",
        {"doc_type": "location_plan", "file": SimpleUploadedFile("plan.pdf", BIG_PDF)},
        format="multipart",
    )


def test_no_room_for_the_document_answers_507_and_leaves_no_row_and_no_fragment(
    make_client, draft, settings, tiny_disk
):
    settings.MEDIA_ROOT = tiny_disk
    response = api_upload(make_client, draft)
    assert response.status_code == 507
    [error] = response.json()["errors"]
    assert error["code"] == "insufficient_storage" and "место" in error["message"]
    assert not DocumentVersion.objects.filter(document__request=draft).exists()
    assert files_in(tiny_disk) == []


def test_no_room_to_spool_the_upload_answers_507_api_and_page(
    make_client, client, draft, settings, tiny_disk
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tiny_disk)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100_000  # spool to disk beyond 100 kB
    assert api_upload(make_client, draft).status_code == 507

    client.force_login(draft.owner)
    page = client.post(
        f"/applications/{draft.pk}/documents/",
        {"doc_type": "location_plan", "file": SimpleUploadedFile("plan.pdf", BIG_PDF)},
    )
    assert page.status_code == 507
    assert "закончилось место" in page.content.decode()
    assert not DocumentVersion.objects.filter(document__request=draft).exists()
    assert files_in(tiny_disk) == []
