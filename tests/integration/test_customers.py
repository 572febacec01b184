"""Applying for a new customer: their account and a pending authority; the client prepares drafts
but cannot submit; the customer confirms from the e-mailed link and submits what was prepared."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.users.models import User
from integration.models import Authority
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.integration.factories import ALL_SCOPES, authorise, client_with_key, headers
from tests.workflow.helpers import URL
from workflow.models import OutboxEmail, TransitionLog

pytestmark = pytest.mark.django_db
CUSTOMERS = "/api/v1/integration/customers/"


def invite(raw, email="new.customer@example.ru", **changes):
    body = {
        "email": email,
        "last_name": "Петров",
        "first_name": "Пётр",
        "scopes": ALL_SCOPES,
        "valid_until": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "document": "Согласие от 05.12.2026",
        **changes,
    }
    return APIClient().post(CUSTOMERS, body, format="json", **headers(raw))


def link_in(email: OutboxEmail) -> str:
    return re.search(r"http://testserver(/accounts/authorities/confirm/[^/\s]+/)", email.body).group(1)


def test_new_customer_confirms_and_submits_the_prepared_draft(branch):
    _client, raw = client_with_key(name="СолнцеМонтаж")
    response = invite(raw)
    assert response.status_code == 201, response.content
    assert response.json()["confirmed"] is False
    customer = User.objects.get(email="new.customer@example.ru")
    assert customer.has_role("applicant") and not customer.has_usable_password()

    # The client prepares a complete draft for the customer (as the factory does) ...
    draft = ConnectionRequestFactory(with_documents=True, applicant__owner=customer)
    api = APIClient()
    assert api.get(f"{URL}{draft.pk}/", **headers(raw, customer)).status_code == 200
    # ... but cannot submit it before the customer confirms.
    refused = api.post(f"{URL}{draft.pk}/transitions/submit/", {}, format="json", **headers(raw, customer))
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "authority_unconfirmed"

    email = OutboxEmail.objects.get(to="new.customer@example.ru")
    assert "СолнцеМонтаж" in email.subject
    page = Client().get(link_in(email))
    assert page.status_code == 200
    assert "СолнцеМонтаж" in page.content.decode()
    done = Client().post(link_in(email), {"draft": [str(draft.pk)]})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submitted"
    entry = TransitionLog.objects.get(application=draft)
    assert entry.actor_id == customer.pk and entry.via == ""  # the customer submitted it themselves
    assert Authority.objects.get(applicant=customer).confirmed_at is not None
    # From now on the client runs transitions for the customer.
    withdrawn = api.post(
        f"{URL}{draft.pk}/transitions/withdraw/", {}, format="json", **headers(raw, customer)
    )
    assert withdrawn.status_code == 200


def test_unticked_drafts_stay_drafts(branch):
    _client, raw = client_with_key()
    invite(raw)
    customer = User.objects.get(email="new.customer@example.ru")
    draft = ConnectionRequestFactory(with_documents=True, applicant__owner=customer)
    Client().post(link_in(OutboxEmail.objects.get()), {})
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert Authority.objects.get(applicant=customer).confirmed_at is not None


def test_existing_account_is_reused_and_a_second_invitation_refused():
    existing = UserFactory(role="applicant", email="known@example.ru")
    client, raw = client_with_key()
    assert invite(raw, email="Known@Example.ru").status_code == 201
    assert User.objects.filter(email__iexact="known@example.ru").count() == 1
    assert Authority.objects.get(client=client).applicant == existing
    again = invite(raw, email="known@example.ru")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "email"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"scopes": ["everything"]}, "scopes.0"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"document": ""}, "document"),
        ({"last_name": None}, "last_name"),
    ],
)
def test_invalid_invitations_are_refused_and_nothing_is_saved(changes, field):
    _client, raw = client_with_key()
    response = invite(raw, **changes)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not Authority.objects.exists()
    assert not User.objects.filter(email="new.customer@example.ru").exists()


def test_bad_or_revoked_links_show_the_invalid_link_page():
    _client, raw = client_with_key()
    invite(raw)
    link = link_in(OutboxEmail.objects.get())
    assert Client().get(link[:-3] + "xx/").status_code == 400
    Authority.objects.update(revoked_at=timezone.now())
    assert Client().post(link).status_code == 400


def test_a_client_without_write_scope_cannot_invite():
    _client, raw = client_with_key(scopes=["applications:read"])
    assert invite(raw).status_code == 403


def test_admin_granted_authority_is_confirmed_at_once(applicant):
    client, _raw = client_with_key()
    assert authorise(client, applicant).confirmed_at is not None
