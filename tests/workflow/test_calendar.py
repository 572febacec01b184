"""The working-day calendar against the official production calendar (data of 2024–2027)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workflow.factories import CalendarDayFactory
from workflow.calendar import (
    add_calendar_months,
    add_working_days,
    is_short_working_day,
    is_working_day,
    next_working_day,
    working_days_between,
    working_days_in_year,
)
from workflow.models import CalendarDay, DayKind
from workflow.seeding import CALENDAR_FILE, read_calendar_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("year", "expected"), [(2024, 248), (2025, 247), (2026, 247), (2027, 247)])
def test_working_days_in_year_are_the_official_figures(year, expected):
    assert working_days_in_year(year) == expected


def test_seed_migration_loaded_every_row_of_the_csv():
    rows = read_calendar_csv(CALENDAR_FILE)
    assert len(rows) == 95
    stored = dict(CalendarDay.objects.values_list("date", "kind"))
    assert stored == {row.day: row.kind for row in rows}
    assert CalendarDay.objects.get(date=date(2026, 1, 9)).note == "Перенос выходного дня с 03.01"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 9), False),  # Friday, day off transferred from Saturday 3 January
        (date(2025, 11, 1), True),  # Saturday, short working day
        (date(2027, 2, 20), True),  # Saturday, short working day
        (date(2024, 4, 27), True),  # Saturday, working weekend day
        (date(2025, 12, 31), False),  # Wednesday, transferred from 5 January
        (date(2026, 5, 11), False),  # Monday, for Victory Day on a Saturday
        (date(2026, 1, 12), True),  # Monday after the New Year holidays
        (date(2026, 6, 13), False),  # ordinary Saturday
        (date(2026, 6, 15), True),  # ordinary Monday
        (date(2028, 5, 9), False),  # a year beyond the CSV: the holidays package alone
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_short_working_days():
    assert is_short_working_day(date(2026, 4, 30))
    assert is_short_working_day(date(2025, 11, 1))
    assert not is_short_working_day(date(2026, 4, 29))


# Deadlines in working days
# Expected dates counted by hand from ru-production-calendar-2024-2027.csv: the start day never
# counts; days off are the CSV's non_working days plus Saturdays and Sundays.


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # New Year 2026: 30.12 works; 31.12 and 1–9.01 off, 10–11.01 weekend; 12.01 is the 2nd.
        (date(2025, 12, 29), 1, date(2025, 12, 30)),
        (date(2025, 12, 29), 3, date(2026, 1, 13)),  # 30.12, 12.01, 13.01
        (date(2025, 12, 29), 10, date(2026, 1, 22)),  # …14, 15, 16, 19, 20, 21, 22.01
        (date(2025, 12, 29), 20, date(2026, 2, 5)),  # …23, 26–30.01, 2–5.02
        # May 2026: 30.04 short day works; 1.05 off, 2–3 weekend; 8.05 short; 9–10 weekend, 11.05 off.
        (date(2026, 4, 29), 3, date(2026, 5, 5)),  # 30.04, 4.05, 5.05
        (date(2026, 4, 29), 10, date(2026, 5, 15)),  # 6, 7, 8, 12, 13, 14, 15.05
        (date(2026, 4, 29), 20, date(2026, 5, 29)),  # 18–22, 25–29.05
        # New Year 2027: 29, 30.12 work; 31.12 and 1–8.01 off, 9–10.01 weekend.
        (date(2026, 12, 28), 3, date(2027, 1, 11)),  # 29.12, 30.12, 11.01
        (date(2026, 12, 28), 10, date(2027, 1, 20)),  # 12–15, 18–20.01
        (date(2026, 12, 28), 20, date(2027, 2, 3)),  # 21, 22, 25–29.01, 1–3.02
        # May 2027: 30.04 short day works; 1–2.05 weekend, 3.05 off; 8–9 weekend, 10.05 off.
        (date(2027, 4, 28), 3, date(2027, 5, 4)),  # 29.04, 30.04, 4.05
        (date(2027, 4, 28), 10, date(2027, 5, 14)),  # 5, 6, 7, 11, 12, 13, 14.05
        (date(2027, 4, 28), 20, date(2027, 5, 28)),  # 17–21, 24–28.05
        # A Friday: the next day that counts is the next working day.
        (date(2026, 6, 5), 1, date(2026, 6, 8)),
        # From a day off: still from the next day, 3.01.2026 (Saturday) + 1 = 12.01.
        (date(2026, 1, 3), 1, date(2026, 1, 12)),
        # Saturday 1.11.2025 works: Friday 31.10 + 1 is that Saturday; 3–4.11 are off.
        (date(2025, 10, 31), 1, date(2025, 11, 1)),
        (date(2025, 10, 31), 2, date(2025, 11, 5)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


def test_add_working_days_zero_and_negative():
    assert add_working_days(date(2026, 1, 3), 0) == date(2026, 1, 3)
    assert add_working_days(date(2026, 1, 12), -1) == date(2025, 12, 30)
    assert add_working_days(date(2026, 1, 13), -3) == date(2025, 12, 29)
    assert next_working_day(date(2025, 12, 30)) == date(2026, 1, 12)


def test_working_days_between():
    assert working_days_between(date(2025, 12, 29), date(2026, 1, 13)) == 3
    assert working_days_between(date(2026, 1, 13), date(2025, 12, 29)) == -3
    assert working_days_between(date(2026, 1, 13), date(2026, 1, 13)) == 0
    assert working_days_between(date(2026, 1, 1), date(2026, 1, 9)) == 0  # all holidays
    assert working_days_between(date(2024, 12, 31), date(2027, 12, 31)) == 247 * 3


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=date(2023, 6, 1), max_value=date(2028, 6, 30)),
    days=st.integers(min_value=-400, max_value=400),
)
def test_add_and_between_agree(start, days):
    end = add_working_days(start, days)
    if days >= 0:
        assert working_days_between(start, end) == days
    if days != 0:
        assert is_working_day(end)
    if days < 0 and is_working_day(start):
        # counting back from a working day is undone by counting forward
        assert add_working_days(end, -days) == start
        assert working_days_between(end, start) == -days


def test_calendar_is_served_from_memory(django_assert_num_queries):
    is_working_day(date(2026, 1, 9))  # warm
    with django_assert_num_queries(0):
        for offset in range(2000):
            day = date(2025, 1, 1) + timedelta(days=offset)
            is_working_day(day)
            add_working_days(day, 10)


# Calendar months (Civil Code art. 192, 193)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 6, 10), 6, date(2026, 12, 10)),  # Thursday: as is
        (date(2026, 3, 10), 4, date(2026, 7, 10)),  # Friday
        (date(2026, 1, 31), 1, date(2026, 3, 2)),  # 28.02.2026 is a Saturday → Monday 2.03
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year, Tuesday
        (date(2025, 7, 9), 6, date(2026, 1, 12)),  # 9.01.2026 is a day off → 12.01
        (date(2025, 5, 9), 12, date(2026, 5, 12)),  # 9.05.2026 Saturday, 11.05 off → 12.05
        (date(2025, 12, 31), 12, date(2027, 1, 11)),  # 31.12.2026 off, then the New Year holidays
    ],
)
def test_add_calendar_months(start, months, expected):
    assert add_calendar_months(start, months) == expected


def test_add_calendar_months_clamps_without_moving():
    assert add_calendar_months(date(2026, 1, 31), 1, move_to_working_day=False) == date(2026, 2, 28)
    assert add_calendar_months(date(2026, 8, 31), 6, move_to_working_day=False) == date(2027, 2, 28)
    assert add_calendar_months(date(2026, 5, 15), 0) == date(2026, 5, 15)


def test_override_saved_in_this_process_is_picked_up_at_once():
    monday = date(2026, 6, 15)
    assert is_working_day(monday)
    assert working_days_in_year(2026) == 247
    day = CalendarDayFactory(date=monday, kind=DayKind.NON_WORKING)
    assert not is_working_day(monday)
    assert working_days_in_year(2026) == 246
    assert add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 16)
    day.delete()
    assert is_working_day(monday)


def test_overrides_win_over_the_holidays_package():
    transfer = CalendarDay.objects.get(date=date(2026, 1, 9))  # edited as in the admin:
    transfer.kind = DayKind.WORKING  # a decree cancels the transfer
    transfer.save()
    assert is_working_day(date(2026, 1, 9))
    CalendarDayFactory(date=date(2026, 6, 20), kind=DayKind.SHORT_WORKING)  # Saturday
    assert is_working_day(date(2026, 6, 20))
    assert is_short_working_day(date(2026, 6, 20))
    CalendarDayFactory(date=date(2028, 1, 10), kind=DayKind.NON_WORKING)  # a future decree
    assert not is_working_day(date(2028, 1, 10))


def test_edit_in_another_process_is_seen_after_the_recheck_interval(settings):
    """Another process writes without sending this process a signal; the stamp check finds it."""
    monday = date(2026, 6, 15)
    settings.WORKFLOW_CALENDAR_RECHECK_SECONDS = 3600
    assert is_working_day(monday)  # cached now
    CalendarDay.objects.bulk_create([CalendarDay(date=monday, kind=DayKind.NON_WORKING)])  # no signals
    assert is_working_day(monday)  # still the cached calendar within the interval

    settings.WORKFLOW_CALENDAR_RECHECK_SECONDS = 0
    assert not is_working_day(monday)  # row count changed

    settings.WORKFLOW_CALENDAR_RECHECK_SECONDS = 3600
    later = timezone.now() + timedelta(seconds=5)
    CalendarDay.objects.filter(date=monday).update(kind=DayKind.WORKING, updated_at=later)
    assert not is_working_day(monday)
    settings.WORKFLOW_CALENDAR_RECHECK_SECONDS = 0
    assert is_working_day(monday)  # latest updated_at changed
