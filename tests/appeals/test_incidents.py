"""Incidents: nearby reports of one kind within the window are grouped (radius and window from the
rulebook); the engineer answers the incident and every reporter gets the answer; merge and split;
engineers act only in their branch; the overdue job flags once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appeals import jobs, services
from appeals.exceptions import NotYourBranch, StatusChangeNotAllowed
from appeals.models import Incident, Status, StatusEntry
from tests.appeals.factories import BASE_URL, confirmed_report
from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory, TerritoryFactory
from workflow import calendar
from workflow.models import Notification, OutboxEmail, RuleValue, local_today

pytestmark = pytest.mark.django_db


def test_nearby_reports_of_one_kind_form_one_incident(branch):
    first = confirmed_report(contact_email="a@example.ru")
    # About 550 m north-east, an hour later: the same incident.
    second = confirmed_report(latitude="45.004000", longitude="42.005000", contact_email="b@example.ru")
    assert first.incident_id == second.incident_id
    incident = first.incident
    incident.refresh_from_db()
    assert incident.reports.count() == 2
    assert incident.latitude == (first.latitude + second.latitude) / 2


def test_other_kind_far_place_or_time_open_new_incidents(branch):
    first = confirmed_report(contact_email="a@example.ru")
    other_kind = confirmed_report(kind="outage", contact_email="b@example.ru")
    far = confirmed_report(
        latitude="45.020000", longitude="42.001000", contact_email="c@example.ru"
    )  # 2.1 km
    later = confirmed_report(
        started_at=timezone.now() - timedelta(hours=1) + timedelta(minutes=5), contact_email="d@example.ru"
    )
    earlier = confirmed_report(started_at=timezone.now() - timedelta(hours=8), contact_email="e@example.ru")
    assert later.incident_id == first.incident_id
    assert len({first.incident_id, other_kind.incident_id, far.incident_id, earlier.incident_id}) == 4


def test_radius_and_window_are_rulebook_data(branch):
    RuleValue.objects.filter(key="incident_radius_m").update(value="3000")
    first = confirmed_report(contact_email="a@example.ru")
    far = confirmed_report(latitude="45.020000", longitude="42.001000", contact_email="c@example.ru")
    assert far.incident_id == first.incident_id


def _engineer(branch):
    return UserFactory(role="engineer", branches=[branch], email="engineer@example.ru")


def test_answering_the_incident_answers_every_report(branch, django_capture_on_commit_callbacks):
    first = confirmed_report(contact_email="a@example.ru")
    second = confirmed_report(latitude="45.003000", longitude="42.002000", contact_email="b@example.ru")
    planned = calendar.add_working_days(local_today(), 2)
    services.change_incident_status(
        incident_id=first.incident_id,
        actor=_engineer(branch),
        status=Status.PLANNED,
        planned_fix_date=planned,
        answer_text="Заменим трансформатор",
        base_url=BASE_URL,
    )
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == Status.PLANNED
        assert report.planned_fix_date == planned
        assert report.answer_text == "Заменим трансформатор"
        assert report.answered_at is not None
        assert report.history.filter(action=StatusEntry.Action.STATUS, to_status=Status.PLANNED).exists()
        assert OutboxEmail.objects.filter(
            to=report.contact_email, body__contains="Заменим трансформатор"
        ).exists()
    # A third reporter joining later gets the answer at once.
    third = confirmed_report(latitude="45.002000", longitude="42.001000", contact_email="c@example.ru")
    assert third.incident_id == first.incident_id and third.status == Status.PLANNED


def test_status_change_is_validated(branch):
    report = confirmed_report()
    engineer = _engineer(branch)
    with pytest.raises(ValidationError) as error:
        services.change_incident_status(
            incident_id=report.incident_id,
            actor=engineer,
            status=Status.PLANNED,
            answer_text="",
            base_url=BASE_URL,
        )
    assert set(error.value.message_dict) == {"planned_fix_date", "answer_text"}
    with pytest.raises(ValidationError) as error:
        services.change_incident_status(
            incident_id=report.incident_id,
            actor=engineer,
            status=Status.PLANNED,
            planned_fix_date=local_today() - timedelta(days=1),
            answer_text="x",
            base_url=BASE_URL,
        )
    assert "planned_fix_date" in error.value.message_dict
    services.change_incident_status(
        incident_id=report.incident_id,
        actor=engineer,
        status=Status.FIXED,
        answer_text="Готово",
        base_url=BASE_URL,
    )
    with pytest.raises(StatusChangeNotAllowed):
        services.change_incident_status(
            incident_id=report.incident_id, actor=engineer, status=Status.INVESTIGATING, base_url=BASE_URL
        )


def test_engineer_of_another_branch_is_refused(branch):
    report = confirmed_report()
    stranger = UserFactory(role="engineer", branches=[BranchFactory(code="res-other")])
    with pytest.raises(NotYourBranch):
        services.change_incident_status(
            incident_id=report.incident_id, actor=stranger, status=Status.INVESTIGATING, base_url=BASE_URL
        )
    with pytest.raises(NotYourBranch):
        services.assign_incident(incident_id=report.incident_id, actor=stranger, assignee_id=None)
    applicant = UserFactory(role="applicant")
    with pytest.raises(NotYourBranch):
        services.change_incident_status(
            incident_id=report.incident_id, actor=applicant, status=Status.INVESTIGATING, base_url=BASE_URL
        )
    report.incident.refresh_from_db()
    assert report.incident.status == Status.RECEIVED


def test_assign_only_an_engineer_of_the_branch(branch):
    report = confirmed_report()
    engineer = _engineer(branch)
    stranger = UserFactory(role="engineer", branches=[BranchFactory(code="res-other")])
    with pytest.raises(ValidationError):
        services.assign_incident(incident_id=report.incident_id, actor=engineer, assignee_id=stranger.pk)
    incident = services.assign_incident(
        incident_id=report.incident_id, actor=engineer, assignee_id=engineer.pk
    )
    assert incident.assignee == engineer
    assert incident.history.filter(action=StatusEntry.Action.ASSIGNED).count() == 1


def test_merge_and_split(branch):
    first = confirmed_report(contact_email="a@example.ru")
    far = confirmed_report(latitude="45.030000", longitude="42.001000", contact_email="b@example.ru")
    engineer = _engineer(branch)
    target = services.merge_incidents(
        target_id=first.incident_id, source_number=far.incident.number, actor=engineer
    )
    assert target.reports.count() == 2
    source = Incident.objects.get(pk=far.incident_id)
    assert source.status == Status.DUPLICATE and source.merged_into == target
    new = services.split_report(report_id=far.pk, actor=engineer)
    far.refresh_from_db()
    assert far.incident == new and new.reports.count() == 1
    assert target.reports.count() == 1
    with pytest.raises(StatusChangeNotAllowed):
        services.split_report(report_id=far.pk, actor=engineer)


def test_merge_refuses_another_branch(branch):
    other = BranchFactory(code="res-other")
    TerritoryFactory(
        branch=other, boundary_wkt="POLYGON((42.5 45.5, 42.6 45.5, 42.6 45.6, 42.5 45.6, 42.5 45.5))"
    )
    first = confirmed_report()
    foreign = confirmed_report(latitude="45.550000", longitude="42.550000", contact_email="x@example.ru")
    assert foreign.branch == other
    with pytest.raises(ValidationError):
        services.merge_incidents(
            target_id=first.incident_id, source_number=foreign.incident.number, actor=_engineer(branch)
        )


def test_overdue_job_flags_once(branch, time_machine):
    report = confirmed_report()
    answered = confirmed_report(kind="outage", contact_email="b@example.ru")
    engineer = _engineer(branch)
    services.change_incident_status(
        incident_id=answered.incident_id,
        actor=engineer,
        status=Status.FIXED,
        answer_text="Готово",
        base_url=BASE_URL,
    )
    assert jobs.flag_overdue_reports(today=report.due_date) == 0  # due today: not late yet
    after = calendar.add_working_days(report.due_date, 1)
    assert jobs.flag_overdue_reports(today=after) == 1
    assert jobs.flag_overdue_reports(today=after) == 0
    report.refresh_from_db()
    assert report.overdue_flagged_at is not None
    assert report.history.filter(action=StatusEntry.Action.OVERDUE).count() == 1
    assert Notification.objects.filter(recipient=engineer, kind=Notification.Kind.OVERDUE).count() == 1
