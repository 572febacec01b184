"""Registration that does not tell whether an address has an account: the same answer either way,
an activation link to a new address, a notice with a password-reset link to an existing owner."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from backend.users.models import User
from tests.backend.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
NEW_PASSWORD = "a-Strong-pass-2026"


def register(api_client, email, password=NEW_PASSWORD, **extra):
    data = {"email": email, "password": password, "last_name": "Сидоров", "first_name": "Пётр"}
    return api_client.post(REGISTER, data, HTTP_ACCEPT_LANGUAGE="en", **extra)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/\S+/)", message.body).group(1)


def test_a_new_address_gets_an_activation_link_and_logs_in_after_it(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api_client, "New.User@Example.ru")
    assert response.status_code == 202, response.content
    assert set(response.json()) == {"email", "detail"}
    assert response.json()["email"] == "new.user@example.ru"
    user = User.objects.get(email="new.user@example.ru")
    assert (user.is_active, user.awaiting_confirmation, user.sorted_roles) == (False, True, ["applicant"])
    assert api_client.post(TOKEN, {"email": user.email, "password": NEW_PASSWORD}).status_code == 401

    assert [message.to for message in mail.outbox] == [["new.user@example.ru"]]
    link = link_in(mail.outbox[0])
    assert "/accounts/activate/" in link
    assert Client().get(link).url == "/accounts/login/"
    user.refresh_from_db()
    assert (user.is_active, user.awaiting_confirmation) == (True, False)
    assert api_client.post(TOKEN, {"email": user.email, "password": NEW_PASSWORD}).status_code == 201
    assert Client().get(link).status_code == 404  # used once


def test_an_existing_address_gets_the_same_answer_and_its_owner_a_notice(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = register(api_client, "fresh@example.ru")
    owner = UserFactory(email="taken@example.ru")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        taken = register(api_client, "TAKEN@example.ru")
    assert (taken.status_code, set(taken.json())) == (fresh.status_code, set(fresh.json()))
    assert taken.json()["detail"] == fresh.json()["detail"]
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD) and owner.is_active  # nothing changed
    assert User.objects.filter(email__iexact="taken@example.ru").count() == 1

    [notice] = mail.outbox
    assert notice.to == ["taken@example.ru"]
    link = link_in(notice)
    assert "/accounts/reset/" in link
    page = Client().get(link, follow=True)
    assert b"new_password1" in page.content  # a working password-reset link


def test_a_weak_password_is_refused_alike_for_new_and_existing_addresses(api_client):
    UserFactory(email="taken@example.ru")
    for email in ("weak@example.ru", "taken@example.ru"):
        response = register(api_client, email, password="12345678")
        assert response.status_code == 400
        assert {error["field"] for error in response.json()["errors"]} == {"password"}
    assert not User.objects.filter(email="weak@example.ru").exists()
    assert mail.outbox == []


def test_a_pending_registration_is_replaced_by_the_next_one(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(api_client, "pending@example.ru", password="stranger-pass-2026")
    with django_capture_on_commit_callbacks(execute=True):
        register(api_client, "pending@example.ru")
    user = User.objects.get(email="pending@example.ru")
    assert user.check_password(NEW_PASSWORD)
    first, second = (link_in(message) for message in mail.outbox)
    assert Client().get(first).status_code == 404  # the stranger's link died with their password
    assert Client().get(second).status_code == 302


def test_a_disabled_account_is_not_revived_by_registering(api_client, django_capture_on_commit_callbacks):
    UserFactory(email="gone@example.ru", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api_client, "gone@example.ru")
    assert response.status_code == 202
    assert not User.objects.get(email="gone@example.ru").is_active
    assert mail.outbox == []


def test_registration_mails_are_limited_per_address_and_per_client(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAILS_PER_ACCOUNT_PER_HOUR = 2
    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 4
    UserFactory(email="taken@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        codes = [register(api_client, "taken@example.ru").status_code for _ in range(3)]
        codes.append(register(api_client, "other@example.ru").status_code)
        refused = register(api_client, "third@example.ru")
    assert codes == [202, 202, 202, 202]  # the third to one address is not sent, yet answered alike
    assert [message.to for message in mail.outbox] == [["taken@example.ru"]] * 2 + [["other@example.ru"]]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
