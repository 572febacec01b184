"""Every transition × every role (allowed and denied), every guard, the transitions list, history
and the current step, through the API."""

import pytest
from django.core.exceptions import ValidationError

from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory
from tests.workflow.helpers import URL, application_in_state, data_for, run
from workflow.models import TransitionLog
from workflow.services import TRANSITIONS

pytestmark = pytest.mark.django_db

ROLES = ["owner", "other_applicant", "branch_engineer", "other_engineer", "supervisor", "integration"]
# For each transition: the state it is tried in, and the answer per role in ROLES order.
OWNER_RUNS = [200, 404, 403, 404, 403, 404]
BRANCH_RUNS = [403, 404, 200, 404, 200, 404]
MATRIX = {
    "submit": ("draft", [200, 404, 404, 404, 404, 404]),  # a draft is visible to its owner only
    "accept": ("submitted", BRANCH_RUNS),
    "request_info": ("submitted", BRANCH_RUNS),
    "resubmit": ("needs_info", OWNER_RUNS),
    "reject": ("submitted", BRANCH_RUNS),
    "issue_offer": ("under_review", BRANCH_RUNS),
    "record_payment": ("offer_issued", BRANCH_RUNS),
    "notify_ready": ("contract_active", OWNER_RUNS),
    "report_defects": ("ready_for_check", BRANCH_RUNS),
    "confirm_connection": ("ready_for_check", BRANCH_RUNS),
    "close": ("connected", BRANCH_RUNS),
    "withdraw": ("offer_issued", OWNER_RUNS),
    "annul": ("needs_info", [403, 404, 403, 404, 403, 404]),  # only the scheduled job annuls
}


def test_matrix_covers_every_transition():
    assert set(MATRIX) == set(TRANSITIONS)


@pytest.fixture
def people(branch):
    return {
        "other_applicant": UserFactory(role="applicant"),
        "branch_engineer": UserFactory(role="engineer", branches=[branch]),
        "other_engineer": UserFactory(role="engineer", branches=[BranchFactory()]),
        "supervisor": UserFactory(role="supervisor"),
        "integration": UserFactory(role="integration"),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_transition_by_role(make_client, branch, people, name, role):
    state, expected = MATRIX[name]
    application = application_in_state(state, branch=branch)
    user = application.owner if role == "owner" else people[role]
    response = run(make_client(user), application, name)
    assert response.status_code == expected[ROLES.index(role)], response.content
    application.refresh_from_db()
    entries = TransitionLog.objects.filter(application=application)
    if response.status_code == 200:
        assert application.state == TRANSITIONS[name].target
        assert entries.get().actor == user
    else:
        assert application.state == state
        assert not entries.exists()


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("accept", "needs_info"),
        ("issue_offer", "submitted"),
        ("notify_ready", "offer_issued"),
        ("close", "closed"),
        ("withdraw", "contract_active"),
        ("resubmit", "submitted"),
        ("record_payment", "contract_active"),
    ],
)
def test_transition_not_possible_in_this_state_is_409(make_client, branch, people, name, state):
    application = application_in_state(state, branch=branch)
    actor = TRANSITIONS[name].actor
    user = application.owner if actor == "owner" else people["branch_engineer"]
    response = run(make_client(user), application, name)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "transition_not_allowed"


def test_unknown_transition_is_404(make_client, branch, people):
    application = application_in_state("submitted", branch=branch)
    assert run(make_client(people["branch_engineer"]), application, "teleport", {}).status_code == 404


@pytest.mark.parametrize(
    ("name", "state", "data", "fields"),
    [
        ("request_info", "submitted", {}, {"items"}),
        ("request_info", "submitted", {"items": []}, {"items"}),
        ("request_info", "submitted", {"items": ["  "]}, {"items.0"}),
        ("reject", "submitted", {}, {"reason"}),
        (
            "issue_offer",
            "under_review",
            {},
            {"grid_measures", "applicant_measures", "metering_requirements", "fee_rub", "grid_distance_m"},
        ),
        ("issue_offer", "under_review", {**data_for("issue_offer"), "fee_rub": "-1"}, {"fee_rub"}),
        ("record_payment", "offer_issued", {"paid_on": "2999-01-01", "amount_rub": "10"}, {"paid_on"}),
        ("record_payment", "offer_issued", {"paid_on": "2000-01-01", "amount_rub": "10"}, {"paid_on"}),
        (
            "record_payment",
            "offer_issued",
            {"paid_on": "not a date", "amount_rub": "0"},
            {"paid_on", "amount_rub"},
        ),
        ("report_defects", "ready_for_check", {}, {"defects"}),
        ("confirm_connection", "ready_for_check", {"connected_on": "2999-01-01"}, {"connected_on"}),
    ],
)
def test_guards_refuse_bad_data_naming_the_field(make_client, branch, people, name, state, data, fields):
    application = application_in_state(state, branch=branch)
    response = run(make_client(people["branch_engineer"]), application, name, data)
    assert response.status_code == 400, response.content
    assert {error["field"] for error in response.json()["errors"]} == fields
    application.refresh_from_db()
    assert application.state == state
    assert not TransitionLog.objects.exists()


def test_resubmit_requires_a_complete_application(make_client, branch):
    application = application_in_state("needs_info", branch=branch)
    application.documents.filter(doc_type="passport").delete()
    response = run(make_client(application.owner), application, "resubmit", {})
    assert response.status_code == 400
    assert "documents.passport" in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("role", "state", "expected"),
    [
        ("owner", "submitted", ["withdraw"]),
        ("branch_engineer", "submitted", ["accept", "reject", "request_info"]),
        ("supervisor", "under_review", ["issue_offer"]),
        ("owner", "under_review", ["withdraw"]),
        ("owner", "contract_active", ["notify_ready"]),
        ("branch_engineer", "ready_for_check", ["confirm_connection", "report_defects"]),
        ("owner", "closed", []),
        ("other_engineer", "submitted", None),  # not visible: 404
    ],
)
def test_transitions_open_to_me_now(make_client, branch, people, role, state, expected):
    application = application_in_state(state, branch=branch)
    user = application.owner if role == "owner" else people[role]
    response = make_client(user).get(f"{URL}{application.pk}/transitions/")
    if expected is None:
        assert response.status_code == 404
        return
    body = response.json()
    assert sorted(item["name"] for item in body) == expected
    for item in body:
        assert item["label"] and item["target"]


def test_transition_fields_are_described_for_forms(make_client, branch, people):
    application = application_in_state("under_review", branch=branch)
    [offer] = make_client(people["branch_engineer"]).get(f"{URL}{application.pk}/transitions/").json()
    fields = {field["name"]: field for field in offer["fields"]}
    assert fields["fee_rub"]["type"] == "decimal" and fields["fee_rub"]["required"] is True
    assert (
        fields["needs_construction"]["type"] == "boolean"
        and fields["needs_construction"]["required"] is False
    )
    assert fields["comment"]["required"] is False


def test_history_is_written_and_read_only(make_client, branch, people):
    application = application_in_state("submitted", branch=branch)
    engineer = make_client(people["branch_engineer"])
    run(engineer, application, "request_info", {"items": ["План участка"], "comment": "Нужен план"})
    history = engineer.get(f"{URL}{application.pk}/history/").json()
    assert len(history) == 1
    entry = history[0]
    assert (entry["transition"], entry["from_state"], entry["to_state"]) == (
        "request_info",
        "submitted",
        "needs_info",
    )
    assert entry["actor_role"] == "engineer" and entry["comment"] == "Нужен план"
    assert entry["data"] == {"items": ["План участка"]}
    assert make_client(application.owner).get(f"{URL}{application.pk}/history/").status_code == 200
    assert make_client(people["other_applicant"]).get(f"{URL}{application.pk}/history/").status_code == 404
    # No API can change it, and neither can code.
    assert engineer.delete(f"{URL}{application.pk}/history/").status_code == 405
    row = TransitionLog.objects.get()
    row.comment = "changed"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(ValidationError):
        TransitionLog.objects.update(comment="x")
    with pytest.raises(ValidationError):
        TransitionLog.objects.all().delete()


def test_history_admin_is_read_only(client, make_client, branch, people):
    application = application_in_state("submitted", branch=branch)
    run(make_client(people["branch_engineer"]), application, "accept", {})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    entry = TransitionLog.objects.get()
    assert client.get(f"/admin/workflow/transitionlog/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/workflow/transitionlog/add/").status_code == 403
    assert (
        client.post(f"/admin/workflow/transitionlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert TransitionLog.objects.count() == 1


def test_current_step_says_who_acts_and_by_when(make_client, branch, people):
    application = application_in_state("submitted", branch=branch)
    body = make_client(application.owner).get(f"{URL}{application.pk}/").json()
    step = body["current_step"]
    assert step["state"] == "submitted" and step["acting_party"] == "grid"
    assert step["days_left"] == 3 and step["overdue"] is False
    assert body["expected_completion"] > step["due_date"]
