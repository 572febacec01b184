"""Idempotency-Key on every POST: replay, refusal of another body, expiry, uploads, failures."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from connection import services
from connection.models import ConnectionRequest, Document
from integration.models import IdempotencyRecord
from tests.connection.factories import PDF_BYTES, ApplicantFactory
from tests.integration.factories import authorise, client_with_key, headers
from tests.workflow.helpers import URL, application_in_state

pytestmark = pytest.mark.django_db


def logged_in(user) -> APIClient:
    """A session, as a browser has: the caller is known before the view (force_authenticate is not)."""
    api = APIClient()
    api.force_login(user)
    return api


@pytest.fixture
def owner_api(applicant):
    return logged_in(applicant)


def draft_body(applicant) -> dict:
    return {"applicant": ApplicantFactory(owner=applicant).pk, "object_name": "Баня"}


def test_same_key_and_body_replays_the_answer_and_creates_one_draft(owner_api, applicant):
    body = draft_body(applicant)
    first = owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert ConnectionRequest.objects.filter(owner=applicant).count() == 1


def test_same_key_with_another_body_answers_422(owner_api, applicant):
    body = draft_body(applicant)
    assert owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    response = owner_api.post(
        URL, {**body, "object_name": "Гараж"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "code": "idempotency_key_reused",
            "message": response.json()["errors"][0]["message"],
            "field": "Idempotency-Key",
        }
    ]
    assert ConnectionRequest.objects.filter(owner=applicant).count() == 1


def test_without_a_key_every_post_acts(owner_api, applicant):
    body = draft_body(applicant)
    owner_api.post(URL, body, format="json")
    owner_api.post(URL, body, format="json")
    assert ConnectionRequest.objects.filter(owner=applicant).count() == 2


def test_keys_are_per_caller(owner_api, applicant):
    body = draft_body(applicant)
    owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other = ApplicantFactory().owner
    response = logged_in(other).post(
        URL, {"applicant": ApplicantFactory(owner=other).pk}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_after_24_hours_the_key_acts_again(owner_api, applicant):
    body = draft_body(applicant)
    owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    response = owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert response.status_code == 201
    assert ConnectionRequest.objects.filter(owner=applicant).count() == 2


def test_errors_are_replayed_too(owner_api):
    first = owner_api.post(URL, {"requested_kw": "-5"}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == 400
    again = owner_api.post(URL, {"requested_kw": "-5"}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "пробел", "a b", "x" * 256])
def test_malformed_keys_are_refused(owner_api, key):
    response = owner_api.post(URL, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_transitions_are_idempotent(make_client, branch):
    application = application_in_state("draft")
    api = make_client(application.owner)
    url = f"{URL}{application.pk}/transitions/submit/"
    first = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == 200, first.content
    # A plain retry would be a 409 (already submitted); with the key it is the first answer.
    again = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert again.status_code == 200
    assert again.content == first.content
    assert api.post(url, {}, format="json").status_code == 409


@pytest.mark.parametrize("spooled", [False, True])
def test_uploads_are_idempotent_whatever_the_multipart_boundary(settings, spooled):
    if spooled:  # the body is above the in-memory limit: hashed while spooled to a file
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    application = application_in_state("draft")
    api = logged_in(application.owner)
    url = f"{URL}{application.pk}/documents/"
    answers = []
    for boundary in ("AaB03x", "ZzY98q"):
        upload = SimpleUploadedFile("plan.pdf", PDF_BYTES + b"x" * 500, content_type="application/pdf")
        encoded = api._encode_data({"doc_type": "other", "file": upload}, format="multipart")
        body, content_type = encoded
        body = body.replace(b"BoUnDaRyStRiNg", boundary.encode())
        content_type = content_type.replace("BoUnDaRyStRiNg", boundary)
        answers.append(
            api.generic("POST", url, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY="upload-1")
        )
    assert answers[0].status_code == 201, answers[0].content
    assert answers[1].status_code == 201
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert Document.objects.filter(request=application, doc_type="other").count() == 1


def test_a_server_error_is_not_stored(owner_api, applicant, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "create_draft", broken)
    owner_api.raise_request_exception = False
    body = draft_body(applicant)
    assert owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-5xx").status_code == 500
    assert not IdempotencyRecord.objects.filter(key="k-5xx").exists()
    monkeypatch.undo()
    assert owner_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-5xx").status_code == 201


def test_integration_client_posts_are_idempotent_per_applicant(branch):
    client, raw = client_with_key()
    application = application_in_state("draft")
    authorise(client, application.owner)
    api = APIClient()
    body = {"applicant": application.applicant_id}
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="c-1", **headers(raw, application.owner))
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="c-1", **headers(raw, application.owner))
    assert first.status_code == 201, first.content
    assert again["Idempotent-Replayed"] == "true"
    assert ConnectionRequest.objects.filter(owner=application.owner).count() == 2  # the draft + one
