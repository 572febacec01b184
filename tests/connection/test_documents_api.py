"""Document upload: content checks, size limit, names, versions, permission-checked download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from connection.models import Document, DocumentVersion
from tests.backend.factories import UserFactory
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory, png_bytes

pytestmark = pytest.mark.django_db


def url(draft, suffix=""):
    return f"/api/v1/connection-requests/{draft.pk}/documents/{suffix}"


def upload(client, draft, content, name, doc_type="location_plan", **extra):
    data = {"doc_type": doc_type, "file": SimpleUploadedFile(name, content), **extra}
    return client.post(url(draft), data, format="multipart")


@pytest.fixture
def draft():
    return ConnectionRequestFactory()


@pytest.fixture
def owner(make_client, draft):
    return make_client(draft.owner)


def test_pdf_and_png_are_accepted_with_checksum_and_sanitised_name(owner, draft):
    response = upload(owner, draft, PDF_BYTES, "План участка.pdf")
    assert response.status_code == 201, response.content
    version = response.json()["versions"][0]
    assert version["version"] == 1
    assert version["content_type"] == "application/pdf"
    assert version["size"] == len(PDF_BYTES)
    assert len(version["sha256"]) == 64
    assert version["original_name"] == "План_участка.pdf"

    response = upload(owner, draft, png_bytes(), "photo.jpeg", doc_type="passport")
    assert response.status_code == 201
    # The stored name follows the real content, not the client's extension.
    assert response.json()["versions"][0]["original_name"] == "photo.png"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "invoice.pdf", "file_type"),
        (b"#!/bin/sh\nrm -rf /\n", "plan.pdf", "file_type"),
        (b"%PDF-1.4 but truncated without an end", "plan.pdf", "file_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "broken.png", "file_type"),
        (b"", "empty.pdf", "file_empty"),
    ],
)
def test_content_not_matching_an_allowed_type_is_refused(owner, draft, content, name, code):
    response = upload(owner, draft, content, name)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("file", code)
    assert not Document.objects.exists()


def test_file_over_the_limit_is_refused(owner, draft):
    content = PDF_BYTES[:-6] + b"0" * (21 * 1024 * 1024) + b"%%EOF\n"
    response = upload(owner, draft, content, "big.pdf")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "file_too_large")
    assert "20" in error["message"]
    assert not DocumentVersion.objects.exists()


def raw_multipart(file_name: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body with the file name exactly as given (test clients would strip the path)."""
    boundary = "----portal-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="doc_type"\r\n\r\nlocation_plan\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "/abs/path.pdf"])
def test_file_name_with_a_path_is_refused(owner, draft, name):
    body, content_type = raw_multipart(name, PDF_BYTES)
    response = owner.generic("POST", url(draft), body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert not Document.objects.exists()


def test_new_version_keeps_the_old_one_and_download_serves_each(owner, draft):
    first = upload(owner, draft, PDF_BYTES, "v1.pdf").json()
    second_content = PDF_BYTES.replace(b"Catalog", b"Catalog ")
    response = upload(owner, draft, second_content, "v2.pdf", document=first["id"])
    assert response.status_code == 201
    assert [v["version"] for v in response.json()["versions"]] == [2, 1]

    latest = owner.get(url(draft, f"{first['id']}/download/"))
    assert latest.status_code == 200
    assert b"".join(latest.streaming_content) == second_content
    assert "attachment" in latest["Content-Disposition"]
    old = owner.get(url(draft, f"{first['id']}/download/"), {"version": 1})
    assert b"".join(old.streaming_content) == PDF_BYTES
    assert owner.get(url(draft, f"{first['id']}/download/"), {"version": 9}).status_code == 404


def test_delete_document_from_draft(owner, draft):
    document = upload(owner, draft, PDF_BYTES, "x.pdf").json()
    assert owner.delete(url(draft, f"{document['id']}/")).status_code == 204
    assert not Document.objects.exists()


def test_others_cannot_see_upload_or_download(make_client, owner, draft):
    document = upload(owner, draft, PDF_BYTES, "x.pdf").json()
    stranger = make_client(UserFactory(role="applicant"))
    assert stranger.get(url(draft)).status_code == 404
    assert stranger.get(url(draft, f"{document['id']}/download/")).status_code == 404
    assert upload(stranger, draft, PDF_BYTES, "y.pdf").status_code == 404
    assert make_client(UserFactory(role="engineer")).get(url(draft)).status_code == 404
    assert DocumentVersion.objects.count() == 1


def test_documents_of_a_submitted_application_are_locked(make_client, branch):
    draft = ConnectionRequestFactory(with_documents=True)
    client = make_client(draft.owner)
    assert client.post(f"/api/v1/connection-requests/{draft.pk}/transitions/submit/").status_code == 200
    response = upload(client, draft, PDF_BYTES, "late.pdf")
    assert response.status_code == 409
    document = Document.objects.filter(request=draft).first()
    assert client.delete(url(draft, f"{document.pk}/")).status_code == 409
    # The branch's engineer sees and downloads them, but does not upload as the applicant.
    engineer = make_client(UserFactory(role="engineer", branches=[branch]))
    assert engineer.get(url(draft, f"{document.pk}/download/")).status_code == 200
    assert upload(engineer, draft, PDF_BYTES, "x.pdf").status_code == 403


def test_a_file_lost_from_the_storage_answers_404_with_the_error_body(owner, draft):
    document = upload(owner, draft, PDF_BYTES, "x.pdf").json()
    version = DocumentVersion.objects.get(document_id=document["id"])
    version.file.storage.delete(version.file.name)

    response = owner.get(url(draft, f"{document['id']}/download/"))

    assert response.status_code == 404
    [error] = response.json()["errors"]
    assert error["code"] == "file_missing"
