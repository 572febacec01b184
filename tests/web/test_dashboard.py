"""The supervisors' dashboard and the CSV export of the queue: who may open them, the figures
per branch and step on crafted history (counted by rebuild_figures, as after an upgrade), the
weekly SVG chart, the CSV's content, BOM and filters. The counters kept by real transitions are
tested in tests/connection/test_figures.py."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from connection.figures import rebuild_figures
from connection.models import ConnectionRequest
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory, LegalEntityFactory
from tests.grid.factories import BranchFactory
from workflow import calendar
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DASHBOARD = "/console/dashboard/"
EXPORT = "/console/export.csv"
_numbers = iter(range(1, 10**6))


def client_for(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def queued(branch, *, state="submitted", due=None, submitted=None, **fields) -> ConnectionRequest:
    application = ConnectionRequestFactory(**fields)
    ConnectionRequest.objects.filter(pk=application.pk).update(
        state=state,
        branch=branch,
        number=f"ТП-2026-{next(_numbers):05d}",
        submitted_at=submitted or timezone.now(),
        due_date=due,
        acting_party="grid",
    )
    return ConnectionRequest.objects.get(pk=application.pk)


def log(application, from_state: str, to_state: str, day: datetime.date) -> TransitionLog:
    return TransitionLog.objects.create(
        application=application,
        transition="test",
        from_state=from_state,
        to_state=to_state,
        actor_role="engineer",
        created_at=at(day),
    )


@pytest.fixture
def north():
    return BranchFactory(code="north", name="Северный РЭС")


@pytest.fixture
def south():
    return BranchFactory(code="south", name="Южный РЭС")


@pytest.fixture
def engineer(north):
    return UserFactory(role="engineer", branches=[north])


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_anonymous_is_sent_to_login(url):
    response = Client(**EN).get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_applicant_is_refused(url):
    assert client_for(UserFactory(role="applicant")).get(url).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "administrator", "engineer"])
def test_staff_open_the_dashboard(role):
    response = client_for(UserFactory(role=role)).get(DASHBOARD)
    assert response.status_code == 200
    assert b'id="weekly-chart"' in response.content


def test_console_links_to_dashboard_and_export_with_its_filters(engineer):
    response = client_for(engineer).get("/console/?overdue=on")
    assert b'id="dashboard-link"' in response.content
    assert b'href="/console/export.csv?overdue=on"' in response.content


def test_engineer_sees_only_own_branches(engineer, north, south, today):
    queued(north, due=today)
    queued(south, due=today)
    tables = client_for(engineer).get(DASHBOARD).context["tables"]
    assert [table["name"] for table in tables] == ["Северный РЭС"]
    supervisor_tables = client_for(UserFactory(role="supervisor")).get(DASHBOARD).context["tables"]
    assert [table["name"] for table in supervisor_tables] == ["Северный РЭС", "Южный РЭС"]


def row_of(response, branch, state) -> dict:
    table = next(table for table in response.context["tables"] if table["branch_id"] == branch.pk)
    return next(row for row in table["rows"] if row["state"] == state)


def period(row, days) -> dict:
    return next(item for item in row["periods"] if item["days"] == days)


def test_open_overdue_on_time_and_median(north, today):
    """Completeness check (3 working days): A took 2 (on time), B took 5 (late), both within
    30 days; C took 1 (on time) about 70 days ago. The offer step of A took 2 of its 10."""
    start = calendar.add_working_days(today - datetime.timedelta(days=25), 1)
    a = queued(north, state="offer_issued", due=today + datetime.timedelta(days=5), submitted=at(start))
    log(a, "draft", "submitted", start)
    log(a, "submitted", "under_review", calendar.add_working_days(start, 2))
    log(a, "under_review", "offer_issued", calendar.add_working_days(start, 4))
    b = queued(north, state="under_review", due=today - datetime.timedelta(days=1), submitted=at(start))
    log(b, "draft", "submitted", start)
    log(b, "submitted", "under_review", calendar.add_working_days(start, 5))
    old = calendar.add_working_days(today - datetime.timedelta(days=70), 1)
    c = queued(north, state="under_review", submitted=at(old))
    log(c, "draft", "submitted", old)
    log(c, "submitted", "under_review", calendar.add_working_days(old, 1))
    rebuild_figures()

    response = client_for(UserFactory(role="supervisor")).get(DASHBOARD)
    assert response.status_code == 200

    review = row_of(response, north, "under_review")
    assert (review["open"], review["overdue"]) == (2, 1)
    assert row_of(response, north, "offer_issued")["open"] == 1

    check = row_of(response, north, "submitted")
    assert check["open"] == 0
    month, quarter = period(check, 30), period(check, 90)
    assert (month["on_time"], month["judged"], month["share"]) == (1, 2, 50)
    assert month["median"] == 3.5
    assert (quarter["on_time"], quarter["judged"], quarter["share"]) == (2, 3, 67)
    assert quarter["median"] == 2

    offer = period(review, 30)
    assert (offer["on_time"], offer["judged"], offer["share"], offer["median"]) == (1, 1, 100, 2)
    assert b"50%" in response.content


def test_applicant_steps_have_a_median_but_no_on_time_share(north, today):
    start = calendar.add_working_days(today - datetime.timedelta(days=20), 1)
    application = queued(north, submitted=at(start))
    log(application, "draft", "submitted", start)
    log(application, "submitted", "needs_info", calendar.add_working_days(start, 1))
    log(application, "needs_info", "submitted", calendar.add_working_days(start, 4))
    rebuild_figures()
    response = client_for(UserFactory(role="supervisor")).get(DASHBOARD)
    needs_info = period(row_of(response, north, "needs_info"), 30)
    assert needs_info["share"] is None and needs_info["judged"] == 0
    assert needs_info["median"] == 3


def test_weekly_chart_counts_received_and_completed(north, today):
    queued(north)  # received this week
    earlier = today - datetime.timedelta(weeks=3)
    queued(north, submitted=at(earlier))
    done = queued(north, state="connected", submitted=at(today - datetime.timedelta(weeks=20)))
    log(done, "ready_for_check", "connected", today)
    log(done, "connected", "closed", today)  # the same application: counted once
    rebuild_figures()

    response = client_for(UserFactory(role="supervisor")).get(DASHBOARD)
    weeks = response.context["weeks"]
    assert len(weeks) == 12
    assert weeks[-1]["start"] == today - datetime.timedelta(days=today.weekday())
    assert weeks[-1]["received"] == 1 and weeks[-1]["completed"] == 1
    assert weeks[-4]["received"] == 1
    assert sum(week["received"] for week in weeks) == 2

    content = response.content.decode()
    svg = content[content.index("<svg") : content.index("</svg>")]
    assert svg.count('class="bar bar-received"') == 12
    assert svg.count('class="bar bar-completed"') == 12
    assert "<title" in svg and "<script" not in content.split("<svg")[1].split("</svg>")[0]
    assert 'id="weekly-table"' in content


# CSV


def read_csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_content_and_bom(north, today):
    engineer = UserFactory(role="engineer", branches=[north], last_name="Сидоров", first_name="Семён")
    application = queued(
        north, state="under_review", due=today - datetime.timedelta(days=1), applicant=LegalEntityFactory()
    )
    ConnectionRequest.objects.filter(pk=application.pk).update(assigned_to=engineer)
    response = client_for(UserFactory(role="supervisor")).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Number",
        "State",
        "Branch",
        "Applicant",
        "INN",
        "Total power, kW",
        "Due date",
        "Who acts now",
        "Overdue",
        "Engineer in charge",
    ]
    assert rows[1] == [
        application.number,
        "Technical conditions and offer being prepared",
        "Северный РЭС",
        "ООО «Ромашка»",
        application.applicant.inn,
        "15",
        (today - datetime.timedelta(days=1)).strftime("%m/%d/%Y"),
        "Grid organisation",
        "yes",
        "Сидоров Семён",
    ]


def test_csv_applies_the_console_filters_and_scope(engineer, north, south, today):
    late = queued(north, due=today - datetime.timedelta(days=2))
    on_time = queued(north, state="under_review", due=today + datetime.timedelta(days=5))
    queued(south, due=today - datetime.timedelta(days=2))
    client = client_for(engineer)
    assert {row[0] for row in read_csv(client.get(EXPORT))[1:]} == {late.number, on_time.number}
    assert [row[0] for row in read_csv(client.get(EXPORT + "?overdue=on"))[1:]] == [late.number]
    assert [row[0] for row in read_csv(client.get(EXPORT + "?state=under_review"))[1:]] == [on_time.number]
    assert [row[0] for row in read_csv(client.get(EXPORT + "?q=" + on_time.number))[1:]] == [on_time.number]


def test_svg_coordinates_are_not_localised(north):
    queued(north)
    response = Client(HTTP_ACCEPT_LANGUAGE="ru")
    response.force_login(UserFactory(role="supervisor"))
    content = response.get(DASHBOARD).content.decode()
    svg = content[content.index("<svg") : content.index("</svg>")]
    assert 'y="220.0"' in svg
    assert ",0" not in svg.split("<title")[0] and 'height="0,0"' not in svg
