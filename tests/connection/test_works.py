"""Both parties' works: the branch records the grid organisation's measures as done (once, its own
branch only, not in the future nor before the contract); the connection is confirmed only after
them; the pages show both parts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from backend.exceptions import ActionForbidden, StateConflict
from connection import works
from connection.models import ConnectionRequest
from connection.workflow_actions import perform_transition
from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory
from tests.workflow.helpers import application_in_state
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(branch):
    return UserFactory(role="engineer", branches=[branch])


def test_the_connection_waits_for_the_grid_organisations_works(branch, staff):
    application = application_in_state("contract_active", branch=branch)
    perform_transition(application=application, name="notify_ready", user=application.owner)
    application.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        perform_transition(application=application, name="confirm_connection", user=staff, data={})
    assert error.value.code == "grid_works_not_done"
    works.record_grid_works_done(application=application, user=staff, comment="ВЛИ построена")
    application.refresh_from_db()
    assert application.grid_works_done_on == timezone.localdate()
    perform_transition(application=application, name="confirm_connection", user=staff, data={})
    assert ConnectionRequest.objects.get(pk=application.pk).state == "connected"
    events = list(TransitionLog.objects.filter(application=application).values_list("transition", flat=True))
    assert events == ["notify_ready", "grid_works_done", "confirm_connection"]


def test_recording_the_works_is_checked(branch, staff):
    application = application_in_state("contract_active", branch=branch)
    with pytest.raises(ActionForbidden):
        works.record_grid_works_done(
            application=application,
            user=UserFactory(role="engineer", branches=[BranchFactory(code="res-far")]),
        )
    with pytest.raises(ActionForbidden):
        works.record_grid_works_done(application=application, user=application.owner)
    with pytest.raises(ValidationError) as error:
        works.record_grid_works_done(
            application=application, user=staff, done_on=timezone.localdate() + timedelta(days=1)
        )
    assert "done_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        works.record_grid_works_done(
            application=application, user=staff, done_on=timezone.localdate() - timedelta(days=1)
        )
    works.record_grid_works_done(application=application, user=staff)
    with pytest.raises(StateConflict):
        works.record_grid_works_done(application=application, user=staff)
    with pytest.raises(StateConflict):
        works.record_grid_works_done(
            application=application_in_state("offer_issued", branch=branch), user=staff
        )


def test_the_pages_and_the_api_show_and_record_both_parts(branch, staff, make_client):
    application = application_in_state("contract_active", branch=branch)
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(application.owner)
    page = owner.get(f"/applications/{application.pk}/").content.decode()
    assert 'id="works-grid"' in page and "in progress" in page and "grid-works-form" not in page
    engineer = Client(HTTP_ACCEPT_LANGUAGE="en")
    engineer.force_login(staff)
    console = engineer.get(f"/console/applications/{application.pk}/").content.decode()
    assert "grid-works-form" in console
    bad = engineer.post(f"/applications/{application.pk}/grid-works/", {"done_on": "2000-01-01"})
    assert bad.status_code == 400 and "cannot precede the contract" in bad.content.decode()
    assert (
        owner.post(f"/applications/{application.pk}/grid-works/", {}).status_code == 302
    )  # refused, message
    assert ConnectionRequest.objects.get(pk=application.pk).grid_works_done_on is None
    response = make_client(staff).post(
        f"/api/v1/connection-requests/{application.pk}/grid-works/", {}, format="json"
    )
    assert response.status_code == 200
    again = make_client(staff).post(
        f"/api/v1/connection-requests/{application.pk}/grid-works/", {}, format="json"
    )
    assert again.status_code == 409
    page = owner.get(f"/applications/{application.pk}/").content.decode()
    assert "done on" in page
