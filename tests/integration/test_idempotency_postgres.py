"""On PostgreSQL: 20 concurrent POSTs with one Idempotency-Key create one application, and every
one of them gets the same answer."""

import threading

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from rest_framework.test import APIClient

from connection.models import ConnectionRequest, Document
from tests.connection.factories import PDF_BYTES, ApplicantFactory
from tests.workflow.helpers import URL, application_in_state

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]
RACERS = 20


def race(user, send) -> list:
    """Run `send(api)` in RACERS threads released together; the answers."""
    clients = []
    for _ in range(RACERS):
        api = APIClient()
        api.force_login(user)
        clients.append(api)
    barrier = threading.Barrier(RACERS)
    answers: list = []

    def racer(api):
        try:
            barrier.wait()
            answers.append(send(api))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_twenty_concurrent_posts_with_one_key_create_one_application():
    applicant = ApplicantFactory()
    body = {"applicant": applicant.pk, "object_name": "Дом"}
    answers = race(
        applicant.owner, lambda api: api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="race-1")
    )
    assert [answer.status_code for answer in answers] == [201] * RACERS
    assert len({answer.content for answer in answers}) == 1
    assert sum(1 for answer in answers if answer.get("Idempotent-Replayed") == "true") == RACERS - 1
    assert ConnectionRequest.objects.filter(owner=applicant.owner).count() == 1


def test_twenty_concurrent_uploads_with_one_key_store_one_document():
    application = application_in_state("draft")

    def upload(api):
        file = {"doc_type": "other", "file": _pdf()}
        return api.post(
            f"{URL}{application.pk}/documents/", file, format="multipart", HTTP_IDEMPOTENCY_KEY="up-1"
        )

    answers = race(application.owner, upload)
    assert [answer.status_code for answer in answers] == [201] * RACERS
    assert Document.objects.filter(request=application, doc_type="other").count() == 1


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("other.pdf", PDF_BYTES, content_type="application/pdf")
