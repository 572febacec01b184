"""Message threads of applications and general questions: both sides post, attachments pass the
document checks, who may read and write, unread counts, e-mail notices, routing of questions."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from connection import workflow_actions
from connection.models import Message, MessageAttachment
from tests.backend.factories import UserFactory
from tests.connection.factories import PDF_BYTES, ConnectionRequestFactory, png_bytes
from tests.grid.factories import BranchFactory, TerritoryFactory, square_wkt
from workflow.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(branch):
    application = ConnectionRequestFactory(with_documents=True)
    workflow_actions.submit(application=application, user=application.owner)
    application.refresh_from_db()
    assert application.branch_id == branch.pk
    return {
        "application": application,
        "owner": application.owner,
        "other_applicant": UserFactory(role="applicant"),
        "branch_engineer": UserFactory(role="engineer", branches=[branch], email="engineer@example.ru"),
        "other_engineer": UserFactory(role="engineer", branches=[BranchFactory()]),
        "supervisor": UserFactory(role="supervisor"),
    }


def url(application, suffix=""):
    return f"/api/v1/connection-requests/{application.pk}/messages/{suffix}"


def post(client, application, text="Когда приедет инженер?", files=()):
    if files:
        data = {"text": text, "files": [SimpleUploadedFile(name, content) for name, content in files]}
        return client.post(url(application), data, format="multipart")
    return client.post(url(application), {"text": text}, format="json")


def test_both_sides_post_and_read_the_thread(world, make_client):
    application = world["application"]
    owner, engineer = make_client(world["owner"]), make_client(world["branch_engineer"])

    response = post(owner, application, files=[("план.pdf", PDF_BYTES), ("photo.jpeg", png_bytes())])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["author_side"] == "applicant"
    assert body["read_by_applicant_at"] is not None and body["read_by_grid_at"] is None
    names = [item["original_name"] for item in body["attachments"]]
    assert names == ["план.pdf", "photo.png"]  # the stored name follows the real content
    attachment = MessageAttachment.objects.get(original_name="план.pdf")
    assert attachment.file.name.startswith(f"messages/{body['id']}/")
    assert len(attachment.sha256) == 64 and attachment.size == len(PDF_BYTES)

    response = post(engineer, application, text="Завтра с 9 до 12.")
    assert response.status_code == 201
    assert response.json()["author_side"] == "grid"

    thread = owner.get(url(application)).json()
    assert [item["author_side"] for item in thread] == ["applicant", "grid"]
    download = owner.get(body["attachments"][0]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert engineer.get(body["attachments"][0]["download_url"]).status_code == 200


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "invoice.pdf", "file_type"),
        (b"", "empty.pdf", "file_empty"),
    ],
)
def test_attachments_pass_the_document_checks(world, make_client, content, name, code):
    response = post(make_client(world["owner"]), world["application"], files=[(name, content)])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("files", code)
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()


def test_too_large_attachment_is_refused(world, make_client, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1024
    content = PDF_BYTES[:-6] + b"0" * 2048 + b"%%EOF\n"
    response = post(make_client(world["owner"]), world["application"], files=[("big.pdf", content)])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("files", "file_too_large")
    assert not Message.objects.exists()


def test_more_than_five_files_and_empty_text_are_refused(world, make_client):
    client = make_client(world["owner"])
    response = post(client, world["application"], files=[(f"{i}.pdf", PDF_BYTES) for i in range(6)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "files"
    response = client.post(url(world["application"]), {"text": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "text"
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("owner", 200, 201),
        ("other_applicant", 404, 404),
        ("branch_engineer", 200, 201),
        ("other_engineer", 404, 404),
        ("supervisor", 200, 201),
    ],
)
def test_permission_matrix(world, make_client, role, read, write):
    application = world["application"]
    client = make_client(world[role])
    assert client.get(url(application)).status_code == read
    assert post(client, application).status_code == write
    assert client.get(url(application, "unread-count/")).status_code == read
    assert client.post(url(application, "read/")).status_code == read


def test_anonymous_gets_401(world, api_client):
    assert api_client.get(url(world["application"])).status_code == 401


def test_attachment_download_is_permission_checked(world, make_client):
    application = world["application"]
    body = post(make_client(world["owner"]), application, files=[("a.pdf", PDF_BYTES)]).json()
    link = body["attachments"][0]["download_url"]
    assert make_client(world["other_applicant"]).get(link).status_code == 404
    assert make_client(world["other_engineer"]).get(link).status_code == 404
    assert make_client(world["supervisor"]).get(link).status_code == 200
    # An attachment id of another thread does not leak through this one.
    other = ConnectionRequestFactory(with_documents=True)
    workflow_actions.submit(application=other, user=other.owner)
    foreign = post(make_client(other.owner), other, files=[("b.pdf", PDF_BYTES)]).json()
    wrong = url(application, f"{body['id']}/attachments/{foreign['attachments'][0]['id']}/download/")
    assert make_client(world["owner"]).get(wrong).status_code == 404


def test_drafts_have_no_thread(world, make_client):
    draft = ConnectionRequestFactory(applicant=world["application"].applicant, owner=world["owner"])
    assert post(make_client(world["owner"]), draft).status_code == 409


def test_unread_counts_and_mark_read(world, make_client):
    application = world["application"]
    owner, engineer = make_client(world["owner"]), make_client(world["branch_engineer"])
    post(owner, application, text="Один")
    post(owner, application, text="Два")
    assert engineer.get(url(application, "unread-count/")).json() == {"unread_messages": 2}
    assert owner.get(url(application, "unread-count/")).json() == {"unread_messages": 0}

    post(engineer, application, text="Ответ")
    assert owner.get(url(application, "unread-count/")).json() == {"unread_messages": 1}
    # A supervisor reads for the grid side too.
    assert make_client(world["supervisor"]).post(url(application, "read/")).json() == {"marked_read": 2}
    assert engineer.get(url(application, "unread-count/")).json() == {"unread_messages": 0}
    assert owner.post(url(application, "read/")).json() == {"marked_read": 1}
    assert owner.post(url(application, "read/")).json() == {"marked_read": 0}
    assert owner.get(url(application, "unread-count/")).json() == {"unread_messages": 0}


def test_other_side_is_told_by_email(world, make_client, django_capture_on_commit_callbacks):
    application = world["application"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(make_client(world["owner"]), application, text="Вопрос по ТУ")
    assert [message.to for message in mail.outbox] == [["engineer@example.ru"]]
    assert application.number in mail.outbox[0].subject
    assert "Вопрос по ТУ" in mail.outbox[0].body
    assert Notification.objects.filter(kind="message", recipient=world["branch_engineer"]).count() == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(make_client(world["branch_engineer"]), application, text="Ответ инженера")
    assert [message.to for message in mail.outbox] == [[world["owner"].email]]
    assert "Ответ инженера" in mail.outbox[0].body


# General questions


def test_question_is_routed_by_coordinates(
    branch, default_branch, make_client, django_capture_on_commit_callbacks
):
    other_branch = BranchFactory(code="res-north")
    TerritoryFactory(branch=other_branch, boundary_wkt=square_wkt(45.5, 42.5))
    applicant = UserFactory(role="applicant")
    engineer = UserFactory(role="engineer", branches=[other_branch], email="north@example.ru")
    client = make_client(applicant)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/questions/",
            {
                "text": "Можно ли подключить 30 кВт?",
                "latitude": "45.5",
                "longitude": "42.5",
                "address": "с. Север",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["branch"] == other_branch.pk
    assert response.json()["request"] is None
    assert [message.to for message in mail.outbox] == [["north@example.ru"]]

    response = client.post(
        "/api/v1/questions/",
        {"text": "Где ваш офис?", "latitude": "45.0", "longitude": "42.0"},
        format="json",
    )
    assert response.json()["branch"] == branch.pk
    response = client.post("/api/v1/questions/", {"text": "Без адреса"}, format="json")
    assert response.json()["branch"] == default_branch.pk

    response = client.post(
        "/api/v1/questions/",
        {"text": "С файлом", "files": [SimpleUploadedFile("scan.pdf", PDF_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 201
    link = response.json()["attachments"][0]["download_url"]
    assert client.get(link).status_code == 200

    assert len(client.get("/api/v1/questions/").json()["results"]) == 4
    seen = make_client(engineer).get("/api/v1/questions/").json()["results"]
    assert [item["text"] for item in seen] == ["Можно ли подключить 30 кВт?"]
    assert make_client(UserFactory(role="applicant")).get("/api/v1/questions/").json()["results"] == []
    assert make_client(UserFactory(role="applicant")).get(link).status_code == 404


def test_only_applicants_ask_questions(default_branch, make_client):
    engineer = UserFactory(role="engineer")
    response = make_client(engineer).post("/api/v1/questions/", {"text": "?"}, format="json")
    assert response.status_code == 403
    response = make_client(UserFactory(role="applicant")).post(
        "/api/v1/questions/", {"text": "?", "latitude": "45.0"}, format="json"
    )
    assert response.status_code == 400


def test_an_attachment_lost_from_the_storage_answers_404_with_the_error_body(world, make_client):
    application = world["application"]
    owner = make_client(world["owner"])
    body = post(owner, application, files=[("a.pdf", PDF_BYTES)]).json()
    attachment = MessageAttachment.objects.get(pk=body["attachments"][0]["id"])
    attachment.file.storage.delete(attachment.file.name)

    response = owner.get(body["attachments"][0]["download_url"])

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "file_missing"
