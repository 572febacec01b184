"""Upsert calendar overrides from a production-calendar CSV (the format of workflow/data)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workflow.models import CalendarDay
from workflow.seeding import CALENDAR_FILE, DataFileError, read_calendar_csv


class Command(BaseCommand):
    help = (
        "Create or update CalendarDay overrides from a CSV with columns date, day_type "
        "(non_working / short_working_day / working_weekend_day), holiday_title, "
        "transferred_from_mmdd, source. Idempotent; days missing from the file are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=CALENDAR_FILE, metavar="FILE")

    def handle(self, *args, file: Path, **options):
        try:
            rows = read_calendar_csv(file)
        except (OSError, DataFileError) as exc:
            raise CommandError(str(exc)) from exc
        created = updated = 0
        with transaction.atomic():
            existing = {
                day.date: day for day in CalendarDay.objects.filter(date__in=[row.day for row in rows])
            }
            for row in rows:
                day = existing.get(row.day)
                if day is None:
                    CalendarDay(date=row.day, kind=row.kind, note=row.note, source=row.source).save()
                    created += 1
                elif (day.kind, day.note, day.source) != (row.kind, row.note, row.source):
                    day.kind, day.note, day.source = row.kind, row.note, row.source
                    day.save()  # save(), not update(): the calendar cache stamp reads updated_at
                    updated += 1
        self.stdout.write(
            f"{file}: {created} created, {updated} updated, {len(rows) - created - updated} unchanged"
        )
