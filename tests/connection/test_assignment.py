"""Taking an application into work and assigning it: validation and the history rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from connection import assignment
from connection.api.views import history_entry
from connection.models import ConnectionRequest
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import BranchFactory
from web.tracking import _history
from workflow.models import TransitionLog
from workflow.services import label_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def north():
    return BranchFactory(code="north", name="Северный РЭС")


@pytest.fixture
def application(north):
    draft = ConnectionRequestFactory()
    ConnectionRequest.objects.filter(pk=draft.pk).update(
        state="under_review", branch=north, number="ТП-2026-00042", submitted_at=timezone.now()
    )
    return ConnectionRequest.objects.get(pk=draft.pk)


def test_take_into_work_records_history(application, north):
    engineer = UserFactory(role="engineer", branches=[north], last_name="Сидоров", first_name="Семён")
    assignment.take_into_work(application=application, user=engineer)
    application.refresh_from_db()
    assert application.assigned_to == engineer
    entry = TransitionLog.objects.get(application=application)
    assert entry.transition == "take_into_work"
    assert entry.from_state == entry.to_state == "under_review"
    assert entry.actor == engineer and entry.actor_role == "engineer"
    assert entry.data == {"engineer": engineer.pk, "engineer_name": "Сидоров Семён"}


def test_supervisor_assigns_an_engineer_of_the_branch(application, north):
    engineer = UserFactory(role="engineer", branches=[north])
    supervisor = UserFactory(role="supervisor")
    assignment.assign(application=application, engineer=engineer, by=supervisor)
    entry = TransitionLog.objects.get(application=application)
    assert entry.transition == "assign" and entry.actor_role == "supervisor"
    assert entry.data["engineer"] == engineer.pk
    # Every place that labels history copes with the event.
    assert history_entry(entry)["transition_label"] == label_of("assign")
    assert _history(application)[0]["engineer"] == entry.data["engineer_name"]


@pytest.mark.parametrize("who", ["other_branch", "applicant", "supervisor"])
def test_engineer_must_be_of_the_branch(application, north, who):
    other = BranchFactory(code="south", name="Южный РЭС")
    engineer = {
        "other_branch": lambda: UserFactory(role="engineer", branches=[other]),
        "applicant": lambda: UserFactory(role="applicant", branches=[north]),
        "supervisor": lambda: UserFactory(role="supervisor"),
    }[who]()
    with pytest.raises(ValidationError) as error:
        assignment.assign(application=application, engineer=engineer, by=UserFactory(role="supervisor"))
    assert "engineer" in error.value.message_dict
    application.refresh_from_db()
    assert application.assigned_to is None
    assert not TransitionLog.objects.filter(application=application).exists()


def test_by_must_be_branch_staff(application, north):
    engineer = UserFactory(role="engineer", branches=[north])
    outsider = UserFactory(role="engineer", branches=[BranchFactory(code="south", name="Южный РЭС")])
    with pytest.raises(PermissionDenied):
        assignment.assign(application=application, engineer=engineer, by=outsider)
    with pytest.raises(PermissionDenied):
        assignment.assign(application=application, engineer=engineer, by=application.owner)


def test_drafts_and_finished_applications_are_not_assigned(application, north):
    engineer = UserFactory(role="engineer", branches=[north])
    ConnectionRequest.objects.filter(pk=application.pk).update(state="closed")
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        assignment.take_into_work(application=application, user=engineer)


def test_history_row_rolls_back_with_the_assignment(application, north, monkeypatch):
    engineer = UserFactory(role="engineer", branches=[north])

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TransitionLog.objects, "create", boom)
    with pytest.raises(RuntimeError):
        assignment.take_into_work(application=application, user=engineer)
    application.refresh_from_db()
    assert application.assigned_to is None


def test_labels():
    assert label_of("accept") and label_of("take_into_work") != "take_into_work"
    assert label_of("unknown") == "unknown"


def test_assign_through_the_api(application, north, make_client):
    engineer = UserFactory(role="engineer", branches=[north])
    client = make_client(engineer)
    url = f"/api/v1/connection-requests/{application.pk}/assign/"
    response = client.post(url, {"engineer": engineer.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["assigned_to"] == engineer.pk
    history = client.get(f"/api/v1/connection-requests/{application.pk}/history/").json()
    assert [entry["transition"] for entry in history] == ["assign"]
    assert history[0]["transition_label"] == str(label_of("assign"))
    outsider = UserFactory(role="engineer", branches=[BranchFactory(code="south", name="Южный РЭС")])
    assert client.post(url, {"engineer": outsider.pk}, format="json").status_code == 400
    assert (
        make_client(application.owner).post(url, {"engineer": engineer.pk}, format="json").status_code == 403
    )
