"""Consumers' reports: validation, routing by the real district polygons, the answer term from the
rulebook, anonymous confirmation and limits, urgent defects, photos without EXIF in public."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from appeals import services
from appeals.exceptions import TooManyReports
from appeals.models import Report, StatusEntry
from grid import demo
from tests.appeals.factories import IN_DISTRICT, confirmed_report, jpeg_with_gps, photo_upload, report
from tests.backend.factories import UserFactory
from tests.connection.factories import PDF_BYTES
from workflow import calendar
from workflow.models import OutboxEmail
from workflow.rulebook import get_rules

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def districts(db):
    demo.load_branches()


def test_points_in_three_districts_reach_their_branches(districts):
    for district, (lat, lon) in IN_DISTRICT.items():
        created = report(latitude=lat, longitude=lon, contact_email=f"{lat}@example.ru")
        assert created.branch.name == f"{district} РЭС"
        assert created.territory.branch == created.branch
        assert created.routing_method == "territory"


def test_answer_due_in_rulebook_working_days(branch):
    rules = get_rules()
    assert rules.report_answer_wd == 8
    assert rules.confidence("report_answer_wd") == "firm"
    assert "8 working days" in rules.source("report_answer_wd")
    created = confirmed_report()
    today = timezone.localdate(created.confirmed_at)
    assert created.due_date == calendar.add_working_days(today, 8)


@pytest.mark.parametrize(
    ("confirmed_on", "due"),
    [
        # Counted by hand on the production calendar: 29, 30 Dec; 31 Dec – 10 Jan off; 11–15, 18 Jan.
        (datetime(2026, 12, 28, 10, tzinfo=MOSCOW), date(2027, 1, 18)),
        # 30 Apr; 1–3 May off; 4–8 May; 9–11 May off; 12, 13 May.
        (datetime(2026, 4, 29, 10, tzinfo=MOSCOW), date(2026, 5, 13)),
    ],
)
def test_due_date_across_holidays(branch, time_machine, confirmed_on, due):
    time_machine.move_to(confirmed_on, tick=False)
    created = confirmed_report(started_at=confirmed_on - timedelta(hours=1))
    assert created.due_date == due
    assert created.due_date == calendar.add_working_days(confirmed_on.date(), 8)


def test_anonymous_report_waits_for_the_emailed_link(branch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = report()
    assert created.confirmed_at is None and created.incident is None
    confirmation = OutboxEmail.objects.get(to="resident@example.ru")
    assert str(created.confirmation_token) in confirmation.body
    services.confirm_report(confirmation_token=created.confirmation_token, base_url="http://testserver")
    services.confirm_report(confirmation_token=created.confirmation_token, base_url="http://testserver")
    created.refresh_from_db()
    assert created.confirmed_at is not None and created.incident is not None
    assert created.history.filter(action=StatusEntry.Action.CONFIRMED).count() == 1
    assert created.private_token in OutboxEmail.objects.filter(to="resident@example.ru").last().body


def test_report_from_an_account_is_confirmed_at_once(branch):
    resident = UserFactory(role="applicant", email="own@example.ru")
    created = report(reporter=resident, contact_email="")
    assert created.contact_email == "own@example.ru"
    assert created.confirmed_at is not None and created.incident is not None


def test_anonymous_reports_are_rate_limited(branch, settings):
    settings.APPEALS_ANONYMOUS_REPORTS_PER_EMAIL_PER_HOUR = 2
    report()
    report()
    with pytest.raises(TooManyReports):
        report()
    assert Report.objects.count() == 2
    report(contact_email="other@example.ru")  # another address is counted apart


def test_invalid_input_names_the_fields_and_saves_nothing(branch):
    with pytest.raises(ValidationError) as error:
        report(
            kind="equipment_defect",
            defect_kind="",
            latitude="abc",
            started_at=timezone.now() + timedelta(days=1),
            contact_email="not-an-address",
            contact_phone="call me",
        )
    assert set(error.value.message_dict) == {
        "defect_kind",
        "latitude",
        "started_at",
        "contact_email",
        "contact_phone",
    }
    assert Report.objects.count() == 0


def test_place_outside_the_area_or_missing_is_refused(branch):
    with pytest.raises(ValidationError) as error:
        report(latitude="55.75", longitude="37.61")
    assert "latitude" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        report(latitude=None, longitude=None, address="где-то")
    assert "location" in error.value.message_dict


def test_place_by_settlement_name(districts):
    created = report(latitude=None, longitude=None, settlement="Ипатово", address="ул. Ленина, 1")
    assert created.settlement == "Ипатово"
    assert created.branch.name == "Ипатовский РЭС"


def test_wire_down_is_urgent(branch):
    created = report(kind="equipment_defect", defect_kind="wire_down")
    assert created.urgent is True
    assert (
        report(kind="equipment_defect", defect_kind="fallen_pole", contact_email="b@example.ru").urgent
        is False
    )


def test_photo_checked_by_content(branch):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        report(photos=[fake])
    assert "photos" in error.value.message_dict
    pdf = SimpleUploadedFile("scan.jpg", PDF_BYTES, content_type="image/jpeg")
    with pytest.raises(ValidationError):
        report(photos=[pdf])
    assert Report.objects.count() == 0


def test_public_photo_copy_has_no_exif_location(branch):
    assert Image.open(io.BytesIO(jpeg_with_gps())).getexif().get_ifd(0x8825)  # the upload has GPS
    created = report(photos=[photo_upload()])
    photo = created.photos.get()
    with photo.file.open("rb") as original:
        assert Image.open(original).getexif().get_ifd(0x8825)  # kept for the branch
    with photo.public_file.open("rb") as public:
        image = Image.open(public)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (64, 48)
