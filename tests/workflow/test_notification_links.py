"""Notification e-mails link to the application: an absolute address from SITE_URL, the applicant's
page for the applicant, the console's for the branch's engineers."""

import pytest
from django.core import mail

from connection.workflow_actions import perform_transition
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import BranchFactory, TerritoryFactory
from workflow.models import Notification

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reseeded")]


def test_emails_link_to_the_application(settings):
    settings.SITE_URL = "https://tp.example.ru"
    branch = BranchFactory()
    TerritoryFactory(branch=branch)
    engineer = UserFactory(role="engineer", branches=[branch], email="eng@example.ru")
    draft = ConnectionRequestFactory(with_documents=True)
    perform_transition(application=draft, name="submit", user=draft.owner)
    to_owner = next(message for message in mail.outbox if message.to == [draft.owner.email])
    to_engineer = next(message for message in mail.outbox if message.to == [engineer.email])
    assert f"https://tp.example.ru/applications/{draft.pk}/" in to_owner.body
    assert f"https://tp.example.ru/console/applications/{draft.pk}/" in to_engineer.body
    assert Notification.objects.filter(recipient=draft.owner, body__contains="https://tp.example.ru").exists()
