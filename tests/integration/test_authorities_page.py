"""The applicant's page of authorised integration clients: listed, revoked by the owner only."""

import pytest
from django.test import Client

from integration.models import Authority
from tests.backend.factories import UserFactory
from tests.integration.factories import authorise, client_with_key

pytestmark = pytest.mark.django_db
PAGE = "/accounts/authorities/"


def logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_owner_sees_and_revokes_their_authority(applicant):
    client, _raw = client_with_key(name="СолнцеМонтаж")
    authority = authorise(client, applicant)
    browser = logged_in(applicant)
    page = browser.get(PAGE)
    assert page.status_code == 200
    assert "СолнцеМонтаж" in page.content.decode()
    response = browser.post(f"{PAGE}{authority.pk}/revoke/")
    assert response.status_code == 302
    assert Authority.objects.get(pk=authority.pk).revoked_at is not None
    assert "Отозвано" in browser.get(PAGE).content.decode()


def test_another_user_cannot_revoke_it(applicant):
    client, _raw = client_with_key()
    authority = authorise(client, applicant)
    intruder = logged_in(UserFactory(role="applicant"))
    assert "СолнцеМонтаж" not in intruder.get(PAGE).content.decode()
    assert intruder.post(f"{PAGE}{authority.pk}/revoke/").status_code == 404
    assert intruder.get(f"{PAGE}{authority.pk}/revoke/").status_code == 405
    assert Authority.objects.get(pk=authority.pk).revoked_at is None


def test_anonymous_is_sent_to_log_in():
    assert Client().get(PAGE).status_code == 302
