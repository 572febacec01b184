"""Permission matrix: every endpoint × role × own/other. Outside one's reach is 404; visible but
not allowed is 403; anonymous is 401."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from connection import workflow_actions
from tests.backend.factories import UserFactory
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory, add_document
from tests.grid.factories import BranchFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "owner",
    "other_applicant",
    "branch_engineer",
    "other_engineer",
    "supervisor",
    "integration",
]


@pytest.fixture
def world(branch):
    submitted = ConnectionRequestFactory(with_documents=True)
    workflow_actions.submit(application=submitted, user=submitted.owner)
    draft = ConnectionRequestFactory(applicant=submitted.applicant, owner=submitted.owner)
    draft_document = add_document(draft, "location_plan")
    users = {
        "owner": submitted.owner,
        "other_applicant": UserFactory(role="applicant"),
        "branch_engineer": UserFactory(role="engineer", branches=[branch]),
        "other_engineer": UserFactory(role="engineer", branches=[BranchFactory()]),
        "supervisor": UserFactory(role="supervisor"),
        "integration": UserFactory(role="integration"),
    }
    return {
        "submitted": submitted,
        "submitted_doc": submitted.documents.first(),
        "draft": draft,
        "draft_doc": draft_document.document,
        "users": users,
    }


def client_for(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world["users"][role])
    return client


def call(client, method, path, **data):
    if method == "upload":
        return client.post(
            path, {"doc_type": "other", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}, format="multipart"
        )
    return getattr(client, method)(path, data or None, format="json")


SUBMITTED = [
    # (method, path template, expected per role in ROLES order)
    ("get", "{r}/", [401, 200, 404, 200, 404, 200, 404]),
    ("patch", "{r}/", [401, 409, 404, 403, 404, 403, 404]),
    ("delete", "{r}/", [401, 409, 404, 403, 404, 403, 404]),
    ("get", "{r}/completeness/", [401, 200, 404, 200, 404, 200, 404]),
    ("post", "{r}/transitions/submit/", [401, 409, 404, 403, 404, 403, 404]),
    ("get", "{r}/documents/", [401, 200, 404, 200, 404, 200, 404]),
    ("upload", "{r}/documents/", [401, 409, 404, 403, 404, 403, 404]),
    ("get", "{r}/documents/{d}/", [401, 200, 404, 200, 404, 200, 404]),
    ("get", "{r}/documents/{d}/download/", [401, 200, 404, 200, 404, 200, 404]),
    ("delete", "{r}/documents/{d}/", [401, 409, 404, 403, 404, 403, 404]),
]

DRAFT = [
    ("get", "{r}/", [401, 200, 404, 404, 404, 404, 404]),
    ("patch", "{r}/", [401, 200, 404, 404, 404, 404, 404]),
    ("get", "{r}/completeness/", [401, 200, 404, 404, 404, 404, 404]),
    ("get", "{r}/documents/{d}/download/", [401, 200, 404, 404, 404, 404, 404]),
    ("upload", "{r}/documents/", [401, 201, 404, 404, 404, 404, 404]),
    ("delete", "{r}/documents/{d}/", [401, 204, 404, 404, 404, 404, 404]),
    ("delete", "{r}/", [401, 204, 404, 404, 404, 404, 404]),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "expected"), SUBMITTED)
def test_submitted_application(world, role, method, template, expected):
    path = "/api/v1/connection-requests/" + template.format(
        r=world["submitted"].pk, d=world["submitted_doc"].pk
    )
    response = call(client_for(world, role), method, path, object_name="Баня")
    assert response.status_code == expected[ROLES.index(role)], response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "expected"), DRAFT)
def test_draft_is_private_to_its_owner(world, role, method, template, expected):
    path = "/api/v1/connection-requests/" + template.format(r=world["draft"].pk, d=world["draft_doc"].pk)
    response = call(client_for(world, role), method, path, object_name="Баня")
    assert response.status_code == expected[ROLES.index(role)], response.content


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("owner", {"submitted", "draft"}),
        ("other_applicant", set()),
        ("branch_engineer", {"submitted"}),
        ("other_engineer", set()),
        ("supervisor", {"submitted"}),
        ("integration", set()),
    ],
)
def test_list_shows_only_what_the_role_may_see(world, role, visible):
    body = client_for(world, role).get("/api/v1/connection-requests/").json()
    expected = {world[name].pk for name in visible}
    assert {item["id"] for item in body["results"]} == expected


@pytest.mark.parametrize("role", ["branch_engineer", "other_engineer", "supervisor"])
def test_staff_list_their_own_applications_too(world, role):
    """Staff who also apply (an engineer owning a draft of their own) see it beside their work, in
    the list and the detail alike; others' drafts stay hidden."""
    user = world["users"][role]
    client = client_for(world, role)
    without = {item["id"] for item in client.get("/api/v1/connection-requests/").json()["results"]}
    own_draft = ConnectionRequestFactory(owner=user)
    body = client.get("/api/v1/connection-requests/").json()
    assert {item["id"] for item in body["results"]} == without | {own_draft.pk}
    assert body["count"] == len(without) + 1
    assert world["draft"].pk not in {item["id"] for item in body["results"]}
    assert client.get(f"/api/v1/connection-requests/{own_draft.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("role", "create", "read_own_applicant"),
    [
        ("owner", 201, 200),
        ("other_applicant", 201, 404),
        ("branch_engineer", 403, 404),
        ("supervisor", 403, 404),
        ("integration", 201, 404),
    ],
)
def test_applicants_endpoint_by_role(world, role, create, read_own_applicant):
    client = client_for(world, role)
    response = client.post(
        "/api/v1/applicants/", {"applicant_type": "individual", "last_name": "А", "first_name": "Б"}
    )
    assert response.status_code == create
    owner_applicant = world["submitted"].applicant_id
    assert client.get(f"/api/v1/applicants/{owner_applicant}/").status_code == read_own_applicant
    if read_own_applicant == 404:
        assert client.patch(f"/api/v1/applicants/{owner_applicant}/", {"last_name": "Х"}).status_code == 404
        assert client.delete(f"/api/v1/applicants/{owner_applicant}/").status_code == 404


def test_engineer_cannot_create_applications(world):
    response = client_for(world, "branch_engineer").post("/api/v1/connection-requests/", {"object_name": "x"})
    assert response.status_code == 403
