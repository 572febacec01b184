"""Russian number and date formats in user text: decimal comma, thousands separator, дд.мм.гггг,
never an exponent ("1E+1 кВ"); the dashboard names weeks by their dates, and the CSV export follows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from backend.formatting import date_text, number_text
from connection.models import ConnectionRequest
from connection.reservations import unsuitable_point
from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory, point
from tests.web.test_dashboard import EXPORT, queued, read_csv
from tests.workflow.helpers import application_in_state

pytestmark = pytest.mark.django_db
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


@pytest.mark.parametrize(
    ("value", "russian", "english"),
    [
        (Decimal("10"), "10", "10"),
        (Decimal("1E+1"), "10", "10"),
        (Decimal("12.50"), "12,5", "12.5"),
        (Decimal("686842.00"), "686\xa0842", "686,842"),
        (0.4, "0,4", "0.4"),
    ],
)
def test_numbers_follow_the_language(value, russian, english):
    with translation.override("ru"):
        assert number_text(value) == russian
    with translation.override("en"):
        assert number_text(value) == english


def test_dates_are_day_month_year_in_russian():
    with translation.override("ru"):
        assert date_text(datetime.date(2026, 12, 5)) == "05.12.2026"


def test_a_10_kv_point_is_named_without_an_exponent():
    capacity = point("45.0010", "42.0010", voltage_kv="10")
    application = application_in_state("under_review", voltage_level="0.4")
    with translation.override("ru"):
        reason = unsuitable_point(application=application, capacity=capacity)
    assert "10 кВ" in reason and "E+" not in reason and "0,4 кВ" in reason


def test_the_application_page_writes_power_with_a_decimal_comma():
    application = application_in_state("submitted", requested_kw=Decimal("12.5"))
    client = Client(**RU)
    client.force_login(application.owner)
    html = client.get(f"/applications/{application.pk}/").content.decode()
    applied = html.split('id="applied-for"')[1].split("</section>")[0]
    assert "12,5 кВт" in applied


def test_dashboard_names_weeks_by_dates_and_the_csv_is_russian():

    branch = BranchFactory(name="Северный РЭС")
    today = timezone.localdate()
    application = queued(branch, state="under_review", due=today, requested_kw=Decimal("12.5"))
    client = Client(**RU)
    client.force_login(UserFactory(role="supervisor"))
    html = client.get("/console/dashboard/").content.decode()
    assert "-W" not in html
    monday = today - datetime.timedelta(days=today.weekday())
    assert monday.strftime("%d.%m.%Y") in html
    rows = read_csv(client.get(EXPORT))
    row = next(row for row in rows if row[0] == application.number)
    assert row[5] == "12,5" and row[6] == today.strftime("%d.%m.%Y")
    assert ConnectionRequest.objects.filter(pk=application.pk).exists()
