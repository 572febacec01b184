"""The Russian working-day calendar: the `holidays` package plus CalendarDay overrides.

A day is non-working when it is a Saturday or Sunday (unless the package or an override makes it
a working weekend day) or a holiday of the package; a CalendarDay row wins over both. Overrides
come from the production-calendar CSV (data migration) and from the admin, so a new government
decree takes effect the day it is entered.

Speed: the days are cached per process as a per-year set of non-working days and a sorted tuple
of working days (ordinals), so every function is a set lookup or a binary search.

Cache invalidation across processes: the cache carries a stamp of the override table, (number of
rows, latest updated_at). At most every WORKFLOW_CALENDAR_RECHECK_SECONDS (default 10) a call
re-reads the stamp with one aggregate query and reloads when it changed — an added, edited or
deleted row changes it. The database is the one thing every process (web workers, Celery)
shares; Django's cache is per-process locmem unless Redis is configured, so a cache key bumped by
signals would not reach the others. In the process that saves, post_save / post_delete drop the
cache at once. Rows changed by QuerySet.update() keep their updated_at and are not seen: change
overrides through the admin, the ORM's save() or `manage.py load_calendar`.
"""

from __future__ import annotations

import bisect
import calendar as stdlib_calendar
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import holidays
from django.conf import settings
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from workflow.models import CalendarDay, DayKind

DEFAULT_RECHECK_SECONDS = 10.0
_SATURDAY = 5


@dataclass(frozen=True)
class _Year:
    non_working: frozenset[int]  # ordinals
    short: frozenset[int]
    working: tuple[int, ...]  # ordinals, ascending


@dataclass
class _Snapshot:
    overrides: dict[date, str]
    stamp: tuple[int, datetime | None]
    checked_at: float
    years: dict[int, _Year] = field(default_factory=dict)

    def year(self, year: int) -> _Year:
        cached = self.years.get(year)
        if cached is None:
            cached = self.years[year] = _build_year(year, self.overrides)
        return cached


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def clear_cache() -> None:
    """Drop this process's calendar; the next call reloads the overrides."""
    global _snapshot
    with _lock:
        _snapshot = None


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, working weekend days) of the holidays package: they never change in a process."""
    calendar = holidays.country_holidays("RU", years=year)
    working_weekends = frozenset(getattr(calendar, "weekend_workdays", ()) or ())
    return frozenset(day for day in calendar if day.year == year), working_weekends


def _build_year(year: int, overrides: dict[date, str]) -> _Year:
    package_holidays, package_working_weekends = _package_year(year)
    non_working: set[int] = set()
    short: set[int] = set()
    working: list[int] = []
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    for ordinal in range(first, last + 1):
        day = date.fromordinal(ordinal)
        kind = overrides.get(day)
        if kind is None:
            off = day in package_holidays or (
                day.weekday() >= _SATURDAY and day not in package_working_weekends
            )
        else:
            off = kind == DayKind.NON_WORKING
            if kind == DayKind.SHORT_WORKING:
                short.add(ordinal)
        if off:
            non_working.add(ordinal)
        else:
            working.append(ordinal)
    return _Year(frozenset(non_working), frozenset(short), tuple(working))


def _recheck_seconds() -> float:
    return float(getattr(settings, "WORKFLOW_CALENDAR_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS))


def _db_stamp() -> tuple[int, datetime | None]:
    result = CalendarDay.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return result["count"], result["latest"]


def _load() -> _Snapshot:
    rows = list(CalendarDay.objects.values_list("date", "kind", "updated_at"))
    latest = max((row[2] for row in rows), default=None)
    return _Snapshot(
        overrides={day: kind for day, kind, _updated in rows},
        stamp=(len(rows), latest),
        checked_at=time.monotonic(),
    )


def _current() -> _Snapshot:
    global _snapshot
    snapshot = _snapshot
    now = time.monotonic()
    if snapshot is not None and now - snapshot.checked_at < _recheck_seconds():
        return snapshot
    with _lock:
        snapshot = _snapshot
        if snapshot is not None and time.monotonic() - snapshot.checked_at < _recheck_seconds():
            return snapshot  # another thread refreshed it meanwhile
        if snapshot is not None and _db_stamp() == snapshot.stamp:
            snapshot.checked_at = time.monotonic()
        else:
            snapshot = _snapshot = _load()
        return snapshot


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _calendar_changed(sender, instance, **kwargs) -> None:
    clear_cache()


# Public API


def is_working_day(day: date) -> bool:
    """True for a working day, including a short one and a working Saturday."""
    return day.toordinal() not in _current().year(day.year).non_working


def is_short_working_day(day: date) -> bool:
    """A working day one hour shorter (the day before a holiday, by the calendar data)."""
    return day.toordinal() in _current().year(day.year).short


def next_working_day(day: date) -> date:
    """The first working day after `day` (never `day` itself)."""
    return add_working_days(day, 1)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start`.

    A term counted from a date starts on the next day, so `start` itself never counts:
    add_working_days(friday, 1) is the first working day after that Friday, whatever `start` is.
    days=0 returns `start` unchanged (even on a day off); a negative `days` counts back:
    add_working_days(d, -1) is the last working day before d. Always
    working_days_between(start, add_working_days(start, n)) == n for n >= 0.
    """
    snapshot = _current()
    ordinal = start.toordinal()
    year = start.year
    if days == 0:
        return start
    if days > 0:
        working = snapshot.year(year).working
        index = bisect.bisect_right(working, ordinal)  # first working day after start
        remaining = days
        while index + remaining > len(working):
            remaining -= len(working) - index
            year += 1
            working = snapshot.year(year).working
            index = 0
        return date.fromordinal(working[index + remaining - 1])
    working = snapshot.year(year).working
    index = bisect.bisect_left(working, ordinal)  # working days before start: working[:index]
    remaining = -days
    while remaining > index:
        remaining -= index
        year -= 1
        working = snapshot.year(year).working
        index = len(working)
    return date.fromordinal(working[index - remaining])


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`.

    0 when end == start; negative when end is before start: -(working days after `end` up to and
    including `start`), so the function is antisymmetric. "Days left" to a due date is
    working_days_between(today, due): 0 on the due date, negative once it has passed; "days taken"
    is working_days_between(started, finished).
    """
    if end < start:
        return -working_days_between(end, start)
    snapshot = _current()
    return _count_through(snapshot, end, base_year=start.year) - _count_through(
        snapshot, start, base_year=start.year
    )


def _count_through(snapshot: _Snapshot, day: date, *, base_year: int) -> int:
    """Working days from 1 January of base_year up to and including day."""
    total = sum(len(snapshot.year(year).working) for year in range(base_year, day.year))
    return total + bisect.bisect_right(snapshot.year(day.year).working, day.toordinal())


def add_calendar_months(start: date, months: int, *, move_to_working_day: bool = True) -> date:
    """The end of a term of `months` calendar months counted from `start` (Civil Code art. 192,
    193).

    The term ends on the same-numbered day of the last month; when that month is shorter the term
    ends on its last day (31 January + 1 month = 28 February, or 29 in a leap year; 31 August +
    6 months = 28/29 February). A term ending on a non-working day ends on the next working day
    (art. 193) unless move_to_working_day is False.
    """
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, stdlib_calendar.monthrange(year, month)[1])
    end = date(year, month, day)
    if move_to_working_day and not is_working_day(end):
        end = next_working_day(end)
    return end


def working_days_in_year(year: int) -> int:
    """The number of working days (short ones included) in a calendar year."""
    return len(_current().year(year).working)
