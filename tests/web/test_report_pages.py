"""Consumers' report pages: the public form (errors named, emergency number first, photo), the
confirmation, the private status page, the public incident map and on-time share without personal
data; the branch queue and incident page with the denial for another branch; figures and CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from appeals import services
from appeals.models import CannedAnswer, Report, Status
from tests.appeals.factories import BASE_URL, confirmed_report, jpeg_with_gps
from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory
from workflow import calendar
from workflow.models import OutboxEmail, local_today

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_for(user=None) -> Client:
    client = Client(**EN)
    if user is not None:
        client.force_login(user)
    return client


def form_data(**overrides):
    data = {
        "kind": "low_voltage",
        "latitude": "45.001000",
        "longitude": "42.001000",
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "description": "Лампы мигают",
        "contact_name": "Пётр Петров",
        "contact_email": "petrov@example.ru",
        "contact_phone": "+7 900 000-00-00",
    }
    data.update(overrides)
    return data


def test_form_shows_the_emergency_number_first(client, settings):
    settings.APPEALS_EMERGENCY_PHONE = "8-800-000-00-00"
    html = client.get("/reports/new/").content.decode()
    assert html.index('id="emergency"') < html.index('id="report-form"')
    assert "8-800-000-00-00" in html
    assert "Сообщить о проблеме" in html  # Russian first


def test_anonymous_report_with_photo_confirmed_by_link(branch, django_capture_on_commit_callbacks):
    client = client_for()
    photo = io.BytesIO(jpeg_with_gps())
    photo.name = "lamp.jpg"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/new/", {**form_data(), "photos": [photo]})
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == f"/reports/{report.private_token}/"
    status_page = client.get(response["Location"]).content.decode()
    assert 'id="awaiting-confirmation"' in status_page
    body = OutboxEmail.objects.get(to="petrov@example.ru").body
    link = re.search(r"https?://\S+/reports/confirm/\S+/", body).group(0)
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200  # a page with a button: prefetchers confirm nothing
    assert Report.objects.get().confirmed_at is None
    response = client.post(path)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.confirmed_at is not None and report.incident is not None
    photo_row = report.photos.get()
    public = client.get(f"/reports/{report.private_token}/photos/{photo_row.pk}/")
    assert public.status_code == 200
    assert b"PhoneMaker" not in b"".join(public.streaming_content)
    assert client.get(f"/reports/wrong-token/photos/{photo_row.pk}/").status_code == 404


def test_invalid_form_names_the_fields(branch):
    response = client_for().post(
        "/reports/new/",
        form_data(kind="equipment_defect", latitude="55.75", longitude="37.61", contact_email=""),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_contact_email_error"' in html
    assert Report.objects.count() == 0
    response = client_for().post(
        "/reports/new/", form_data(kind="equipment_defect", latitude="55.75", longitude="37.61")
    )
    html = response.content.decode()
    assert 'id="id_defect_kind_error"' in html and 'id="id_latitude_error"' in html
    response = client_for().post("/reports/new/", form_data(photos=[io.BytesIO(b"%PDF-1.4 not a photo")]))
    assert response.status_code == 400


def test_anonymous_limit_answers_429(branch, settings):
    settings.APPEALS_ANONYMOUS_REPORTS_PER_ADDRESS_PER_HOUR = 1
    client = client_for()
    assert client.post("/reports/new/", form_data()).status_code == 302
    response = client.post("/reports/new/", form_data(contact_email="other@example.ru"))
    assert response.status_code == 429
    assert Report.objects.count() == 1


def test_public_map_and_on_time_share_show_no_personal_data(branch):
    report = confirmed_report(
        contact_name="Секретный Житель",
        contact_email="secret@example.ru",
        contact_phone="+79990001122",
        description="Мой дом на улице Тайной, 5",
        address="ул. Тайная, 5",
    )
    html = client_for().get("/incidents/").content.decode()
    for private in (
        "Секретный",
        "secret@example.ru",
        "79990001122",
        "Тайн",
        report.private_token,
        report.number,
    ):
        assert private not in html
    data = json.loads(
        re.search(r'<script id="incident-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert len(data) == 1
    assert data[0]["latitude"] == 45.0 and data[0]["longitude"] == 42.0  # rounded to about 1 km
    assert client_for().get("/reports/on-time/").status_code == 200


def test_queue_and_incident_page_only_for_the_branch(branch):
    report = confirmed_report()
    engineer = UserFactory(role="engineer", branches=[branch])
    stranger = UserFactory(role="engineer", branches=[BranchFactory(code="res-other")])
    html = client_for(engineer).get("/console/reports/").content.decode()
    assert report.incident.number in html
    assert report.incident.number not in client_for(stranger).get("/console/reports/").content.decode()
    url = f"/console/incidents/{report.incident_id}/"
    assert client_for(engineer).get(url).status_code == 200
    assert client_for(stranger).get(url).status_code == 404
    response = client_for(stranger).post(f"{url}status/", {"status": "investigating"})
    assert response.status_code == 404
    report.incident.refresh_from_db()
    assert report.incident.status == Status.RECEIVED
    assert client_for(UserFactory(role="applicant")).get("/console/reports/").status_code == 403
    assert client_for().get("/console/reports/").status_code == 302  # to the login


def test_engineer_answers_with_a_canned_answer(branch):
    report = confirmed_report()
    engineer = UserFactory(role="engineer", branches=[branch])
    canned = CannedAnswer.objects.create(title="Ремонт", status=Status.PLANNED, text="Бригада выедет в срок.")
    planned = calendar.add_working_days(local_today(), 3)
    client = client_for(engineer)
    url = f"/console/incidents/{report.incident_id}/"
    response = client.post(
        f"{url}status/", {"status": "planned", "planned_fix_date": planned.isoformat(), "canned": canned.pk}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.PLANNED and report.answer_text == "Бригада выедет в срок."
    page = client_for().get(f"/reports/{report.private_token}/").content.decode()
    assert "Бригада выедет в срок." in page and 'data-status="planned"' in page
    bad = client.post(f"{url}status/", {"status": "planned", "planned_fix_date": "", "answer_text": "x"})
    assert bad.status_code == 400 and 'id="id_planned_fix_date_error"' in bad.content.decode()
    history = client.get(url).content.decode()
    assert 'data-action="status"' in history


def test_figures_and_csv(branch):
    report = confirmed_report()
    supervisor = UserFactory(role="supervisor")
    services.change_incident_status(
        incident_id=report.incident_id,
        actor=supervisor,
        status=Status.FIXED,
        answer_text="Готово",
        base_url=BASE_URL,
    )
    client = client_for(supervisor)
    assert client.get("/console/reports/dashboard/").status_code == 200
    response = client.get("/console/reports/dashboard.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["week", "branch", "kind"]
    assert rows[1][1] == "Тестовый РЭС" and rows[1][3:6] == ["1", "1", "0"]
    assert rows[1][6] == "0.0"  # answered the day it came
