"""End to end through the API: the full happy path and both annulment paths, the scheduled job
(idempotent, with frozen time), deadlines across the New Year and May holidays, notifications."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from connection.models import ConnectionRequest
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.workflow.helpers import URL, application_in_state, data_for, run
from workflow import deadlines
from workflow.jobs import run_deadline_jobs
from workflow.models import Notification, TransitionLog
from workflow.rulebook import get_rules

pytestmark = pytest.mark.django_db

MSK = dt.timezone(dt.timedelta(hours=3))


def at(day: str, hour: int = 10):
    """Freeze time at `hour` o'clock in Moscow on `day`."""
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=MSK), tick=False)


@pytest.fixture
def engineer_client(make_client, branch):
    return make_client(UserFactory(role="engineer", branches=[branch], email="eng@example.ru"))


def state_of(application) -> str:
    return ConnectionRequest.objects.get(pk=application.pk).state


def test_full_happy_path_through_the_api(
    make_client, engineer_client, branch, django_capture_on_commit_callbacks
):
    draft = ConnectionRequestFactory(with_documents=True)
    owner = make_client(draft.owner)
    with django_capture_on_commit_callbacks(execute=True):
        happy_path(owner, engineer_client, draft)
    history = owner.get(f"{URL}{draft.pk}/history/").json()
    assert [entry["transition"] for entry in history] == [
        "submit",
        "request_info",
        "resubmit",
        "accept",
        "issue_offer",
        "record_payment",
        "notify_ready",
        "report_defects",
        "notify_ready",
        "grid_works_done",
        "confirm_connection",
        "close",
    ]
    assert [entry["actor_role"] for entry in history][:2] == ["applicant", "engineer"]
    application = ConnectionRequest.objects.get(pk=draft.pk)
    assert application.contract_date == dt.date(2027, 1, 15)
    assert application.fee_rub == Decimal("75000.00")
    # The applicant heard of every step; the branch's engineer of new work.
    assert Notification.objects.filter(recipient=draft.owner).count() == 11
    assert Notification.objects.filter(recipient__email="eng@example.ru", kind="new_work").count() == 4
    assert len(mail.outbox) == 15


def happy_path(owner, engineer_client, draft):
    with at("2026-12-28"):  # Monday before the New Year holidays of 2027
        body = run(owner, draft, "submit", {}).json()
        assert body["state"] == "submitted" and body["number"].startswith("ТП-2026-")
        # Completeness check: 3 working days; 1–10 January 2027 are days off.
        assert body["current_step"]["due_date"] == "2027-01-11"
        assert body["current_step"]["acting_party"] == "grid"
        assert run(engineer_client, draft, "request_info", data_for("request_info")).json()[
            "current_step"
        ] == {
            "state": "needs_info",
            "label": "Требуется доработка: запрошены сведения у заявителя",
            "acting_party": "applicant",
            "acting_party_label": "Заявитель",
            "due_date": "2027-02-03",  # 20 working days
            "days_left": 20,
            "overdue": False,
        }
    with at("2027-01-12"):
        assert run(owner, draft, "resubmit", {}).status_code == 200
        body = run(engineer_client, draft, "accept", {}).json()
        assert body["current_step"]["due_date"] == "2027-01-26"  # offer: 10 working days from completeness
        body = run(engineer_client, draft, "issue_offer", data_for("issue_offer")).json()
        assert body["state"] == "offer_issued" and body["current_step"]["due_date"] == "2027-01-19"
    with at("2027-01-15"):
        body = run(engineer_client, draft, "record_payment", data_for("record_payment")).json()
        # Rural plot, grid 120 m away, no construction: 4 months from the contract date.
        assert body["state"] == "contract_active" and body["current_step"]["acting_party"] == "both"
        assert body["current_step"]["due_date"] == "2027-05-17"  # 15 May is a Saturday (art. 193)
    with at("2027-03-01"):
        assert run(owner, draft, "notify_ready", {}).status_code == 200
        assert run(engineer_client, draft, "report_defects", data_for("report_defects")).status_code == 200
        assert run(owner, draft, "notify_ready", {}).status_code == 200
        # The rules' order: the grid organisation's own measures are recorded before the connection.
        refused = run(engineer_client, draft, "confirm_connection", {})
        assert refused.status_code == 400
        assert engineer_client.post(f"{URL}{draft.pk}/grid-works/", {}, format="json").status_code == 200
        body = run(engineer_client, draft, "confirm_connection", {}).json()
        assert body["state"] == "connected" and body["current_step"]["due_date"] == "2027-03-03"
        body = run(engineer_client, draft, "close", {}).json()
        assert body["state"] == "closed" and body["current_step"]["due_date"] is None
        assert body["expected_completion"] is None


def test_annulment_when_the_missing_information_is_not_supplied(make_client, engineer_client, branch):
    draft = ConnectionRequestFactory(with_documents=True)
    with at("2026-04-27"):
        run(make_client(draft.owner), draft, "submit", {})
        body = run(engineer_client, draft, "request_info", data_for("request_info")).json()
        # 20 working days across the May holidays of 2026 (1–3 and 9–11 May off).
        assert body["current_step"]["due_date"] == "2026-05-27"
    with at("2026-05-27", hour=23):
        assert run_deadline_jobs() == {
            "annulled_no_data": 0,
            "annulled_not_paid": 0,
            "overdue_notified": 0,
            "payment_reminded": 0,
        }
        assert state_of(draft) == "needs_info"  # the last day is still the applicant's
    with at("2026-05-28"):
        assert run_deadline_jobs()["annulled_no_data"] == 1
        assert run_deadline_jobs()["annulled_no_data"] == 0  # idempotent
    application = ConnectionRequest.objects.get(pk=draft.pk)
    assert (application.state, application.annulment_reason) == ("annulled", "no_data")
    entry = TransitionLog.objects.filter(application=draft).last()
    assert entry.actor is None and entry.actor_role == "system" and entry.data["reason"] == "no_data"
    body = make_client(draft.owner).get(f"{URL}{draft.pk}/").json()
    assert body["state_label"] == "Аннулирована"


@pytest.mark.parametrize(
    ("procurement", "due", "annulled_on"),
    [(False, "2027-05-13", "2027-05-14"), (True, "2027-05-27", "2027-05-28")],
)
def test_annulment_of_an_unpaid_offer(make_client, engineer_client, branch, procurement, due, annulled_on):
    draft = ConnectionRequestFactory(with_documents=True, is_public_procurement=procurement)
    with at("2027-04-28"):
        run(make_client(draft.owner), draft, "submit", {})
        run(engineer_client, draft, "accept", {})
    with at("2027-05-05"):
        body = run(engineer_client, draft, "issue_offer", data_for("issue_offer")).json()
        # 5 (or 15 under 44-FZ) working days; 8–10 May 2027 are days off.
        assert body["current_step"]["due_date"] == due
    call_command("run_deadline_jobs", today=due)
    assert state_of(draft) == "offer_issued"
    call_command("run_deadline_jobs", today=annulled_on)
    application = ConnectionRequest.objects.get(pk=draft.pk)
    assert (application.state, application.annulment_reason) == ("annulled", "not_paid")


def test_overdue_steps_are_reported_once_to_the_branch(
    make_client, branch, django_capture_on_commit_callbacks
):
    supervisor = UserFactory(role="supervisor")
    engineer = UserFactory(role="engineer", branches=[branch])
    UserFactory(role="engineer")  # of no branch: not told
    with at("2026-11-02"):
        application = application_in_state("submitted", branch=branch)
    assert application.due_date == dt.date(2026, 11, 6)  # 4 November is a holiday
    with django_capture_on_commit_callbacks(execute=True):
        report = run_deadline_jobs(today=dt.date(2026, 11, 9))
    assert report["overdue_notified"] == 1
    assert run_deadline_jobs(today=dt.date(2026, 11, 10))["overdue_notified"] == 0
    recipients = set(Notification.objects.filter(kind="overdue").values_list("recipient_id", flat=True))
    assert recipients == {supervisor.pk, engineer.pk}
    body = make_client(application.owner).get(f"{URL}{application.pk}/").json()
    assert body["current_step"]["overdue"] is True


@pytest.mark.parametrize(
    ("state", "started", "expected"),
    [
        ("submitted", "2025-12-29", "2026-01-13"),  # 31 Dec 2025 and 1–11 Jan 2026 off
        ("under_review", "2025-12-29", "2026-01-22"),
        ("needs_info", "2026-12-28", "2027-02-03"),
        ("offer_issued", "2026-12-28", "2027-01-13"),
        ("submitted", "2026-04-29", "2026-05-05"),  # May 2026
        ("under_review", "2026-04-29", "2026-05-15"),
        ("offer_issued", "2027-04-28", "2027-05-06"),  # May 2027
        ("ready_for_check", "2027-04-28", "2027-05-14"),
        ("connected", "2026-12-30", "2027-01-12"),
    ],
)
def test_deadlines_cross_new_year_and_may_holidays(state, started, expected):
    start = dt.date.fromisoformat(started)
    facts = deadlines.TermFacts(temporary=False, voltage_kv=Decimal("0.4"), urban=False, grid_distance_m=None)
    step = deadlines.step(
        state,
        rules=get_rules(on=start),
        started_on=start,
        complete_since=start,
        contract_date=start,
        facts=facts,
    )
    assert step.due == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("facts", "term"),
    [
        ({"voltage_kv": Decimal("0.4"), "grid_distance_m": Decimal("10")}, (30, "working_days")),
        (
            {
                "voltage_kv": Decimal("0.4"),
                "grid_distance_m": Decimal("10"),
                "crosses_third_party_land": True,
            },
            (4, "months"),
        ),
        ({"voltage_kv": Decimal("10"), "grid_distance_m": Decimal("290"), "urban": True}, (4, "months")),
        ({"voltage_kv": Decimal("10"), "grid_distance_m": Decimal("310"), "urban": True}, (12, "months")),
        ({"voltage_kv": Decimal("0.4"), "grid_distance_m": Decimal("450")}, (4, "months")),  # rural: 500 m
        (
            {"voltage_kv": Decimal("0.4"), "grid_distance_m": Decimal("450"), "needs_construction": True},
            (6, "months"),
        ),
        ({"voltage_kv": Decimal("0.4"), "grid_distance_m": Decimal("501")}, (12, "months")),
        ({"voltage_kv": Decimal("0.4"), "grid_distance_m": None}, (12, "months")),
        (
            {"voltage_kv": Decimal("0.4"), "grid_distance_m": Decimal("200"), "temporary": True},
            (15, "working_days"),
        ),
    ],
)
def test_term_of_connection_works_follows_the_table(facts, term):
    values = {"temporary": False, "urban": False, **facts}
    result = deadlines.works_term(get_rules(), deadlines.TermFacts(**values))
    assert (result.amount, result.unit) == term


def test_notifications_api_lists_only_mine_and_marks_read(
    make_client, branch, django_capture_on_commit_callbacks
):
    draft = ConnectionRequestFactory(with_documents=True)
    owner = make_client(draft.owner)
    with django_capture_on_commit_callbacks(execute=True):
        run(owner, draft, "submit", {})
    body = owner.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert body["count"] == 1
    notification = body["results"][0]
    assert notification["application_number"].startswith("ТП-")
    assert "Зарегистрирована" in notification["subject"]
    stranger = make_client(UserFactory(role="applicant"))
    assert stranger.get("/api/v1/notifications/").json()["count"] == 0
    assert stranger.post(f"/api/v1/notifications/{notification['id']}/read/").status_code == 404
    assert owner.post(f"/api/v1/notifications/{notification['id']}/read/").json()["read_at"] is not None
    assert owner.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    assert owner.post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_notifications_are_written_in_the_recipients_language(
    make_client, branch, django_capture_on_commit_callbacks
):
    draft = ConnectionRequestFactory(with_documents=True, applicant__owner__language="en")
    with django_capture_on_commit_callbacks(execute=True):
        run(make_client(draft.owner), draft, "submit", {})
    notification = Notification.objects.get(recipient=draft.owner)
    assert notification.subject.startswith("Application ТП-")
    assert "Registered, completeness check" in notification.subject


def test_notifications_and_their_emails_commit_with_the_transition(branch, monkeypatch):
    """The outbox pattern: a transition's notifications and queued e-mails are written in its own
    transaction (before any commit hook runs), and a failure to write them leaves no transition."""
    from connection.workflow_actions import perform_transition
    from workflow import outbox
    from workflow.models import OutboxEmail

    engineer = UserFactory(role="engineer", email="eng@example.ru")
    engineer.branches.add(branch)
    application = application_in_state("submitted", branch=branch)
    perform_transition(application=application, name="accept", user=engineer)  # no commit hook run
    assert Notification.objects.filter(application=application, recipient=application.owner).count() == 1
    assert OutboxEmail.objects.filter(notification__application=application, sent_at=None).count() == 1

    broken = application_in_state("submitted", branch=branch)

    def fail(rows):
        raise RuntimeError("the outbox table cannot be written")

    monkeypatch.setattr(outbox, "_enqueue", fail)
    with pytest.raises(RuntimeError):
        perform_transition(application=broken, name="accept", user=engineer)
    broken = ConnectionRequest.objects.get(pk=broken.pk)
    assert broken.state == "submitted"
    assert not TransitionLog.objects.filter(application=broken, transition="accept").exists()
    assert not Notification.objects.filter(application=broken).exists()
