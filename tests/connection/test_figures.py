"""The dashboard's counters (connection/figures.py): applications go through real transitions
over several weeks (frozen time) and the counters kept by the transitions equal the full replay
of the history (rebuild_figures), row for row and on the dashboard; events and failed
transitions count nothing; the rebuild gives the same in any batch size; the dashboard's queries
do not grow with the history; the median from counts is statistics.median."""

from __future__ import annotations

import datetime as dt
import io
import statistics

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from connection import assignment, figures, workflow_actions, works
from connection.figures import rebuild_figures
from connection.models import ConnectionRequest, DailyFlow, StepExit
from connection.selectors import StepPeriod
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.workflow.helpers import data_for, run
from workflow import calendar
from workflow.exceptions import TransitionConflict
from workflow.jobs import run_deadline_jobs

pytestmark = pytest.mark.django_db

MSK = dt.timezone(dt.timedelta(hours=3))
DASHBOARD = "/console/dashboard/"


def on(day: str, hour: int = 11):
    """Freeze time at `hour` o'clock in Moscow on `day`."""
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=MSK), tick=False)


def step_rows() -> list[tuple]:
    return sorted(
        StepExit.objects.values_list(
            "branch_key", "state", "day", "taken_wd", "finished", "judged", "on_time"
        )
    )


def flow_rows() -> list[tuple]:
    return sorted(DailyFlow.objects.values_list("branch_key", "day", "received", "completed"))


def dashboard_figures(user) -> tuple[list, list]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    context = client.get(DASHBOARD).context
    return context["tables"], [
        (week["start"], week["received"], week["completed"]) for week in context["weeks"]
    ]


@pytest.fixture
def engineer(branch):
    return UserFactory(role="engineer", branches=[branch])


@pytest.fixture
def clients(make_client, engineer):
    return {"engineer": make_client(engineer)}


def step(client, application, name, *, day: str, expect: int = 200) -> None:
    with on(day):
        response = run(client, application, name, data_for(name))
    assert response.status_code == expect, response.content


def submitted(make_client, *, day: str) -> ConnectionRequest:
    draft = ConnectionRequestFactory(with_documents=True)
    step(make_client(draft.owner), draft, "submit", day=day)
    application = ConnectionRequest.objects.get(pk=draft.pk)
    application.owner_client = make_client(draft.owner)
    return application


@pytest.fixture
def history(make_client, clients, engineer):
    """Five applications through the workflow, October–November 2026 (Monday 5 October first)."""
    grid = clients["engineer"]
    a = submitted(make_client, day="2026-10-05")
    step(grid, a, "accept", day="2026-10-07")  # completeness check: 2 of 3 working days
    step(grid, a, "issue_offer", day="2026-10-20")
    step(grid, a, "record_payment", day="2026-10-22")
    step(a.owner_client, a, "notify_ready", day="2026-10-26")
    step(grid, a, "report_defects", day="2026-10-27")
    step(a.owner_client, a, "notify_ready", day="2026-10-28")
    with on("2026-11-06"):
        works.record_grid_works_done(application=a, user=engineer)  # an event: no step ends
    step(grid, a, "confirm_connection", day="2026-11-09")  # late: 3 working days for the check
    step(grid, a, "close", day="2026-11-10")

    b = submitted(make_client, day="2026-10-05")
    step(grid, b, "request_info", day="2026-10-12")  # late: 5 working days
    step(b.owner_client, b, "resubmit", day="2026-10-14")
    step(grid, b, "accept", day="2026-10-15")

    c = submitted(make_client, day="2026-10-06")
    step(grid, c, "reject", day="2026-10-09")

    d = submitted(make_client, day="2026-10-07")
    with on("2026-10-08"):
        assignment.take_into_work(application=d, user=engineer)  # an event, not the end of a step
    step(grid, d, "accept", day="2026-10-13")
    step(d.owner_client, d, "withdraw", day="2026-10-16")

    e = submitted(make_client, day="2026-10-05")
    step(grid, e, "request_info", day="2026-10-06")
    with on("2026-11-25"):
        assert run_deadline_jobs()["annulled_no_data"] == 1  # the applicant never answered
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_counters_kept_by_the_transitions_equal_the_replay(history, branch, engineer):
    steps, flow = step_rows(), flow_rows()
    with on("2026-11-25"):
        tables, weeks = dashboard_figures(UserFactory(role="supervisor"))
        engineer_view = dashboard_figures(engineer)

    report = rebuild_figures()

    assert (report.step_rows, report.flow_rows) == (len(steps), len(flow))
    assert step_rows() == steps
    assert flow_rows() == flow
    with on("2026-11-25"):
        assert dashboard_figures(UserFactory(role="supervisor")) == (tables, weeks)
        assert dashboard_figures(engineer) == engineer_view

    # A few figures worked out by hand: the completeness check of a (2 working days, on time),
    # b (5, late), c (3, on time), d (4: 7 → 13 October, late; the event on the 8th ends nothing),
    # e (1, on time) and b again after its answer (1, on time).
    checks = [row for row in steps if row[1] == "submitted"]
    assert sorted((row[3], row[4], row[6]) for row in checks) == [
        (1, 1, 1),
        (1, 1, 1),
        (2, 1, 1),
        (3, 1, 1),
        (4, 1, 0),
        (5, 1, 0),
    ]
    information = [row for row in steps if row[1] == "needs_info"]
    assert {row[5] for row in information} == {0}  # the applicant's step is never judged
    assert sorted(row[3] for row in information) == [
        2,  # b answered in 2 working days
        calendar.working_days_between(dt.date(2026, 10, 6), dt.date(2026, 11, 25)),  # e: annulled
    ]
    assert sum(row[2] for row in flow) == 5  # received
    assert [(row[1], row[3]) for row in flow if row[3]] == [
        (dt.date(2026, 11, 9), 1)
    ]  # a connected, not again when closed
    assert {row[0] for row in steps + flow} == {branch.pk}

    table = next(table for table in tables if table["branch_id"] == branch.pk)
    check = next(row for row in table["rows"] if row["state"] == "submitted")
    month = next(period for period in check["periods"] if period["days"] == 30)
    assert month["finished"] == 0  # all ended more than 30 days before 25 November
    quarter = next(period for period in check["periods"] if period["days"] == 90)
    assert (quarter["finished"], quarter["on_time"], quarter["judged"], quarter["median"]) == (6, 4, 6, 2.5)
    assert sum(week[1] for week in weeks) == 5 and sum(week[2] for week in weeks) == 1


def test_the_rebuild_gives_the_same_in_any_batch_size(history, monkeypatch):
    steps, flow = step_rows(), flow_rows()
    monkeypatch.setattr(figures, "FLUSH_ROWS", 3)  # written in several parts, adding up
    rebuild_figures(batch_size=1)
    assert (step_rows(), flow_rows()) == (steps, flow)
    rebuild_figures(batch_size=3)
    assert (step_rows(), flow_rows()) == (steps, flow)


def test_a_transition_that_fails_counts_nothing(make_client, clients, engineer):
    application = submitted(make_client, day="2026-10-05")
    before = (step_rows(), flow_rows())
    # Refused by its own check (no items listed): nothing counted.
    with on("2026-10-06"):
        assert run(clients["engineer"], application, "request_info", {"items": []}).status_code == 400
    assert (step_rows(), flow_rows()) == before
    # Lost a race: someone accepted it a moment ago; the stale copy's transition rolls back.
    stale = ConnectionRequest.objects.get(pk=application.pk)
    step(clients["engineer"], application, "accept", day="2026-10-06")
    counted = (step_rows(), flow_rows())
    with on("2026-10-06"), pytest.raises(TransitionConflict):
        workflow_actions.perform_transition(
            application=stale, name="reject", user=engineer, data={"reason": "Вне зоны"}
        )
    assert (step_rows(), flow_rows()) == counted


def test_dashboard_queries_do_not_grow_with_the_history(make_client, clients, branch):
    supervisor = UserFactory(role="supervisor")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(supervisor)

    def queries() -> int:
        with on("2026-10-20"), CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD).status_code == 200
        return len(captured)

    first = submitted(make_client, day="2026-10-05")
    step(clients["engineer"], first, "accept", day="2026-10-06")
    few = queries()
    for day in ("2026-10-07", "2026-10-08", "2026-10-09", "2026-10-12"):
        application = submitted(make_client, day=day)
        step(clients["engineer"], application, "request_info", day=day)
        step(application.owner_client, application, "resubmit", day="2026-10-13")
        step(clients["engineer"], application, "accept", day="2026-10-14")
    assert queries() == few


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_the_median_from_counts_is_the_median_of_the_list(values):
    period = StepPeriod()
    for value in values:
        period.taken[value] = period.taken.get(value, 0) + 1
    assert period.median_days == statistics.median(values)


def test_no_steps_no_median():
    assert StepPeriod().median_days is None and StepPeriod().on_time_share is None


def test_the_command_recounts_the_counters(history):
    steps, flow = step_rows(), flow_rows()
    StepExit.objects.all().delete()
    DailyFlow.objects.all().delete()
    output = io.StringIO()
    call_command("rebuild_dashboard_figures", "--batch-size", "2", stdout=output)
    assert (step_rows(), flow_rows()) == (steps, flow)
    assert f"{len(steps)} step rows, {len(flow)} daily rows" in output.getvalue()
