"""Consent to the processing of personal data (152-ФЗ) at registration and at submission, stored
with its time and the version of the text (the text itself is data)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from backend.users.models import Consent, ConsentText, User
from connection.models import ConnectionRequest
from tests.backend.factories import DEFAULT_PASSWORD
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import TerritoryFactory
from tests.web.test_wizard_steps import client_for

pytestmark = pytest.mark.django_db

VERSION = "2026-12-01"  # the first version, published by a data migration
ACCOUNT = {
    "email": "new@example.ru",
    "last_name": "Smirnova",
    "first_name": "Olga",
    "password1": DEFAULT_PASSWORD,
    "password2": DEFAULT_PASSWORD,
}


def test_registration_shows_the_text_and_needs_the_consent():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    html = client.get("/accounts/register/").content.decode()
    assert 'id="consent"' in html and "152-ФЗ" in html and f'value="{VERSION}"' in html
    response = client.post("/accounts/register/", {**ACCOUNT, "consent_version": VERSION})
    assert response.status_code == 200
    assert 'id="id_personal_data_consent_error"' in response.content.decode()
    assert not User.objects.filter(email="new@example.ru").exists()


def test_registration_stores_the_consent_with_its_version_and_time(django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/accounts/register/", {**ACCOUNT, "personal_data_consent": "on", "consent_version": VERSION}
        )
    assert response.status_code == 302
    consent = Consent.objects.get(user__email="new@example.ru")
    assert (consent.text.version, consent.purpose) == (VERSION, "registration")
    assert consent.given_at >= before


def test_a_consent_to_a_replaced_text_is_refused():
    ConsentText.objects.create(
        version="2027-01", text="Новая редакция", published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/register/", {**ACCOUNT, "personal_data_consent": "on", "consent_version": VERSION}
    )
    html = response.content.decode()
    assert "The text of the consent has changed" in html and 'value="2027-01"' in html
    assert not Consent.objects.exists()


def test_submission_needs_the_consent_and_records_it_on_the_application():
    TerritoryFactory()  # a branch serves the draft's location
    draft = ConnectionRequestFactory(with_documents=True)
    client = client_for(draft.owner)
    url = f"/applications/{draft.pk}/edit/review/"
    assert 'name="personal_data_consent"' in client.get(url).content.decode()

    response = client.post(url, {"consent_version": VERSION})
    assert response.status_code == 200
    assert 'id="id_personal_data_consent_error"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft" and not Consent.objects.exists()

    response = client.post(url, {"personal_data_consent": "on", "consent_version": VERSION})
    assert response.status_code == 302
    submitted = ConnectionRequest.objects.select_related("personal_data_consent__text").get(pk=draft.pk)
    assert submitted.state == "submitted"
    consent = submitted.personal_data_consent
    assert (consent.user, consent.text.version, consent.purpose) == (draft.owner, VERSION, "submission")


def test_a_refused_submission_records_no_consent():
    draft = ConnectionRequestFactory(object_address="")  # incomplete: the submission is refused
    response = client_for(draft.owner).post(
        f"/applications/{draft.pk}/edit/review/", {"personal_data_consent": "on", "consent_version": VERSION}
    )
    assert response.status_code == 200 and 'id="submit-errors"' in response.content.decode()
    assert not Consent.objects.exists()


def test_the_api_publishes_the_text_and_records_the_consent_given_at_registration(
    api_client, django_capture_on_commit_callbacks
):
    published = api_client.get("/api/v1/auth/consent-text/").json()
    assert published["version"] == VERSION and "152-ФЗ" in published["text"]
    data = {
        "email": "api@example.ru",
        "password": "a-Strong-pass-2026",
        "last_name": "Ан",
        "first_name": "Ли",
    }
    response = api_client.post(
        "/api/v1/auth/register/", {**data, "personal_data_consent_version": "1999"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "personal_data_consent_version"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/", {**data, "personal_data_consent_version": VERSION}
        )
    assert response.status_code == 202, response.content
    assert Consent.objects.get(user__email="api@example.ru").text.version == VERSION
