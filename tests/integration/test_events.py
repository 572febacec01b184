"""Events recorded in the transaction of each change, and the feed a client polls."""

import pytest
from rest_framework.test import APIClient

from backend.events.models import Event
from backend.events.services import sequence_pending
from tests.backend.factories import UserFactory
from tests.integration.factories import authorise, client_with_key, headers
from tests.workflow.helpers import URL, application_in_state, run
from workflow.jobs import run_deadline_jobs

pytestmark = pytest.mark.django_db
FEED = "/api/v1/events/"


def kinds(application) -> list[str]:
    return list(
        Event.objects.filter(application_id=application.pk).order_by("id").values_list("kind", flat=True)
    )


def test_submit_records_submitted_and_state_changed(make_client, branch):
    application = application_in_state("draft")
    response = make_client(application.owner).post(f"{URL}{application.pk}/transitions/submit/", {})
    assert response.status_code == 200, response.content
    assert kinds(application) == ["application.submitted", "application.state_changed"]
    event = Event.objects.get(application_id=application.pk, kind="application.submitted")
    assert event.owner_id == application.owner_id
    assert event.actor_id == application.owner_id
    assert event.payload["application"]["state"] == "submitted"
    assert event.payload["from_state"] == "draft"
    assert event.payload["to_state"] == "submitted"
    assert event.position is None  # sequenced after commit, by the feed or the periodic job


def test_offer_payment_messages_and_overdue_record_their_events(make_client, branch):
    engineer = UserFactory(role="engineer", branches=[branch])
    application = application_in_state("under_review", branch=branch)
    assert run(make_client(engineer), application, "issue_offer").status_code == 200
    issued = Event.objects.filter(application_id=application.pk, kind="document.issued")
    assert sorted(event.payload["document"]["doc_type"] for event in issued) == [
        "invoice",
        "offer",
        "technical_conditions",
    ]
    assert run(make_client(engineer), application, "record_payment").status_code == 200
    payment = Event.objects.get(application_id=application.pk, kind="payment.recorded")
    assert payment.payload["payment"]["amount_rub"] == "75000.00"
    assert payment.payload["application"]["state"] == "contract_active"

    response = make_client(application.owner).post(
        f"{URL}{application.pk}/messages/", {"text": "Когда приедет бригада?"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    message = Event.objects.get(application_id=application.pk, kind="message.created")
    assert message.payload["message"]["id"] == response.json()["id"]
    assert message.payload["message"]["side"] == "applicant"


def test_overdue_step_records_one_event_per_due_date(branch):
    application = application_in_state("submitted", branch=branch)
    type(application).objects.filter(pk=application.pk).update(due_date="2026-01-01", acting_party="grid")
    run_deadline_jobs()
    run_deadline_jobs()  # a second run the same day records nothing more
    overdue = Event.objects.filter(application_id=application.pk, kind="step.overdue")
    assert overdue.count() == 1
    assert overdue.get().payload["due_date"] == "2026-01-01"


def test_a_failed_transition_records_no_event(make_client, branch):
    application = application_in_state("offer_issued", branch=branch)
    engineer = UserFactory(role="engineer", branches=[branch])
    response = make_client(engineer).post(
        f"{URL}{application.pk}/transitions/record_payment/", {"paid_on": "2026-12-01", "amount_rub": "1.00"}
    )
    assert response.status_code == 400
    assert kinds(application) == []


def test_feed_pages_in_order_and_shows_only_authorised_applicants(branch):
    client, key = client_with_key()
    mine = application_in_state("draft")
    authorise(client, mine.owner)
    other = application_in_state("draft")
    api = APIClient()
    owner_api = APIClient()
    owner_api.force_authenticate(mine.owner)
    assert owner_api.post(f"{URL}{mine.pk}/transitions/submit/", {}).status_code == 200
    other_api = APIClient()
    other_api.force_authenticate(other.owner)
    assert other_api.post(f"{URL}{other.pk}/transitions/submit/", {}).status_code == 200
    assert owner_api.post(f"{URL}{mine.pk}/transitions/withdraw/", {}).status_code == 200

    first = api.get(FEED, {"limit": 2}, **headers(key))
    assert first.status_code == 200, first.content
    body = first.json()
    assert [event["kind"] for event in body["events"]] == [
        "application.submitted",
        "application.state_changed",
    ]
    assert body["has_more"] is True
    second = api.get(FEED, {"after": body["next_cursor"], "limit": 2}, **headers(key)).json()
    assert [event["payload"]["to_state"] for event in second["events"]] == ["withdrawn"]
    assert second["has_more"] is False
    assert {event["application_id"] for event in body["events"] + second["events"]} == {mine.pk}
    empty = api.get(FEED, {"after": second["next_cursor"]}, **headers(key)).json()
    assert empty == {"events": [], "next_cursor": second["next_cursor"], "has_more": False}


def test_feed_is_for_integration_clients_only(make_client, applicant):
    assert make_client(applicant).get(FEED).status_code == 403


@pytest.mark.parametrize("query", [{"after": "-1"}, {"after": "x"}, {"limit": "0"}, {"limit": "1001"}])
def test_feed_rejects_bad_cursors(query):
    _client, key = client_with_key()
    response = APIClient().get(FEED, query, **headers(key))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] in query


def test_sequencer_gives_positions_once_in_id_order(branch):
    first = application_in_state("draft")
    owner_api = APIClient()
    owner_api.force_authenticate(first.owner)
    owner_api.post(f"{URL}{first.pk}/transitions/submit/", {})
    assert sequence_pending() == 2
    assert sequence_pending() == 0
    positions = list(Event.objects.order_by("id").values_list("position", flat=True))
    assert positions == [1, 2]
